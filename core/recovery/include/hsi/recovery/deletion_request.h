#pragma once

#include "hsi/civil_date.h"
#include "hsi/report.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hsi::recovery {

/// Events of one day covered by a deletion request.
struct DayEvents {
    Day day = 0;
    std::int64_t events = 0;
};

/// The facts Mixpanel support needs to delete the exported group events.
struct DeletionRequest {
    /// Mixpanel project id; left out of the text when empty.
    std::string projectId;
    /// The selector from buildGroupSelector(), used for the export.
    std::string selector;
    /// Inclusive export date range, as passed to the Export API.
    Day fromDate = 0;
    Day toDate = 0;
    /// The mp_processing_time_ms bound of the selector.
    std::int64_t processedBeforeMs = 0;
    /// Events exported with the selector.
    std::int64_t eventCount = 0;
    /// Days with exported events, sorted.
    std::vector<DayEvents> affectedDays;
};

/// Fills the event count and the affected days from a scan of the exported
/// files, and the other fields from the arguments. Days are those of the
/// scan's time zone, so scan in UTC (or the project's zone for projects
/// created before 2023) to match the FROM and TO dates of the export.
DeletionRequest deletionRequestFromReport(const Report &exportScan,
                                          std::string selector, Day fromDate,
                                          Day toDate,
                                          std::int64_t processedBeforeMs);

/// Formats a UTC epoch time in milliseconds as "YYYY-MM-DD HH:MM:SS.mmm UTC".
std::string formatUtcMs(std::int64_t epochMs);

/// Writes the plain-text request to send to Mixpanel support: the selector,
/// the FROM and TO dates, the threshold in milliseconds and as UTC time,
/// the event count and the affected days.
std::string formatDeletionRequest(const DeletionRequest &request);

} // namespace hsi::recovery
