#include "api_options.h"
#include "cli_support.h"
#include "commands.h"
#include "hsi/api/connection_test.h"
#include "hsi/api/exporter.h"
#include "hsi/civil_date.h"

#include <QCommandLineParser>
#include <cstdio>
#include <mutex>

namespace hsi::cli {

namespace {

std::optional<api::ExportQuery>
queryFromParser(const QCommandLineParser &parser, QString *error)
{
    api::ExportQuery query;
    for (const char *name : {"from", "to"}) {
        const QString text = parser.value(QLatin1String(name));
        const auto day = parseDay(text.toStdString());
        if (!day) {
            *error =
                QStringLiteral("--%1 must be a date as YYYY-MM-DD, not \"%2\"")
                    .arg(QLatin1String(name), text);
            return std::nullopt;
        }
        (qstrcmp(name, "from") == 0 ? query.from : query.to) = *day;
    }
    if (query.from > query.to) {
        *error = QStringLiteral("--from %1 is after --to %2")
                     .arg(parser.value(QStringLiteral("from")),
                          parser.value(QStringLiteral("to")));
        return std::nullopt;
    }
    query.events = parser.values(QStringLiteral("event"));
    query.where = parser.value(QStringLiteral("where"));
    return query;
}

void printSummary(const api::ExportSummary &summary, const QString &outDir)
{
    std::int64_t events = 0;
    std::int64_t bytes = 0;
    for (const api::DayRecord &day : summary.days) {
        events += day.events;
        bytes += day.bytes;
    }
    std::printf(
        "export to %s: %zu days, %d ok, %d empty, %d failed, %d incomplete, "
        "%d pending (%d skipped as already done)\n",
        qUtf8Printable(outDir), summary.days.size(),
        summary.countWithStatus(api::DayStatus::Ok),
        summary.countWithStatus(api::DayStatus::Empty),
        summary.countWithStatus(api::DayStatus::Failed),
        summary.countWithStatus(api::DayStatus::Incomplete),
        summary.countWithStatus(api::DayStatus::Pending), summary.skippedDays);
    std::printf("%s, %s on disk\n", countOf(events, "event").c_str(),
                countOf(bytes, "byte").c_str());
    for (const api::DayRecord &day : summary.days) {
        if (day.status != api::DayStatus::Failed &&
            day.status != api::DayStatus::Incomplete)
            continue;
        std::printf("  %s %s: %s\n", formatDay(day.day).c_str(),
                    qUtf8Printable(api::dayStatusName(day.status)),
                    qUtf8Printable(day.message));
    }
    if (!summary.isComplete())
        std::printf("Run the same command again to retry the days not marked "
                    "ok or empty.\n");
}

void addExportOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Download events one day per request from the Export API into "
        "DIR/YYYY-MM-DD.json.gz, with DIR/manifest.json recording each day. "
        "Running the same command again resumes. Credentials come from "
        "MIXPANEL_SERVICE_ACCOUNT_USERNAME and "
        "MIXPANEL_SERVICE_ACCOUNT_SECRET, "
        "or MIXPANEL_API_SECRET, or a prompt."));
    parser.addOption({QStringLiteral("from"),
                      QStringLiteral("First day, YYYY-MM-DD."),
                      QStringLiteral("date")});
    parser.addOption({QStringLiteral("to"),
                      QStringLiteral("Last day (inclusive), YYYY-MM-DD."),
                      QStringLiteral("date")});
    parser.addOption(
        {QStringLiteral("event"),
         QStringLiteral("Export only this event name; repeat for several."),
         QStringLiteral("name")});
    parser.addOption(
        {QStringLiteral("where"),
         QStringLiteral("Segmentation expression that events must match."),
         QStringLiteral("expr")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Output folder."),
                      QStringLiteral("dir")});
    parser.addOption({QStringLiteral("test-connection"),
                      QStringLiteral("Make one small request, explain the "
                                     "result and exit (0 when it worked).")});
    parser.addOption(
        {QStringLiteral("requests-per-hour"),
         QStringLiteral(
             "Request starts allowed per hour (Export API limit: 60)."),
         QStringLiteral("n"), QStringLiteral("60")});
    addApiOptions(parser);
}

/// Reads the export's own options. Returns false and sets `error` when one
/// is missing or invalid.
bool readExportRequest(const QCommandLineParser &parser,
                       std::optional<api::ExportQuery> &query,
                       api::ExportOptions &options, QString *error)
{
    for (const char *required : {"from", "to", "out"}) {
        if (!parser.isSet(QLatin1String(required))) {
            *error =
                QStringLiteral("--%1 is required").arg(QLatin1String(required));
            return false;
        }
    }
    bool ok = false;
    options.limits.requestsPerWindow =
        parser.value(QStringLiteral("requests-per-hour")).toInt(&ok);
    if (!ok || options.limits.requestsPerWindow < 1) {
        *error = QStringLiteral("--requests-per-hour must be 1 or more");
        return false;
    }
    query = queryFromParser(parser, error);
    return query.has_value();
}

api::ExportSummary runWithProgress(const ApiConnection &connection,
                                   const api::ExportOptions &options,
                                   const api::ExportQuery &query,
                                   const QString &outDir)
{
    api::ExportControl control;
    cancelOnInterrupt(&control.cancelRequested);
    std::mutex printMutex;
    if (stderrIsTerminal()) {
        control.onProgress = [&](const api::ExportProgress &progress) {
            std::lock_guard lock(printMutex);
            std::fprintf(stderr, "\r\033[Kexport: %d/%d days, %.1f MB received",
                         progress.daysDone, progress.daysTotal,
                         static_cast<double>(progress.bytesReceived) / 1e6);
            std::fflush(stderr);
        };
    }
    api::Exporter exporter(connection.settings, connection.credentials,
                           options);
    const api::ExportSummary summary = exporter.run(query, outDir, &control);
    if (stderrIsTerminal())
        std::fprintf(stderr, "\r\033[K");
    return summary;
}

/// Runs the connection test and prints its explanation.
int runConnectionTest(const QCommandLineParser &parser, const QString &command)
{
    QString error;
    const auto connection =
        apiConnectionFromParser(parser, ApiUse::Export, &error);
    if (!connection) {
        printError(command, error);
        return ExitUsage;
    }
    const api::ConnectionDiagnosis diagnosis =
        api::testConnection(connection->settings, connection->credentials);
    std::printf("%s\n", qUtf8Printable(diagnosis.explanation));
    return diagnosis.verdict == api::ConnectionVerdict::Ok ? ExitOk
                                                           : ExitFailure;
}

} // namespace

int runExport(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    addExportOptions(parser);
    if (const auto exitCode = parseArguments(parser, arguments))
        return *exitCode;
    if (parser.isSet(QStringLiteral("test-connection")))
        return runConnectionTest(parser, command);

    QString error;
    std::optional<api::ExportQuery> query;
    api::ExportOptions options;
    std::optional<ApiConnection> connection;
    if (readExportRequest(parser, query, options, &error))
        connection = apiConnectionFromParser(parser, ApiUse::Export, &error);
    if (!connection) {
        printError(command, error);
        return ExitUsage;
    }
    options.retry = connection->retry;

    const QString outDir = parser.value(QStringLiteral("out"));
    const api::ExportSummary summary =
        runWithProgress(*connection, options, *query, outDir);
    if (!summary.error.isEmpty()) {
        printError(command, summary.error);
        return summary.days.empty() ? ExitUsage : ExitFailure;
    }
    printSummary(summary, outDir);
    return summary.isComplete() ? ExitOk : ExitFailure;
}

} // namespace hsi::cli
