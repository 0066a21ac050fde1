#include "api_options.h"
#include "cli_support.h"
#include "commands.h"
#include "hsi/api/importer.h"
#include "hsi/scanner.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <cstdio>
#include <mutex>

namespace hsi::cli {

namespace {

void addImportOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Send events from NDJSON, JSON-array or gzip files to the Import API "
        "in batches. The job folder keeps checkpoint.json (acknowledged "
        "batches, so a re-run resumes) and rejects.ndjson (every event not "
        "imported, with its reason). Credentials come from "
        "MIXPANEL_SERVICE_ACCOUNT_USERNAME and "
        "MIXPANEL_SERVICE_ACCOUNT_SECRET, "
        "or MIXPANEL_API_SECRET, or MIXPANEL_PROJECT_TOKEN, or a prompt."));
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("Files, or folders of export "
                                                "files, to import."),
                                 QStringLiteral("FILE..."));
    parser.addOption(
        {QStringLiteral("dry-run"),
         QStringLiteral("Validate and count the events; send nothing.")});
    parser.addOption(
        {QStringLiteral("job"),
         QStringLiteral("Job folder for the checkpoint and the rejects "
                        "(default: FILE.import next to the first file)."),
         QStringLiteral("dir")});
    parser.addOption({QStringLiteral("parallel"),
                      QStringLiteral("Requests under way at once."),
                      QStringLiteral("n"), QStringLiteral("4")});
    parser.addOption({QStringLiteral("batch-events"),
                      QStringLiteral("Events per request, at most 2000."),
                      QStringLiteral("n"), QStringLiteral("2000")});
    addApiOptions(parser);
}

bool readImportOptions(const QCommandLineParser &parser,
                       api::ImportOptions &options, QString *error)
{
    bool ok = false;
    options.parallelRequests =
        parser.value(QStringLiteral("parallel")).toInt(&ok);
    if (!ok || options.parallelRequests < 1 || options.parallelRequests > 64) {
        *error = QStringLiteral("--parallel must be from 1 to 64");
        return false;
    }
    options.maxBatchEvents =
        parser.value(QStringLiteral("batch-events")).toInt(&ok);
    if (!ok || options.maxBatchEvents < 1 || options.maxBatchEvents > 2000) {
        *error = QStringLiteral("--batch-events must be from 1 to 2000");
        return false;
    }
    const QStringList files = parser.positionalArguments();
    for (const QString &file : files) {
        if (!QFileInfo::exists(file)) {
            *error =
                QStringLiteral("input file or folder not found: %1").arg(file);
            return false;
        }
    }
    options.dryRun = parser.isSet(QStringLiteral("dry-run"));
    options.jobDir =
        parser.isSet(QStringLiteral("job"))
            ? parser.value(QStringLiteral("job"))
            : QDir::cleanPath(files.value(0)) + QStringLiteral(".import");
    return true;
}

