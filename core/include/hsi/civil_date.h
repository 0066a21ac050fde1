#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hsi {

/// A calendar date stored as days since 1970-01-01 (proleptic Gregorian).
using Day = std::int32_t;

/// Formats a day as "YYYY-MM-DD".
std::string formatDay(Day day);

/// Parses "YYYY-MM-DD"; returns nothing when the text is not a valid date.
std::optional<Day> parseDay(std::string_view text);

/// Converts a civil date to days since 1970-01-01.
Day daysFromCivil(int year, unsigned month, unsigned day);

/// Floor division of epoch seconds by one day.
inline Day dayOfEpochSeconds(std::int64_t seconds)
{
    std::int64_t day = seconds / 86400;
    if (seconds % 86400 < 0)
        --day;
    return static_cast<Day>(day);
}

} // namespace hsi
