#include "event_parser_kernel.h"

#include "export_line_scanner.h"
#include "hsi/civil_date.h"
#include "hsi/json_grammar.h"
#include "hsi/record_reader.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <simdjson.h>

namespace hsi::detail {
namespace HSI_PARSER_VARIANT {

namespace od = simdjson::ondemand;

namespace {

constexpr std::string_view kRemediatedEvent = "$hotshard_events";
constexpr std::string_view kRecordEvent = "$hotshard_record";
constexpr const char *kNotAnEvent =
    "not a Mixpanel event: expected a JSON object with \"event\" and "
    "\"properties\"";

enum class Field : std::uint8_t {
    Event,
    EventName,
    Properties,
    DistinctId,
    Time,
    InsertId,
    PipelineInsertId,
    DeviceId,
    PipelineDeviceId,
    OriginalDistinctId,
    OriginalEventName,
    MpLib,
    Lib,
    RecordDistinctId,
    RecordGroupKey,
    RecordGroupDisplayName,
    GroupKey,
};

struct FieldName {
    std::string_view name;
    Field field;
    std::uint32_t groupKeyIndex = 0;
};

std::string_view trimRight(std::string_view text)
{
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' ||
                             text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

/// Reads the end of an ISO 8601 time: nothing, "Z" or " UTC" for UTC, or
/// an offset such as "+02:00" or "-0530", as seconds east of UTC.
bool parseUtcOffset(std::string_view zone, std::int64_t &seconds)
{
    seconds = 0;
    if (zone.empty() || zone == "Z" || zone == " UTC")
        return true;
    if (zone.size() != 6 && zone.size() != 5)
        return false;
    if (zone[0] != '+' && zone[0] != '-')
        return false;
    const std::size_t minutesAt = zone.size() == 6 ? 4 : 3;
    if (zone.size() == 6 && zone[3] != ':')
        return false;
    int hours = 0;
    int minutes = 0;
    const auto [hoursEnd, hoursError] =
        std::from_chars(zone.data() + 1, zone.data() + 3, hours);
    const auto [minutesEnd, minutesError] = std::from_chars(
        zone.data() + minutesAt, zone.data() + minutesAt + 2, minutes);
    if (hoursError != std::errc() || hoursEnd != zone.data() + 3 ||
        minutesError != std::errc() ||
        minutesEnd != zone.data() + minutesAt + 2 || hours > 14 || minutes > 59)
        return false;
    seconds = (hours * 3600 + minutes * 60) * (zone[0] == '-' ? -1 : 1);
    return true;
}

/// Parses "YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z| UTC|±HH:MM]" into UTC. JSON
/// Pipelines rows may give TIMESTAMP columns this way; their file encoding
/// is not documented.
bool parseIsoTime(std::string_view text, std::int64_t &ms)
{
    if (text.size() < 19)
        return false;
    const auto day = parseDay(text.substr(0, 10));
    if (!day || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
        text[16] != ':')
        return false;
    int parts[3] = {};
    for (int i = 0; i < 3; ++i) {
        const char *begin = text.data() + 11 + i * 3;
        const auto [end, error] = std::from_chars(begin, begin + 2, parts[i]);
        if (error != std::errc() || end != begin + 2)
            return false;
    }
    // 23:59:60 is a leap second. A later hour, minute or second is no time.
    if (parts[0] > 23 || parts[1] > 59 || parts[2] > 60)
        return false;
    std::size_t pos = 19;
    int millis = 0;
    if (pos < text.size() && text[pos] == '.') {
        int scale = 100;
        for (++pos; pos < text.size() &&
                    std::isdigit(static_cast<unsigned char>(text[pos]));
             ++pos) {
            millis += (text[pos] - '0') * scale;
            scale /= 10;
        }
    }
    std::int64_t offsetSeconds = 0;
    if (!parseUtcOffset(text.substr(pos), offsetSeconds))
        return false;
    ms = (static_cast<std::int64_t>(*day) * 86400 + parts[0] * 3600 +
          parts[1] * 60 + parts[2] - offsetSeconds) *
             1000 +
         millis;
    return true;
}

/// Reads a number of seconds or milliseconds into `time` with `status`.
/// Returns false, leaving `time` as it is, for infinity and NaN, which
/// only numeric strings give.
bool setTimeFromNumber(TimeValue &time, double value, TimeStatus status)
{
    if (!std::isfinite(value))
        return false;
    const double millis = std::floor(
        std::fabs(value) >= static_cast<double>(kMillisecondThreshold)
            ? value
            : value * 1000.0);
    // Compared as a double first, so that the conversion cannot overflow.
    if (millis >= static_cast<double>(kFirstTimeMs) &&
        millis < static_cast<double>(kEndTimeMs)) {
        time.setMs(static_cast<std::int64_t>(millis), status);
    } else {
        time.ms = 0;
        time.status = TimeStatus::OutOfRange;
    }
    return true;
}

/// Reads a numeric string or ISO 8601 text into `time`. Returns false when
/// the text is neither.
bool setTimeFromText(TimeValue &time, std::string_view text)
{
    double number = 0;
    const auto [end, error] =
        std::from_chars(text.data(), text.data() + text.size(), number);
    if (!text.empty() && error == std::errc() &&
        end == text.data() + text.size() &&
        setTimeFromNumber(time, number, TimeStatus::ValidFromString))
        return true;
    std::int64_t ms = 0;
    if (!parseIsoTime(text, ms))
        return false;
    time.setMs(ms, TimeStatus::ValidFromIsoText);
    return true;
}

} // namespace

struct Impl final : ParserKernel {
    explicit Impl(ParseOptions parseOptions)
        : options(std::move(parseOptions)), groupKeys(options.groupKeys)
    {
        names = {
            {"event", Field::Event},
            {"event_name", Field::EventName},
            {"properties", Field::Properties},
            {"distinct_id", Field::DistinctId},
            {"time", Field::Time},
            {"$insert_id", Field::InsertId},
            {"insert_id", Field::PipelineInsertId},
            {"$device_id", Field::DeviceId},
            {"device_id", Field::PipelineDeviceId},
            {"mp_original_distinct_id", Field::OriginalDistinctId},
            {"mp_original_event_name", Field::OriginalEventName},
            {"mp_lib", Field::MpLib},
            {"$lib", Field::Lib},
            {"hotshard_distinct_id", Field::RecordDistinctId},
            {"hotshard_group_key", Field::RecordGroupKey},
            {"hotshard_group_display_name", Field::RecordGroupDisplayName}};
        for (std::uint32_t i = 0; i < options.groupKeys.size(); ++i)
            names.push_back({options.groupKeys[i], Field::GroupKey, i});
        for (const FieldName &name : names) {
            auto &bucket = name.name.size() < kLengthBuckets
                               ? byLength[name.name.size()]
                               : longNames;
            bucket.push_back(name);
        }
        findShadowedGroupKeys();
        if (options.lineScanner)
            lineScanner = std::make_unique<ExportLineScanner>(
                options, shadowedGroupKeys.empty());
    }

