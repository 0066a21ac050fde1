#pragma once

#include "hsi/civil_date.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hsi::detail {

/// Maps event times to the event date and minute of day in one time zone.
/// UTC offsets are read once from QTimeZone, so the per-event work is a
/// cached interval check and, on a miss, a binary search.
class DayResolver {
public:
    /// Throws ScanError when `timeZone` is not a known IANA name. In legacy
    /// mode times are already local wall-clock values and no offset applies.
    DayResolver(const std::string &timeZone, bool legacyProjectTime);

    Day dayOf(std::int64_t ms) { return dayOfLocal(localMs(ms)); }
    /// Minute of the day, 0 to 1439, in the same zone.
    int minuteOf(std::int64_t ms)
    {
        const std::int64_t local = localMs(ms);
        const std::int64_t inDay = local - dayOfLocal(local) * 86400000LL;
        return static_cast<int>(inDay / 60000);
    }

private:
    struct Interval {
        std::int64_t startMs;
        std::int64_t offsetMs;
    };

    static Day dayOfLocal(std::int64_t localMs)
    {
        std::int64_t day = localMs / 86400000LL;
        if (localMs % 86400000LL < 0)
            --day;
        return static_cast<Day>(day);
    }

    std::int64_t localMs(std::int64_t ms)
    {
        if (m_intervals.size() <= 1)
            return ms + (m_intervals.empty() ? 0 : m_intervals[0].offsetMs);
        if (ms < m_cachedStart || ms >= m_cachedEnd)
            lookup(ms);
        return ms + m_cachedOffset;
    }

    void lookup(std::int64_t ms);

    std::vector<Interval> m_intervals;
    std::int64_t m_cachedStart = 1;
    std::int64_t m_cachedEnd = 0;
    std::int64_t m_cachedOffset = 0;
};

} // namespace hsi::detail
