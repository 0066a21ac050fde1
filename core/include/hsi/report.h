#pragma once

#include "hsi/civil_date.h"
#include "hsi/scan_settings.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hsi {

/// Sharding space of a count: Mixpanel shards user and group analytics apart.
enum class ShardKind { User, Group };

/// Reasons an id looks wrong; an id can carry several.
enum IdFlag : std::uint32_t {
    IdFlagNone = 0,
    /// A value Mixpanel rejects or that usually means a bug ("undefined",
    /// "null", "0", an all-zero UUID, ...).
    IdFlagPlaceholder = 1u << 0,
    /// A literal property name such as "user_id" or "distinct_id".
    IdFlagLiteralName = 1u << 1,
    /// Sent as a JSON number rather than a string, at least once.
    IdFlagNumeric = 1u << 2,
};

/// The plain-language explanation attached to a hot or near-limit pair.
enum class LikelyCause {
    Unknown,
    StaticIdManyDevices,
    AutomationFewDevices,
    ServerSideOneId,
    DuplicateStorm,
};

/// Short, stable identifier of a cause, as written in the JSON report.
const char *likelyCauseName(LikelyCause cause);

/// A named count, such as an event name or a library with its events.
struct NamedCount {
    std::string name;
    std::int64_t count = 0;
};

/// Location of the first event past the limit, in input order.
struct Crossing {
    std::string path;
    std::int64_t line = 0;
    /// Event time in milliseconds since the epoch, as read from the file.
    std::int64_t timeMs = 0;
};

/// Root-cause evidence gathered for one hot or near-limit pair.
struct Evidence {
    std::vector<NamedCount> topEvents;
    std::vector<NamedCount> libraries;
    std::int64_t distinctDevices = 0;
    /// For group pairs: how many distinct_id values sent the events.
    std::int64_t distinctUsers = 0;
    /// Events that repeat an earlier (event, distinct_id, time, $insert_id).
    std::int64_t duplicates = 0;
    /// Events per minute of the day, in the scan's time zone.
    std::vector<std::int32_t> eventsPerMinute;
};

/// One (id, date) pair, or (group key, group id, date) triple, that is hot or
/// near its limit.
struct PairFinding {
    ShardKind kind = ShardKind::User;
    /// Group key for group pairs; empty for user pairs.
    std::string groupKey;
    std::string id;
    Day day = 0;
    /// Every event attributed to the pair: original and remediated,
    /// duplicates included.
    std::int64_t events = 0;
    /// Events left after deduplication by (event, distinct_id, time,
    /// $insert_id), or kNotDetermined when no evidence was collected.
    std::int64_t uniqueEvents = 0;
    static constexpr std::int64_t kNotDetermined = -1;
    /// `$hotshard_events` attributed back to this pair.
    std::int64_t remediatedEvents = 0;
    std::int64_t limit = 0;
    /// Events past the limit; 0 for near-limit pairs.
    std::int64_t overLimit = 0;
    std::optional<Crossing> crossing;
    std::uint32_t idFlags = IdFlagNone;
    LikelyCause likelyCause = LikelyCause::Unknown;
    /// One or two sentences that explain the likely cause from the evidence.
    std::string likelyCauseText;
    Evidence evidence;
    /// Counts that contradict each other and what usually causes that, such
    /// as more remediated events than events over the limit.
    std::vector<std::string> notes;
};

/// Events of one id on one day; entries of `IdVolume::days`.
struct DayCount {
    Day day = 0;
    std::int64_t events = 0;
    std::int64_t remediatedEvents = 0;
};

/// Volume of one user id, or one group id under one key, across all days.
struct IdVolume {
    ShardKind kind = ShardKind::User;
    std::string groupKey;
    std::string id;
    std::uint32_t idFlags = IdFlagNone;
    Day peakDay = 0;
    std::int64_t peakEvents = 0;
    std::int64_t peakRemediatedEvents = 0;
    std::int64_t totalEvents = 0;
    /// Index of the first entry in `Report::idDays`, and the entry count.
    std::uint32_t firstDay = 0;
    std::uint32_t dayCount = 0;
};

/// All events of one date, for the per-day chart.
struct DayTotal {
    Day day = 0;
    std::int64_t events = 0;
    std::int64_t remediatedEvents = 0;
    /// Events whose distinct_id is "" (not attributed to any user).
    std::int64_t nonAttributedEvents = 0;
};

/// A line that could not be used, or a value that was accepted with a warning.
struct Problem {
    enum class Severity { Warning, Error };
    Severity severity = Severity::Error;
    /// The line, counted from 1, or 0 for a problem with the whole file,
    /// such as a file that is empty or cannot be opened.
    std::int64_t line = 0;
    std::string message;
};

