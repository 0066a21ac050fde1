#include "export_line_scanner.h"

#include "hsi/record_reader.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <simdjson.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace hsi::detail::HSI_PARSER_VARIANT {

namespace {

/// Values nested deeper than this go to the full parser, which keeps the
/// recursion here short.
constexpr int kMaxDepth = 32;
/// The depth of the values of `properties`; the record itself is depth 1.
constexpr int kPropertyDepth = 2;
/// Integers of up to 18 digits fit in 64 bits with room to spare; longer
/// times are left to simdjson's number parser.
constexpr std::ptrdiff_t kMaxTimeDigits = 18;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

/// Whether the `Size` bytes at `a` and `b` are equal, in a few loads with
/// overlapping words instead of a call to memcmp, which GCC makes even for
/// a size known when compiling.
template <std::size_t Size> bool sameBytes(const char *a, const char *b)
{
    const auto differ = [a, b](std::size_t at, auto word) {
        decltype(word) left = 0;
        decltype(word) right = 0;
        std::memcpy(&left, a + at, sizeof left);
        std::memcpy(&right, b + at, sizeof right);
        return static_cast<std::uint64_t>(left ^ right);
    };
    if constexpr (Size >= 8) {
        std::uint64_t diff = differ(Size - 8, std::uint64_t{});
        for (std::size_t at = 0; at + 8 < Size; at += 8)
            diff |= differ(at, std::uint64_t{});
        return diff == 0;
    } else if constexpr (Size >= 4) {
        return (differ(0, std::uint32_t{}) |
                differ(Size - 4, std::uint32_t{})) == 0;
    } else {
        return std::equal(a, a + Size, b);
    }
}

/// Whether `text` is `name`. The key comparisons run for every member of
/// every line, so they avoid the memcmp call of std::string_view's ==.
template <std::size_t N>
bool textIs(std::string_view text, const char (&name)[N])
{
    return text.size() == N - 1 && sameBytes<N - 1>(text.data(), name);
}

/// Whether `text` starts with `prefix`; see textIs().
template <std::size_t N>
bool textStartsWith(std::string_view text, const char (&prefix)[N])
{
    return text.size() >= N - 1 && sameBytes<N - 1>(text.data(), prefix);
}

/// Bytes per word of the line's character classes.
constexpr std::size_t kWord = 64;

/// Classes of the kWord bytes of a line from one offset, one bit per byte.
struct WordClasses {
    std::uint64_t quotes = 0;
    /// Backslashes and control characters: the scanner reads no escapes,
    /// and JSON allows no control character in a string.
    std::uint64_t stops = 0;
    /// Bytes above 0x7F, which must form UTF-8.
    std::uint64_t high = 0;
};

#if defined(__AVX2__)
[[gnu::always_inline]] inline WordClasses classify(const char *at)
{
    WordClasses classes;
    for (int half = 0; half < 2; ++half) {
        const __m256i bytes = _mm256_loadu_si256(
            reinterpret_cast<const __m256i *>(at + half * 32));
        const __m256i quote = _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('"'));
        const __m256i backslash =
            _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8('\\'));
        const __m256i control = _mm256_cmpeq_epi8(
            _mm256_and_si256(bytes, _mm256_set1_epi8(static_cast<char>(0xE0))),
            _mm256_setzero_si256());
        const auto bits = [half](__m256i mask) {
            return static_cast<std::uint64_t>(
                       static_cast<std::uint32_t>(_mm256_movemask_epi8(mask)))
                   << (half * 32);
        };
        classes.quotes |= bits(quote);
        classes.stops |= bits(_mm256_or_si256(backslash, control));
        classes.high |= bits(bytes);
    }
    return classes;
}
#else
WordClasses classify(const char *at)
{
    WordClasses classes;
    for (std::size_t i = 0; i < kWord; ++i) {
        const auto byte = static_cast<unsigned char>(at[i]);
        const std::uint64_t bit = std::uint64_t{1} << i;
        if (byte == '"')
            classes.quotes |= bit;
        if (byte == '\\' || byte < 0x20)
            classes.stops |= bit;
        if (byte > 0x7F)
            classes.high |= bit;
    }
    return classes;
}
#endif

