#pragma once

#include <string>
#include <string_view>

namespace hsi {

/// Checks that `text` is one JSON value, with blank space around it, by the
/// grammar of RFC 8259, and returns why it is not, or an empty string.
///
/// simdjson's On-Demand API skips the values a scan does not read without
/// checking them, and its DOM parser rejects JSON that the scan reads:
/// integers beyond 64 bits and lone surrogates. This check follows the
/// grammar alone. It does not check UTF-8, which simdjson checks before.
std::string jsonGrammarError(std::string_view text);

} // namespace hsi
