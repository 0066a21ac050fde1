#include "cli_support.h"
#include "commands.h"
#include "hsi/recovery/file_transform.h"
#include "hsi/recovery/recovery_error.h"

#include <QTimeZone>
#include <csignal>
#include <fstream>

namespace hsi::cli {

namespace {

std::atomic<bool> g_cancelFix{false};

void cancelFixOnSignal(int)
{
    g_cancelFix = true;
}

void addFixOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {QStringLiteral("distinct-id"),
         QStringLiteral("distinct_id of restored $hotshard_events: keep (leave "
                        "\"\"), original (mp_original_distinct_id), "
                        "property:NAME (copy that property, such as "
                        "property:$user_id) or map:FILE.csv (a CSV file with "
                        "the header original_id,new_id). Default: keep."),
         QStringLiteral("choice")},
        {QStringLiteral("blank-group"),
         QStringLiteral("Replace the group id ID of group key KEY by \"\" in "
                        "every event: exact string matches, also inside "
                        "lists. Repeat for several groups."),
         QStringLiteral("KEY=ID")},
        {QStringLiteral("regenerate-insert-id"),
         QStringLiteral("Replace every $insert_id by a hash of the event name, "
                        "distinct_id, time and old $insert_id. Use it when "
                        "importing within 7 days of a deletion: during that "
                        "undo window, events with the same $insert_id may be "
                        "deduplicated against the deleted copies and "
                        "disappear.")},
        {QStringLiteral("legacy-project-time"),
         QStringLiteral("The project was created before 2023 and time holds "
                        "project-local wall-clock time: convert it to UTC "
                        "with --timezone.")},
        {QStringLiteral("timezone"),
         QStringLiteral("IANA time zone of the project, such as "
                        "America/Los_Angeles; required with "
                        "--legacy-project-time."),
         QStringLiteral("zone")},
        {QStringLiteral("out"),
         QStringLiteral("Output NDJSON file; gzip-compressed when the name "
                        "ends in .gz."),
         QStringLiteral("file")},
        {QStringLiteral("summary-json"),
         QStringLiteral("Also write the counts as a JSON object to this "
                        "file."),
         QStringLiteral("file")},
        {QStringLiteral("rejects"),
         QStringLiteral("File for events that could not be transformed, with "
                        "the reason (default: <out>.rejects.ndjson)."),
         QStringLiteral("file")},
    });
    parser.addPositionalArgument(
        QStringLiteral("input"),
        QStringLiteral("Export files (NDJSON or JSON array, plain or gzip) or "
                       "folders."),
        QStringLiteral("INPUT..."));
}

recovery::TransformOptions optionsFromParser(const QCommandLineParser &parser)
{
    recovery::TransformOptions options;
    if (parser.isSet(QStringLiteral("distinct-id")))
        options.distinctId = recovery::DistinctIdChoice::parse(
            parser.value(QStringLiteral("distinct-id")).toStdString());
    for (const QString &group : parser.values(QStringLiteral("blank-group")))
        options.blankGroups.push_back(
            recovery::parseGroupTarget(group.toStdString()));
    options.regenerateInsertId =
        parser.isSet(QStringLiteral("regenerate-insert-id"));

    const bool legacy = parser.isSet(QStringLiteral("legacy-project-time"));
    const bool hasZone = parser.isSet(QStringLiteral("timezone"));
    if (legacy && !hasZone)
        throw recovery::RecoveryError(
            "--legacy-project-time needs --timezone with the project's time "
            "zone, such as America/Los_Angeles");
    if (hasZone && !legacy)
        throw recovery::RecoveryError(
            "--timezone is only used with --legacy-project-time: add it, or "
            "drop --timezone");
    if (legacy) {
        const QString name = parser.value(QStringLiteral("timezone"));
        const std::optional<QByteArray> zone = timeZoneNamed(name);
        if (!zone)
            throw recovery::RecoveryError(
                unknownTimeZoneMessage(name).toStdString());
        options.legacyTimeZone = zone->toStdString();
    }
    return options;
}

void printCount(const char *label, std::int64_t value)
{
    std::printf("  %-34s %s\n", label, formatCount(value).c_str());
}

void printSummary(const recovery::TransformStats &stats,
                  const recovery::TransformPaths &paths,
                  const InputListing &listing)
{
    std::printf("Read %s.\n", countOf(stats.read, "event").c_str());
    for (const std::string &note : listing.notes)
        std::printf("  note: %s\n", printable(note).c_str());
    printCount("restored $hotshard_events:", stats.restored);
    printCount("  with distinct_id restored:", stats.idsRestored);
    printCount("other events changed:", stats.modified);
    printCount("passed through unchanged:", stats.passedThrough);
    printCount("events with a group id blanked:", stats.groupBlanked);
    printCount("$insert_id regenerated:", stats.insertIdsRegenerated);
    printCount("times converted to UTC:", stats.timesConverted);
    printCount("set aside:", stats.setAside);
    for (const auto &[reason, count] : stats.setAsideByReason)
        std::printf("    %-32s %s\n", reason.c_str(),
                    formatCount(count).c_str());
    std::printf("Wrote %s to %s.\n", countOf(stats.written(), "event").c_str(),
                paths.output.c_str());
    std::printf("Set aside %s in %s.\n",
                countOf(stats.setAside, "event").c_str(),
                recovery::rejectsPathFor(paths).c_str());
}