/// The scanner's position in a line. It is a local object read by inlined
/// functions, so the compiler keeps it in registers. As members of the
/// scanner, the position was stored and reloaded at every step.
struct Cursor {
    const char *begin = nullptr;
    const char *at = nullptr;
    const char *end = nullptr;
    /// Quotes not yet read in the word that starts at `wordStart`.
    std::uint64_t quotes = 0;
    std::size_t wordStart = 0;
    std::size_t nextWord = 0;
    bool highBytes = false;

    explicit Cursor(std::string_view text)
        : begin(text.data()), at(text.data()), end(text.data() + text.size())
    {
    }

    std::size_t size() const { return static_cast<std::size_t>(end - begin); }
};

#define HSI_INLINE [[gnu::always_inline]] inline

HSI_INLINE void skipSpace(Cursor &cursor)
{
    while (cursor.at < cursor.end && (*cursor.at == ' ' || *cursor.at == '\t' ||
                                      *cursor.at == '\r' || *cursor.at == '\n'))
        ++cursor.at;
}

HSI_INLINE bool consume(Cursor &cursor, char c)
{
    if (cursor.at >= cursor.end || *cursor.at != c)
        return false;
    ++cursor.at;
    return true;
}

// Classifies the next word of the line. A word with a backslash or a
// control character ends the scan.
HSI_INLINE bool loadWord(Cursor &cursor)
{
    const std::size_t size = cursor.size();
    if (cursor.nextWord >= size)
        return false;
    WordClasses classes = classify(cursor.begin + cursor.nextWord);
    if (size - cursor.nextWord < kWord) {
        const std::uint64_t inLine =
            (std::uint64_t{1} << (size - cursor.nextWord)) - 1;
        classes.quotes &= inLine;
        classes.stops &= inLine;
        classes.high &= inLine;
    }
    if (classes.stops != 0)
        return false;
    cursor.highBytes = cursor.highBytes || classes.high != 0;
    cursor.quotes = classes.quotes;
    cursor.wordStart = cursor.nextWord;
    cursor.nextWord += kWord;
    return true;
}

HSI_INLINE bool nextQuote(Cursor &cursor, std::size_t &offset)
{
    while (cursor.quotes == 0) {
        if (!loadWord(cursor))
            return false;
    }
    offset = cursor.wordStart +
             static_cast<std::size_t>(std::countr_zero(cursor.quotes));
    cursor.quotes &= cursor.quotes - 1;
    return true;
}

// Reads the string whose opening quote is at the cursor and sets `body` to
// the text between its quotes. Both quotes come from the line's character
// classes, so a string costs two bit scans.
HSI_INLINE bool readString(Cursor &cursor, std::string_view &body)
{
    std::size_t open = 0;
    std::size_t close = 0;
    if (!nextQuote(cursor, open) || cursor.begin + open != cursor.at ||
        !nextQuote(cursor, close))
        return false;
    body = std::string_view(cursor.at + 1, close - open - 1);
    cursor.at = cursor.begin + close + 1;
    return true;
}

#if defined(__AVX2__)
// Numbers such as times run to 13 digits, and a loop over them mispredicts
// its exit on nearly every number, so 32 bytes are checked at once.
HSI_INLINE const char *skipDigits(const char *at, const char *end)
{
    while (at < end) {
        const __m256i bytes =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(at));
        const __m256i digits = _mm256_and_si256(
            _mm256_cmpeq_epi8(_mm256_max_epu8(bytes, _mm256_set1_epi8('0')),
                              bytes),
            _mm256_cmpeq_epi8(_mm256_min_epu8(bytes, _mm256_set1_epi8('9')),
                              bytes));
        const auto others =
            ~static_cast<std::uint32_t>(_mm256_movemask_epi8(digits));
        if (others != 0)
            return std::min(at + std::countr_zero(others), end);
        at += 32;
    }
    return end;
}
#else
HSI_INLINE const char *skipDigits(const char *at, const char *end)
{
    while (at < end && isDigit(*at))
        ++at;
    return at;
}
#endif

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// The caller checks what follows, which must be a comma or a bracket.
HSI_INLINE bool skipNumber(Cursor &cursor)
{
    const char *at = cursor.at;
    const char *end = cursor.end;
    if (at < end && *at == '-')
        ++at;
    if (at >= end || !isDigit(*at))
        return false;
    at = *at == '0' ? at + 1 : skipDigits(at, end);
    if (at < end && *at == '.') {
        const char *fraction = at + 1;
        at = skipDigits(fraction, end);
        if (at == fraction)
            return false;
    }
    if (at < end && (*at == 'e' || *at == 'E')) {
        ++at;
        if (at < end && (*at == '+' || *at == '-'))
            ++at;
        const char *exponent = at;
        at = skipDigits(exponent, end);
        if (at == exponent)
            return false;
    }
    cursor.at = at;
    return true;
}

