#include "id_classifier.h"

#include "hsi/report.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace hsi::detail {

namespace {

// Values Mixpanel's Import API rejects as distinct_id, plus common
// stand-ins for "no id" that usually come from a bug.
constexpr std::array<std::string_view, 19> kPlaceholders = {
    "undefined", "null", "none", "nil", "anonymous", "anon", "unknown", "0",
    "-1", "[]", "{}", "n/a", "na", "<nil>", "true", "false",
    // What JavaScript writes for a missing number or an object passed
    // where a string belongs.
    "nan", "[object object]", "00000000-0000-0000-0000-000000000000"};

// Property and variable names that end up as ids when a call such as
// identify('user_id') passes a literal instead of a value.
constexpr std::array<std::string_view, 16> kLiteralNames = {
    "user_id",      "userid",   "distinct_id", "distinctid",
    "$distinct_id", "$user_id", "device_id",   "$device_id",
    "id",           "user",     "uuid",        "customer_id",
    "account_id",   "group_id", "company_id",  "email"};

// Only ASCII letters fold. std::tolower would also fold bytes of some
// single-byte locales, so an id's flags could depend on the user's locale,
// and it is a library call for each character of a million ids.
char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return asciiLower(x) == asciiLower(y);
           });
}

template <std::size_t N>
bool containsIgnoringCase(const std::array<std::string_view, N> &list,
                          std::string_view text)
{
    return std::any_of(list.begin(), list.end(), [text](std::string_view item) {
        return equalsIgnoringCase(item, text);
    });
}

} // namespace

std::uint32_t classifyId(IdKind kind, std::string_view text,
                         std::string_view groupKey)
{
    std::uint32_t flags = IdFlagNone;
    if (kind == IdKind::Number)
        flags |= IdFlagNumeric;
    if (text.size() <= 36 && containsIgnoringCase(kPlaceholders, text))
        flags |= IdFlagPlaceholder;
    if (text.size() <= 16 && containsIgnoringCase(kLiteralNames, text))
        flags |= IdFlagLiteralName;
    if (!groupKey.empty() && equalsIgnoringCase(groupKey, text))
        flags |= IdFlagLiteralName;
    return flags;
}

} // namespace hsi::detail
