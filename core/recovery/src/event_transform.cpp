#include "hsi/recovery/event_transform.h"

#include "hsi/recovery/insert_id.h"
#include "hsi/recovery/recovery_error.h"

#include <cmath>

namespace hsi::recovery {

using Json = nlohmann::ordered_json;

Json parseEvent(std::string_view text)
{
    // The keys of each object being read, innermost last.
    std::vector<std::unordered_set<std::string>> keys;
    const Json::parser_callback_t firstKeys =
        [&keys](int, Json::parse_event_t event, Json &parsed) {
            switch (event) {
            case Json::parse_event_t::object_start:
                keys.emplace_back();
                return true;
            case Json::parse_event_t::object_end:
                keys.pop_back();
                return true;
            case Json::parse_event_t::key:
                // Dropping the key drops its value and keeps the first.
                return keys.back()
                    .insert(parsed.get_ref<const std::string &>())
                    .second;
            default:
                return true;
            }
        };
    return Json::parse(text.begin(), text.end(), firstKeys);
}

namespace {

const std::string kHotshardEvents = "$hotshard_events";
const std::string kHotshardRecord = "$hotshard_record";
const std::string kOriginalName = "mp_original_event_name";
const std::string kOriginalId = "mp_original_distinct_id";
const std::string kDistinctId = "distinct_id";
const std::string kInsertId = "$insert_id";
const std::string kTime = "time";

/// Times at or above this are milliseconds; 1e11 seconds is in the year
/// 5138, so no real time in seconds reaches it.
constexpr double kMillisecondThreshold = 1e11;

EventOutcome setAside(SetAsideReason reason, std::string detail)
{
    EventOutcome outcome;
    outcome.kind = EventOutcome::Kind::SetAside;
    outcome.reason = reason;
    outcome.detail = std::move(detail);
    return outcome;
}

/// Returns the text that identifies `id` in the map: strings as they are,
/// numbers as their JSON text.
std::string mapKeyOf(const Json &id)
{
    return id.is_string() ? id.get<std::string>() : id.dump();
}

bool isUsableId(const Json &value)
{
    if (value.is_string())
        return !value.get_ref<const std::string &>().empty();
    return value.is_number();
}

} // namespace

const char *setAsideReasonName(SetAsideReason reason)
{
    switch (reason) {
    case SetAsideReason::InvalidJson:
        return "invalid_json";
    case SetAsideReason::NotAnObject:
        return "not_an_object";
    case SetAsideReason::PropertiesNotAnObject:
        return "properties_not_an_object";
    case SetAsideReason::OriginalNameMissing:
        return "original_event_name_missing";
    case SetAsideReason::OriginalNameNotString:
        return "original_event_name_not_string";
    case SetAsideReason::OriginalIdMissing:
        return "original_distinct_id_missing";
    case SetAsideReason::DistinctIdPropertyMissing:
        return "distinct_id_property_missing";
    case SetAsideReason::DistinctIdPropertyInvalid:
        return "distinct_id_property_invalid";
    case SetAsideReason::DistinctIdNotInMap:
        return "distinct_id_not_in_map";
    case SetAsideReason::TimeInvalid:
        return "time_invalid";
    case SetAsideReason::HotshardRecord:
        return "hotshard_record";
    }
    return "unknown";
}

DistinctIdChoice DistinctIdChoice::parse(const std::string &text)
{
    DistinctIdChoice choice;
    if (text == "keep") {
        choice.mode = Mode::Keep;
    } else if (text == "original") {
        choice.mode = Mode::Original;
    } else if (text.rfind("property:", 0) == 0 && text.size() > 9) {
        choice.mode = Mode::Property;
        choice.argument = text.substr(9);
    } else if (text.rfind("map:", 0) == 0 && text.size() > 4) {
        choice.mode = Mode::Map;
        choice.argument = text.substr(4);
    } else {
        throw RecoveryError("invalid distinct_id choice '" + text +
                            "': use keep, original, property:NAME or "
                            "map:FILE.csv");
    }
    return choice;
}

std::string DistinctIdChoice::toString() const
{
    switch (mode) {
    case Mode::Keep:
        return "keep";
    case Mode::Original:
        return "original";
    case Mode::Property:
        return "property:" + argument;
    case Mode::Map:
        return "map:" + argument;
    }
    return "keep";
}

EventTransformer::EventTransformer(TransformOptions options)
    : m_options(std::move(options))
{
    if (m_options.distinctId.mode == DistinctIdChoice::Mode::Map)
        m_idMap = loadIdMap(m_options.distinctId.argument);
    if (!m_options.legacyTimeZone.empty())
        m_legacyTime.emplace(m_options.legacyTimeZone);
}

EventTransformer::~EventTransformer() = default;

EventOutcome EventTransformer::transform(Json &event)
{
    if (!event.is_object())
        return setAside(SetAsideReason::NotAnObject,
                        "the record is a JSON " +
                            std::string(event.type_name()) +
                            ", not an event object");
    const auto properties = event.find("properties");
    if (properties == event.end() || !properties->is_object())
        return setAside(SetAsideReason::PropertiesNotAnObject,
                        "\"properties\" is missing or not an object");

    EventOutcome outcome;
    const auto name = event.find("event");
    if (name != event.end() && name->is_string() &&
        name->get_ref<const std::string &>() == kHotshardRecord)
        return setAside(SetAsideReason::HotshardRecord,
                        "$hotshard_record is Mixpanel's own history of "
                        "remediations; importing it would add a second copy");
    const bool hotshard =
        name != event.end() && name->is_string() &&
        name->get_ref<const std::string &>() == kHotshardEvents;
    if (hotshard) {
        if (!restoreHotshardEvent(*properties, event, outcome))
            return outcome;
        outcome.kind = EventOutcome::Kind::Restored;
    }

    outcome.groupBlanked = blankGroups(*properties);
    if (m_legacyTime && !convertTime(*properties, outcome))
        return outcome;
    handleInsertId(event, *properties, outcome);

    const auto id = properties->find(kDistinctId);
    outcome.distinctIdRejected = id == properties->end() || id->is_null() ||
                                 isRejectedIdValue(mapKeyOf(*id));

    const bool changed = outcome.groupBlanked || outcome.timeConverted ||
                         outcome.insertIdRegenerated;
    if (!hotshard)
        outcome.kind = changed ? EventOutcome::Kind::Modified
                               : EventOutcome::Kind::PassedThrough;
    return outcome;
}

bool EventTransformer::restoreHotshardEvent(Json &properties, Json &event,
                                            EventOutcome &outcome)
{
    const auto originalName = properties.find(kOriginalName);
    if (originalName == properties.end()) {
        outcome = setAside(SetAsideReason::OriginalNameMissing,
                           "$hotshard_events without mp_original_event_name");
        return false;
    }
    if (!originalName->is_string() ||
        originalName->get_ref<const std::string &>().empty()) {
        outcome = setAside(SetAsideReason::OriginalNameNotString,
                           "mp_original_event_name is " + originalName->dump() +
                               ", not a non-empty string");
        return false;
    }

    // Copies, because setting distinct_id can insert a property and
    // ordered_json then moves its members, which invalidates iterators.
    const Json name = *originalName;
    const auto originalId = properties.find(kOriginalId);
    const Json originalIdValue =
        originalId == properties.end() ? Json() : *originalId;
    if (!chooseDistinctId(properties, originalIdValue, outcome))
        return false;

    const auto restoredId = properties.find(kDistinctId);
    outcome.restoredIdRejected = outcome.idRestored &&
                                 restoredId != properties.end() &&
                                 isRejectedIdValue(mapKeyOf(*restoredId));
    event["event"] = name;
    properties.erase(kOriginalName);
    properties.erase(kOriginalId);
    return true;
}

bool EventTransformer::chooseDistinctId(Json &properties,
                                        const Json &originalId,
                                        EventOutcome &outcome)
{
    const DistinctIdChoice &choice = m_options.distinctId;
    if (choice.mode == DistinctIdChoice::Mode::Keep)
        return true;

    if (choice.mode == DistinctIdChoice::Mode::Property) {
        const auto source = properties.find(choice.argument);
        if (source == properties.end() || source->is_null()) {
            outcome = setAside(SetAsideReason::DistinctIdPropertyMissing,
                               "property \"" + choice.argument +
                                   "\" is missing or null");
            return false;
        }
        if (!isUsableId(*source)) {
            outcome = setAside(SetAsideReason::DistinctIdPropertyInvalid,
                               "property \"" + choice.argument + "\" is " +
                                   source->dump() +
                                   ", not a non-empty string or a number");
            return false;
        }
        Json value = *source;
        properties[kDistinctId] = std::move(value);
        outcome.idRestored = true;
        return true;
    }

    if (!isUsableId(originalId)) {
        outcome = setAside(SetAsideReason::OriginalIdMissing,
                           "mp_original_distinct_id is " +
                               (originalId.is_null() ? std::string("missing")
                                                     : originalId.dump()) +
                               ", not a non-empty string or a number");
        return false;
    }
    if (choice.mode == DistinctIdChoice::Mode::Original) {
        properties[kDistinctId] = originalId;
        outcome.idRestored = true;
        return true;
    }

    const auto mapped = m_idMap.find(mapKeyOf(originalId));
    if (mapped == m_idMap.end()) {
        outcome = setAside(SetAsideReason::DistinctIdNotInMap,
                           "mp_original_distinct_id " + originalId.dump() +
                               " is not in " + choice.argument);
        return false;
    }
    properties[kDistinctId] = mapped->second;
    outcome.idRestored = true;
    return true;
}

bool EventTransformer::blankGroups(Json &properties) const
{
    bool changed = false;
    for (const GroupTarget &target : m_options.blankGroups) {
        const auto value = properties.find(target.key);
        if (value != properties.end())
            changed = blankGroupId(*value, target.id) || changed;
    }
    return changed;
}

bool EventTransformer::convertTime(Json &properties, EventOutcome &outcome)
{
    const auto time = properties.find(kTime);
    if (time == properties.end() || !time->is_number()) {
        outcome =
            setAside(SetAsideReason::TimeInvalid,
                     "time is " +
                         (time == properties.end() ? std::string("missing")
                                                   : time->dump()) +
                         ", not a number, so it cannot be converted "
                         "from project time");
        return false;
    }

    // Offsets are whole seconds, so only the integer part of a time decides
    // the offset and the stored unit and type stay as they were.
    const double value = time->get<double>();
    const bool milliseconds = std::fabs(value) >= kMillisecondThreshold;
    const double seconds = milliseconds ? value / 1000.0 : value;
    // Past these years the conversion to whole seconds would overflow, and
    // no time zone has an offset there; the scan rejects such times too.
    constexpr double kFirstSecond = -62'135'596'800.0; // 0001-01-01
    constexpr double kLastSecond = 253'402'300'799.0;  // 9999-12-31 23:59:59
    if (!(seconds >= kFirstSecond && seconds <= kLastSecond)) {
        outcome = setAside(SetAsideReason::TimeInvalid,
                           "time is " + time->dump() +
                               ", outside the years 0001 to 9999, so it "
                               "cannot be converted from project time");
        return false;
    }
    const std::int64_t offset = m_legacyTime->offsetForLocal(
        static_cast<std::int64_t>(std::floor(seconds)));
    const std::int64_t shift = milliseconds ? offset * 1000 : offset;

    if (time->is_number_integer())
        *time = time->get<std::int64_t>() - shift;
    else
        *time = value - static_cast<double>(shift);
    outcome.timeConverted = true;
    return true;
}

void EventTransformer::handleInsertId(const Json &event, Json &properties,
                                      EventOutcome &outcome) const
{
    const auto insertId = properties.find(kInsertId);
    if (!m_options.regenerateInsertId) {
        outcome.insertIdInvalid =
            insertId == properties.end() || !insertId->is_string() ||
            !isValidInsertId(insertId->get_ref<const std::string &>());
        return;
    }

    const auto textOf = [&properties](const std::string &key) {
        const auto value = properties.find(key);
        return value == properties.end() ? std::string() : value->dump();
    };
    const auto name = event.find("event");
    const std::string nameText =
        name == event.end() ? std::string() : name->dump();
    const bool keyed = insertId != properties.end() && insertId->is_string() &&
                       !insertId->get_ref<const std::string &>().empty();
    if (keyed) {
        properties[kInsertId] = regenerateInsertId(
            nameText, textOf(kDistinctId), textOf(kTime), textOf(kInsertId));
        outcome.insertIdRegenerated = true;
        return;
    }
    // Mixpanel deduplicates events with equal name, distinct_id, time and
    // $insert_id, so events that had no $insert_id must not get equal ones.
    // Their properties separate most of them, and a count of equal events
    // before each one separates the rest, in the same way on every run.
    const std::string seed = properties.dump();
    std::string id =
        regenerateInsertId(nameText, textOf(kDistinctId), textOf(kTime), seed);
    for (int repeat = 1;
         !m_idsForUnkeyed.insert(std::hash<std::string>{}(id)).second; ++repeat)
        id = regenerateInsertId(nameText, textOf(kDistinctId), textOf(kTime),
                                seed + '#' + std::to_string(repeat));
    properties[kInsertId] = id;
    outcome.insertIdRegenerated = true;
}

bool blankGroupId(Json &value, const std::string &groupId)
{
    if (value.is_string()) {
        if (value.get_ref<const std::string &>() != groupId)
            return false;
        value = "";
        return true;
    }
    if (!value.is_array())
        return false;
    bool changed = false;
    for (Json &member : value)
        changed = blankGroupId(member, groupId) || changed;
    return changed;
}

} // namespace hsi::recovery
