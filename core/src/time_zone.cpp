#include "time_zone.h"

#include "hsi/scanner.h"

#include <QDateTime>
#include <QTimeZone>
#include <algorithm>

namespace hsi::detail {

namespace {

QDateTime utcTime(std::int64_t ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

} // namespace

DayResolver::DayResolver(const std::string &timeZone, bool legacyProjectTime)
{
    if (legacyProjectTime || timeZone.empty() || timeZone == "UTC" ||
        timeZone == "Etc/UTC")
        return;
    m_zone =
        std::make_shared<const QTimeZone>(QByteArray::fromStdString(timeZone));
    if (!m_zone->isValid()) {
        throw ScanError("unknown time zone '" + timeZone +
                        "': use an IANA name such as UTC or "
                        "America/Los_Angeles");
    }
    readTransitions();
    m_cachedStart = 1;
    m_cachedEnd = 0;
}

// Reads the offsets from 1970 to 2100, which cover every plausible event
// time, one transition at a time. QTimeZone::transitions() is not used
// because in Qt 6.4 it stops at the last transition that the TZif file
// lists (2037 for most zones), and leaves out the later ones that the
// file's POSIX rule gives.
void DayResolver::readTransitions()
{
    const QDateTime from = utcTime(0);
    const QDateTime to =
        QDateTime(QDate(2100, 1, 1), QTime(0, 0), QTimeZone::utc());
    m_tableEndMs = to.toMSecsSinceEpoch();
    m_intervals.push_back({0, m_zone->offsetFromUtc(from) * 1000LL});
    QDateTime after = from;
    while (true) {
        // NOTE: in Qt 6.4, nextTransition() from the exact time of the
        // TZif file's last listed transition finds none, while a time one
        // millisecond later finds the next one from the POSIX rule.
        const QTimeZone::OffsetData next =
            m_zone->nextTransition(after.addMSecs(1));
        if (!next.atUtc.isValid() || next.atUtc <= after || next.atUtc >= to)
            break;
        m_intervals.push_back(
            {next.atUtc.toMSecsSinceEpoch(), next.offsetFromUtc * 1000LL});
        after = next.atUtc;
    }
}

void DayResolver::lookup(std::int64_t ms)
{
    if (m_intervals.empty())
        return;
    if (ms < m_intervals.front().startMs || ms >= m_tableEndMs) {
        lookupInZone(ms);
        return;
    }
    auto next =
        std::upper_bound(m_intervals.begin(), m_intervals.end(), ms,
                         [](std::int64_t value, const Interval &interval) {
                             return value < interval.startMs;
                         });
    const auto current = std::prev(next);
    m_cachedStart = current->startMs;
    m_cachedEnd = next == m_intervals.end() ? m_tableEndMs : next->startMs;
    m_cachedOffset = current->offsetMs;
}

// Reads the offset of a time outside the table from QTimeZone, which is
// slower but rare: such times get a warning that their year is implausible.
// The offset is cached up to the transitions either side of the time, or
// the table's edge.
void DayResolver::lookupInZone(std::int64_t ms)
{
    const QDateTime at = utcTime(ms);
    m_cachedOffset = m_zone->offsetFromUtc(at) * 1000LL;
    const QTimeZone::OffsetData previous =
        m_zone->previousTransition(at.addMSecs(1));
    const QTimeZone::OffsetData next = m_zone->nextTransition(at);
    m_cachedStart = previous.atUtc.isValid()
                        ? previous.atUtc.toMSecsSinceEpoch()
                        : std::numeric_limits<std::int64_t>::min();
    m_cachedEnd = next.atUtc.isValid()
                      ? next.atUtc.toMSecsSinceEpoch()
                      : std::numeric_limits<std::int64_t>::max();
    // A transition that Qt reports out of order caches this time alone.
    if (m_cachedStart > ms || m_cachedEnd <= ms) {
        m_cachedStart = ms;
        m_cachedEnd = ms + 1;
    }
    if (ms < m_intervals.front().startMs)
        m_cachedEnd = std::min(m_cachedEnd, m_intervals.front().startMs);
    else
        m_cachedStart = std::max(m_cachedStart, m_tableEndMs);
}

} // namespace hsi::detail