/// The problem message of a line where Mixpanel's export stopped early.
inline constexpr const char *kExportCutShort =
    "Mixpanel's export stopped early here (its \"export terminated early\" "
    "marker), so the export's events after this point are missing";

/// The end of the error of a file in a format that must be converted
/// before the scan can read it, such as bzip2 or UTF-16. The error names
/// the conversion, so no other advice needs to follow it.
inline constexpr const char *kThenTryAgain = ", then try again";

/// The problem message of a file that a cancelled scan did not read to its
/// end. Its counts are partial.
inline constexpr const char *kScanCancelledInFile =
    "the scan was cancelled before it read this file to its end, so its "
    "counts are partial";

/// The problem of each file when a scan was cancelled while it counted the
/// group keys named by `$hotshard_record` events.
inline constexpr const char *kScanCancelledInRecordKeys =
    "the scan was cancelled while it counted the group keys named by "
    "$hotshard_record events, so the counts of those keys are partial";

/// Outcome of reading one input file.
struct InputReport {
    enum class Status { Ok, Incomplete, Error };
    std::string path;
    Status status = Status::Ok;
    std::int64_t events = 0;
    std::int64_t bytes = 0;
    /// The first problems of the file; `problemCount` counts all of them.
    std::vector<Problem> problems;
    std::int64_t problemCount = 0;
};

/// One `$hotshard_record` event: Mixpanel's own remediation history.
struct HotshardRecord {
    std::int64_t timeMs = 0;
    std::string distinctId;
    /// Empty for user-analytics records.
    std::string groupKey;
    std::string groupDisplayName;
    std::string path;
    std::int64_t line = 0;
};

/// An id that looks wrong, with the events it received in the scan.
struct IdProblem {
    ShardKind kind = ShardKind::User;
    std::string groupKey;
    std::string id;
    std::uint32_t idFlags = IdFlagNone;
    std::int64_t events = 0;
};

struct Totals {
    std::int64_t events = 0;
    std::int64_t remediatedEvents = 0;
    /// Lines that were not an event and were reported as problems.
    std::int64_t skippedLines = 0;
    std::int64_t bytes = 0;
    /// Events with distinct_id "".
    std::int64_t nonAttributedEvents = 0;
    /// Events whose distinct_id is JSON null.
    std::int64_t nullIds = 0;
    /// Events with no distinct_id at all.
    std::int64_t missingIds = 0;
    /// Events whose distinct_id is an object or an array.
    std::int64_t structuredIds = 0;
    /// Events with no usable `time`; counted, but in no day.
    std::int64_t undatedEvents = 0;
};

/// Everything one scan found. The same structure feeds the command line, the
/// JSON report and the GUI.
struct Report {
    ScanSettings settings;
    Totals totals;
    std::vector<InputReport> inputs;
    /// Paths and folder entries that were not read, or read once though
    /// named twice; see InputListing.
    std::vector<std::string> inputNotes;
    /// Sorted by day.
    std::vector<DayTotal> days;
    /// Sorted by kind, then events descending.
    std::vector<PairFinding> hotShards;
    /// The near-limit pairs with the most events, at most 10,000 of them.
    std::vector<PairFinding> nearLimit;
    /// All near-limit pairs, listed or not.
    std::int64_t nearLimitCount = 0;
    /// In input order.
    std::vector<HotshardRecord> records;
    /// The flagged ids with the most events, at most 1,000 of them.
    std::vector<IdProblem> idProblems;
    /// All flagged ids, listed or not.
    std::int64_t idProblemCount = 0;
    /// Hot and near-limit pairs listed with their counts only: when more
    /// than 10,000 pairs are flagged, only those with the most events get
    /// evidence, which costs kilobytes per pair.
    std::int64_t pairsWithoutEvidence = 0;
    /// Every user id and group id, sorted by peak events descending; the
    /// order of ties is arbitrary but the same for every run.
    std::vector<IdVolume> ids;
    /// Per-day counts of each entry of `ids`, sorted by day within an id.
    std::vector<DayCount> idDays;
    /// Group keys that were counted, configured or read from records.
    std::vector<std::string> groupKeys;
    bool cancelled = false;
    /// False when the scan was cancelled before it counted every input, so
    /// that no pair was judged. A scan cancelled later, while it collected
    /// evidence, lists its hot and near-limit pairs without their evidence.
    bool countsComplete = true;
    double elapsedSeconds = 0;

    std::int64_t hotUserShards() const;
    std::int64_t hotGroupShards() const;
    /// True when an input could not be read to its end or had lines that
    /// are not events, so that its counts may be short.
    bool hasIncompleteInput() const;
    /// True when every input failed before yielding a single event.
    bool noInputRead() const;
};

} // namespace hsi
