#pragma once

#include <string>
#include <string_view>

namespace hsi {

/// Returns `text` with escapes for the characters that would let a value
/// read from an export change how the text around it shows. Control
/// characters can recolour a terminal, move its cursor or break a line, and
/// with invisible or direction-changing characters one id can pass for
/// another.
///
/// C0 controls and DEL become \n, \r, \t or \xNN, and C1 controls become
/// \u0080 to \u009f. Format characters (the soft hyphen, zero-width
/// characters, direction marks, embeddings, overrides, isolates and tags
/// among them), spaces other than U+0020, line and paragraph separators,
/// invisible fillers, variation selectors, private use characters and
/// noncharacters become \uNNNN, or \UNNNNNNNN above U+FFFF. Each byte
/// that is not valid UTF-8 becomes \xNN, and a backslash becomes two, so
/// that no escape can be mistaken for text. Other text, valid UTF-8
/// included, is kept.
/// NOTE: combining marks are kept too, since many scripts need them, so an
/// id of e and U+0301 shows like one of U+00E9, é.
std::string printable(std::string_view text);

/// Returns the longest start of `text` of at most `maxBytes` bytes that does
/// not end inside a UTF-8 sequence, for quoting a long value in a message.
std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes);

/// Returns whether printable() may change `text`: only a backslash or a
/// byte outside printable ASCII can need an escape. It allocates nothing,
/// so a search over many ids can skip printable() for most of them.
bool mayNeedEscapes(std::string_view text);

} // namespace hsi