template <std::size_t N>
HSI_INLINE bool skipLiteral(Cursor &cursor, const char (&literal)[N])
{
    if (cursor.end - cursor.at < static_cast<std::ptrdiff_t>(N - 1) ||
        !sameBytes<N - 1>(cursor.at, literal))
        return false;
    cursor.at += N - 1;
    return true;
}

bool skipContainer(Cursor &cursor, int depth, char close);

// Skips one value. Objects and arrays take a copy of the cursor, so that
// the caller's stays in registers.
HSI_INLINE bool skipValue(Cursor &cursor, int depth)
{
    if (cursor.at >= cursor.end)
        return false;
    std::string_view ignored;
    switch (*cursor.at) {
    case '"':
        return readString(cursor, ignored);
    case '{':
    case '[': {
        Cursor nested = cursor;
        if (!skipContainer(nested, depth + 1, *cursor.at == '{' ? '}' : ']'))
            return false;
        cursor = nested;
        return true;
    }
    case 't':
        return skipLiteral(cursor, "true");
    case 'f':
        return skipLiteral(cursor, "false");
    case 'n':
        return skipLiteral(cursor, "null");
    default:
        return skipNumber(cursor);
    }
}

// Skips an object or array whose opening bracket is at the cursor.
bool skipContainer(Cursor &cursor, int depth, char close)
{
    if (depth > kMaxDepth)
        return false;
    ++cursor.at;
    skipSpace(cursor);
    if (consume(cursor, close))
        return true;
    const bool isObject = close == '}';
    do {
        skipSpace(cursor);
        if (isObject) {
            std::string_view key;
            if (!readString(cursor, key))
                return false;
            skipSpace(cursor);
            if (!consume(cursor, ':'))
                return false;
            skipSpace(cursor);
        }
        if (!skipValue(cursor, depth))
            return false;
        skipSpace(cursor);
    } while (consume(cursor, ','));
    return consume(cursor, close);
}

HSI_INLINE bool readTime(Cursor &cursor, TimeValue &time)
{
    const char *begin = cursor.at;
    if (!skipNumber(cursor))
        return false;
    const char *digits = *begin == '-' ? begin + 1 : begin;
    if (cursor.at - digits > kMaxTimeDigits)
        return false;
    std::int64_t value = 0;
    for (const char *at = digits; at < cursor.at; ++at) {
        if (!isDigit(*at))
            return false;
        value = value * 10 + (*at - '0');
    }
    if (digits != begin)
        value = -value;
    time.setMs(integerTimeMs(value), TimeStatus::Valid);
    time.rawText = std::string_view(begin, cursor.at - begin);
    return true;
}

// Numbers keep their text, as in the full parser, so that ids longer than
// 64 bits keep every digit.
HSI_INLINE bool readId(Cursor &cursor, IdValue &id)
{
    if (cursor.at < cursor.end && *cursor.at == '"') {
        id.kind = IdKind::String;
        return readString(cursor, id.text);
    }
    const char *begin = cursor.at;
    if (!skipNumber(cursor))
        return false;
    id.kind = IdKind::Number;
    id.text = std::string_view(begin, cursor.at - begin);
    return true;
}

