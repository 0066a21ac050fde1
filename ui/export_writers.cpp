#include "export_writers.h"

#include "format.h"
#include "hsi/report_json.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QTextStream>
#include <functional>

namespace hsi::ui {

namespace {

} // namespace

/// Writes `path` atomically through QSaveFile, so a failed export never
/// leaves a half-written file in place of an earlier one.
QString writeFileAtomically(const QString &path,
                            const std::function<void(QTextStream &)> &body)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("Cannot write %1: %2")
            .arg(path, file.errorString());
    QTextStream stream(&file);
    body(stream);
    stream.flush();
    if (stream.status() != QTextStream::Ok || !file.commit())
        return QStringLiteral("Cannot write %1: %2")
            .arg(path, file.errorString());
    return {};
}

namespace {

void writeCsvRow(QTextStream &out, const QStringList &fields)
{
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            out << ',';
        out << csvField(fields[i]);
    }
    out << "\r\n";
}

QString number(std::int64_t value)
{
    return QString::number(value);
}

/// An empty cell for line 0, which marks a problem with the whole file.
QString lineText(std::int64_t line)
{
    return line > 0 ? number(line) : QString();
}

void writeFindings(QTextStream &out, const std::vector<PairFinding> &findings)
{
    writeCsvRow(
        out,
        {QStringLiteral("kind"), QStringLiteral("group_key"),
         QStringLiteral("id"), QStringLiteral("date"), QStringLiteral("events"),
         QStringLiteral("unique_events"), QStringLiteral("remediated_events"),
         QStringLiteral("limit"), QStringLiteral("over_limit"),
         QStringLiteral("crossing_file"), QStringLiteral("crossing_line"),
         QStringLiteral("crossing_time_ms"), QStringLiteral("id_flags"),
         QStringLiteral("likely_cause"), QStringLiteral("likely_cause_text")});
    for (const PairFinding &f : findings) {
        writeCsvRow(out, {kindName(f.kind), toQString(f.groupKey),
                          toQString(f.id), formatDate(f.day), number(f.events),
                          f.uniqueEvents == PairFinding::kNotDetermined
                              ? QString()
                              : number(f.uniqueEvents),
                          number(f.remediatedEvents), number(f.limit),
                          number(f.overLimit),
                          f.crossing ? toQString(f.crossing->path) : QString(),
                          f.crossing ? number(f.crossing->line) : QString(),
                          f.crossing ? number(f.crossing->timeMs) : QString(),
                          formatIdFlags(f.idFlags),
                          QString::fromLatin1(likelyCauseName(f.likelyCause)),
                          toQString(f.likelyCauseText)});
    }
}

void writeDays(QTextStream &out, const Report &report)
{
    writeCsvRow(out, {QStringLiteral("date"), QStringLiteral("events"),
                      QStringLiteral("remediated_events"),
                      QStringLiteral("non_attributed_events")});
    for (const DayTotal &day : report.days)
        writeCsvRow(out, {formatDate(day.day), number(day.events),
                          number(day.remediatedEvents),
                          number(day.nonAttributedEvents)});
}

void writeIds(QTextStream &out, const Report &report)
{
    writeCsvRow(out, {QStringLiteral("kind"), QStringLiteral("group_key"),
                      QStringLiteral("id"), QStringLiteral("peak_date"),
                      QStringLiteral("peak_events"),
                      QStringLiteral("peak_remediated_events"),
                      QStringLiteral("total_events"), QStringLiteral("days"),
                      QStringLiteral("id_flags")});
    for (const IdVolume &v : report.ids)
        writeCsvRow(out,
                    {kindName(v.kind), toQString(v.groupKey), toQString(v.id),
                     formatDate(v.peakDay), number(v.peakEvents),
                     number(v.peakRemediatedEvents), number(v.totalEvents),
                     number(v.dayCount), formatIdFlags(v.idFlags)});
}

void writeRecords(QTextStream &out, const Report &report)
{
    writeCsvRow(out, {QStringLiteral("time_ms"),
                      QStringLiteral("hotshard_distinct_id"),
                      QStringLiteral("hotshard_group_key"),
                      QStringLiteral("hotshard_group_display_name"),
                      QStringLiteral("file"), QStringLiteral("line")});
    for (const HotshardRecord &r : report.records)
        writeCsvRow(out, {number(r.timeMs), toQString(r.distinctId),
                          toQString(r.groupKey), toQString(r.groupDisplayName),
                          toQString(r.path), number(r.line)});
}

void writeProblems(QTextStream &out, const Report &report)
{
    writeCsvRow(out, {QStringLiteral("file"), QStringLiteral("line"),
                      QStringLiteral("severity"), QStringLiteral("message")});
    for (const InputReport &input : report.inputs) {
        for (const Problem &p : input.problems)
            writeCsvRow(out, {toQString(input.path), lineText(p.line),
                              p.severity == Problem::Severity::Error
                                  ? QStringLiteral("error")
                                  : QStringLiteral("warning"),
                              toQString(p.message)});
    }
}

} // namespace

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString writeJsonExport(const Report &report, const QString &path,
                        bool includeIds)
{
    try {
        JsonReportOptions options;
        options.includeIds = includeIds;
        writeJsonReport(report, QFile::encodeName(path).toStdString(), options);
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    return {};
}

QString writeCsvTables(const Report &report, const QString &directory,
                       QStringList *written)
{
    const QDir dir(directory);
    if (!dir.exists() && !QDir().mkpath(directory))
        return QStringLiteral("Cannot create folder %1.").arg(directory);
    const std::pair<const char *, std::function<void(QTextStream &)>> tables[] =
        {
            {"days.csv",
             [&](QTextStream &out) {
                 writeDays(out, report);
             }},
            {"hot_shards.csv",
             [&](QTextStream &out) {
                 writeFindings(out, report.hotShards);
             }},
            {"near_limit.csv",
             [&](QTextStream &out) {
                 writeFindings(out, report.nearLimit);
             }},
            {"ids.csv",
             [&](QTextStream &out) {
                 writeIds(out, report);
             }},
            {"records.csv",
             [&](QTextStream &out) {
                 writeRecords(out, report);
             }},
            {"problems.csv",
             [&](QTextStream &out) {
                 writeProblems(out, report);
             }},
        };
    for (const auto &[name, body] : tables) {
        const QString path = dir.filePath(QString::fromLatin1(name));
        if (QString error = writeFileAtomically(path, body); !error.isEmpty())
            return error;
        if (written)
            *written << path;
    }
    return {};
}

} // namespace hsi::ui