void printSummary(const api::ImportSummary &summary,
                  const api::ImportOptions &options)
{
    const char *imported = options.dryRun ? "valid" : "imported";
    std::printf("%s%s read, %s sent, %s %s, %s rejected, %s in %.1f s\n",
                options.dryRun ? "dry run: " : "",
                countOf(summary.eventsRead, "event").c_str(),
                formatCount(summary.sent).c_str(),
                formatCount(summary.imported).c_str(), imported,
                formatCount(summary.rejected).c_str(),
                countOf(summary.retries, "retried request").c_str(),
                summary.seconds);
    for (const auto &[reason, count] : summary.rejectedByReason)
        std::printf("  rejected %s: %s\n", qUtf8Printable(reason),
                    formatCount(count).c_str());
    if (summary.skippedBatches > 0)
        std::printf("%s in %s were already acknowledged by an earlier run\n",
                    countOf(summary.skippedEvents, "event").c_str(),
                    (formatCount(summary.skippedBatches) +
                     (summary.skippedBatches == 1 ? " batch" : " batches"))
                        .c_str());
    if (options.dryRun &&
        (summary.undelivered > 0 || summary.unaccounted > 0)) {
        // A dry run sends nothing, so what it left is events not checked.
        std::printf(
            "%s not validated: %s\n",
            countOf(summary.undelivered + summary.unaccounted, "event").c_str(),
            summary.error.isEmpty()
                ? "run the same command again to check them"
                : "fix the error that this command printed, then "
                  "run it again to check them");
    } else if (summary.undelivered > 0 || summary.unaccounted > 0) {
        // After a fatal error such as a 401, running again as it is would
        // stop the same way, so the advice waits for the fix. The error
        // goes to stderr, so it may show above or below this line.
        std::printf("%s not delivered and %s not acknowledged: %s\n",
                    countOf(summary.undelivered, "event").c_str(),
                    countOf(summary.unaccounted, "event").c_str(),
                    summary.error.isEmpty()
                        ? "run the same command again to send them"
                        : "fix the error that this command printed, then "
                          "run the same command again to send them");
    }
    if (!options.dryRun && summary.rejected > 0)
        std::printf("rejected events with reasons: %s/rejects.ndjson\n",
                    qUtf8Printable(options.jobDir));
}

api::ImportSummary runWithProgress(const ApiConnection &connection,
                                   const api::ImportOptions &options,
                                   const QStringList &files)
{
    api::ImportControl control;
    cancelOnInterrupt(&control.cancelRequested);
    std::mutex progressMutex;
    TerminalProgress terminal("import");
    if (terminal.enabled()) {
        control.onProgress = [&](const api::ImportProgress &progress) {
            std::lock_guard lock(progressMutex);
            terminal.update(progress.bytesRead, progress.bytesTotal,
                            progress.eventsRead, "events read");
        };
    }
    api::Importer importer(connection.settings, connection.credentials,
                           options);
    const api::ImportSummary summary = importer.run(files, &control);
    terminal.finish();
    return summary;
}

} // namespace

int runImport(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    addImportOptions(parser);
    if (const auto exitCode = parseArguments(parser, arguments))
        return *exitCode;

    QString error = QStringLiteral("name at least one FILE to import");
    api::ImportOptions options;
    std::optional<ApiConnection> connection;
    if (!parser.positionalArguments().isEmpty() &&
        readImportOptions(parser, options, &error)) {
        // A dry run sends nothing, so it needs no credentials.
        connection =
            options.dryRun
                ? std::make_optional(ApiConnection{})
                : apiConnectionFromParser(parser, ApiUse::Import, &error);
    }
    if (!connection) {
        printError(command, error);
        return ExitUsage;
    }
    options.retry = connection->retry;

    // Folders are read like the scan reads them, with the same notes.
    const InputListing listing = listInputFiles(positionalPaths(parser));
    if (const std::string error = inputListingError(listing); !error.empty()) {
        printError(command, QString::fromStdString(error));
        return ExitUsage;
    }
    for (const std::string &note : listing.notes)
        std::fprintf(stderr, "%s: note: %s\n", qUtf8Printable(command),
                     printable(note).c_str());
    QStringList files;
    for (const std::string &file : listing.files)
        files << QString::fromStdString(file);

    const api::ImportSummary summary =
        runWithProgress(*connection, options, files);
    // A job that stopped before its first request (a missing file, a file
    // listed twice, a checkpoint that does not match) has nothing to sum up.
    const bool stoppedBeforeStart = !summary.error.isEmpty() &&
                                    summary.eventsRead == 0 &&
                                    summary.requests == 0;
    if (stoppedBeforeStart) {
        printError(command, summary.error);
        return ExitUsage;
    }
    printSummary(summary, options);
    if (!summary.error.isEmpty())
        printError(command, summary.error);
    return summary.isComplete() ? ExitOk : ExitFailure;
}

} // namespace hsi::cli
