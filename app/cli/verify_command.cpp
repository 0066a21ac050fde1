#include "cli_support.h"
#include "commands.h"
#include "hsi/recovery/verify.h"
#include "hsi/report_json.h"

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

    // Verify reports only pairs over the limit, never the list of ids.
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
    if (!report.noInputRead())
        std::fprintf(
            text, "Verified %s: %s.\n",
            countOf(static_cast<std::int64_t>(report.inputs.size()), "file")
                .c_str(),
            countOf(result.events, "event").c_str());
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
    for (const std::string &inputError : result.inputErrors)
        printError(command, QString::fromStdString(inputError));
    if (report.noInputRead())
        return ExitUsage;
    if (!result.offending.empty()) {
        printOffending(result, text);
        printNextSteps(result, text);
        return ExitHotShard;
    }
    if (!result.inputErrors.empty() || result.cancelled) {
        printError(command, QStringLiteral("verification is incomplete: fix "
                                           "the files above and run again"));
        return ExitFailure;
    }
    std::fprintf(text, "No id or group would exceed its limit.\n");
    return ExitOk;
}

} // namespace hsi::cli
