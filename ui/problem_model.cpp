#include "problem_model.h"

#include "format.h"

#include <QApplication>
#include <QFileInfo>
#include <QStyle>
#include <algorithm>

namespace hsi::ui {

void ProblemTableModel::setReport(const Report &report)
{
    m_entries.clear();
    m_unlisted = 0;
    for (const std::string &note : report.inputNotes)
        m_entries.push_back(
            {Problem::Severity::Warning, QString(), 0, displayText(note)});
    for (const InputReport &input : report.inputs)
        addInputEntries(input);
    addIdEntries(report);
    rebuildRows();
}

void ProblemTableModel::setScanFailure(const QString &message)
{
    m_entries.clear();
    m_unlisted = 0;
    m_entries.push_back({Problem::Severity::Error, QString(), 0,
                         QStringLiteral("The scan could not run: ") + message});
    rebuildRows();
}

void ProblemTableModel::clear()
{
    m_entries.clear();
    m_unlisted = 0;
    rebuildRows();
}

void ProblemTableModel::setErrorsOnly(bool errorsOnly)
{
    m_errorsOnly = errorsOnly;
    rebuildRows();
}

void ProblemTableModel::addInputEntries(const InputReport &input)
{
    const QString path = displayText(input.path);
    for (const Problem &problem : input.problems)
        m_entries.push_back({problem.severity, path, problem.line,
                             displayText(problem.message)});

    const auto listed = static_cast<std::int64_t>(input.problems.size());
    if (input.problemCount > listed) {
        m_unlisted += input.problemCount - listed;
        m_entries.push_back(
            {Problem::Severity::Warning, path, 0,
             QStringLiteral("%1 more problems in this file are not listed; "
                            "the scan keeps the first %2.")
                 .arg(formatCount(input.problemCount - listed))
                 .arg(listed)});
    }
    if (input.status == InputReport::Status::Incomplete &&
        input.problems.empty()) {
        m_entries.push_back(
            {Problem::Severity::Warning, path, 0,
             QStringLiteral("Some lines of this file could not be read.")});
    }
}

void ProblemTableModel::addIdEntries(const Report &report)
{
    for (const IdProblem &problem : report.idProblems) {
        m_entries.push_back(
            {Problem::Severity::Warning, QString(), 0,
             QStringLiteral("%1 id '%2' looks wrong (%3): %4 events")
                 .arg(kindName(problem.kind),
                      idLabel(problem.kind, problem.groupKey, problem.id),
                      formatIdFlags(problem.idFlags),
                      formatCount(problem.events))});
    }
    const Totals &totals = report.totals;
    const std::pair<std::int64_t, const char *> counts[] = {
        {totals.nullIds, "events have a null distinct_id."},
        {totals.missingIds, "events have no distinct_id."},
        {totals.structuredIds,
         "events have an object or array as distinct_id."},
        {totals.undatedEvents, "events have no usable time and are in no day."},
    };
    for (const auto &[count, text] : counts) {
        if (count > 0) {
            m_entries.push_back({Problem::Severity::Warning, QString(), 0,
                                 formatCount(count) + QLatin1Char(' ') +
                                     QString::fromLatin1(text)});
        }
    }
}

int ProblemTableModel::errorCount() const
{
    return static_cast<int>(
        std::count_if(m_entries.begin(), m_entries.end(), [](const Entry &e) {
            return e.severity == Problem::Severity::Error;
        }));
}

int ProblemTableModel::warningCount() const
{
    return static_cast<int>(m_entries.size()) - errorCount();
}

bool ProblemTableModel::acceptsSource(std::uint32_t source) const
{
    return !m_errorsOnly ||
           m_entries[source].severity == Problem::Severity::Error;
}

void ProblemTableModel::sortSources(std::vector<std::uint32_t> &rows,
                                    int column, Qt::SortOrder order) const
{
    switch (column) {
    case SeverityColumn:
        return sortByKey(rows, order, [&](auto s) {
            return static_cast<int>(m_entries[s].severity);
        });
    case FileColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return m_entries[s].path; });
    case LineColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return m_entries[s].line; });
    case MessageColumn:
        return sortByKey(rows, order,
                         [&](auto s) { return m_entries[s].message; });
    default:
        return;
    }
}

int ProblemTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid |
                               CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = entryAt(index.row());
    const bool isError = entry.severity == Problem::Severity::Error;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn:
            return isError ? QStringLiteral("error")
                           : QStringLiteral("warning");
        case FileColumn:
            return QFileInfo(entry.path).fileName();
        case LineColumn:
            return entry.line > 0 ? QVariant(entry.line) : QVariant();
        case MessageColumn:
            return entry.message;
        default:
            return {};
        }
    case SortRole:
        if (index.column() == LineColumn)
            return entry.line;
        return data(index, Qt::DisplayRole);
    case SourceIndexRole:
        return static_cast<qulonglong>(sourceIndex(index.row()));
    case Qt::DecorationRole:
        if (index.column() != SeverityColumn ||
            !qobject_cast<QApplication *>(QCoreApplication::instance()))
            return {};
        return QApplication::style()->standardIcon(
            isError ? QStyle::SP_MessageBoxCritical
                    : QStyle::SP_MessageBoxWarning);
    case Qt::ToolTipRole:
        return index.column() == FileColumn ? entry.path : entry.message;
    default:
        return {};
    }
}

QVariant ProblemTableModel::headerData(int section, Qt::Orientation orientation,
                                       int role) const
{
    if (orientation != Qt::Horizontal || section < 0 ||
        section >= ColumnCount || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *const titles[ColumnCount] = {"Severity", "File", "Line",
                                                    "Message"};
    return QString::fromLatin1(titles[section]);
}

} // namespace hsi::ui
