#include "hsi/recovery/deletion_request.h"

#include <cstdio>

namespace hsi::recovery {

DeletionRequest deletionRequestFromReport(const Report &exportScan,
                                          std::string selector, Day fromDate,
                                          Day toDate,
                                          std::int64_t processedBeforeMs)
{
    DeletionRequest request;
    request.selector = std::move(selector);
    request.fromDate = fromDate;
    request.toDate = toDate;
    request.processedBeforeMs = processedBeforeMs;
    request.eventCount = exportScan.totals.events;
    for (const DayTotal &day : exportScan.days)
        request.affectedDays.push_back({day.day, day.events});
    return request;
}

std::string formatUtcMs(std::int64_t epochMs)
{
    std::int64_t seconds = epochMs / 1000;
    std::int64_t millis = epochMs % 1000;
    if (millis < 0) {
        --seconds;
        millis += 1000;
    }
    const Day day = dayOfEpochSeconds(seconds);
    const std::int64_t inDay = seconds - static_cast<std::int64_t>(day) * 86400;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%s %02lld:%02lld:%02lld.%03lld UTC",
                  formatDay(day).c_str(), static_cast<long long>(inDay / 3600),
                  static_cast<long long>(inDay / 60 % 60),
                  static_cast<long long>(inDay % 60),
                  static_cast<long long>(millis));
    return buffer;
}

std::string formatDeletionRequest(const DeletionRequest &request)
{
    std::string text =
        "Hello Mixpanel support,\n\n"
        "Please delete the events that match the selector below, in the "
        "date range below. We exported exactly these events and will "
        "re-import them after the deletion, to repair group hot shards.\n\n";
    if (!request.projectId.empty())
        text += "PROJECT_ID: " + request.projectId + "\n";
    text += "SELECTOR: " + request.selector + "\n";
    text += "FROM: " + formatDay(request.fromDate) + "\n";
    text += "TO: " + formatDay(request.toDate) + "\n";
    text += "TIME_THRESHOLD: " + std::to_string(request.processedBeforeMs) +
            " (mp_processing_time_ms, " +
            formatUtcMs(request.processedBeforeMs) + ")\n";
    text += "EVENT_COUNT: " + std::to_string(request.eventCount) + "\n";
    text +=
        "AFFECTED_DAYS: " + std::to_string(request.affectedDays.size()) + "\n";
    for (const DayEvents &day : request.affectedDays) {
        text += "  " + formatDay(day.day) + ": " + std::to_string(day.events) +
                " events\n";
    }
    text += "\nThe threshold bounds both the export and the deletion to "
            "events processed before it, so events that arrive later are "
            "not deleted. Please confirm when the deletion is complete.\n";
    return text;
}

} // namespace hsi::recovery
