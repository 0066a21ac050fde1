#pragma once

#include <string>
#include <string_view>

namespace hsi::recovery {

/// Maximum length of `$insert_id` accepted by the Import API in strict mode.
inline constexpr std::size_t kMaxInsertIdBytes = 36;

/// Returns true when `value` is one of the placeholder values the Import API
/// rejects as distinct_id and as `$insert_id`, such as "null", "undefined",
/// "0", "-1" or the all-zero UUID (compared ignoring case).
bool isRejectedIdValue(std::string_view value);

/// Returns true when strict import accepts `insertId`: 1 to 36 bytes of
/// `[A-Za-z0-9-]` and none of the placeholder values Mixpanel rejects as ids
/// ("null", "undefined", "0", "-1", the all-zero UUID, ...).
bool isValidInsertId(std::string_view insertId);

/// Derives a new `$insert_id` from the SHA-256 of the event's name,
/// distinct_id, time and old insert id, each given as its JSON text. The
/// first 128 bits are written as a lowercase UUID-shaped string of 36
/// characters, so equal inputs always give the same id and re-running a
/// transform gives the same output.
std::string regenerateInsertId(std::string_view eventName,
                               std::string_view distinctIdJson,
                               std::string_view timeJson,
                               std::string_view oldInsertIdJson);

} // namespace hsi::recovery
