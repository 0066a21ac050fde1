#include "record_model.h"

#include "format.h"

#include <QFileInfo>
#include <string_view>

namespace hsi::ui {

void RecordTableModel::setReport(std::shared_ptr<const Report> report)
{
    m_report = std::move(report);
    m_zone = m_report ? reportTimeZone(m_report->settings) : QTimeZone::utc();
    rebuildRows();
}

void RecordTableModel::setKindFilter(KindFilter kind, const QString &groupKey)
{
    m_kind = kind;
    m_groupKey = groupKey.toStdString();
    rebuildRows();
}

void RecordTableModel::setFilterText(const QString &text)
{
    if (text == m_filterText)
        return;
    m_filterText = text;
    rebuildRows();
}

const HotshardRecord &RecordTableModel::recordAt(int row) const
{
    return m_report->records[sourceIndex(row)];
}

std::size_t RecordTableModel::sourceCount() const
{
    return m_report ? m_report->records.size() : 0;
}

bool RecordTableModel::acceptsSource(std::uint32_t source) const
{
    const HotshardRecord &record = m_report->records[source];
    const bool isGroup = !record.groupKey.empty();
    if ((m_kind == KindFilter::User && isGroup) ||
        (m_kind == KindFilter::Group && !isGroup))
        return false;
    if (!m_groupKey.empty() && record.groupKey != m_groupKey)
        return false;
    if (m_filterText.isEmpty())
        return true;
    return toQString(record.distinctId)
               .contains(m_filterText, Qt::CaseInsensitive) ||
           toQString(record.groupDisplayName)
               .contains(m_filterText, Qt::CaseInsensitive);
}

void RecordTableModel::sortSources(std::vector<std::uint32_t> &rows, int column,
                                   Qt::SortOrder order) const
{
    const auto &records = m_report->records;
    switch (column) {
    case TimeColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return records[s].timeMs; });
    case KindColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return !records[s].groupKey.empty(); });
    case IdColumn:
        return sortByKey(rows, order, [&](auto s) {
            return std::string_view(records[s].distinctId);
        });
    case GroupKeyColumn:
        return sortByKey(rows, order, [&](auto s) {
            return std::string_view(records[s].groupKey);
        });
    case DisplayNameColumn:
        return sortByKey(rows, order, [&](auto s) {
            return std::string_view(records[s].groupDisplayName);
        });
    case FileColumn:
        return sortByKey(rows, order, [&](auto s) {
            return std::string_view(records[s].path);
        });
    case LineColumn:
        return sortByKey(rows, order, [&](auto s) { return records[s].line; });
    default:
        return;
    }
}

int RecordTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RecordTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid |
                               CheckIndexOption::ParentIsInvalid))
        return {};
    const HotshardRecord &record = recordAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(record, index.column());
    case SortRole:
        if (index.column() == TimeColumn)
            return static_cast<qlonglong>(record.timeMs);
        if (index.column() == LineColumn)
            return static_cast<qlonglong>(record.line);
        return displayData(record, index.column());
    case SourceIndexRole:
        return static_cast<qulonglong>(sourceIndex(index.row()));
    case Qt::ToolTipRole:
        return index.column() == FileColumn ? displayText(record.path)
                                            : QVariant();
    default:
        return {};
    }
}

QVariant RecordTableModel::displayData(const HotshardRecord &record,
                                       int column) const
{
    switch (column) {
    case TimeColumn:
        return formatTime(record.timeMs, m_zone);
    case KindColumn:
        return record.groupKey.empty() ? QStringLiteral("user")
                                       : QStringLiteral("group");
    case IdColumn:
        return displayText(record.distinctId);
    case GroupKeyColumn:
        return displayText(record.groupKey);
    case DisplayNameColumn:
        return displayText(record.groupDisplayName);
    case FileColumn:
        return QFileInfo(displayText(record.path)).fileName();
    case LineColumn:
        return static_cast<qlonglong>(record.line);
    default:
        return {};
    }
}

QVariant RecordTableModel::headerData(int section, Qt::Orientation orientation,
                                      int role) const
{
    if (orientation != Qt::Horizontal || section < 0 ||
        section >= ColumnCount || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *const titles[ColumnCount] = {
        "Time", "Kind", "Id", "Group key", "Group display name",
        "File", "Line"};
    return QString::fromLatin1(titles[section]);
}

} // namespace hsi::ui
