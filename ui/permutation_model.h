#pragma once

#include <QAbstractTableModel>
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace hsi::ui {

/// Item data roles shared by the report models.
enum ModelRole {
    /// The value to sort by: a number for numeric columns, text otherwise.
    /// Display text is formatted ("1,025,090") and would sort wrongly.
    SortRole = Qt::UserRole + 1,
    /// The index of the row's entry in the source vector of the Report.
    SourceIndexRole,
};

/// A table over a vector that the model does not own, shown through a
/// permutation of source indexes.
///
/// Filtering and sorting rearrange the permutation only, so no row data is
/// copied, and comparisons read the source fields directly. A
/// QSortFilterProxyModel would instead call data() and build a QVariant for
/// every comparison, which is slow over a million rows.
class PermutationModel : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    /// Returns the source index shown in `row`, which must be valid.
    std::uint32_t sourceIndex(int row) const
    {
        return m_rows[static_cast<std::size_t>(row)];
    }
    /// Returns the row that shows `source`, or -1 when it is filtered out.
    int rowOfSource(std::uint32_t source) const;
    /// Source indexes in display order.
    const std::vector<std::uint32_t> &rows() const { return m_rows; }

signals:
    /// Emitted after a reset, a filter change or a sort.
    void rowsRearranged();

protected:
    /// Number of entries in the source vector, or 0 when there is no data.
    virtual std::size_t sourceCount() const = 0;
    /// Returns true when the filter keeps `source`.
    virtual bool acceptsSource(std::uint32_t source) const = 0;
    /// Sorts `rows` (source indexes) by `column`. Implementations should sort
    /// stably, so that equal keys keep the source order.
    virtual void sortSources(std::vector<std::uint32_t> &rows, int column,
                             Qt::SortOrder order) const = 0;

    /// Rebuilds the rows from the source and the filter, then sorts them.
    /// Call after the source or the filter changed.
    void rebuildRows();

private:
    std::vector<std::uint32_t> m_rows;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};

/// Sorts source indexes stably by the key that `key(source)` returns.
///
/// Numeric keys are read once into a contiguous vector before sorting,
/// because reading them through the source indexes on every comparison
/// jumps around in memory.
template <typename KeyFunction>
void sortByKey(std::vector<std::uint32_t> &rows, Qt::SortOrder order,
               KeyFunction key)
{
    using Key = std::decay_t<decltype(key(std::uint32_t{}))>;
    const auto sortBy = [order](auto &items, auto keyOf) {
        if (order == Qt::AscendingOrder)
            std::stable_sort(items.begin(), items.end(),
                             [&](const auto &a, const auto &b) {
                                 return keyOf(a) < keyOf(b);
                             });
        else
            std::stable_sort(items.begin(), items.end(),
                             [&](const auto &a, const auto &b) {
                                 return keyOf(b) < keyOf(a);
                             });
    };
    if constexpr (std::is_arithmetic_v<Key>) {
        std::vector<std::pair<Key, std::uint32_t>> keyed;
        keyed.reserve(rows.size());
        for (std::uint32_t source : rows)
            keyed.emplace_back(key(source), source);
        sortBy(keyed, [](const auto &item) { return item.first; });
        for (std::size_t i = 0; i < rows.size(); ++i)
            rows[i] = keyed[i].second;
    } else {
        sortBy(rows, key);
    }
}

} // namespace hsi::ui
