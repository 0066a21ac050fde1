#include "hsi/report_json.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>

namespace hsi {

namespace {

using Json = nlohmann::ordered_json;

const char *kindName(ShardKind kind)
{
    return kind == ShardKind::User ? "user" : "group";
}

const char *statusName(InputReport::Status status)
{
    switch (status) {
    case InputReport::Status::Ok:
        return "ok";
    case InputReport::Status::Incomplete:
        return "incomplete";
    case InputReport::Status::Error:
        break;
    }
    return "error";
}

Json idFlagsToJson(std::uint32_t flags)
{
    Json names = Json::array();
    if (flags & IdFlagPlaceholder)
        names.push_back("placeholder");
    if (flags & IdFlagLiteralName)
        names.push_back("literal_name");
    if (flags & IdFlagNumeric)
        names.push_back("numeric");
    return names;
}

Json namedCountsToJson(const std::vector<NamedCount> &counts)
{
    Json list = Json::array();
    for (const NamedCount &count : counts)
        list.push_back({{"name", count.name}, {"events", count.count}});
    return list;
}

Json evidenceToJson(const Evidence &evidence)
{
    Json perHour = Json::array();
    for (std::size_t hour = 0; hour < 24; ++hour) {
        std::int64_t sum = 0;
        for (std::size_t minute = 0; minute < 60; ++minute) {
            const std::size_t index = hour * 60 + minute;
            if (index < evidence.eventsPerMinute.size())
                sum += evidence.eventsPerMinute[index];
        }
        perHour.push_back(sum);
    }
    return {{"top_events", namedCountsToJson(evidence.topEvents)},
            {"libraries", namedCountsToJson(evidence.libraries)},
            {"distinct_devices", evidence.distinctDevices},
            {"distinct_users", evidence.distinctUsers},
            {"duplicates", evidence.duplicates},
            {"events_per_hour", perHour}};
}

Json findingToJson(const PairFinding &finding)
{
    Json json;
    json["kind"] = kindName(finding.kind);
    if (finding.kind == ShardKind::Group)
        json["group_key"] = finding.groupKey;
    json["id"] = finding.id;
    json["date"] = formatDay(finding.day);
    json["events"] = finding.events;
    if (finding.uniqueEvents == PairFinding::kNotDetermined)
        json["unique_events"] = nullptr;
    else
        json["unique_events"] = finding.uniqueEvents;
    json["remediated_events"] = finding.remediatedEvents;
    json["limit"] = finding.limit;
    json["over_limit"] = finding.overLimit;
    if (finding.crossing) {
        json["crossing"] = {{"file", finding.crossing->path},
                            {"line", finding.crossing->line},
                            {"time_ms", finding.crossing->timeMs}};
    } else {
        json["crossing"] = nullptr;
    }
    json["id_flags"] = idFlagsToJson(finding.idFlags);
    // A pair without evidence has no known cause, and zeros in its evidence
    // would read as measured. The cause text gives the reason.
    const bool examined = finding.uniqueEvents != PairFinding::kNotDetermined;
    if (examined)
        json["likely_cause"] = likelyCauseName(finding.likelyCause);
    else
        json["likely_cause"] = nullptr;
    json["likely_cause_text"] = finding.likelyCauseText;
    if (examined)
        json["evidence"] = evidenceToJson(finding.evidence);
    else
        json["evidence"] = nullptr;
    json["notes"] = finding.notes;
    return json;
}

Json findingsToJson(const std::vector<PairFinding> &findings)
{
    Json list = Json::array();
    for (const PairFinding &finding : findings)
        list.push_back(findingToJson(finding));
    return list;
}

Json inputsToJson(const std::vector<InputReport> &inputs)
{
    Json list = Json::array();
    for (const InputReport &input : inputs) {
        Json problems = Json::array();
        for (const Problem &problem : input.problems) {
            // A problem with the whole file has no line.
            problems.push_back(
                {{"line", problem.line > 0 ? Json(problem.line) : Json()},
                 {"severity", problem.severity == Problem::Severity::Error
                                  ? "error"
                                  : "warning"},
                 {"message", problem.message}});
        }
        list.push_back({{"path", input.path},
                        {"events", input.events},
                        {"bytes", input.bytes},
                        {"status", statusName(input.status)},
                        {"problem_count", input.problemCount},
                        {"problems", problems}});
    }
    return list;
}

Json totalsToJson(const Totals &totals)
{
    return {{"events", totals.events},
            {"remediated_events", totals.remediatedEvents},
            {"skipped_lines", totals.skippedLines},
            {"bytes", totals.bytes},
            {"non_attributed_events", totals.nonAttributedEvents},
            {"null_ids", totals.nullIds},
            {"missing_ids", totals.missingIds},
            {"structured_ids", totals.structuredIds},
            {"undated_events", totals.undatedEvents}};
}

Json settingsToJson(const ScanSettings &settings)
{
    return {{"user_limit", settings.userLimit},
            {"group_limit", settings.groupLimit},
            {"group_keys", settings.groupKeys},
            {"timezone", settings.timeZone},
            {"legacy_project_time", settings.legacyProjectTime},
            {"near_limit_fraction", settings.nearLimitFraction}};
}

Json recordsToJson(const std::vector<HotshardRecord> &records)
{
    Json list = Json::array();
    for (const HotshardRecord &record : records) {
        list.push_back(
            {{"time_ms", record.timeMs},
             {"hotshard_distinct_id", record.distinctId},
             {"hotshard_group_key", record.groupKey},
             {"hotshard_group_display_name", record.groupDisplayName},
             {"file", record.path},
             {"line", record.line}});
    }
    return list;
}

Json idProblemsToJson(const std::vector<IdProblem> &problems)
{
    Json list = Json::array();
    for (const IdProblem &problem : problems) {
        Json json{{"kind", kindName(problem.kind)}};
        if (problem.kind == ShardKind::Group)
            json["group_key"] = problem.groupKey;
        json["id"] = problem.id;
        json["flags"] = idFlagsToJson(problem.idFlags);
        json["events"] = problem.events;
        list.push_back(json);
    }
    return list;
}

Json idToJson(const IdVolume &volume)
{
    Json json{{"kind", kindName(volume.kind)}};
    if (volume.kind == ShardKind::Group)
        json["group_key"] = volume.groupKey;
    json["id"] = volume.id;
    json["peak_date"] = formatDay(volume.peakDay);
    json["peak_events"] = volume.peakEvents;
    json["peak_remediated_events"] = volume.peakRemediatedEvents;
    json["total_events"] = volume.totalEvents;
    json["flags"] = idFlagsToJson(volume.idFlags);
    return json;
}

Json idsToJson(const Report &report)
{
    Json list = Json::array();
    for (const IdVolume &volume : report.ids)
        list.push_back(idToJson(volume));
    return list;
}

std::string dumpText(const Json &json, int indent)
{
    // Invalid UTF-8 in ids is replaced rather than aborting the whole
    // report.
    return json.dump(indent, ' ', false,
                     nlohmann::json::error_handler_t::replace);
}

// A million ids as one JSON tree take about a gigabyte, so the `ids` list
// is written one id at a time after the rest of the report, which keeps
// memory flat however many ids there are.
void writeReportText(std::ostream &out, const Report &report,
                     const JsonReportOptions &options)
{
    Json json = reportToJson(report, {});
    if (!options.includeIds) {
        out << dumpText(json, 2) << '\n';
        return;
    }
    json["ids"] = Json::array();
    const std::string text = dumpText(json, 2);
    const std::string placeholder = "\"ids\": []";
    const std::size_t at = text.rfind(placeholder);
    out.write(text.data(), static_cast<std::streamsize>(at));
    out << "\"ids\": [";
    bool first = true;
    for (const IdVolume &volume : report.ids) {
        out << (first ? "\n    " : ",\n    ") << dumpText(idToJson(volume), -1);
        first = false;
    }
    out << (first ? "]" : "\n  ]") << text.substr(at + placeholder.size())
        << '\n';
}

} // namespace

nlohmann::ordered_json reportToJson(const Report &report,
                                    const JsonReportOptions &options)
{
    Json json;
    json["schema_version"] = 1;
    json["settings"] = settingsToJson(report.settings);
    json["totals"] = totalsToJson(report.totals);
    json["inputs"] = inputsToJson(report.inputs);
    json["input_notes"] = report.inputNotes;

    Json days = Json::array();
    for (const DayTotal &day : report.days) {
        days.push_back({{"date", formatDay(day.day)},
                        {"events", day.events},
                        {"remediated_events", day.remediatedEvents},
                        {"non_attributed_events", day.nonAttributedEvents}});
    }
    json["days"] = days;
    json["group_keys"] = report.groupKeys;
    json["hot_shards"] = findingsToJson(report.hotShards);
    json["near_limit"] = findingsToJson(report.nearLimit);
    json["records"] = recordsToJson(report.records);
    json["id_problems"] = idProblemsToJson(report.idProblems);
    json["id_problem_count"] = report.idProblemCount;
    json["pairs_without_evidence"] = report.pairsWithoutEvidence;
    json["near_limit_count"] = report.nearLimitCount;
    if (options.includeIds)
        json["ids"] = idsToJson(report);
    json["cancelled"] = report.cancelled;
    json["counts_complete"] = report.countsComplete;
    return json;
}

void writeJsonOutput(const std::string &path, const std::string &what,
                     const std::function<void(std::ostream &)> &write)
{
    if (path == "-") {
        write(std::cout);
        std::cout.flush();
        if (!std::cout)
            throw std::runtime_error("cannot write " + what +
                                     " to stdout: " + std::strerror(errno));
        return;
    }
    std::ofstream stream(path, std::ios::binary | std::ios::trunc);
    if (stream)
        write(stream);
    // A full disk shows only when the buffered text is flushed.
    if (stream)
        stream.close();
    if (!stream) {
        throw std::runtime_error("cannot write " + what + " to " + path + ": " +
                                 std::strerror(errno));
    }
}

void writeJsonReport(const Report &report, const std::string &path,
                     const JsonReportOptions &options)
{
    writeJsonOutput(path, "report", [&](std::ostream &out) {
        writeReportText(out, report, options);
    });
}

} // namespace hsi
