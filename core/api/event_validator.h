#pragma once

#include <QString>
#include <cstdint>
#include <optional>
#include <string_view>

namespace simdjson::dom {
class parser;
}

namespace hsi::api {

/// Reason an event is not sent, or was not accepted by the server.
struct Rejection {
    /// Stable short code used to group rejections in the summary, such as
    /// "missing_time" or "server:properties.time".
    QString reason;
    /// The event field at fault, as the Import API names it.
    QString field;
    QString message;
};

/// Event limits of the Import API in strict mode.
struct EventLimits {
    /// An event must be smaller than this many bytes of JSON.
    std::int64_t maxEventBytes = 1024 * 1024;
    /// An event must have fewer properties than this.
    int maxProperties = 255;
};

/// Checks one event against the Import API's strict-mode rules. The event
/// must be a JSON object with a non-empty `event` name and a `properties`
/// object. The properties need `time` in seconds or milliseconds, from
/// 1971-01-01 to one hour after `nowMs`, a `distinct_id` that is not a
/// placeholder Mixpanel rejects, and an `$insert_id` of at most 36 bytes of
/// letters, digits and '-'. Returns nothing when the event may be sent.
std::optional<Rejection> validateEvent(std::string_view json,
                                       simdjson::dom::parser &parser,
                                       std::int64_t nowMs,
                                       const EventLimits &limits = {});

} // namespace hsi::api
