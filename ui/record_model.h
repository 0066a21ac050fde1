#pragma once

#include "hsi/report.h"
#include "permutation_model.h"

#include <QTimeZone>
#include <memory>
#include <string>

namespace hsi::ui {

/// The `$hotshard_record` events of a Report, in input order.
class RecordTableModel : public PermutationModel {
    Q_OBJECT
public:
    enum Column {
        TimeColumn,
        KindColumn,
        IdColumn,
        GroupKeyColumn,
        DisplayNameColumn,
        FileColumn,
        LineColumn,
        ColumnCount
    };
    /// Record kinds that the kind filter keeps.
    enum class KindFilter { All, User, Group };

    using PermutationModel::PermutationModel;

    void setReport(std::shared_ptr<const Report> report);
    /// Keeps records of one kind and, when `groupKey` is not empty, of that
    /// group key only.
    void setKindFilter(KindFilter kind, const QString &groupKey = {});
    /// Keeps records whose id or display name contains `text`, ignoring case.
    void setFilterText(const QString &text);

    const HotshardRecord &recordAt(int row) const;
    const QTimeZone &timeZone() const { return m_zone; }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index,
                  int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

protected:
    std::size_t sourceCount() const override;
    bool acceptsSource(std::uint32_t source) const override;
    void sortSources(std::vector<std::uint32_t> &rows, int column,
                     Qt::SortOrder order) const override;

private:
    QVariant displayData(const HotshardRecord &record, int column) const;

    std::shared_ptr<const Report> m_report;
    QTimeZone m_zone = QTimeZone::utc();
    KindFilter m_kind = KindFilter::All;
    std::string m_groupKey;
    QString m_filterText;
};

} // namespace hsi::ui
