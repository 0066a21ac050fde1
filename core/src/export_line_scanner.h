#pragma once

#include "event_parser.h"

#include <string>
#include <string_view>
#include <vector>

// Built into each parser kernel, whose HSI_PARSER_VARIANT names the
// instruction set (see event_parser_kernel.h).
namespace hsi::detail::HSI_PARSER_VARIANT {

/// Reads a record in the layout of Mixpanel's Raw Event Export,
/// {"event": ..., "properties": {...}}, in one pass over its bytes. A scan
/// needs few fields of each event: the event name, `time` and `distinct_id`,
/// for remediated events the original id and name, and for evidence
/// `$insert_id`, `$device_id` and the library. On the
/// benchmark corpus this reads a record in about three quarters of the time
/// that simdjson's two stages and the on-demand walk take.
///
/// It accepts only what it can read with certainty: one valid JSON object
/// in that layout without escapes or control characters in its strings.
/// Everything else goes to the full parser, so that both give the same
/// result for every line: backslashes, other top-level keys, the
/// `$hotshard_record` and other `$hotshard_` events but remediated ones,
/// remediation properties in other events or before the event's name, and
/// a `time` that is not an integer. Control
/// characters are looked for in each 64-byte word that contains part of a
/// string. A tab between tokens in such a word sends the line to the full
/// parser, while one after the last string is read as whitespace.
class ExportLineScanner {
public:
    /// With `readGroupValues` false, a record with a group key goes to the
    /// full parser.
    ExportLineScanner(ParseOptions options, bool readGroupValues);

    /// Sets the fields of `event`, which must hold default values, and
    /// returns true, or returns false when the full parser must read the
    /// record. `text` must have kRecordPadding readable bytes after it.
    bool scan(std::string_view text, ParsedEvent &event);

private:
    ParseOptions m_options;
    bool m_readGroupValues = false;
};

} // namespace hsi::detail::HSI_PARSER_VARIANT
