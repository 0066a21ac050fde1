#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hsi {

/// Mixpanel's documented per-day limit for one `distinct_id`.
inline constexpr std::int64_t kDefaultUserLimit = 200'000;
/// Mixpanel's documented per-day limit for one group identifier.
inline constexpr std::int64_t kDefaultGroupLimit = 1'000'000;

/// Settings that decide how a scan counts and flags events.
struct ScanSettings {
    /// A (distinct_id, date) pair is hot when its count exceeds this.
    std::int64_t userLimit = kDefaultUserLimit;
    /// A (group key, group id, date) triple is hot when its count exceeds this.
    std::int64_t groupLimit = kDefaultGroupLimit;
    /// Group keys to count. Keys named by `$hotshard_record` events are added
    /// during the scan.
    std::vector<std::string> groupKeys;
    /// IANA time zone that defines the event date, for example
    /// "America/Los_Angeles". Ignored when `legacyProjectTime` is set.
    std::string timeZone = "UTC";
    /// When set, `time` already holds project-local wall-clock seconds (the
    /// storage of Mixpanel projects created before 2023), so the date is taken
    /// from the value as it is.
    bool legacyProjectTime = false;
    /// Pairs above this fraction of their limit, and not hot, are reported as
    /// near the limit.
    double nearLimitFraction = 0.5;
    /// Number of entries kept in evidence lists such as top event names.
    int topN = 10;
    /// Worker threads; 0 means one per hardware thread.
    int threads = 0;
    /// Size of the byte ranges that large plain files are split into; 0
    /// picks a size from the file size and thread count. Tests set it low to
    /// split small files.
    std::int64_t chunkBytes = 0;
    /// Size of the steps in which plain ranges are read and their dates
    /// recorded; 0 means 8 MiB. Tests set it low to get many steps from a
    /// small file.
    std::int64_t stepBytes = 0;
    /// Fills `Report::ids` and `Report::idDays` with every id. A caller that
    /// shows only findings and id problems turns it off, which saves about
    /// 0.3 s and 150 MB per million ids.
    bool listEveryId = true;
};

} // namespace hsi
