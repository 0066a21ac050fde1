#include "cli_support.h"
#include "commands.h"
#include "hsi/report_json.h"
#include "hsi/scanner.h"

#include <optional>
#include <sys/stat.h>
#include <utility>

namespace hsi::cli {

namespace {

/// Returns a file's device and inode, after following symbolic links, so
/// that every name of one file gives the same value.
std::optional<std::pair<dev_t, ino_t>> fileIdentity(const std::string &path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        return std::nullopt;
    return std::pair(info.st_dev, info.st_ino);
}

/// Returns the input file that `reportPath` would overwrite, if any. Device
/// and inode match the file under any name: the same path, a symbolic link
/// or a hard link, including files found inside input folders.
std::optional<QString> inputAt(const std::vector<std::string> &paths,
                               const QString &reportPath)
{
    if (reportPath == QLatin1String("-"))
        return std::nullopt;
    const auto report = fileIdentity(reportPath.toStdString());
    if (!report)
        return std::nullopt;
    for (const std::string &path : listInputFiles(paths).files) {
        if (fileIdentity(path) == report)
            return QString::fromStdString(path);
    }
    return std::nullopt;
}

} // namespace

int runScan(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Reads Mixpanel export files (NDJSON, JSON array or JSON Pipelines "
        "rows, plain or gzip) and reports the ids and groups that crossed "
        "Mixpanel's per-day limits.\n\n"
        "Exit status: 0 every input was read in full; 1 cancelled, or the "
        "report could not be written; 2 usage error, or no input could be "
        "read; 3 with --fail-on-hot, a hot shard was found; 4 an input was "
        "unreadable, cut short or had lines that are not events."));
    addScanOptions(parser);
    const QCommandLineOption json(
        QStringLiteral("json"),
        QStringLiteral("Write the JSON report to this file, or to stdout "
                       "with '-' (the summary then goes to stderr)."),
        QStringLiteral("file"));
    const QCommandLineOption allIds(
        QStringLiteral("all-ids"),
        QStringLiteral("Include every id with its peak day in the JSON "
                       "report."));
    const QCommandLineOption failOnHot(
        QStringLiteral("fail-on-hot"),
        QStringLiteral("Exit with status 3 when a hot shard was found."));
    parser.addOptions({json, allIds, failOnHot});
    parser.addPositionalArgument(QStringLiteral("path"),
                                 QStringLiteral("Export files or folders."),
                                 QStringLiteral("PATH..."));
    if (const auto exitCode = parseArguments(parser, arguments))
        return *exitCode;

    std::optional<ScanInputs> inputs = readScanInputs(
        parser, command,
        QStringLiteral("no input: name at least one export file or folder"));
    if (!inputs)
        return ExitUsage;
    const std::vector<std::string> &paths = inputs->paths;
    if (parser.isSet(json)) {
        if (const auto input = inputAt(paths, parser.value(json))) {
            printError(command,
                       QStringLiteral("--json %1 is the same file as the "
                                      "input %2, so the report would "
                                      "overwrite it. Choose another report "
                                      "path.")
                           .arg(parser.value(json), *input));
            return ExitUsage;
        }
    }

    inputs->settings.listEveryId = parser.isSet(allIds);
    const Report report = runScanWithProgress(paths, inputs->settings);
    const bool jsonToStdout = parser.value(json) == QLatin1String("-");
    // A summary of an empty scan reads as "no hot shards", so a scan that
    // read nothing prints only why.
    if (report.noInputRead())
        printUnreadInputs(report, stderr);
    else
        printReportSummary(report, jsonToStdout ? stderr : stdout);
    if (parser.isSet(json)) {
        try {
            writeJsonReport(report, parser.value(json).toStdString(),
                            {parser.isSet(allIds)});
        } catch (const std::exception &exception) {
            printError(command, QString::fromStdString(exception.what()));
            return ExitFailure;
        }
    }
    if (report.noInputRead()) {
        printError(command, QStringLiteral("no input could be read"));
        return ExitUsage;
    }
    if (report.cancelled)
        return ExitFailure;
    // A hot shard found in partial input is still real, so it wins.
    if (parser.isSet(failOnHot) && !report.hotShards.empty())
        return ExitHotShard;
    if (report.hasIncompleteInput())
        return ExitIncompleteInput;
    return ExitOk;
}

} // namespace hsi::cli
