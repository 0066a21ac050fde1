#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace hsi::detail {

/// The JSON type of an id value, kept apart because Mixpanel treats them
/// differently and the report counts each problem on its own.
enum class IdKind : std::uint8_t {
    Missing,
    Null,
    String,
    Number,
    Boolean,
    Structured,
};

struct IdValue {
    IdKind kind = IdKind::Missing;
    /// Unescaped string, or the exact digits of a number.
    std::string_view text;
};

enum class TimeStatus : std::uint8_t {
    Missing,
    Valid,
    /// A numeric string: accepted, with a warning.
    ValidFromString,
    /// An ISO 8601 date and time, read as UTC: accepted, with a warning,
    /// except as the `time` column of a JSON Pipelines row.
    ValidFromIsoText,
    Invalid,
    /// A number or date outside kFirstTimeMs to kEndTimeMs.
    OutOfRange,
};

/// The range of accepted event times: 0001-01-02 to 9999-12-30 UTC. A
/// day's margin at each end keeps the event date in every time zone
/// within the years 0001 to 9999, so that it prints as YYYY-MM-DD.
/// Microseconds and nanoseconds since the epoch of any date after 1978 are
/// beyond the end.
inline constexpr std::int64_t kFirstTimeMs = -62'135'510'400'000;
/// The first time past the range: 9999-12-31 00:00:00 UTC.
inline constexpr std::int64_t kEndTimeMs = 253'402'214'400'000;

/// Whether `ms` lies in the accepted range, in one comparison.
inline bool isTimeInRange(std::int64_t ms)
{
    // Unsigned arithmetic wraps times below the range to large values.
    return static_cast<std::uint64_t>(ms) -
               static_cast<std::uint64_t>(kFirstTimeMs) <
           static_cast<std::uint64_t>(kEndTimeMs - kFirstTimeMs);
}

/// Times at or above this magnitude are milliseconds, and smaller ones are
/// seconds: 1e11 seconds would be the year 5138, while 1e11 ms is 1973.
inline constexpr std::int64_t kMillisecondThreshold = 100'000'000'000;

/// Returns a whole number of seconds or milliseconds, told apart by
/// magnitude, as milliseconds.
inline std::int64_t integerTimeMs(std::int64_t value)
{
    const bool seconds =
        value > -kMillisecondThreshold && value < kMillisecondThreshold;
    return seconds ? value * 1000 : value;
}

struct TimeValue {
    TimeStatus status = TimeStatus::Missing;
    /// Milliseconds since the epoch; seconds were multiplied by 1000. Zero
    /// unless the time is usable.
    std::int64_t ms = 0;
    /// The text of an invalid value, for the problem message.
    std::string_view rawText;

    /// Sets the time to `time` read as `readAs`, or marks it OutOfRange
    /// outside the range of accepted times.
    void setMs(std::int64_t time, TimeStatus readAs)
    {
        const bool inRange = isTimeInRange(time);
        ms = inRange ? time : 0;
        status = inRange ? readAs : TimeStatus::OutOfRange;
    }

    /// Whether `ms` contains the event's time, with or without a warning.
    bool usable() const
    {
        return status == TimeStatus::Valid ||
               status == TimeStatus::ValidFromString ||
               status == TimeStatus::ValidFromIsoText;
    }
};

/// Lists in a group key's value are read to this depth; deeper lists are
/// ignored.
inline constexpr int kMaxGroupListDepth = 4;

/// A value of a group key property, one per listed group id.
struct GroupValue {
    std::uint32_t keyIndex = 0;
    std::string_view id;
    /// Whether the value was a JSON number rather than a string.
    bool numeric = false;
};

/// The fields the scan reads from one event. Views point into the parser's
/// buffers and stay valid until the next parse().
struct ParsedEvent {
    std::string_view eventName;
    IdValue distinctId;
    IdValue originalDistinctId;
    std::string_view originalEventName;
    bool hasOriginalEventName = false;
    TimeValue time;
    std::string_view insertId;
    std::string_view deviceId;
    std::string_view library;
    std::vector<GroupValue> groupValues;
    std::string_view recordDistinctId;
    std::string_view recordGroupKey;
    std::string_view recordGroupDisplayName;
    /// The first string of the record with half of a surrogate pair, which
    /// was read with U+FFFD in its place, or empty.
    std::string_view replacedSurrogateText;
    /// Whether an export record gave `distinct_id` or `time` outside
    /// `properties`, where they are ignored.
    bool ignoredTopLevelId = false;
    bool ignoredTopLevelTime = false;
    /// The first of `event`, `event_name` and `properties` that the record
    /// gives twice, or empty. The first value is read.
    std::string_view repeatedTopLevelKey;
    /// Whether the record gave `event_name` beside `event`, which makes it
    /// an export record, not a JSON Pipelines row.
    bool ignoredEventName = false;
    bool isRemediated = false;
    bool isRecord = false;
};

/// The parser of one instruction set; see event_parser_kernel.h.
class ParserKernel {
public:
    virtual ~ParserKernel() = default;
    virtual bool parse(std::string_view text, ParsedEvent &event,
                       std::string &error) = 0;
};

/// Which fields a pass needs; evidence fields cost extra work per event.
struct ParseOptions {
    std::vector<std::string> groupKeys;
    bool evidenceFields = false;
    /// Whether records in the usual export layout are read by the kernel's
    /// one-pass scanner before simdjson. Tests turn it off to check that
    /// both read every record the same way.
    bool lineScanner = true;
};

/// Extracts the fields of one export record with simdjson's on-demand API,
/// without building a DOM. Accepts Raw Event Export objects
/// (`event` + `properties`) and JSON Pipelines rows (`event_name`,
/// `distinct_id`, `time`, `insert_id`, `properties`). One instance per
/// thread; it picks the AVX2 kernel when the CPU has it.
class EventParser {
public:
    explicit EventParser(ParseOptions options);
    ~EventParser();

    /// Parses `text`, which must have kRecordPadding readable bytes after it.
    /// Returns false and sets `error` when the record is not an event.
    bool parse(std::string_view text, ParsedEvent &event, std::string &error);

private:
    std::unique_ptr<ParserKernel> m_kernel;
};

/// Byte search that finds the raw records that may contain a group key, so
/// that other records skip the property walk. Keys are searched without
/// quotes because a Pipelines row may carry its properties as a JSON string,
/// where a key reads \"key\". A record with a \u escape, or with any
/// backslash when a key contains a character JSON escapes, always matches.
class GroupKeyFilter {
public:
    explicit GroupKeyFilter(const std::vector<std::string> &keys);

    bool empty() const { return m_needles.empty(); }
    bool mayHoldKey(std::string_view text) const;

private:
    std::vector<std::string> m_needles;
};

/// Decodes the escapes of a JSON string body (without its quotes). Returns
/// false on an invalid escape. With `replacedSurrogate`, half of a UTF-16
/// surrogate pair becomes U+FFFD, and the flag is set, instead of being
/// written as bytes that are not UTF-8.
bool unescapeJsonString(std::string_view escaped, std::string &out,
                        bool *replacedSurrogate = nullptr);

} // namespace hsi::detail
