#include "id_table_model.h"

#include "format.h"
#include "hsi/printable.h"

#include <QFont>
#include <algorithm>
#include <cctype>
#include <string_view>
#include <unordered_map>

namespace hsi::ui {

namespace {

bool containsIgnoringCase(std::string_view text, std::string_view lowerNeedle)
{
    if (lowerNeedle.empty())
        return true;
    const auto found =
        std::search(text.begin(), text.end(), lowerNeedle.begin(),
                    lowerNeedle.end(), [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) == b;
                    });
    return found != text.end();
}

std::int64_t uniqueEventsOf(const PairFinding *finding)
{
    return finding ? finding->uniqueEvents : -1;
}

// The scan deduplicates and looks for a cause only in hot and near-limit
// pairs, so other ids show notComputedMark() with this tool tip.
QString notComputedTip(const char *verb)
{
    return QStringLiteral("%1 only for hot and near-limit pairs, where the "
                          "scan gathers evidence. This id never came near "
                          "its limit.")
        .arg(QString::fromLatin1(verb));
}

} // namespace

IdTableModel::IdTableModel(ShardKind kind, QObject *parent)
    : PermutationModel(parent), m_kind(kind)
{
}

void IdTableModel::setReport(std::shared_ptr<const Report> report)
{
    m_report = std::move(report);
    m_ids.clear();
    if (m_report) {
        for (std::size_t i = 0; i < m_report->ids.size(); ++i) {
            if (m_report->ids[i].kind == m_kind)
                m_ids.push_back(static_cast<std::uint32_t>(i));
        }
    }
    indexFindings();
    rebuildRows();
}

// Findings are few (hot and near-limit pairs), so they go into a hash keyed
// by id text, and each of the possibly millions of ids does one lookup.
void IdTableModel::indexFindings()
{
    m_findings.assign(m_ids.size(), nullptr);
    if (!m_report)
        return;
    std::unordered_multimap<std::string_view, const PairFinding *> byId;
    for (const auto *list : {&m_report->hotShards, &m_report->nearLimit}) {
        for (const PairFinding &finding : *list) {
            if (finding.kind == m_kind)
                byId.emplace(finding.id, &finding);
        }
    }
    if (byId.empty())
        return;
    for (std::size_t i = 0; i < m_ids.size(); ++i) {
        const IdVolume &volume = m_report->ids[m_ids[i]];
        const auto [first, last] = byId.equal_range(volume.id);
        for (auto it = first; it != last; ++it) {
            const PairFinding *finding = it->second;
            if (finding->groupKey != volume.groupKey)
                continue;
            // Prefer the peak day, which is the day the row shows.
            if (!m_findings[i] || finding->day == volume.peakDay)
                m_findings[i] = finding;
        }
    }
}

void IdTableModel::setFilterText(const QString &text)
{
    if (text == m_filterText)
        return;
    m_filterText = text;
    m_filterLower = text.toLower().toStdString();
    rebuildRows();
}

const IdVolume &IdTableModel::volumeAt(int row) const
{
    return m_report->ids[m_ids[sourceIndex(row)]];
}

const PairFinding *IdTableModel::findingAt(int row) const
{
    return m_findings[sourceIndex(row)];
}

std::vector<int> IdTableModel::topRows(int count) const
{
    std::vector<int> result(static_cast<std::size_t>(rowCount()));
    for (std::size_t row = 0; row < result.size(); ++row)
        result[row] = static_cast<int>(row);
    const auto take = std::min<std::size_t>(
        result.size(), static_cast<std::size_t>(std::max(count, 0)));
    std::partial_sort(result.begin(),
                      result.begin() + static_cast<std::ptrdiff_t>(take),
                      result.end(), [this](int a, int b) {
                          // Ties keep the table order, so the chart and the
                          // table list equal counts alike.
                          const std::int64_t left = volumeAt(a).peakEvents;
                          const std::int64_t right = volumeAt(b).peakEvents;
                          return left != right ? left > right : a < b;
                      });
    result.resize(take);
    return result;
}

std::int64_t IdTableModel::limit() const
{
    if (!m_report)
        return m_kind == ShardKind::User ? kDefaultUserLimit
                                         : kDefaultGroupLimit;
    const ScanSettings &settings = m_report->settings;
    return m_kind == ShardKind::User ? settings.userLimit : settings.groupLimit;
}

int IdTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

bool IdTableModel::acceptsSource(std::uint32_t source) const
{
    if (m_filterLower.empty())
        return true;
    const IdVolume &volume = m_report->ids[m_ids[source]];
    if (containsIgnoringCase(volume.id, m_filterLower) ||
        containsIgnoringCase(volume.groupKey, m_filterLower))
        return true;
    // The escaped form the table shows matches too; see displayText().
    return hsi::mayNeedEscapes(volume.id) &&
           containsIgnoringCase(hsi::printable(volume.id), m_filterLower);
}

