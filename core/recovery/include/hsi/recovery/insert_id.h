#pragma once

#include "hsi/import_rules.h"

#include <string>
#include <string_view>

namespace hsi::recovery {

// The Import API's rules on ids live in the core, which the import client
// checks too, so that both sides reject the same values.
using hsi::isRejectedIdValue;
using hsi::isValidInsertId;
using hsi::kMaxInsertIdBytes;

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
