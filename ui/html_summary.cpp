#include "export_writers.h"
#include "format.h"

#include <QDateTime>
#include <QFileInfo>

namespace hsi::ui {

namespace {

QString escaped(const std::string &text)
{
    return displayText(text).toHtmlEscaped();
}

QString tableRow(const QStringList &cells, const char *tag = "td")
{
    QString html = QStringLiteral("<tr>");
    for (const QString &cell : cells)
        html += QStringLiteral("<%1>%2</%1>").arg(QLatin1String(tag), cell);
    return html + QStringLiteral("</tr>\n");
}

QString totalsSection(const Report &report)
{
    const Totals &t = report.totals;
    QString html = QStringLiteral("<h2>Scan</h2>\n<table>\n");
    html += tableRow(
        {QStringLiteral("Files"), QString::number(report.inputs.size())});
    for (const InputReport &input : report.inputs)
        html += tableRow(
            {QString(), escaped(input.path) + QStringLiteral(" (") +
                            formatBytes(input.bytes) + QLatin1Char(')')});
    html += tableRow({QStringLiteral("Events"), formatCount(t.events)});
    html += tableRow(
        {QStringLiteral("Remediated events"), formatCount(t.remediatedEvents)});
    html +=
        tableRow({QStringLiteral("Non-attributed events (distinct_id \"\")"),
                  formatCount(t.nonAttributedEvents)});
    html += tableRow({QStringLiteral("Hot user shards"),
                      formatCount(report.hotUserShards())});
    html += tableRow({QStringLiteral("Hot group shards"),
                      formatCount(report.hotGroupShards())});
    html += tableRow({QStringLiteral("Pairs near the limit"),
                      formatCount(report.nearLimitCount)});
    html +=
        tableRow({QStringLiteral("Limits"),
                  QStringLiteral("%1 per distinct_id, %2 per group id, per day")
                      .arg(formatCount(report.settings.userLimit),
                           formatCount(report.settings.groupLimit))});
    html += tableRow({QStringLiteral("Time zone"),
                      report.settings.legacyProjectTime
                          ? QStringLiteral("legacy project time")
                          : escaped(report.settings.timeZone)});
    if (report.cancelled)
        html += tableRow(
            {QStringLiteral("Note"),
             QStringLiteral("the scan was cancelled; counts are partial")});
    return html + QStringLiteral("</table>\n");
}

QString findingsSection(const QString &title,
                        const std::vector<PairFinding> &findings,
                        const QTimeZone &zone)
{
    QString html = QStringLiteral("<h2>%1</h2>\n").arg(title);
    if (findings.empty())
        return html + QStringLiteral("<p>None.</p>\n");
    html += QStringLiteral("<table>\n");
    html +=
        tableRow({QStringLiteral("Id"), QStringLiteral("Date"),
                  QStringLiteral("Events"), QStringLiteral("Unique"),
                  QStringLiteral("Remediated"), QStringLiteral("Over limit"),
                  QStringLiteral("Crossed at"), QStringLiteral("Likely cause")},
                 "th");
    for (const PairFinding &f : findings) {
        html += tableRow(
            {idLabel(f.kind, f.groupKey, f.id).toHtmlEscaped(),
             formatDate(f.day), formatCount(f.events),
             formatUniqueEvents(f.uniqueEvents),
             formatCount(f.remediatedEvents), formatCount(f.overLimit),
             f.crossing ? formatTime(f.crossing->timeMs, zone) : QString(),
             escaped(f.likelyCauseText)});
    }
    return html + QStringLiteral("</table>\n");
}

QString recordsSection(const Report &report, const QTimeZone &zone)
{
    QString html = QStringLiteral("<h2>$hotshard_record events</h2>\n");
    if (report.records.empty())
        return html + QStringLiteral("<p>None.</p>\n");
    html += QStringLiteral("<table>\n");
    html +=
        tableRow({QStringLiteral("Time"), QStringLiteral("Id"),
                  QStringLiteral("Group key"), QStringLiteral("Display name")},
                 "th");
    for (const HotshardRecord &r : report.records)
        html += tableRow({formatTime(r.timeMs, zone), escaped(r.distinctId),
                          escaped(r.groupKey), escaped(r.groupDisplayName)});
    return html + QStringLiteral("</table>\n");
}

QString problemsSection(const Report &report)
{
    QString html = QStringLiteral("<h2>Read problems</h2>\n");
    QString rows;
    for (const InputReport &input : report.inputs) {
        for (const Problem &p : input.problems)
            rows += tableRow(
                {QFileInfo(displayText(input.path)).fileName().toHtmlEscaped(),
                 // Line 0 marks a problem with the whole file.
                 p.line > 0 ? QString::number(p.line) : QString(),
                 p.severity == Problem::Severity::Error
                     ? QStringLiteral("error")
                     : QStringLiteral("warning"),
                 escaped(p.message)});
    }
    if (rows.isEmpty())
        return html + QStringLiteral("<p>None.</p>\n");
    return html + QStringLiteral("<table>\n") +
           tableRow({QStringLiteral("File"), QStringLiteral("Line"),
                     QStringLiteral("Severity"), QStringLiteral("Message")},
                    "th") +
           rows + QStringLiteral("</table>\n");
}

QString chartsSection(const QList<ChartImage> &charts)
{
    QString html;
    for (const ChartImage &chart : charts) {
        html += QStringLiteral("<h2>%1</h2>\n<img alt=\"%1\" "
                               "src=\"data:image/png;base64,%2\">\n")
                    .arg(chart.title.toHtmlEscaped(),
                         QString::fromLatin1(chart.png.toBase64()));
    }
    return html;
}

} // namespace

QString writeHtmlSummary(const Report &report, const QList<ChartImage> &charts,
                         const QString &path)
{
    const QTimeZone zone = reportTimeZone(report.settings);
    return writeFileAtomically(path, [&](QTextStream &out) {
        out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
               "charset=\"utf-8\">\n"
            << "<title>Hot shard summary</title>\n<style>\n"
            << "body{font-family:sans-serif;margin:2em;max-width:75em}\n"
            << "table{border-collapse:collapse;margin-bottom:1em}\n"
            << "td,th{border:1px solid #bbb;padding:.25em "
               ".6em;text-align:left;vertical-align:top}\n"
            << "img{max-width:100%;border:1px solid "
               "#ddd}\n</style></head><body>\n"
            << "<h1>Hot shard summary</h1>\n<p>Written by Hot Shard "
               "Investigator on "
            << QDateTime::currentDateTimeUtc().toString(Qt::ISODate)
            << ".</p>\n"
            << totalsSection(report)
            << findingsSection(QStringLiteral("Hot shards"), report.hotShards,
                               zone)
            << findingsSection(QStringLiteral("Near the limit"),
                               report.nearLimit, zone)
            << chartsSection(charts) << recordsSection(report, zone)
            << problemsSection(report) << "</body></html>\n";
    });
}

} // namespace hsi::ui
