#include "hsi/recovery/verify.h"

#include "hsi/scanner.h"

namespace hsi::recovery {

namespace {

/// Names the problem that decides a file's status, with its line. A read
/// error (a cut gzip stream, say) is the last problem and explains the
/// bad lines before it, so it wins over them.
std::string describeInputError(const InputReport &input)
{
    const Problem *chosen = nullptr;
    for (const Problem &problem : input.problems) {
        if (problem.severity != Problem::Severity::Error)
            continue;
        const bool first = chosen == nullptr;
        if (first || input.status == InputReport::Status::Error)
            chosen = &problem;
    }
    std::string text = input.path;
    if (!chosen)
        return text + ": not read completely";
    if (chosen->line > 0)
        text += ':' + std::to_string(chosen->line);
    text += ": " + chosen->message;
    if (input.problemCount > 1)
        text += " (" + std::to_string(input.problemCount) +
                " problems in this file; hotshard scan lists them)";
    return text;
}

} // namespace

VerifyResult verifyResultFromReport(const Report &report)
{
    VerifyResult result;
    result.events = report.totals.events;
    result.cancelled = report.cancelled;
    for (const PairFinding &finding : report.hotShards) {
        result.offending.push_back({finding.kind, finding.groupKey, finding.id,
                                    finding.day, finding.events,
                                    finding.limit});
    }
    for (const InputReport &input : report.inputs) {
        if (input.status != InputReport::Status::Ok)
            result.inputErrors.push_back(describeInputError(input));
    }
    return result;
}

VerifyResult verifyFiles(const std::vector<std::string> &paths,
                         const ScanSettings &settings, ScanControl *control)
{
    // The result needs only the pairs over the limit, never the list of ids.
    ScanSettings onlyFindings = settings;
    onlyFindings.listEveryId = false;
    return verifyResultFromReport(scan(paths, onlyFindings, control));
}

nlohmann::ordered_json verifyResultToJson(const VerifyResult &result)
{
    nlohmann::ordered_json offending = nlohmann::ordered_json::array();
    for (const OffendingPair &pair : result.offending) {
        nlohmann::ordered_json entry;
        entry["kind"] = pair.kind == ShardKind::User ? "user" : "group";
        if (pair.kind == ShardKind::Group)
            entry["group_key"] = pair.groupKey;
        entry["id"] = pair.id;
        entry["date"] = formatDay(pair.day);
        entry["events"] = pair.events;
        entry["limit"] = pair.limit;
        offending.push_back(std::move(entry));
    }
    nlohmann::ordered_json json;
    json["passed"] = result.passed();
    json["events"] = result.events;
    json["offending"] = std::move(offending);
    json["input_errors"] = result.inputErrors;
    json["cancelled"] = result.cancelled;
    return json;
}

} // namespace hsi::recovery
