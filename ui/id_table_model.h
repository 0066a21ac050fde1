#pragma once

#include "hsi/report.h"
#include "permutation_model.h"

#include <QString>
#include <memory>
#include <string>
#include <vector>

namespace hsi::ui {

/// Every user id, or every group id, of a Report at its peak day.
///
/// Rows read straight from `Report::ids`, and the model keeps only a
/// permutation and one finding pointer per id. Unique events and the likely
/// cause exist only for hot and near-limit pairs, whose evidence the scan
/// gathers.
class IdTableModel : public PermutationModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        GroupKeyColumn,
        PeakDateColumn,
        EventsColumn,
        UniqueEventsColumn,
        RemediatedColumn,
        OverLimitColumn,
        TotalEventsColumn,
        DaysColumn,
        FlagsColumn,
        CauseColumn,
        ColumnCount
    };

    explicit IdTableModel(ShardKind kind, QObject *parent = nullptr);

    void setReport(std::shared_ptr<const Report> report);
    /// Keeps ids whose id or group key contains `text`, ignoring ASCII case.
    void setFilterText(const QString &text);
    QString filterText() const { return m_filterText; }

    ShardKind kind() const { return m_kind; }
    /// Number of ids of this kind before filtering.
    std::size_t totalCount() const { return m_ids.size(); }
    const IdVolume &volumeAt(int row) const;
    /// Returns the finding for the id at its peak day (or another of its
    /// days), or nullptr when the id was neither hot nor near its limit.
    const PairFinding *findingAt(int row) const;
    /// Returns up to `count` rows of the current filter with the most events
    /// at their peak day, largest first.
    std::vector<int> topRows(int count) const;
    /// The limit that applies to ids of this kind.
    std::int64_t limit() const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index,
                  int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

protected:
    std::size_t sourceCount() const override { return m_ids.size(); }
    bool acceptsSource(std::uint32_t source) const override;
    void sortSources(std::vector<std::uint32_t> &rows, int column,
                     Qt::SortOrder order) const override;

private:
    QVariant displayData(const IdVolume &volume, const PairFinding *finding,
                         int column) const;
    QVariant sortData(const IdVolume &volume, const PairFinding *finding,
                      int column) const;
    void indexFindings();

    ShardKind m_kind;
    std::shared_ptr<const Report> m_report;
    /// Indexes into `Report::ids` of the ids of this kind: the model's source.
    std::vector<std::uint32_t> m_ids;
    /// Finding of each entry of `m_ids`, or nullptr.
    std::vector<const PairFinding *> m_findings;
    QString m_filterText;
    std::string m_filterLower;
};

} // namespace hsi::ui