    // Lists the group keys that the property walk reads as something else:
    // the name of a field the parser reads, or a repeat of an earlier key.
    // With any of them, the scanner leaves records with group keys to the
    // full parser, which reads those keys in a second walk.
    void findShadowedGroupKeys()
    {
        for (std::uint32_t i = 0; i < options.groupKeys.size(); ++i) {
            const FieldName *name = lookup(options.groupKeys[i]);
            if (!name || name->field != Field::GroupKey ||
                name->groupKeyIndex != i)
                shadowedGroupKeys.push_back(i);
        }
    }

    void readShadowedGroups(std::string_view text, ParsedEvent &event);
    void readShadowedIn(od::object &properties, ParsedEvent &event);

    bool parse(std::string_view text, ParsedEvent &event,
               std::string &error) override;
    bool parseTopLevel(od::object &object, ParsedEvent &event,
                       std::string &error);
    bool parseProperties(od::value &value, ParsedEvent &event,
                         std::string &error);
    bool parsePropertiesText(od::value &value, ParsedEvent &event,
                             std::string &error);
    bool openNestedObject(od::value &value, od::parser &nested,
                          std::string &buffer, od::document &document,
                          od::object &object);
    bool iterateProperties(od::object &object, ParsedEvent &event,
                           std::string &error);
    bool findCoreProperties(od::object &object, ParsedEvent &event,
                            std::string &error);
    bool needsEveryProperty(std::string_view text) const;
    std::string explainRejected(std::string_view text, std::string reason);
    bool readPropertyField(Field field, std::uint32_t groupKeyIndex,
                           od::value &value, ParsedEvent &event);

