#include "permutation_model.h"

#include <algorithm>
#include <unordered_map>

namespace hsi::ui {

int PermutationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int PermutationModel::rowOfSource(std::uint32_t source) const
{
    const auto found = std::find(m_rows.begin(), m_rows.end(), source);
    return found == m_rows.end() ? -1
                                 : static_cast<int>(found - m_rows.begin());
}

void PermutationModel::rebuildRows()
{
    beginResetModel();
    m_rows.clear();
    const std::size_t count = sourceCount();
    for (std::size_t source = 0; source < count; ++source) {
        if (acceptsSource(static_cast<std::uint32_t>(source)))
            m_rows.push_back(static_cast<std::uint32_t>(source));
    }
    if (m_sortColumn >= 0)
        sortSources(m_rows, m_sortColumn, m_sortOrder);
    endResetModel();
    emit rowsRearranged();
}

void PermutationModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= columnCount())
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);

    // Persistent indexes (the selection, the current index) follow their
    // source entry to its new row.
    const QModelIndexList before = persistentIndexList();
    std::vector<std::uint32_t> sources;
    sources.reserve(static_cast<std::size_t>(before.size()));
    for (const QModelIndex &index : before)
        sources.push_back(sourceIndex(index.row()));

    sortSources(m_rows, column, order);

    QModelIndexList after;
    after.reserve(before.size());
    if (!before.isEmpty()) {
        std::unordered_map<std::uint32_t, int> rowOf;
        for (std::size_t row = 0; row < m_rows.size(); ++row)
            rowOf.emplace(m_rows[row], static_cast<int>(row));
        for (qsizetype i = 0; i < before.size(); ++i)
            after.append(index(rowOf.at(sources[static_cast<std::size_t>(i)]),
                               before[i].column()));
    }
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
    emit rowsRearranged();
}

} // namespace hsi::ui
