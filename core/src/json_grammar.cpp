#include "hsi/json_grammar.h"

namespace hsi {

namespace {

/// Values nested deeper than this are rejected, as simdjson rejects them.
constexpr int kMaxDepth = 1024;

constexpr const char *kStructure = "braces, brackets, commas or quotes are "
                                   "out of place, or the record is cut off";
constexpr const char *kBareWord = "it contains a bare word, while JSON allows "
                                  "only null, true and false without quotes";
constexpr const char *kNumber = "a number is not written as JSON allows";

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isHexDigit(char c)
{
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/// A recursive descent over one JSON text; see jsonGrammarError().
class GrammarCheck {
public:
    explicit GrammarCheck(std::string_view text)
        : m_at(text.data()), m_end(text.data() + text.size())
    {
    }

    std::string run()
    {
        skipBlank();
        if (!value(0))
            return m_error;
        skipBlank();
        if (m_at == m_end)
            return {};
        // A line copied from a JSON array keeps the comma after its element.
        if (*m_at == ',') {
            ++m_at;
            skipBlank();
            if (m_at == m_end)
                return "a comma after the JSON value, as an element of a JSON "
                       "array has: remove the commas at the ends of the "
                       "lines, or put the lines between [ and ]";
        }
        return "unexpected text after the JSON value";
    }

private:
    bool fail(const char *reason)
    {
        m_error = reason;
        return false;
    }

    void skipBlank()
    {
        while (m_at < m_end && isBlank(*m_at))
            ++m_at;
    }

    bool consume(char c)
    {
        skipBlank();
        if (m_at >= m_end || *m_at != c)
            return false;
        ++m_at;
        return true;
    }

    bool value(int depth)
    {
        skipBlank();
        if (m_at >= m_end)
            return fail(kStructure);
        switch (*m_at) {
        case '{':
        case '[':
            if (depth >= kMaxDepth)
                return fail("values are nested too deeply");
            return container(depth + 1, *m_at == '{' ? '}' : ']');
        case '"':
            return string();
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            if (*m_at == '-' || isDigit(*m_at))
                return number();
            return fail(isLetter(*m_at) ? kBareWord : kStructure);
        }
    }

    // Reads an object or array whose opening bracket is at m_at.
    bool container(int depth, char close)
    {
        ++m_at;
        if (consume(close))
            return true;
        const bool isObject = close == '}';
        do {
            skipBlank();
            if (isObject) {
                if (m_at >= m_end || *m_at != '"')
                    return fail(kStructure);
                if (!string() || !consume(':'))
                    return m_error.empty() ? fail(kStructure) : false;
            }
            if (!value(depth))
                return false;
        } while (consume(','));
        return consume(close) || fail(kStructure);
    }

    bool string()
    {
        ++m_at;
        while (m_at < m_end) {
            const char c = *m_at;
            if (c == '"') {
                ++m_at;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return fail("a string contains a control character, such as "
                            "a tab, which JSON allows only as an escape");
            if (c != '\\') {
                ++m_at;
                continue;
            }
            if (m_end - m_at < 2)
                break;
            const char escaped = m_at[1];
            if (escaped == 'u') {
                if (m_end - m_at < 6 || !isHexDigit(m_at[2]) ||
                    !isHexDigit(m_at[3]) || !isHexDigit(m_at[4]) ||
                    !isHexDigit(m_at[5]))
                    return fail("a string has a \\u escape without four hex "
                                "digits");
                m_at += 6;
            } else if (std::string_view("\"\\/bfnrt").find(escaped) !=
                       std::string_view::npos) {
                m_at += 2;
            } else {
                return fail("a string has an escape that JSON does not define");
            }
        }
        return fail("a string has no closing quote");
    }

    bool literal(std::string_view word)
    {
        if (std::string_view(m_at, m_end - m_at).substr(0, word.size()) !=
                word ||
            (m_at + word.size() < m_end && isLetter(m_at[word.size()])))
            return fail(kBareWord);
        m_at += word.size();
        return true;
    }

    // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    // of any length. What follows must end the value.
    bool number()
    {
        const auto digits = [this] {
            const char *start = m_at;
            while (m_at < m_end && isDigit(*m_at))
                ++m_at;
            return m_at > start;
        };
        if (*m_at == '-')
            ++m_at;
        if (m_at < m_end && *m_at == '0')
            ++m_at;
        else if (!digits())
            return fail(kNumber);
        if (m_at < m_end && *m_at == '.') {
            ++m_at;
            if (!digits())
                return fail(kNumber);
        }
        if (m_at < m_end && (*m_at == 'e' || *m_at == 'E')) {
            ++m_at;
            if (m_at < m_end && (*m_at == '+' || *m_at == '-'))
                ++m_at;
            if (!digits())
                return fail(kNumber);
        }
        const bool ends = m_at == m_end || isBlank(*m_at) || *m_at == ',' ||
                          *m_at == '}' || *m_at == ']';
        return ends || fail(kNumber);
    }

    const char *m_at;
    const char *m_end;
    std::string m_error;
};

} // namespace

std::string jsonGrammarError(std::string_view text)
{
    return GrammarCheck(text).run();
}

} // namespace hsi
