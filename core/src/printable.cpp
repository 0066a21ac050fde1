#include "hsi/printable.h"

#include <algorithm>
#include <cstdio>

namespace hsi {

namespace {

/// Returns the length of the valid UTF-8 sequence at the start of `text`,
/// or 0 when it starts with a byte that is not valid UTF-8 there.
std::size_t utf8SequenceLength(std::string_view text)
{
    const auto lead = static_cast<unsigned char>(text[0]);
    if (lead < 0x80)
        return 1;
    // The second byte's range leaves out overlong forms, surrogates and
    // code points above U+10FFFF, which are not valid UTF-8.
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    }
    if (length == 0 || text.size() < length)
        return 0;
    for (std::size_t i = 1; i < length; ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < (i == 1 ? low : 0x80) || byte > (i == 1 ? high : 0xBF))
            return 0;
    }
    return length;
}

/// Decodes a valid UTF-8 sequence of two to four bytes.
unsigned codePoint(std::string_view text, std::size_t length)
{
    const auto byte = [text](std::size_t i) {
        return static_cast<unsigned>(static_cast<unsigned char>(text[i]));
    };
    if (length == 2)
        return (byte(0) & 0x1Fu) << 6 | (byte(1) & 0x3Fu);
    if (length == 3)
        return (byte(0) & 0x0Fu) << 12 | (byte(1) & 0x3Fu) << 6 |
               (byte(2) & 0x3Fu);
    return (byte(0) & 0x07u) << 18 | (byte(1) & 0x3Fu) << 12 |
           (byte(2) & 0x3Fu) << 6 | (byte(3) & 0x3Fu);
}

/// A range of code points, both ends included.
struct CodeRange {
    unsigned first;
    unsigned last;
};

/// Characters that show nothing, look like a plain space or change the
/// direction of the text around them, so that an id printed with one could
/// pass for another. These are Unicode 15's format characters (category
/// Cf), spaces other than U+0020 (category Zs), and the line and paragraph
/// separators. Other invisible ones are the combining grapheme joiner, the
/// variation selectors and the Hangul fillers. The private use areas, whose
/// glyphs depend on the font, and the noncharacters U+FDD0 to U+FDEF
/// follow.
constexpr CodeRange kInvisible[] = {
    {0x00A0, 0x00A0},   {0x00AD, 0x00AD},   {0x034F, 0x034F},
    {0x0600, 0x0605},   {0x061C, 0x061C},   {0x06DD, 0x06DD},
    {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
    {0x115F, 0x1160},   {0x1680, 0x1680},   {0x180B, 0x180F},
    {0x2000, 0x200F},   {0x2028, 0x202F},   {0x205F, 0x2064},
    {0x2066, 0x206F},   {0x3000, 0x3000},   {0x3164, 0x3164},
    {0xE000, 0xF8FF},   {0xFDD0, 0xFDEF},   {0xFE00, 0xFE0F},
    {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},   {0xFFF9, 0xFFFB},
    {0x110BD, 0x110BD}, {0x110CD, 0x110CD}, {0x13430, 0x1343F},
    {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0001, 0xE0001},
    {0xE0020, 0xE007F}, {0xE0100, 0xE01EF}, {0xF0000, 0x10FFFF},
};

bool isInvisibleOrReordering(unsigned code)
{
    // The last two code points of every plane are noncharacters.
    if ((code & 0xFFFE) == 0xFFFE)
        return true;
    return std::any_of(std::begin(kInvisible), std::end(kInvisible),
                       [code](CodeRange range) {
                           return code >= range.first && code <= range.last;
                       });
}

void appendEscaped(std::string &out, const char *format, unsigned value)
{
    char buffer[12];
    std::snprintf(buffer, sizeof buffer, format, value);
    out += buffer;
}

} // namespace

std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes)
{
    if (text.size() <= maxBytes)
        return text;
    // A continuation byte at the cut belongs to the character before it.
    std::size_t cut = maxBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return text.substr(0, cut);
}

bool mayNeedEscapes(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte >= 0x7F || byte == '\\';
    });
}

std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const auto lead = static_cast<unsigned char>(text[0]);
        const std::size_t length = utf8SequenceLength(text);
        if (length == 0) {
            appendEscaped(out, "\\x%02x", lead);
            text.remove_prefix(1);
            continue;
        }
        // A backslash is doubled, so that an id with the two characters
        // \ and n reads apart from one with a newline.
        if (lead == '\\')
            out += "\\\\";
        else if (lead == '\n')
            out += "\\n";
        else if (lead == '\r')
            out += "\\r";
        else if (lead == '\t')
            out += "\\t";
        else if (lead < 0x20 || lead == 0x7F)
            appendEscaped(out, "\\x%02x", lead);
        // U+0080 to U+009F, the C1 controls, are 0xC2 0x80 to 0xC2 0x9F.
        else if (lead == 0xC2 && static_cast<unsigned char>(text[1]) < 0xA0)
            appendEscaped(out, "\\u%04x", static_cast<unsigned char>(text[1]));
        else if (length > 1 && isInvisibleOrReordering(codePoint(text, length)))
            appendEscaped(out, length == 4 ? "\\U%08x" : "\\u%04x",
                          codePoint(text, length));
        else
            out.append(text.substr(0, length));
        text.remove_prefix(length);
    }
    return out;
}

} // namespace hsi
