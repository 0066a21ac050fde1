#include "report_models.h"

#include "format.h"
#include "hsi/count_text.h"

#include <QFileInfo>
#include <string_view>

namespace hsi::ui {

namespace {

QVariant rightAligned()
{
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
}

double shareOfLimit(const PairFinding &finding)
{
    return finding.limit > 0 ? static_cast<double>(finding.events) /
                                   static_cast<double>(finding.limit)
                             : 0.0;
}

} // namespace

void FindingTableModel::setReport(std::shared_ptr<const Report> report)
{
    m_report = std::move(report);
    m_zone = m_report ? reportTimeZone(m_report->settings) : QTimeZone::utc();
    rebuildRows();
}

std::size_t FindingTableModel::sourceCount() const
{
    return m_report ? m_report->hotShards.size() + m_report->nearLimit.size()
                    : 0;
}

const PairFinding &FindingTableModel::finding(std::uint32_t source) const
{
    const std::size_t hot = m_report->hotShards.size();
    return source < hot ? m_report->hotShards[source]
                        : m_report->nearLimit[source - hot];
}

const PairFinding &FindingTableModel::findingAt(int row) const
{
    return finding(sourceIndex(row));
}

bool FindingTableModel::isHotAt(int row) const
{
    return sourceIndex(row) < m_report->hotShards.size();
}

int FindingTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void FindingTableModel::sortSources(std::vector<std::uint32_t> &rows,
                                    int column, Qt::SortOrder order) const
{
    const auto key = [this, column](std::uint32_t source) {
        const bool hot = source < m_report->hotShards.size();
        return sortData(finding(source), hot, column);
    };
    // Few rows, so comparing QVariants is cheap enough here.
    sortByKey(rows, order, [&](std::uint32_t source) {
        const QVariant value = key(source);
        return value.typeId() == QMetaType::QString
                   ? std::pair<qlonglong, QString>(0, value.toString())
                   : std::pair<qlonglong, QString>(value.toLongLong(),
                                                   QString());
    });
}

QVariant FindingTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid |
                               CheckIndexOption::ParentIsInvalid))
        return {};
    const PairFinding &pair = findingAt(index.row());
    const bool hot = isHotAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(pair, hot, index.column());
    case SortRole:
        return sortData(pair, hot, index.column());
    case SourceIndexRole:
        return static_cast<qulonglong>(sourceIndex(index.row()));
    case Qt::ToolTipRole:
        if (index.column() == CauseColumn)
            return displayText(pair.likelyCauseText);
        if (index.column() == CrossingPlaceColumn && pair.crossing)
            return QStringLiteral("%1, line %2")
                .arg(displayText(pair.crossing->path))
                .arg(pair.crossing->line);
        if (index.column() == CrossingTimeColumn && pair.crossing)
            return formatTime(pair.crossing->timeMs, m_zone);
        if (index.column() == IdColumn)
            return data(index, Qt::DisplayRole);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= EventsColumn && index.column() <= OverLimitColumn)
            return rightAligned();
        return {};
    default:
        return {};
    }
}

QVariant FindingTableModel::displayData(const PairFinding &pair, bool hot,
                                        int column) const
{
    switch (column) {
    case StatusColumn:
        return hot ? QStringLiteral("hot") : QStringLiteral("near limit");
    case KindColumn:
        return kindName(pair.kind);
    case IdColumn:
        return idLabel(pair.kind, pair.groupKey, pair.id);
    case DateColumn:
        return formatDate(pair.day);
    case EventsColumn:
        return formatCount(pair.events);
    case UniqueEventsColumn:
        return formatUniqueEvents(pair.uniqueEvents);
    case RemediatedColumn:
        return formatCount(pair.remediatedEvents);
    case LimitColumn:
        return formatCount(pair.limit);
    case ShareOfLimitColumn:
        return QString::fromStdString(
            hsi::formatPercent(shareOfLimit(pair) * 100.0));
    case OverLimitColumn:
        return pair.overLimit > 0 ? formatCount(pair.overLimit) : QString();
    case CrossingTimeColumn:
        // The crossing falls on the pair's date, which the date column shows.
        return pair.crossing ? formatTimeOfDay(pair.crossing->timeMs, m_zone)
                             : QString();
    case CrossingPlaceColumn:
        if (!pair.crossing)
            return QString();
        return QString(QFileInfo(displayText(pair.crossing->path)).fileName() +
                       QLatin1Char(':') + QString::number(pair.crossing->line));
    case CauseColumn:
        return likelyCauseLabel(pair.likelyCause, pair.kind);
    default:
        return {};
    }
}

