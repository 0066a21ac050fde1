#pragma once

#include "hsi/report.h"
#include "permutation_model.h"

#include <QTimeZone>
#include <memory>
#include <vector>

namespace hsi::ui {

/// The hot pairs of a Report followed by its near-limit pairs.
class FindingTableModel : public PermutationModel {
    Q_OBJECT
public:
    enum Column {
        StatusColumn,
        KindColumn,
        IdColumn,
        DateColumn,
        EventsColumn,
        UniqueEventsColumn,
        RemediatedColumn,
        LimitColumn,
        ShareOfLimitColumn,
        OverLimitColumn,
        CrossingTimeColumn,
        CrossingPlaceColumn,
        CauseColumn,
        ColumnCount
    };

    using PermutationModel::PermutationModel;

    void setReport(std::shared_ptr<const Report> report);
    const PairFinding &findingAt(int row) const;
    /// True when the row is a hot pair, false for a near-limit pair.
    bool isHotAt(int row) const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index,
                  int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

protected:
    std::size_t sourceCount() const override;
    bool acceptsSource(std::uint32_t) const override { return true; }
    void sortSources(std::vector<std::uint32_t> &rows, int column,
                     Qt::SortOrder order) const override;

private:
    const PairFinding &finding(std::uint32_t source) const;
    QVariant displayData(const PairFinding &finding, bool hot,
                         int column) const;
    QVariant sortData(const PairFinding &finding, bool hot, int column) const;

    std::shared_ptr<const Report> m_report;
    QTimeZone m_zone;
};

/// A list of named counts, such as the event names of a pair, with each
/// entry's share of `total`.
class NamedCountModel : public PermutationModel {
    Q_OBJECT
public:
    enum Column { NameColumn, CountColumn, ShareColumn, ColumnCount };

    NamedCountModel(const QString &nameTitle, QObject *parent = nullptr);

    /// Shows `counts`, which must point into `owner`. The model keeps
    /// `owner` alive. `total` is the denominator of the share column.
    void setCounts(std::shared_ptr<const Report> owner,
                   const std::vector<NamedCount> *counts, std::int64_t total);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index,
                  int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

protected:
    std::size_t sourceCount() const override;
    bool acceptsSource(std::uint32_t) const override { return true; }
    void sortSources(std::vector<std::uint32_t> &rows, int column,
                     Qt::SortOrder order) const override;

private:
    double shareOf(const NamedCount &count) const;

    QString m_nameTitle;
    std::shared_ptr<const Report> m_owner;
    const std::vector<NamedCount> *m_counts = nullptr;
    std::int64_t m_total = 0;
};

} // namespace hsi::ui