void IdTableModel::sortSources(std::vector<std::uint32_t> &rows, int column,
                               Qt::SortOrder order) const
{
    const auto volume = [this](std::uint32_t source) -> const IdVolume & {
        return m_report->ids[m_ids[source]];
    };
    switch (column) {
    case IdColumn:
        return sortByKey(rows, order, [&](auto s) {
            return std::string_view(volume(s).id);
        });
    case GroupKeyColumn:
        return sortByKey(rows, order, [&](auto s) {
            return std::string_view(volume(s).groupKey);
        });
    case PeakDateColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return volume(s).peakDay; });
    case EventsColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return volume(s).peakEvents; });
    case UniqueEventsColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return uniqueEventsOf(m_findings[s]); });
    case RemediatedColumn:
        return sortByKey(rows, order, [&](auto s) {
            return volume(s).peakRemediatedEvents;
        });
    case OverLimitColumn:
        return sortByKey(rows, order, [&](auto s) {
            return volume(s).peakEvents - limit();
        });
    case TotalEventsColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return volume(s).totalEvents; });
    case DaysColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return volume(s).dayCount; });
    case FlagsColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return volume(s).idFlags; });
    case CauseColumn:
        return sortByKey(rows, order, [&](auto s) {
            return m_findings[s] ? static_cast<int>(m_findings[s]->likelyCause)
                                 : -1;
        });
    default:
        return;
    }
}

QVariant IdTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid |
                               CheckIndexOption::ParentIsInvalid))
        return {};
    const IdVolume &volume = volumeAt(index.row());
    const PairFinding *finding = findingAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(volume, finding, index.column());
    case SortRole:
        return sortData(volume, finding, index.column());
    case SourceIndexRole:
        return static_cast<qulonglong>(m_ids[sourceIndex(index.row())]);
    case Qt::TextAlignmentRole:
        if (index.column() >= EventsColumn && index.column() <= DaysColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::FontRole:
        if (volume.peakEvents > limit()) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ToolTipRole:
        // The table elides these columns when it is narrow.
        if (index.column() == IdColumn || index.column() == GroupKeyColumn ||
            index.column() == FlagsColumn)
            return displayData(volume, finding, index.column());
        if (index.column() == CauseColumn && finding)
            return displayText(finding->likelyCauseText);
        if (index.column() == UniqueEventsColumn && !finding)
            return notComputedTip("Counted");
        if (index.column() == CauseColumn && !finding)
            return notComputedTip("Found");
        return {};
    default:
        return {};
    }
}

QVariant IdTableModel::displayData(const IdVolume &volume,
                                   const PairFinding *finding, int column) const
{
    switch (column) {
    case IdColumn:
        return displayText(volume.id);
    case GroupKeyColumn:
        return displayText(volume.groupKey);
    case PeakDateColumn:
        return formatDate(volume.peakDay);
    case EventsColumn:
        return formatCount(volume.peakEvents);
    case UniqueEventsColumn:
        return finding ? formatUniqueEvents(finding->uniqueEvents)
                       : notComputedMark();
    case RemediatedColumn:
        return formatCount(volume.peakRemediatedEvents);
    case OverLimitColumn:
        return volume.peakEvents > limit()
                   ? formatCount(volume.peakEvents - limit())
                   : QString();
    case TotalEventsColumn:
        return formatCount(volume.totalEvents);
    case DaysColumn:
        return static_cast<qulonglong>(volume.dayCount);
    case FlagsColumn:
        return formatIdFlags(volume.idFlags);
    case CauseColumn:
        return finding ? likelyCauseLabel(finding->likelyCause, finding->kind)
                       : notComputedMark();
    default:
        return {};
    }
}

QVariant IdTableModel::sortData(const IdVolume &volume,
                                const PairFinding *finding, int column) const
{
    switch (column) {
    case PeakDateColumn:
        return volume.peakDay;
    case EventsColumn:
        return static_cast<qlonglong>(volume.peakEvents);
    case UniqueEventsColumn:
        return static_cast<qlonglong>(uniqueEventsOf(finding));
    case RemediatedColumn:
        return static_cast<qlonglong>(volume.peakRemediatedEvents);
    case OverLimitColumn:
        return static_cast<qlonglong>(volume.peakEvents - limit());
    case TotalEventsColumn:
        return static_cast<qlonglong>(volume.totalEvents);
    case DaysColumn:
        return static_cast<qulonglong>(volume.dayCount);
    case FlagsColumn:
        return static_cast<qulonglong>(volume.idFlags);
    default:
        return displayData(volume, finding, column);
    }
}

QVariant IdTableModel::headerData(int section, Qt::Orientation orientation,
                                  int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    // Two-word titles of narrow columns take two lines, so that the numbers
    // below them, not the header, set the column width.
    static const char *const titles[ColumnCount] = {
        "Id",          "Group key",      "Peak\ndate",
        "Events",      "Unique\nevents", "Remediated",
        "Over\nlimit", "Total\nevents",  "Days",
        "Flags",       "Likely cause"};
    static const char *const tips[ColumnCount] = {
        "The distinct_id, or the group id for group keys.",
        "The group property the id was read from.",
        "The date with the most events for this id, in the scan's time zone.",
        "Events on the peak date, original and remediated.",
        "Events on the peak date after removing repeats of (event, "
        "distinct_id, time, $insert_id). Counted only for hot and near-limit "
        "pairs; other ids show a dash.",
        "$hotshard_events on the peak date that belong to this id.",
        "Events on the peak date past the limit.",
        "Events of this id on all dates.",
        "Number of dates with events.",
        "Why the id looks wrong.",
        "The most likely reason for the volume, from the evidence gathered. "
        "Found only for hot and near-limit pairs; other ids show a dash."};
    if (role == Qt::DisplayRole)
        return QString::fromLatin1(titles[section]);
    if (role == Qt::ToolTipRole)
        return QString::fromLatin1(tips[section]);
    return {};
}

} // namespace hsi::ui