HSI_INLINE bool readKey(Cursor &cursor, std::string_view &key)
{
    skipSpace(cursor);
    if (!readString(cursor, key))
        return false;
    skipSpace(cursor);
    if (!consume(cursor, ':'))
        return false;
    skipSpace(cursor);
    return true;
}

/// The index of the group key `key`, or -1.
int groupKeyIndex(const std::vector<std::string> &groupKeys,
                  std::string_view key)
{
    const auto found = std::find(groupKeys.begin(), groupKeys.end(), key);
    return found == groupKeys.end()
               ? -1
               : static_cast<int>(found - groupKeys.begin());
}

// Reads a group key's value as the full parser does: a string or a number
// is one group id, a list gives each of its values down to
// kMaxGroupListDepth, and anything else gives none.
bool readGroupValues(Cursor &cursor, std::uint32_t keyIndex, ParsedEvent &event,
                     int listDepth, int depth)
{
    if (cursor.at >= cursor.end)
        return false;
    const char first = *cursor.at;
    if (first == '"') {
        std::string_view text;
        if (!readString(cursor, text))
            return false;
        event.groupValues.push_back({keyIndex, text});
        return true;
    }
    if (first == '-' || isDigit(first)) {
        const char *begin = cursor.at;
        if (!skipNumber(cursor))
            return false;
        event.groupValues.push_back(
            {keyIndex, std::string_view(begin, cursor.at - begin), true});
        return true;
    }
    if (first != '[' || listDepth >= kMaxGroupListDepth)
        return skipValue(cursor, depth);
    ++cursor.at;
    skipSpace(cursor);
    if (consume(cursor, ']'))
        return true;
    do {
        skipSpace(cursor);
        if (!readGroupValues(cursor, keyIndex, event, listDepth + 1, depth + 1))
            return false;
        skipSpace(cursor);
    } while (consume(cursor, ','));
    return consume(cursor, ']');
}

/// Whether `key` is a property of remediated events or `$hotshard_record`
/// events. The full parser reads these in some records of other events too,
/// so the scanner reads them only in remediated events.
bool isRemediationKey(std::string_view key)
{
    if (key.empty() || (key[0] != 'm' && key[0] != 'h'))
        return false;
    return textIs(key, "mp_original_distinct_id") ||
           textIs(key, "mp_original_event_name") ||
           textIs(key, "hotshard_distinct_id") ||
           textIs(key, "hotshard_group_key") ||
           textIs(key, "hotshard_group_display_name");
}

/// The evidence field that `key` names, or null.
std::string_view *evidenceField(std::string_view key, ParsedEvent &event)
{
    if (textIs(key, "$insert_id"))
        return &event.insertId;
    if (textIs(key, "$device_id"))
        return &event.deviceId;
    if (textIs(key, "mp_lib") || textIs(key, "$lib"))
        return &event.library;
    return nullptr;
}

// Reads an evidence field as the full parser does: the first value that is
// a string and not empty is kept, and any other value reads as empty.
HSI_INLINE bool readEvidence(Cursor &cursor, std::string_view &field)
{
    if (field.empty() && cursor.at < cursor.end && *cursor.at == '"')
        return readString(cursor, field);
    return skipValue(cursor, kPropertyDepth);
}

// Reads a remediated event's original id or name, whose key is `key`, or
// returns false for other keys, which the full parser must read. Like the
// full parser, it takes the first value of each.
HSI_INLINE bool readOriginal(Cursor &cursor, std::string_view key,
                             ParsedEvent &event)
{
    if (textIs(key, "mp_original_distinct_id")) {
        if (event.originalDistinctId.kind != IdKind::Missing)
            return skipValue(cursor, kPropertyDepth);
        return readId(cursor, event.originalDistinctId);
    }
    if (textIs(key, "mp_original_event_name")) {
        if (event.hasOriginalEventName)
            return skipValue(cursor, kPropertyDepth);
        event.hasOriginalEventName = true;
        return readString(cursor, event.originalEventName);
    }
    return false;
}

