#include "event_parser.h"

#include "event_parser_kernel.h"

#include <algorithm>
#include <charconv>

namespace hsi::detail {

namespace {

bool appendUtf8(std::uint32_t code, std::string &out)
{
    if (code < 0x80) {
        out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code >> 6)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x110000) {
        out.push_back(static_cast<char>(0xF0 | (code >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
        return false;
    }
    return true;
}

bool parseHex4(std::string_view text, std::size_t pos, std::uint32_t &value)
{
    if (pos + 4 > text.size())
        return false;
    const auto [end, error] =
        std::from_chars(text.data() + pos, text.data() + pos + 4, value, 16);
    return error == std::errc() && end == text.data() + pos + 4;
}

} // namespace

bool unescapeJsonString(std::string_view escaped, std::string &out,
                        bool *replacedSurrogate)
{
    out.clear();
    for (std::size_t pos = 0; pos < escaped.size(); ++pos) {
        const char c = escaped[pos];
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++pos >= escaped.size())
            return false;
        switch (escaped[pos]) {
        case '"':
            out.push_back('"');
            break;
        case '\\':
            out.push_back('\\');
            break;
        case '/':
            out.push_back('/');
            break;
        case 'b':
            out.push_back('\b');
            break;
        case 'f':
            out.push_back('\f');
            break;
        case 'n':
            out.push_back('\n');
            break;
        case 'r':
            out.push_back('\r');
            break;
        case 't':
            out.push_back('\t');
            break;
        case 'u': {
            std::uint32_t code = 0;
            if (!parseHex4(escaped, pos + 1, code))
                return false;
            pos += 4;
            if (code >= 0xD800 && code < 0xDC00 &&
                pos + 6 < escaped.size() + 1 &&
                escaped.substr(pos + 1, 2) == "\\u") {
                std::uint32_t low = 0;
                if (parseHex4(escaped, pos + 3, low) && low >= 0xDC00 &&
                    low < 0xE000) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    pos += 6;
                }
            }
            if (replacedSurrogate && code >= 0xD800 && code < 0xE000) {
                constexpr std::uint32_t kReplacementCharacter = 0xFFFD;
                code = kReplacementCharacter;
                *replacedSurrogate = true;
            }
            if (!appendUtf8(code, out))
                return false;
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

namespace {

bool cpuHasAvx2()
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("pclmul");
#else
    return false;
#endif
}

std::unique_ptr<ParserKernel> makeKernel(ParseOptions options)
{
#ifdef HSI_HAVE_HASWELL_PARSER
    static const bool avx2 = cpuHasAvx2();
    if (avx2)
        return haswell::makeParserKernel(std::move(options));
#endif
    return generic::makeParserKernel(std::move(options));
}

} // namespace

EventParser::EventParser(ParseOptions options)
    : m_kernel(makeKernel(std::move(options)))
{
}

EventParser::~EventParser() = default;

bool EventParser::parse(std::string_view text, ParsedEvent &event,
                        std::string &error)
{
    return m_kernel->parse(text, event, error);
}

namespace {

/// Returns true when JSON can write the key only as raw bytes or with \u
/// escapes. Quotes, backslashes, slashes and control characters have
/// other escapes too.
bool needsOnlyUnicodeEscapes(std::string_view key)
{
    return std::none_of(key.begin(), key.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\' ||
               c == '/';
    });
}

} // namespace

GroupKeyFilter::GroupKeyFilter(const std::vector<std::string> &keys)
{
    if (keys.empty())
        return;
    m_needles.push_back("\\u");
    for (const std::string &key : keys) {
        m_needles.push_back(key);
        if (!needsOnlyUnicodeEscapes(key))
            m_needles.push_back("\\");
    }
}

bool GroupKeyFilter::mayHoldKey(std::string_view text) const
{
    return std::any_of(m_needles.begin(), m_needles.end(),
                       [text](const std::string &needle) {
                           return text.find(needle) != std::string_view::npos;
                       });
}

} // namespace hsi::detail
