#include "hsi/recovery/legacy_time.h"

#include "hsi/recovery/recovery_error.h"

#include <QDateTime>
#include <QTimeZone>

namespace hsi::recovery {

struct LegacyTimeConverter::Private {
    QTimeZone zone;
    // The offset found for the last local minute: events of one file are
    // mostly in time order, so most lookups hit. Every time-zone change
    // since 1970 falls on a whole minute.
    std::int64_t cachedMinute = INT64_MIN;
    std::int32_t cachedOffset = 0;

    std::int32_t offsetAtUtc(std::int64_t utcSeconds) const
    {
        return zone.offsetFromUtc(
            QDateTime::fromSecsSinceEpoch(utcSeconds, QTimeZone::utc()));
    }
};

LegacyTimeConverter::LegacyTimeConverter(const std::string &timeZone)
    : d(std::make_unique<Private>())
{
    d->zone = QTimeZone(QByteArray::fromStdString(timeZone));
    if (!d->zone.isValid()) {
        throw RecoveryError("unknown time zone '" + timeZone +
                            "': use the project's IANA time zone, such as "
                            "America/Los_Angeles");
    }
}

LegacyTimeConverter::~LegacyTimeConverter() = default;
LegacyTimeConverter::LegacyTimeConverter(LegacyTimeConverter &&) noexcept =
    default;
LegacyTimeConverter &
LegacyTimeConverter::operator=(LegacyTimeConverter &&) noexcept = default;

std::int32_t LegacyTimeConverter::offsetForLocal(std::int64_t localSeconds)
{
    std::int64_t minute = localSeconds / 60;
    if (localSeconds % 60 < 0)
        --minute;
    if (minute == d->cachedMinute)
        return d->cachedOffset;

    // The offsets a day before and a day after bracket any single change.
    // A candidate offset is right when the instant it gives shows the same
    // local time; two right candidates mean a repeated hour, none a gap.
    const std::int32_t before = d->offsetAtUtc(localSeconds - 86400);
    const std::int32_t after = d->offsetAtUtc(localSeconds + 86400);
    const bool beforeFits = d->offsetAtUtc(localSeconds - before) == before;
    const bool afterFits = d->offsetAtUtc(localSeconds - after) == after;

    std::int32_t offset = before;
    if (beforeFits && afterFits)
        offset = std::max(before, after); // first occurrence of a repeat
    else if (afterFits)
        offset = after;
    // Otherwise the local time is in a gap, or only `before` fits: both use
    // the offset in effect before the change.

    d->cachedMinute = minute;
    d->cachedOffset = offset;
    return offset;
}

std::int64_t LegacyTimeConverter::toUtcSeconds(std::int64_t localSeconds)
{
    return localSeconds - offsetForLocal(localSeconds);
}

} // namespace hsi::recovery