    // Every event has dozens of properties and only a few matter, so names
    // are bucketed by length and most keys are rejected by one size check.
    const FieldName *lookup(std::string_view key) const
    {
        const auto &bucket =
            key.size() < kLengthBuckets ? byLength[key.size()] : longNames;
        for (const FieldName &name : bucket) {
            if (name.name == key)
                return &name;
        }
        return nullptr;
    }

    std::string_view keyOf(od::field &field);
    IdValue readId(od::value &value);
    TimeValue readTime(od::value &value);
    std::string_view readString(od::value &value);
    std::string_view decodeRejectedString(od::value &value);
    void readGroupValues(od::value &value, std::uint32_t keyIndex,
                         ParsedEvent &event, int depth);

    static constexpr std::size_t kLengthBuckets = 48;

    ParseOptions options;
    std::vector<FieldName> names;
    std::array<std::vector<FieldName>, kLengthBuckets> byLength;
    std::vector<FieldName> longNames;
    /// Finds lines that may hold a group key.
    GroupKeyFilter groupKeys;
    /// Reads most records without simdjson, or is null.
    std::unique_ptr<ExportLineScanner> lineScanner;
    od::parser parser;
    od::parser nestedParser;
    /// Indexes of the group keys that name a field the parser reads, such
    /// as `$device_id`. The walk reads those as the field, so a second walk
    /// with its own parsers reads them as group keys.
    std::vector<std::uint32_t> shadowedGroupKeys;
    od::parser shadowParser;
    od::parser shadowNestedParser;
    std::string shadowNestedText;
    /// For each group key, whether this record gave it a value already.
    /// Like `time` and `distinct_id`, a key given twice counts its first
    /// value only.
    std::vector<std::uint8_t> groupKeyRead;
    std::string nestedText;
    std::string keyScratch;
    /// End of the text being parsed, which bounds the search for a key's end.
    const char *bufferEnd = nullptr;
    /// Set when only `time` and `distinct_id` matter for this record.
    bool coreFieldsOnly = false;
    /// Strings of this record that simdjson could not decode, decoded here.
    /// A deque keeps each one in place as more are added.
    std::deque<std::string> decodedStrings;
    std::string_view replacedSurrogateText;
    std::string_view invalidEscapeText;
};

std::string_view Impl::keyOf(od::field &field)
{
    const char *raw = field.key().raw();
    // The structural index guarantees a closing quote; a quote preceded by
    // a backslash needs the slow path, which finds the real one.
    const char *quote = static_cast<const char *>(
        std::memchr(raw, '"', static_cast<std::size_t>(bufferEnd - raw)));
    const std::string_view fast(raw, quote - raw);
    if (fast.find('\\') == std::string_view::npos)
        return fast;
    const char *end = raw;
    while (*end != '"') {
        if (*end == '\\')
            ++end;
        ++end;
    }
    const std::string_view key(raw, end - raw);
    if (!unescapeJsonString(key, keyScratch))
        return key;
    return keyScratch;
}

std::string_view Impl::readString(od::value &value)
{
    std::string_view text;
    if (value.get_string().get(text) == simdjson::SUCCESS)
        return text;
    return decodeRejectedString(value);
}

// simdjson rejects a \u escape of half a UTF-16 surrogate pair. JSON allows
// one, and a client that cuts a string inside an emoji writes one, so such a
// string is decoded here with U+FFFD, the Unicode replacement character, in
// its place. Any other string simdjson rejects has an invalid escape, which
// makes the record invalid JSON.
std::string_view Impl::decodeRejectedString(od::value &value)
{
    const std::string_view token = trimRight(value.raw_json_token());
    if (token.size() < 2 || token.front() != '"' || token.back() != '"')
        return {};
    const std::string_view body = token.substr(1, token.size() - 2);
    std::string &decoded = decodedStrings.emplace_back();
    bool replaced = false;
    if (!unescapeJsonString(body, decoded, &replaced)) {
        if (invalidEscapeText.empty())
            invalidEscapeText = body;
        return {};
    }
    if (replaced && replacedSurrogateText.empty())
        replacedSurrogateText = body;
    return decoded;
}

IdValue Impl::readId(od::value &value)
{
    od::json_type type;
    if (value.type().get(type))
        return {IdKind::Structured, {}};
    switch (type) {
    case od::json_type::string:
        return {IdKind::String, readString(value)};
    case od::json_type::number:
        return {IdKind::Number, trimRight(value.raw_json_token())};
    case od::json_type::boolean:
        return {IdKind::Boolean, trimRight(value.raw_json_token())};
    case od::json_type::null:
        return {IdKind::Null, {}};
    default:
        return {IdKind::Structured, {}};
    }
}

TimeValue Impl::readTime(od::value &value)
{
    TimeValue time;
    od::json_type type;
    if (value.type().get(type)) {
        time.status = TimeStatus::Invalid;
        return time;
    }
    if (type == od::json_type::number) {
        time.rawText = trimRight(value.raw_json_token());
        std::int64_t integer = 0;
        double number = 0;
        // Integers keep their exact value; doubles lose digits past 2^53.
        if (!value.get_int64().get(integer)) {
            time.setMs(integerTimeMs(integer), TimeStatus::Valid);
        } else if (value.get_double().get(number) ||
                   !setTimeFromNumber(time, number, TimeStatus::Valid)) {
            time.status = TimeStatus::Invalid;
        }
        return time;
    }
    if (type == od::json_type::string) {
        // An invalid string is quoted in its problem as the record has it,
        // so that "true" reads apart from true and "" shows at all.
        const std::string_view quoted = trimRight(value.raw_json_token());
        const std::string_view text = readString(value);
        time.rawText = text;
        if (!setTimeFromText(time, text))
            time.status = TimeStatus::Invalid;
        if (!time.usable())
            time.rawText = quoted;
        return time;
    }
    time.status = TimeStatus::Invalid;
    switch (type) {
    case od::json_type::object:
        time.rawText = "an object";
        break;
    case od::json_type::array:
        time.rawText = "a list";
        break;
    default:
        // null, true or false.
        time.rawText = trimRight(value.raw_json_token());
        break;
    }
    return time;
}

void Impl::readGroupValues(od::value &value, std::uint32_t keyIndex,
                           ParsedEvent &event, int depth)
{
    od::json_type type;
    if (value.type().get(type))
        return;
    if (type == od::json_type::string) {
        event.groupValues.push_back({keyIndex, readString(value)});
    } else if (type == od::json_type::number) {
        event.groupValues.push_back(
            {keyIndex, trimRight(value.raw_json_token()), true});
    } else if (type == od::json_type::array && depth < kMaxGroupListDepth) {
        od::array array;
        if (value.get_array().get(array))
            return;
        for (auto element : array) {
            od::value item;
            if (std::move(element).get(item))
                return;
            readGroupValues(item, keyIndex, event, depth + 1);
        }
    }
}

bool Impl::readPropertyField(Field field, std::uint32_t groupKeyIndex,
                             od::value &value, ParsedEvent &event)
{
    const bool evidence = options.evidenceFields;
    // A key given twice keeps its first value, as findCoreProperties() does,
    // so that every pass attributes the event to the same pair.
    switch (field) {
    case Field::DistinctId:
        if (event.distinctId.kind == IdKind::Missing)
            event.distinctId = readId(value);
        break;
    case Field::Time:
        if (event.time.status == TimeStatus::Missing)
            event.time = readTime(value);
        break;
    case Field::OriginalDistinctId:
        if (event.originalDistinctId.kind == IdKind::Missing)
            event.originalDistinctId = readId(value);
        break;
    case Field::OriginalEventName:
        if (!event.hasOriginalEventName) {
            event.originalEventName = readString(value);
            event.hasOriginalEventName = true;
        }
        break;
    case Field::InsertId:
        if (evidence && event.insertId.empty())
            event.insertId = readString(value);
        break;
    case Field::DeviceId:
        if (evidence && event.deviceId.empty())
            event.deviceId = readString(value);
        break;
    case Field::MpLib:
    case Field::Lib:
        if (evidence && event.library.empty())
            event.library = readString(value);
        break;
    case Field::RecordDistinctId:
        event.recordDistinctId = readId(value).text;
        break;
    case Field::RecordGroupKey:
        event.recordGroupKey = readString(value);
        break;
    case Field::RecordGroupDisplayName:
        event.recordGroupDisplayName = readString(value);
        break;
    case Field::GroupKey:
        if (!groupKeyRead[groupKeyIndex]) {
            groupKeyRead[groupKeyIndex] = 1;
            readGroupValues(value, groupKeyIndex, event, 0);
        }
        break;
    default:
        break;
    }
    return true;
}

// Most events need only `time` and `distinct_id`, which exports write
// first. Looking them up and letting the parent skip the rest of the object
// costs far less than examining every key of every event.
bool Impl::findCoreProperties(od::object &object, ParsedEvent &event,
                              std::string &error)
{
    od::value value;
    auto found = object.find_field_unordered("time");
    if (found.error() == simdjson::SUCCESS) {
        value = std::move(found).value_unsafe();
        event.time = readTime(value);
    } else if (found.error() != simdjson::NO_SUCH_FIELD) {
        error = "invalid JSON in \"properties\"";
        return false;
    }
    // The search for `distinct_id` starts from the first key again, so that
    // a key given twice yields its first value, as the full walk does.
    bool notEmpty = false;
    if (object.reset().get(notEmpty)) {
        error = "invalid JSON in \"properties\"";
        return false;
    }
    found = object.find_field_unordered("distinct_id");
    if (found.error() == simdjson::SUCCESS) {
        value = std::move(found).value_unsafe();
        event.distinctId = readId(value);
    } else if (found.error() != simdjson::NO_SUCH_FIELD) {
        error = "invalid JSON in \"properties\"";
        return false;
    }
    return true;
}

// Remediated events, records, group properties and evidence need keys
// beyond `time` and `distinct_id`. A byte search on the raw line shows
// whether any of them can be present. JSON may spell a name with \u
// escapes, which no byte search for the plain text finds.
bool Impl::needsEveryProperty(std::string_view text) const
{
    return options.evidenceFields ||
           text.find("$hotshard_") != std::string_view::npos ||
           text.find("\\u") != std::string_view::npos ||
           groupKeys.mayHoldKey(text);
}

bool Impl::iterateProperties(od::object &object, ParsedEvent &event,
                             std::string &error)
{
    if (coreFieldsOnly)
        return findCoreProperties(object, event, error);
    for (auto result : object) {
        od::field field;
        if (std::move(result).get(field)) {
            error = "invalid JSON in \"properties\"";
            return false;
        }
        const FieldName *name = lookup(keyOf(field));
        if (name)
            readPropertyField(name->field, name->groupKeyIndex, field.value(),
                              event);
    }
    return true;
}

// Parses the object in a string value, with `buffer` for a padded copy of
// its text. Views into the object stay valid until `nested` is used again.
bool Impl::openNestedObject(od::value &value, od::parser &nested,
                            std::string &buffer, od::document &document,
                            od::object &object)
{
    const std::string_view text = readString(value);
    buffer.assign(text);
    buffer.resize(text.size() + kRecordPadding, ' ');
    bufferEnd = buffer.data() + text.size();
    return !nested
                .iterate(simdjson::padded_string_view(
                    buffer.data(), text.size(), buffer.size()))
                .get(document) &&
           !document.get_object().get(object);
}

// JSON Pipelines may store `properties` as a string that contains the object.
bool Impl::parsePropertiesText(od::value &value, ParsedEvent &event,
                               std::string &error)
{
    od::document document;
    od::object object;
    if (!openNestedObject(value, nestedParser, nestedText, document, object)) {
        error = "\"properties\" is a string that does not hold a JSON object";
        return false;
    }
    // The check of the whole record covers this object only as a string.
    const std::string grammar = jsonGrammarError(
        std::string_view(nestedText.data(), bufferEnd - nestedText.data()));
    if (!grammar.empty()) {
        error = "invalid JSON in the \"properties\" string: " + grammar;
        return false;
    }
    return iterateProperties(object, event, error);
}

bool Impl::parseProperties(od::value &value, ParsedEvent &event,
                           std::string &error)
{
    od::json_type type;
    if (value.type().get(type)) {
        error = "invalid JSON in \"properties\"";
        return false;
    }
    if (type == od::json_type::string)
        return parsePropertiesText(value, event, error);
    od::object object;
    if (type != od::json_type::object || value.get_object().get(object)) {
        error = "\"properties\" is not a JSON object";
        return false;
    }
    return iterateProperties(object, event, error);
}

bool Impl::parseTopLevel(od::object &object, ParsedEvent &event,
                         std::string &error)
{
    bool hasExportName = false;
    bool hasPipelineName = false;
    bool hasProperties = false;
    std::string_view exportName;
    std::string_view pipelineName;
    IdValue topLevelId;
    TimeValue topLevelTime;
    // The first value of a key given twice is read, as inside `properties`.
    const auto repeated = [&event](bool seen, std::string_view key) {
        if (seen && event.repeatedTopLevelKey.empty())
            event.repeatedTopLevelKey = key;
        return seen;
    };
    for (auto result : object) {
        od::field field;
        if (std::move(result).get(field)) {
            error = "invalid JSON";
            return false;
        }
        const FieldName *name = lookup(keyOf(field));
        if (!name)
            continue;
        od::value value = field.value();
        switch (name->field) {
        case Field::Event:
        case Field::EventName: {
            const bool isExport = name->field == Field::Event;
            if (repeated(isExport ? hasExportName : hasPipelineName,
                         name->name))
                break;
            od::json_type type;
            if (value.type().get(type) || type != od::json_type::string) {
                // Appended piece by piece: a chain of + trips a false
                // -Wrestrict warning in GCC 12.
                error.assign(1, '"');
                error.append(name->name).append("\" is not a string");
                return false;
            }
            (isExport ? exportName : pipelineName) = readString(value);
            (isExport ? hasExportName : hasPipelineName) = true;
            break;
        }
        case Field::Properties:
            if (repeated(hasProperties, name->name))
                break;
            if (!parseProperties(value, event, error))
                return false;
            hasProperties = true;
            break;
        case Field::DistinctId:
            if (topLevelId.kind == IdKind::Missing)
                topLevelId = readId(value);
            break;
        case Field::Time:
            if (topLevelTime.status != TimeStatus::Missing)
                break;
            topLevelTime = readTime(value);
            // A Pipelines row stores `time` as a TIMESTAMP column, which
            // is written as text, so that is no reason for a warning.
            if (topLevelTime.status == TimeStatus::ValidFromIsoText)
                topLevelTime.status = TimeStatus::Valid;
            break;
        case Field::PipelineInsertId:
            if (options.evidenceFields)
                event.insertId = readString(value);
            break;
        case Field::PipelineDeviceId:
            if (options.evidenceFields)
                event.deviceId = readString(value);
            break;
        default:
            break;
        }
    }
    // A record with `event` is an export record even when it also has
    // `event_name`: JSON Pipelines rows have no `event` column.
    const bool isPipelineRow = hasPipelineName && !hasExportName;
    event.eventName = hasExportName ? exportName : pipelineName;
    event.ignoredEventName = hasExportName && hasPipelineName;
    if (!(hasExportName || hasPipelineName) ||
        (!hasProperties && !isPipelineRow)) {
        error = kNotAnEvent;
        return false;
    }
    // A Pipelines row keeps `distinct_id` and `time` at the top level. An
    // export record keeps them in `properties`, where Mixpanel's Import API
    // requires them, so there a top-level copy is ignored.
    if (isPipelineRow) {
        if (topLevelId.kind != IdKind::Missing)
            event.distinctId = topLevelId;
        if (topLevelTime.status != TimeStatus::Missing)
            event.time = topLevelTime;
    } else {
        event.ignoredTopLevelId = topLevelId.kind != IdKind::Missing;
        event.ignoredTopLevelTime = topLevelTime.status != TimeStatus::Missing;
    }
    return true;
}

// Reads the values of shadowed group keys in a second walk of a record that
// the first walk accepted. A failure here leaves those keys unread.
void Impl::readShadowedGroups(std::string_view text, ParsedEvent &event)
{
    od::document document;
    od::object object;
    const auto padded = simdjson::padded_string_view(
        text.data(), text.size(), text.size() + kRecordPadding);
    if (shadowParser.iterate(padded).get(document) ||
        document.get_object().get(object))
        return;
    for (auto result : object) {
        od::field field;
        if (std::move(result).get(field))
            return;
        bufferEnd = text.data() + text.size();
        if (keyOf(field) != "properties")
            continue;
        od::value value = field.value();
        od::json_type type;
        if (value.type().get(type))
            return;
        od::object properties;
        od::document nestedDocument;
        if (type == od::json_type::object) {
            if (value.get_object().get(properties))
                return;
            readShadowedIn(properties, event);
        } else if (type == od::json_type::string) {
            if (!openNestedObject(value, shadowNestedParser, shadowNestedText,
                                  nestedDocument, properties))
                return;
            readShadowedIn(properties, event);
        }
        return;
    }
}

void Impl::readShadowedIn(od::object &properties, ParsedEvent &event)
{
    for (auto result : properties) {
        od::field field;
        if (std::move(result).get(field))
            return;
        const std::string_view key = keyOf(field);
        for (const std::uint32_t index : shadowedGroupKeys) {
            if (options.groupKeys[index] == key) {
                if (!groupKeyRead[index]) {
                    groupKeyRead[index] = 1;
                    od::value value = field.value();
                    readGroupValues(value, index, event, 0);
                }
                break;
            }
        }
    }
}

// The on-demand parser reads only what it needs, so a record cut off in
// the middle can fail as a missing field. A check of the whole rejected
// record, which is rare, finds broken JSON and names what is wrong.
std::string Impl::explainRejected(std::string_view text, std::string reason)
{
    if (!simdjson::validate_utf8(text.data(), text.size()))
        return "invalid JSON: the text is not UTF-8";
    const std::string grammar = jsonGrammarError(text);
    return grammar.empty() ? reason : "invalid JSON: " + grammar;
}

namespace {

/// Clears the event, keeping the capacity of its group value list.
void resetEvent(ParsedEvent &event)
{
    std::vector<GroupValue> groupValues = std::move(event.groupValues);
    groupValues.clear();
    event = ParsedEvent{};
    event.groupValues = std::move(groupValues);
}

} // namespace

bool Impl::parse(std::string_view text, ParsedEvent &event, std::string &error)
{
    resetEvent(event);
    if (lineScanner) {
        if (lineScanner->scan(text, event))
            return true;
        resetEvent(event);
    }
    groupKeyRead.assign(options.groupKeys.size(), 0);
    if (!decodedStrings.empty())
        decodedStrings.clear();
    replacedSurrogateText = {};
    invalidEscapeText = {};
    bufferEnd = text.data() + text.size();
    coreFieldsOnly = !needsEveryProperty(text);
    od::document document;
    od::object object;
    const auto padded = simdjson::padded_string_view(
        text.data(), text.size(), text.size() + kRecordPadding);
    if (parser.iterate(padded).get(document)) {
        error = explainRejected(text, "invalid JSON");
        return false;
    }
    if (document.get_object().get(object)) {
        error = explainRejected(text, kNotAnEvent);
        return false;
    }
    if (!parseTopLevel(object, event, error)) {
        error = explainRejected(text, error);
        return false;
    }
    const char *trailing = nullptr;
    if (document.current_location().get(trailing) == simdjson::SUCCESS) {
        error = explainRejected(text, "unexpected text after the JSON object");
        return false;
    }
    if (!invalidEscapeText.empty()) {
        error = "invalid JSON: the string \"" +
                std::string(invalidEscapeText.substr(0, 60)) +
                "\" has an escape that JSON does not define";
        return false;
    }
    // simdjson's On-Demand API skips the values the scan does not read
    // without checking them.
    if (const std::string grammar = jsonGrammarError(text); !grammar.empty()) {
        error = "invalid JSON: " + grammar;
        return false;
    }
    if (!shadowedGroupKeys.empty() && groupKeys.mayHoldKey(text))
        readShadowedGroups(text, event);
    event.replacedSurrogateText = replacedSurrogateText;
    event.isRemediated = event.eventName == kRemediatedEvent;
    event.isRecord = event.eventName == kRecordEvent;
    return true;
}

std::unique_ptr<ParserKernel> makeParserKernel(ParseOptions options)
{
    return std::make_unique<Impl>(std::move(options));
}

bool scanExportLine(std::string_view text, const ParseOptions &options,
                    ParsedEvent &event)
{
    const Impl kernel(options);
    resetEvent(event);
    return kernel.lineScanner && kernel.lineScanner->scan(text, event);
}

} // namespace HSI_PARSER_VARIANT
} // namespace hsi::detail
