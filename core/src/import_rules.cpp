#include "hsi/import_rules.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace hsi {

namespace {

/// Values the Import API rejects as distinct_id and as `$insert_id`,
/// compared case-insensitively.
constexpr std::array<std::string_view, 17> kRejectedValues = {
    "00000000-0000-0000-0000-000000000000",
    "anon",
    "anonymous",
    "nil",
    "none",
    "null",
    "n/a",
    "na",
    "undefined",
    "unknown",
    "<nil>",
    "0",
    "-1",
    "true",
    "false",
    "[]",
    "{}"};

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool isIdCharacter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-';
}

} // namespace

bool isRejectedIdValue(std::string_view value)
{
    return std::any_of(kRejectedValues.begin(), kRejectedValues.end(),
                       [value](std::string_view rejected) {
                           return equalsIgnoringCase(value, rejected);
                       });
}

bool isValidInsertId(std::string_view insertId)
{
    if (insertId.empty() || insertId.size() > kMaxInsertIdBytes)
        return false;
    if (!std::all_of(insertId.begin(), insertId.end(), isIdCharacter))
        return false;
    return !isRejectedIdValue(insertId);
}

} // namespace hsi