/// Prints the problems that would make an import fail or change values.
void printWarnings(const recovery::TransformStats &stats)
{
    if (stats.rejectedIdsRestored > 0) {
        std::fprintf(
            stderr,
            "hotshard fix: warning: %s got a distinct_id that the "
            "Import API rejects, such as \"null\", \"0\" or "
            "\"undefined\". Choose another --distinct-id for them, "
            "such as property:$user_id or a map file.\n",
            countOf(stats.rejectedIdsRestored, "restored event").c_str());
    }
    // Restored ones were named above with what to do about them.
    const std::int64_t otherRejectedIds =
        stats.rejectedDistinctIds - stats.rejectedIdsRestored;
    if (otherRejectedIds > 0) {
        std::fprintf(
            stderr,
            "hotshard fix: warning: %s %s a distinct_id that the Import "
            "API rejects: missing, null, or a placeholder such as "
            "\"undefined\". hotshard import sets them aside; list them "
            "with hotshard import --dry-run.\n",
            countOf(otherRejectedIds, stats.rejectedIdsRestored > 0
                                          ? "other written event"
                                          : "written event")
                .c_str(),
            otherRejectedIds == 1 ? "has" : "have");
    }
    if (stats.numbersReformatted > 0) {
        std::fprintf(stderr,
                     "hotshard fix: warning: %s %s numbers written with "
                     "other digits (such as 1.50 as 1.5), or integers beyond "
                     "64 bits stored as the nearest double.\n",
                     countOf(stats.numbersReformatted, "changed event").c_str(),
                     stats.numbersReformatted == 1 ? "contains" : "contain");
    }
    if (stats.invalidInsertIds > 0) {
        std::fprintf(stderr,
                     "hotshard fix: warning: %s %s a missing $insert_id or "
                     "one that strict import rejects (more than 36 bytes, "
                     "characters other than A-Z a-z 0-9 -, or a placeholder "
                     "value). Run again with --regenerate-insert-id to "
                     "replace them.\n",
                     countOf(stats.invalidInsertIds, "written event").c_str(),
                     stats.invalidInsertIds == 1 ? "has" : "have");
    }
}

void writeSummaryJson(const recovery::TransformStats &stats,
                      const QString &path)
{
    std::ofstream out(argumentBytes(path));
    out << recovery::transformStatsToJson(stats).dump(2) << "\n";
    if (!out.flush())
        throw recovery::RecoveryError("failed to write " + path.toStdString() +
                                      ": check that the folder exists");
}

} // namespace

int runFix(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Restores the names and ids of $hotshard_events, blanks hot group "
        "ids, and passes every other event through unchanged. Events that "
        "cannot be transformed are written to a side file with the reason, "
        "so no event is dropped."));
    addFixOptions(parser);
    if (const auto exitCode = parseArguments(parser, arguments))
        return *exitCode;
    if (!parser.isSet(QStringLiteral("out"))) {
        printError(command,
                   QStringLiteral("missing --out: name the output "
                                  "file, such as --out fixed.ndjson.gz"));
        return ExitUsage;
    }

    recovery::TransformPaths paths;
    paths.inputs = positionalPaths(parser);
    paths.output = argumentBytes(parser.value(QStringLiteral("out")));
    paths.rejects = argumentBytes(parser.value(QStringLiteral("rejects")));
    paths.summary = argumentBytes(parser.value(QStringLiteral("summary-json")));
    if (paths.inputs.empty()) {
        printError(command, QStringLiteral("no input: name at least one export "
                                           "file or folder"));
        return ExitUsage;
    }

    std::optional<recovery::EventTransformer> transformer;
    InputListing listing;
    try {
        listing = recovery::checkTransformPaths(paths);
        transformer.emplace(optionsFromParser(parser));
    } catch (const recovery::RecoveryError &error) {
        printError(command, QString::fromStdString(error.what()));
        return ExitUsage;
    }

    auto previous = std::signal(SIGINT, cancelFixOnSignal);
    try {
        TerminalProgress progress("transforming");
        const auto onProgress =
            [&progress](const recovery::TransformProgressState &state) {
                progress.update(state.bytesDone, state.bytesTotal,
                                state.eventsRead, "events");
            };
        const recovery::TransformStats stats = recovery::transformFiles(
            paths, *transformer, &g_cancelFix, onProgress);
        progress.finish();
        std::signal(SIGINT, previous);
        printSummary(stats, paths, listing);
        printWarnings(stats);
        if (parser.isSet(QStringLiteral("summary-json")))
            writeSummaryJson(stats,
                             parser.value(QStringLiteral("summary-json")));
    } catch (const recovery::RecoveryError &error) {
        std::signal(SIGINT, previous);
        printError(command, QString::fromStdString(error.what()));
        return ExitFailure;
    }
    return ExitOk;
}

} // namespace hsi::cli
