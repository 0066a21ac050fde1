#pragma once

#include "hsi/civil_date.h"
#include "hsi/report.h"

#include <QDateTime>
#include <QString>
#include <QTimeZone>
#include <cstdint>
#include <string>

namespace hsi::ui {

/// Converts UTF-8 text from the core to a QString.
inline QString toQString(const std::string &text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

/// Converts text read from an input (an id, a group key, an event name, a
/// file name or a message that quotes a record) for display, with control,
/// invisible and direction-changing characters escaped by hsi::printable().
/// Exported files keep the text as it was read.
QString displayText(const std::string &text);

/// Formats a count with thousands separators ("1,025,090"), independent of
/// the system locale so that exported files read the same everywhere.
QString formatCount(std::int64_t value);
/// Returns the en dash that marks a value the scan did not compute. An
/// empty cell would read as zero or as missing data.
QString notComputedMark();
/// Formats a pair's unique events, or notComputedMark() when they were not
/// determined.
QString formatUniqueEvents(std::int64_t value);

/// Formats "1 day" or "2,000 days": the count with the noun in the right
/// number. `noun` is a singular whose plural adds an "s".
QString countOf(std::int64_t count, const char *noun);

/// Formats a byte count as "69.1 MB" (decimal units, as the CLI does).
QString formatBytes(std::int64_t bytes);

/// Formats a duration in seconds as "4.2 s", "3 min 05 s" or "1 h 02 min".
QString formatDuration(double seconds);

/// Formats a civil day as "YYYY-MM-DD".
QString formatDate(Day day);

/// Returns the time zone that a report's dates are counted in. Legacy
/// projects store project-local wall-clock seconds, which read correctly
/// as UTC.
QTimeZone reportTimeZone(const ScanSettings &settings);

/// Formats epoch milliseconds as "YYYY-MM-DD HH:MM:SS <zone>".
QString formatTime(std::int64_t epochMs, const QTimeZone &zone);

/// Formats epoch milliseconds as "HH:MM:SS <zone>", for a table whose date
/// is in another column.
QString formatTimeOfDay(std::int64_t epochMs, const QTimeZone &zone);

/// Returns readable names of the bits set in IdFlag `flags`, comma-separated.
QString formatIdFlags(std::uint32_t flags);

/// Returns "user" or "group".
QString kindName(ShardKind kind);

/// Returns a short label for an id: "user_id" or "company = Company".
QString idLabel(ShardKind kind, const std::string &groupKey,
                const std::string &id);

/// Returns the short English name of a likely cause ("static id, many
/// devices", or "many users" for a group), or "no single cause" for
/// LikelyCause::Unknown.
QString likelyCauseLabel(LikelyCause cause, ShardKind kind = ShardKind::User);

} // namespace hsi::ui
