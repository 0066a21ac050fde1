#pragma once

#include "hsi/recovery/id_map.h"
#include "hsi/recovery/legacy_time.h"
#include "hsi/recovery/selector.h"

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace hsi::recovery {

/// Source of the distinct_id of a restored `$hotshard_events` event.
struct DistinctIdChoice {
    enum class Mode {
        /// Leave distinct_id as "" (the event is restored but unattributed).
        Keep,
        /// Copy mp_original_distinct_id, numbers kept as numbers.
        Original,
        /// Copy the value of another property, such as $user_id.
        Property,
        /// Look mp_original_distinct_id up in a CSV map.
        Map,
    };
    Mode mode = Mode::Keep;
    /// Property name for Mode::Property, CSV path for Mode::Map.
    std::string argument;

    /// Parses `keep`, `original`, `property:NAME` or `map:CSV`. Throws
    /// RecoveryError naming the text for anything else.
    static DistinctIdChoice parse(const std::string &text);
    /// The text form accepted by parse().
    std::string toString() const;
};

/// Settings of one transform run.
struct TransformOptions {
    DistinctIdChoice distinctId;
    /// Group ids to replace by "" in the named property, in every event.
    std::vector<GroupTarget> blankGroups;
    /// Replace every `$insert_id` by regenerateInsertId().
    bool regenerateInsertId = false;
    /// IANA zone of a pre-2023 project whose `time` is local wall-clock
    /// time; empty to leave `time` as it is.
    std::string legacyTimeZone;
};

/// Reason an event was set aside. The names returned by setAsideReasonName()
/// are stable: they appear in the summary and the rejects file.
enum class SetAsideReason {
    InvalidJson,
    NotAnObject,
    PropertiesNotAnObject,
    OriginalNameMissing,
    OriginalNameNotString,
    OriginalIdMissing,
    DistinctIdPropertyMissing,
    DistinctIdPropertyInvalid,
    DistinctIdNotInMap,
    TimeInvalid,
    /// Mixpanel's own history entry, which a re-import would duplicate.
    HotshardRecord,
};

const char *setAsideReasonName(SetAsideReason reason);

/// Result of transforming one event.
struct EventOutcome {
    enum class Kind {
        /// Written unchanged, byte for byte.
        PassedThrough,
        /// A `$hotshard_events` event given back its name (and maybe id).
        Restored,
        /// Another event changed by group blanking, time conversion or a
        /// new `$insert_id`.
        Modified,
        SetAside,
    };
    Kind kind = Kind::PassedThrough;
    SetAsideReason reason = SetAsideReason::InvalidJson;
    /// Human-readable detail for set-aside events, naming the value.
    std::string detail;
    /// A non-empty distinct_id was written to a restored event.
    bool idRestored = false;
    /// The restored distinct_id is a placeholder value that the Import API
    /// rejects, such as "null" or "0" (see isRejectedIdValue()).
    bool restoredIdRejected = false;
    /// At least one group id was replaced by "".
    bool groupBlanked = false;
    bool insertIdRegenerated = false;
    bool timeConverted = false;
    /// `$insert_id` is missing or would be rejected by strict import (only
    /// checked when it is not regenerated).
    bool insertIdInvalid = false;
    /// The written event's distinct_id is missing, null or a placeholder
    /// value, so the Import API rejects the event.
    bool distinctIdRejected = false;
};

/// Parses one event's text as the transform reads it. A key given twice in
/// one object keeps its first value, as the scan counts it, while a plain
/// parse keeps the last. Throws nlohmann::json::exception on invalid JSON.
nlohmann::ordered_json parseEvent(std::string_view text);

/// Applies the transform rules to one event at a time. Keeps the CSV map and
/// time zone data, so build one per run and reuse it.
class EventTransformer {
public:
    /// Loads the CSV map for `map:` and checks the time zone. Throws
    /// RecoveryError when either is invalid.
    explicit EventTransformer(TransformOptions options);
    ~EventTransformer();

    /// Transforms `event` in place. A SetAside event may be partly changed,
    /// so write its original text to the rejects file, not `event`. A
    /// PassedThrough event is unchanged, and its original text keeps every
    /// byte.
    EventOutcome transform(nlohmann::ordered_json &event);

    const TransformOptions &options() const { return m_options; }

private:
    bool restoreHotshardEvent(nlohmann::ordered_json &properties,
                              nlohmann::ordered_json &event,
                              EventOutcome &outcome);
    bool chooseDistinctId(nlohmann::ordered_json &properties,
                          const nlohmann::ordered_json &originalId,
                          EventOutcome &outcome);
    bool blankGroups(nlohmann::ordered_json &properties) const;
    bool convertTime(nlohmann::ordered_json &properties, EventOutcome &outcome);
    void handleInsertId(const nlohmann::ordered_json &event,
                        nlohmann::ordered_json &properties,
                        EventOutcome &outcome) const;

    TransformOptions m_options;
    IdMap m_idMap;
    std::optional<LegacyTimeConverter> m_legacyTime;
    /// Hashes of the ids given to events that had no `$insert_id`, so that
    /// no two of them share one. Hashes keep a file of millions of such
    /// events to tens of megabytes; two ids with one hash only cost the
    /// second a new derivation.
    mutable std::unordered_set<std::uint64_t> m_idsForUnkeyed;
};

/// Blanks `groupId` inside `value`: a string equal to it becomes "", lists
/// (nested ones too) keep their other members, and everything else,
/// including longer strings that contain the id and numbers, stays. Returns
/// true when anything changed.
bool blankGroupId(nlohmann::ordered_json &value, const std::string &groupId);

} // namespace hsi::recovery
