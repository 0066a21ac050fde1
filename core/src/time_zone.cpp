#include "time_zone.h"

#include "hsi/scanner.h"

#include <QDateTime>
#include <QTimeZone>
#include <algorithm>
#include <limits>

namespace hsi::detail {

DayResolver::DayResolver(const std::string &timeZone, bool legacyProjectTime)
{
    if (legacyProjectTime || timeZone.empty() || timeZone == "UTC" ||
        timeZone == "Etc/UTC")
        return;
    const QTimeZone zone(QByteArray::fromStdString(timeZone));
    if (!zone.isValid()) {
        throw ScanError("unknown time zone '" + timeZone +
                        "': use an IANA name such as UTC or "
                        "America/Los_Angeles");
    }
    // Offsets in force from 1970 to 2100 cover every time Mixpanel accepts.
    const QDateTime from = QDateTime::fromSecsSinceEpoch(0, QTimeZone::utc());
    const QDateTime to =
        QDateTime(QDate(2100, 1, 1), QTime(0, 0), QTimeZone::utc());
    m_intervals.push_back({std::numeric_limits<std::int64_t>::min(),
                           zone.offsetFromUtc(from) * 1000LL});
    const auto transitions = zone.transitions(from, to);
    for (const QTimeZone::OffsetData &transition : transitions) {
        m_intervals.push_back({transition.atUtc.toMSecsSinceEpoch(),
                               transition.offsetFromUtc * 1000LL});
    }
}

void DayResolver::lookup(std::int64_t ms)
{
    auto next =
        std::upper_bound(m_intervals.begin(), m_intervals.end(), ms,
                         [](std::int64_t value, const Interval &interval) {
                             return value < interval.startMs;
                         });
    const auto current = std::prev(next);
    m_cachedStart = current->startMs;
    m_cachedEnd = next == m_intervals.end()
                      ? std::numeric_limits<std::int64_t>::max()
                      : next->startMs;
    m_cachedOffset = current->offsetMs;
}

} // namespace hsi::detail
