#pragma once

#include "hsi/civil_date.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

// Qt's headers are left out: they define `slots`, which the files that
// include this one use as a name.
class QTimeZone;

namespace hsi::detail {

/// Maps event times to the event date and minute of day in one time zone.
/// UTC offsets from 1970 to 2100 are read once from QTimeZone, so the
/// per-event work is a cached interval check and, on a miss, a binary
/// search. Times outside those years ask QTimeZone on a miss.
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
        if (ms < m_cachedStart || ms >= m_cachedEnd)
            lookup(ms);
        return ms + m_cachedOffset;
    }

    void readTransitions();
    void lookup(std::int64_t ms);
    void lookupInZone(std::int64_t ms);

    std::shared_ptr<const QTimeZone> m_zone;
    /// Offsets in force from m_intervals[0].startMs to m_tableEndMs.
    std::vector<Interval> m_intervals;
    std::int64_t m_tableEndMs = 0;
    // UTC, and legacy project time, use offset 0 for every time.
    std::int64_t m_cachedStart = std::numeric_limits<std::int64_t>::min();
    std::int64_t m_cachedEnd = std::numeric_limits<std::int64_t>::max();
    std::int64_t m_cachedOffset = 0;
};

} // namespace hsi::detail
