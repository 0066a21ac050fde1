#include "cli_support.h"
#include "commands.h"
#include "hsi/recovery/verify.h"
#include "hsi/report_json.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hsi::cli {

namespace {

/// Says which fix option spreads the events of each kind of offending pair.
void printNextSteps(const recovery::VerifyResult &result, std::FILE *out)
{
    bool users = false;
    bool groups = false;
    for (const recovery::OffendingPair &pair : result.offending) {
        users = users || pair.kind == ShardKind::User;
        groups = groups || pair.kind == ShardKind::Group;
    }
    if (users)
        std::fprintf(out,
                     "For users: run hotshard fix again with another "
                     "--distinct-id (property:NAME or map:CSV gives each "
                     "event its own user; keep leaves them unattributed).\n");
    if (groups)
        std::fprintf(out,
                     "For groups: run hotshard fix again with --blank-group "
                     "KEY=ID for each group listed.\n");
}

void printOffending(const recovery::VerifyResult &result, std::FILE *out)
{
    std::fprintf(out, "Would exceed a limit: %zu pair%s\n",
                 result.offending.size(),
                 result.offending.size() == 1 ? "" : "s");
    for (const recovery::OffendingPair &pair : result.offending) {
        const std::string label =
            pair.kind == ShardKind::User
                ? "user '" + pair.id + "'"
                : "group " + pair.groupKey + "='" + pair.id + "'";
        std::fprintf(out, "  %s on %s: %s, limit %s\n", label.c_str(),
                     formatDay(pair.day).c_str(),
                     countOf(pair.events, "event").c_str(),
                     formatCount(pair.limit).c_str());
    }
}

/// Prints the pairs over and near their limits and returns the exit status.
int printVerdict(const QString &command, const Report &report,
                 const recovery::VerifyResult &result, std::FILE *out)
{
    int status = ExitOk;
    if (!result.offending.empty()) {
        printOffending(result, out);
        printNextSteps(result, out);
        status = ExitHotShard;
    } else if (!result.inputErrors.empty() || result.cancelled) {
        printError(command, QStringLiteral("verification is incomplete: fix "
                                           "the files above and run again"));
        return ExitFailure;
    } else {
        std::fprintf(out, "No id or group would exceed its limit.\n");
    }
    // Pairs near the limit in these files can cross it with the events that
    // the project already has.
    if (report.countsComplete && report.nearLimitCount > 0)
        printNearLimit(
            report, static_cast<std::size_t>(std::max(1, report.settings.topN)),
            "hotshard scan --json FILE lists them all", out);
    return status;
}

/// Prints which events and group keys were counted, because a pass shows
/// nothing about events outside the files or about groups never counted.
void printScope(const Report &report, std::FILE *out)
{
    std::fprintf(out,
                 "  Only these events were counted: events of the same ids "
                 "and days that are already in the project were not, so "
                 "add an export of them when they matter.\n");
    if (report.groupKeys.empty()) {
        std::fprintf(out,
                     "  Group keys counted: none, so no group was checked. "
                     "Name each group key of the project with --group-key "
                     "KEY. The $hotshard_record events of the original "
                     "export name them as hotshard_group_key, and hotshard "
                     "scan of that export lists them.\n");
        return;
    }
    std::string keys;
    for (const std::string &key : report.groupKeys)
        keys += (keys.empty() ? "" : ", ") + key;
    std::fprintf(out, "  Group keys counted: %s\n", printable(keys).c_str());
}

} // namespace

int runVerify(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs hot-shard detection on files about to be imported and exits "
        "with status 3 when any (distinct_id, day) or (group, day) would "
        "exceed its limit. Only events in the given files are counted. It "
        "exits with 1 when an input could not be read to its end or the "
        "scan was cancelled, and with 2 on usage errors or when no input "
        "could be read."));
    addScanOptions(parser);
    const QCommandLineOption json(
        QStringLiteral("json"),
        QStringLiteral("Also write the result (offending pairs, input errors) "
                       "as JSON to this file."),
        QStringLiteral("file"));
    parser.addOption(json);
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QStringLiteral("Files or folders to import."),
                                 QStringLiteral("FILE..."));
    if (const auto exitCode = parseArguments(parser, arguments))
        return *exitCode;

    std::optional<ScanInputs> inputs = readScanInputs(
        parser, command,
        QStringLiteral("no input: name at least one file to import"));
    if (!inputs)
        return ExitUsage;
    if (parser.isSet(json) &&
        reportOverwritesInput(command, inputs->paths, parser.value(json)))
        return ExitUsage;

    // Verify lists the pairs over and near their limits, never every id.
    inputs->settings.listEveryId = false;
    const Report report = runScanWithProgress(inputs->paths, inputs->settings);
    const recovery::VerifyResult result =
        recovery::verifyResultFromReport(report);
    // With the JSON on stdout, the text goes to stderr so that the JSON
    // stays parseable.
    std::FILE *text =
        parser.isSet(json) && namesStdout(argumentBytes(parser.value(json)))
            ? stderr
            : stdout;
    // Without a readable input, only the errors below are printed.
    if (!report.noInputRead()) {
        // The errors go to stderr, so the result's first line also counts
        // the files that were not read whole.
        const std::string unread =
            result.inputErrors.empty()
                ? std::string()
                : " (" +
                      countOf(
                          static_cast<std::int64_t>(result.inputErrors.size()),
                          "file") +
                      " not read to the end, named in the errors)";
        std::fprintf(
            text, "Verified %s%s: %s.\n",
            countOf(static_cast<std::int64_t>(report.inputs.size()), "file")
                .c_str(),
            unread.c_str(), countOf(result.events, "event").c_str());
        printScope(report, text);
        printInputNotes(report, text);
    }
    if (parser.isSet(json)) {
        try {
            writeJsonOutput(
                argumentBytes(parser.value(json)), "verify result",
                [&result](std::ostream &out) {
                    out << recovery::verifyResultToJson(result).dump(2) << '\n';
                });
        } catch (const std::exception &exception) {
            printError(command, QString::fromStdString(exception.what()) +
                                    QStringLiteral(": check that the folder "
                                                   "exists and has space"));
            return ExitFailure;
        }
    }
    // A folder without export files leaves only notes, which give the
    // reason.
    if (report.noInputRead()) {
        printUnreadInputs(report, stderr);
        printError(command, QStringLiteral("no input could be read"));
        return ExitUsage;
    }
    for (const std::string &inputError : result.inputErrors)
        printError(command, QString::fromStdString(inputError));
    const int status = printVerdict(command, report, result, text);
    // A verdict lost to a full disk or a closed pipe is a failed run.
    if (std::fflush(text) != 0 || std::ferror(text)) {
        printError(command,
                   QStringLiteral("cannot write the result: %1. Free space "
                                  "or send the output elsewhere.")
                       .arg(QString::fromLocal8Bit(std::strerror(errno))));
        return ExitFailure;
    }
    return status;
}

} // namespace hsi::cli
