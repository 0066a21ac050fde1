#include "cli_support.h"
#include "commands.h"
#include "hsi/recovery/deletion_request.h"
#include "hsi/recovery/recovery_error.h"
#include "hsi/recovery/selector.h"

namespace hsi::cli {

int runSelector(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints the selector for exporting, and asking Mixpanel support to "
        "delete, every event of hot groups processed before a fixed time. "
        "Pass it to the Export API as the where parameter."));
    const QCommandLineOption group(
        QStringLiteral("group"),
        QStringLiteral("A hot group as group key and group id, such as "
                       "company_id=acme. Repeat for several groups."),
        QStringLiteral("KEY=ID"));
    const QCommandLineOption before(
        QStringLiteral("before"),
        QStringLiteral("Select only events with mp_processing_time_ms below "
                       "this UTC time in milliseconds since the epoch; use the "
                       "time the export starts."),
        QStringLiteral("epoch-ms"));
    parser.addOptions({group, before});
    if (const auto exitCode = parseArguments(parser, arguments))
        return *exitCode;

    bool ok = false;
    const qlonglong beforeMs = parser.value(before).toLongLong(&ok);
    if (!parser.isSet(before) || !ok || beforeMs <= 0) {
        printError(command,
                   QStringLiteral("missing or invalid --before '%1': give a "
                                  "positive time in milliseconds since the "
                                  "epoch, such as 1700000000000")
                       .arg(parser.value(before)));
        return ExitUsage;
    }
    // Milliseconds below 1e11 fall before 1973, long before Mixpanel
    // processed events, so such a value is seconds given by mistake.
    constexpr qlonglong kEarliestMs = 100'000'000'000LL;
    if (beforeMs < kEarliestMs) {
        printError(command,
                   QStringLiteral("--before %1 is before 1973 as milliseconds; "
                                  "if it is seconds, give %2")
                       .arg(beforeMs)
                       .arg(beforeMs * 1000));
        return ExitUsage;
    }
    try {
        std::vector<recovery::GroupTarget> targets;
        for (const QString &text : parser.values(group))
            targets.push_back(recovery::parseGroupTarget(text.toStdString()));
        const std::string selector =
            recovery::buildGroupSelector(targets, beforeMs);
        std::printf("%s\n", selector.c_str());
        std::fprintf(stderr, "threshold: %s\n",
                     recovery::formatUtcMs(beforeMs).c_str());
    } catch (const recovery::RecoveryError &error) {
        printError(command, QString::fromStdString(error.what()));
        return ExitUsage;
    }
    return ExitOk;
}

} // namespace hsi::cli