QVariant FindingTableModel::sortData(const PairFinding &pair, bool hot,
                                     int column) const
{
    switch (column) {
    case StatusColumn:
        return hot ? 1 : 0;
    case DateColumn:
        return pair.day;
    case EventsColumn:
        return static_cast<qlonglong>(pair.events);
    case UniqueEventsColumn:
        return static_cast<qlonglong>(pair.uniqueEvents);
    case RemediatedColumn:
        return static_cast<qlonglong>(pair.remediatedEvents);
    case LimitColumn:
        return static_cast<qlonglong>(pair.limit);
    case ShareOfLimitColumn:
        return static_cast<qlonglong>(shareOfLimit(pair) * 10000.0);
    case OverLimitColumn:
        return static_cast<qlonglong>(pair.overLimit);
    case CrossingTimeColumn:
        return static_cast<qlonglong>(pair.crossing ? pair.crossing->timeMs
                                                    : -1);
    default:
        return displayData(pair, hot, column);
    }
}

QVariant FindingTableModel::headerData(int section, Qt::Orientation orientation,
                                       int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    // Two-word titles of narrow columns take two lines, so that the numbers
    // below them, not the header, set the column width.
    static const char *const titles[ColumnCount] = {
        "Status",      "Kind",           "Id",         "Date",
        "Events",      "Unique\nevents", "Remediated", "Limit",
        "Of\nlimit",   "Over\nlimit",    "Crossed at", "Crossing event",
        "Likely cause"};
    static const char *const tips[ColumnCount] = {
        "Hot: over the limit on this date. Near limit: at or above the "
        "near-limit fraction of the scan settings, but not over the limit.",
        "User (distinct_id) or group.",
        "The distinct_id, or the group key and group id.",
        "The date, in the scan's time zone.",
        "Events on the date, original and remediated, duplicates included.",
        "Events after removing repeats of (event, distinct_id, time, "
        "$insert_id).",
        "$hotshard_events on the date that belong to this id.",
        "The per-day limit that applies to this kind of id.",
        "Events as a share of the limit.",
        "Events past the limit.",
        "Time of the event that took the id past the limit.",
        "File and line of the event that took the id past the limit.",
        "The most likely reason for the volume, from the evidence gathered."};
    if (role == Qt::DisplayRole)
        return QString::fromLatin1(titles[section]);
    if (role == Qt::ToolTipRole)
        return QString::fromLatin1(tips[section]);
    return {};
}

NamedCountModel::NamedCountModel(const QString &nameTitle, QObject *parent)
    : PermutationModel(parent), m_nameTitle(nameTitle)
{
}

void NamedCountModel::setCounts(std::shared_ptr<const Report> owner,
                                const std::vector<NamedCount> *counts,
                                std::int64_t total)
{
    m_owner = std::move(owner);
    m_counts = counts;
    m_total = total;
    rebuildRows();
}

std::size_t NamedCountModel::sourceCount() const
{
    return m_counts ? m_counts->size() : 0;
}

double NamedCountModel::shareOf(const NamedCount &count) const
{
    return m_total > 0
               ? static_cast<double>(count.count) / static_cast<double>(m_total)
               : 0.0;
}

int NamedCountModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void NamedCountModel::sortSources(std::vector<std::uint32_t> &rows, int column,
                                  Qt::SortOrder order) const
{
    const auto &counts = *m_counts;
    if (column == NameColumn)
        sortByKey(rows, order,
                  [&](auto s) { return std::string_view(counts[s].name); });
    else
        sortByKey(rows, order, [&](auto s) { return counts[s].count; });
}

QVariant NamedCountModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid |
                               CheckIndexOption::ParentIsInvalid))
        return {};
    const NamedCount &count = (*m_counts)[sourceIndex(index.row())];
    if (role == Qt::TextAlignmentRole && index.column() != NameColumn)
        return rightAligned();
    if (role == SourceIndexRole)
        return static_cast<qulonglong>(sourceIndex(index.row()));
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return displayText(count.name);
    case CountColumn:
        return role == SortRole ? QVariant(static_cast<qlonglong>(count.count))
                                : QVariant(formatCount(count.count));
    case ShareColumn:
        return role == SortRole
                   ? QVariant(shareOf(count))
                   : QVariant(QString::fromStdString(
                         hsi::formatPercent(shareOf(count) * 100)));
    default:
        return {};
    }
}

QVariant NamedCountModel::headerData(int section, Qt::Orientation orientation,
                                     int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return m_nameTitle;
    case CountColumn:
        return QStringLiteral("Events");
    case ShareColumn:
        return QStringLiteral("Share");
    default:
        return {};
    }
}

} // namespace hsi::ui