// Reads the members of `properties`, whose opening brace was just read.
// Like the full parser, it takes the first `time`, `distinct_id` and value
// of each group key. `remediated` is set when the record is known to be a
// `$hotshard_events` event, whose original id and name it reads too.
// NOTE: this loop and scan()'s are written out. Sharing one loop through a
// lambda measured a few per cent slower on the benchmark corpus.
HSI_INLINE bool readProperties(Cursor &cursor, const ParseOptions &options,
                               bool readGroups, bool remediated,
                               ParsedEvent &event)
{
    skipSpace(cursor);
    if (consume(cursor, '}'))
        return true;
    bool hasTime = false;
    bool hasId = false;
    // One bit for each group key read so far. A key with an index of 64 or
    // more sends the record to the full parser.
    std::uint64_t groupsRead = 0;
    do {
        std::string_view key;
        if (!readKey(cursor, key))
            return false;
        const int group = options.groupKeys.empty()
                              ? -1
                              : groupKeyIndex(options.groupKeys, key);
        if (group >= 0 && (!readGroups || group >= 64))
            return false;
        bool valid = false;
        std::string_view *evidence = nullptr;
        const std::uint64_t groupBit =
            group >= 0 ? std::uint64_t{1} << group : 0;
        if (group >= 0 && (groupsRead & groupBit) != 0) {
            valid = skipValue(cursor, kPropertyDepth);
        } else if (group >= 0) {
            groupsRead |= groupBit;
            // A copy, as in skipValue(), keeps `cursor` in registers.
            Cursor nested = cursor;
            valid = readGroupValues(nested, static_cast<std::uint32_t>(group),
                                    event, 0, kPropertyDepth);
            cursor = nested;
        } else if (textIs(key, "time") && !hasTime) {
            valid = readTime(cursor, event.time);
            hasTime = true;
        } else if (textIs(key, "distinct_id") && !hasId) {
            valid = readId(cursor, event.distinctId);
            hasId = true;
        } else if (options.evidenceFields &&
                   (evidence = evidenceField(key, event))) {
            valid = readEvidence(cursor, *evidence);
        } else if (isRemediationKey(key)) {
            if (!remediated || !readOriginal(cursor, key, event))
                return false;
            valid = true;
        } else {
            valid = skipValue(cursor, kPropertyDepth);
        }
        if (!valid)
            return false;
        skipSpace(cursor);
    } while (consume(cursor, ','));
    return consume(cursor, '}');
}

#undef HSI_INLINE

} // namespace

ExportLineScanner::ExportLineScanner(ParseOptions options, bool readGroupValues)
    : m_options(std::move(options)), m_readGroupValues(readGroupValues)
{
}

bool ExportLineScanner::scan(std::string_view text, ParsedEvent &event)
{
    Cursor cursor(text);
    skipSpace(cursor);
    if (!consume(cursor, '{'))
        return false;
    bool hasEvent = false;
    bool hasProperties = false;
    do {
        std::string_view key;
        if (!readKey(cursor, key))
            return false;
        if (textIs(key, "event") && !hasEvent) {
            if (!readString(cursor, event.eventName))
                return false;
            hasEvent = true;
        } else if (textIs(key, "properties") && !hasProperties) {
            const bool remediated = textIs(event.eventName, "$hotshard_events");
            if (!consume(cursor, '{') ||
                !readProperties(cursor, m_options, m_readGroupValues,
                                remediated, event))
                return false;
            hasProperties = true;
        } else {
            return false;
        }
        skipSpace(cursor);
    } while (consume(cursor, ','));
    if (!consume(cursor, '}') || !hasEvent || !hasProperties)
        return false;
    skipSpace(cursor);
    // Of the `$hotshard_` events, only remediated ones are read here.
    event.isRemediated = textIs(event.eventName, "$hotshard_events");
    if (cursor.at != cursor.end ||
        (!event.isRemediated && textStartsWith(event.eventName, "$hotshard_")))
        return false;
    return !cursor.highBytes ||
           simdjson::validate_utf8(text.data(), text.size());
}

} // namespace hsi::detail::HSI_PARSER_VARIANT
