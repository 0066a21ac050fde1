#include "hsi/civil_date.h"

#include <charconv>
#include <cstdio>

namespace hsi {

// Days-from-civil and its inverse follow Howard Hinnant's public-domain
// algorithms for the proleptic Gregorian calendar.
Day daysFromCivil(int year, unsigned month, unsigned day)
{
    year -= month <= 2 ? 1 : 0;
    const int era = (year >= 0 ? year : year - 399) / 400;
    const unsigned yearOfEra = static_cast<unsigned>(year - era * 400);
    const unsigned dayOfYear =
        (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned dayOfEra =
        yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
    return static_cast<Day>(era * 146097 + static_cast<int>(dayOfEra) - 719468);
}

namespace {

struct CivilDate {
    int year;
    unsigned month;
    unsigned day;
};

CivilDate civilFromDays(Day days)
{
    const int z = days + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned dayOfEra = static_cast<unsigned>(z - era * 146097);
    const unsigned yearOfEra =
        (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) /
        365;
    const unsigned dayOfYear =
        dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const unsigned monthIndex = (5 * dayOfYear + 2) / 153;
    const unsigned day = dayOfYear - (153 * monthIndex + 2) / 5 + 1;
    const unsigned month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
    const int year = static_cast<int>(yearOfEra) + era * 400 + (month <= 2);
    return {year, month, day};
}

bool parseNumber(std::string_view text, int &value)
{
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
}

} // namespace

std::string formatDay(Day day)
{
    const CivilDate date = civilFromDays(day);
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", date.year,
                  date.month, date.day);
    return buffer;
}

std::optional<Day> parseDay(std::string_view text)
{
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return std::nullopt;
    int year = 0;
    int month = 0;
    int day = 0;
    if (!parseNumber(text.substr(0, 4), year) ||
        !parseNumber(text.substr(5, 2), month) ||
        !parseNumber(text.substr(8, 2), day))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return std::nullopt;
    const Day result = daysFromCivil(year, month, day);
    // Reject dates such as 2023-02-30 that roll over into the next month.
    const CivilDate check = civilFromDays(result);
    if (check.month != static_cast<unsigned>(month))
        return std::nullopt;
    return result;
}

} // namespace hsi
