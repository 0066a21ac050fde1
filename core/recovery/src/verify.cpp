#include "hsi/recovery/verify.h"

#include "hsi/scanner.h"

namespace hsi::recovery {

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
        if (input.status == InputReport::Status::Ok)
            continue;
        std::string reason = input.problems.empty()
                                 ? std::string("not read completely")
                                 : input.problems.front().message;
        result.inputErrors.push_back(input.path + ": " + reason);
    }
    return result;
}

VerifyResult verifyFiles(const std::vector<std::string> &paths,
                         const ScanSettings &settings, ScanControl *control)
{
    return verifyResultFromReport(scan(paths, settings, control));
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
        entry["day"] = formatDay(pair.day);
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
