#pragma once

#include <cstddef>
#include <string_view>

namespace hsi {

/// Maximum length of `$insert_id` accepted by the Import API in strict mode.
inline constexpr std::size_t kMaxInsertIdBytes = 36;

/// Returns true when `value` is one of the placeholder values the Import API
/// rejects as distinct_id and as `$insert_id`, such as "null", "undefined",
/// "0", "-1" or the all-zero UUID (compared ignoring case).
bool isRejectedIdValue(std::string_view value);

/// Returns true when strict import accepts `insertId`: 1 to 36 bytes of
/// ASCII letters, digits and '-', and not a rejected placeholder value.
bool isValidInsertId(std::string_view insertId);

} // namespace hsi
