#include "event_validator.h"

#include "hsi/import_rules.h"

#include <simdjson.h>
#include <string>

namespace hsi::api {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::int64_t kMinTimeMs = 31536000LL * 1000; // 1971-01-01T00:00:00Z
constexpr std::int64_t kFutureAllowanceMs = 3600LL * 1000;
/// Values at or above this are read as milliseconds (1e11 seconds is the
/// year 5138; 1e11 ms is 1973).
constexpr double kMillisecondsThreshold = 1e11;

Rejection rejection(const char *reason, const char *field, QString message)
{
    return {QLatin1String(reason), QLatin1String(field), std::move(message)};
}

std::optional<Rejection> checkTime(const object &properties, std::int64_t nowMs)
{
    element time;
    if (properties["time"].get(time))
        return rejection("missing_time", "properties.time",
                         QStringLiteral("properties.time is missing"));
    double value = 0;
    if (time.get_double().get(value))
        return rejection("invalid_time", "properties.time",
                         QStringLiteral("properties.time is not a number"));
    const double ms = value >= kMillisecondsThreshold ? value : value * 1000.0;
    if (ms < static_cast<double>(kMinTimeMs) ||
        ms > static_cast<double>(nowMs + kFutureAllowanceMs))
        return rejection(
            "time_out_of_range", "properties.time",
            QStringLiteral("properties.time %1 is before 1971-01-01 "
                           "or more than 1 hour in the future")
                .arg(value, 0, 'f', 0));
    return std::nullopt;
}

std::optional<Rejection> checkDistinctId(const object &properties)
{
    element id;
    if (properties["distinct_id"].get(id) || id.is_null())
        return rejection("missing_distinct_id", "properties.distinct_id",
                         QStringLiteral("properties.distinct_id is missing"));
    std::string text;
    if (id.is_string())
        text = std::string(id.get_string().value_unsafe());
    else
        text = simdjson::minify(id);
    if (isRejectedIdValue(text))
        return rejection("placeholder_distinct_id", "properties.distinct_id",
                         QStringLiteral("properties.distinct_id \"%1\" is a "
                                        "placeholder value Mixpanel rejects")
                             .arg(QString::fromStdString(text)));
    return std::nullopt;
}

std::optional<Rejection> checkInsertId(const object &properties)
{
    element id;
    if (properties["$insert_id"].get(id))
        return rejection("missing_insert_id", "properties.$insert_id",
                         QStringLiteral("properties.$insert_id is missing"));
    std::string_view text;
    if (id.get_string().get(text) || !isValidInsertId(text))
        return rejection(
            "invalid_insert_id", "properties.$insert_id",
            QStringLiteral("properties.$insert_id must be 1 to 36 "
                           "bytes of letters, digits and '-': %1")
                .arg(QString::fromStdString(simdjson::minify(id)).left(80)));
    return std::nullopt;
}

} // namespace

std::optional<Rejection> validateEvent(std::string_view json,
                                       simdjson::dom::parser &parser,
                                       std::int64_t nowMs,
                                       const EventLimits &limits)
{
    if (static_cast<std::int64_t>(json.size()) >= limits.maxEventBytes)
        return rejection("event_too_large", "event",
                         QStringLiteral("the event has %1 bytes; the limit is "
                                        "under %2")
                             .arg(json.size())
                             .arg(limits.maxEventBytes));
    element root;
    if (parser.parse(json.data(), json.size()).get(root))
        return rejection("invalid_json", "event",
                         QStringLiteral("the record is not valid JSON"));
    object event;
    if (root.get_object().get(event))
        return rejection("invalid_json", "event",
                         QStringLiteral("the record is not a JSON object"));

    std::string_view name;
    if (event["event"].get_string().get(name) || name.empty())
        return rejection(
            "missing_event", "event",
            QStringLiteral("\"event\" is missing or not a non-empty string"));
    object properties;
    if (event["properties"].get_object().get(properties))
        return rejection(
            "missing_properties", "properties",
            QStringLiteral("\"properties\" is missing or not an object"));
    if (static_cast<int>(properties.size()) >= limits.maxProperties)
        return rejection(
            "too_many_properties", "properties",
            QStringLiteral("the event has %1 properties; the limit is "
                           "under %2")
                .arg(properties.size())
                .arg(limits.maxProperties));
    if (auto problem = checkTime(properties, nowMs))
        return problem;
    if (auto problem = checkDistinctId(properties))
        return problem;
    return checkInsertId(properties);
}

} // namespace hsi::api
