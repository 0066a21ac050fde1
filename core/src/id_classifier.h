#pragma once

#include "event_parser.h"

#include <cstdint>
#include <string_view>

namespace hsi::detail {

/// Returns the IdFlag bits for an id. `groupKey` is empty for user ids; a
/// group id equal to its own key name ("Company" under "company") is flagged
/// as a literal name, the mark of set_group() called with a constant.
std::uint32_t classifyId(IdKind kind, std::string_view text,
                         std::string_view groupKey = {});

} // namespace hsi::detail
