#include "cli_support.h"
#include "commands.h"
#include "hsi/recovery/verify.h"

#include <fstream>

namespace hsi::cli {

namespace {

/// Says which fix option spreads the events of each kind of offending pair.
void printNextSteps(const recovery::VerifyResult &result)
{
    bool users = false;
    bool groups = false;
    for (const recovery::OffendingPair &pair : result.offending) {
        users = users || pair.kind == ShardKind::User;
        groups = groups || pair.kind == ShardKind::Group;
    }
    if (users)
        std::printf("For users: run hotshard fix again with another "
                    "--distinct-id (property:NAME or map:CSV gives each "
                    "event its own user; keep leaves them unattributed).\n");
    if (groups)
        std::printf("For groups: run hotshard fix again with --blank-group "
                    "KEY=ID for each group listed.\n");
}

void printOffending(const recovery::VerifyResult &result)
{
    std::printf("Would exceed a limit: %zu pair%s\n", result.offending.size(),
                result.offending.size() == 1 ? "" : "s");
    for (const recovery::OffendingPair &pair : result.offending) {
        const std::string label =
            pair.kind == ShardKind::User
                ? "user '" + pair.id + "'"
                : "group " + pair.groupKey + "='" + pair.id + "'";
        std::printf("  %s on %s: %lld events, limit %lld\n", label.c_str(),
                    formatDay(pair.day).c_str(),
                    static_cast<long long>(pair.events),
                    static_cast<long long>(pair.limit));
    }
}

bool writeResultJson(const recovery::VerifyResult &result, const QString &path)
{
    std::ofstream out(path.toStdString());
    out << recovery::verifyResultToJson(result).dump(2) << "\n";
    return static_cast<bool>(out.flush());
}

} // namespace

int runVerify(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs hot-shard detection on files about to be imported and exits "
        "with status 3 when any (distinct_id, day) or (group, day) would "
        "exceed its limit. Only events in the given files are counted."));
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

    QString error;
    const std::optional<ScanSettings> settings =
        scanSettingsFromParser(parser, &error);
    if (!settings) {
        printError(command, error);
        return ExitUsage;
    }
    if (parser.positionalArguments().isEmpty()) {
        printError(command, QStringLiteral(
                                "no input: name at least one file to import"));
        return ExitUsage;
    }
    std::vector<std::string> paths;
    for (const QString &path : parser.positionalArguments())
        paths.push_back(path.toStdString());

    // Verify reports only pairs over the limit, never the list of ids.
    ScanSettings scanSettings = *settings;
    scanSettings.listEveryId = false;
    const Report report = runScanWithProgress(paths, scanSettings);
    const recovery::VerifyResult result =
        recovery::verifyResultFromReport(report);
    std::printf("Verified %zu file%s: %lld events.\n", report.inputs.size(),
                report.inputs.size() == 1 ? "" : "s",
                static_cast<long long>(result.events));
    if (parser.isSet(json) && !writeResultJson(result, parser.value(json))) {
        printError(command, QStringLiteral("failed to write %1: check that the "
                                           "folder exists")
                                .arg(parser.value(json)));
        return ExitFailure;
    }
    for (const std::string &inputError : result.inputErrors)
        printError(command, QString::fromStdString(inputError));
    if (report.noInputRead())
        return ExitUsage;
    if (!result.offending.empty()) {
        printOffending(result);
        printNextSteps(result);
        return ExitHotShard;
    }
    if (!result.inputErrors.empty() || result.cancelled) {
        printError(command, QStringLiteral("verification is incomplete: fix "
                                           "the files above and run again"));
        return ExitFailure;
    }
    std::printf("No id or group would exceed its limit.\n");
    return ExitOk;
}

} // namespace hsi::cli
