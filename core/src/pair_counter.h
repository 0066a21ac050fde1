#pragma once

#include "event_parser.h"
#include "flat_map.h"
#include "hsi/report.h"
#include "input_source.h"
#include "time_zone.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace hsi::detail {

/// Id namespace of user ids. Namespace k + 1 contains the ids of the k-th
/// counted group key.
inline constexpr std::uint32_t kUserSpace = 0;

inline constexpr std::size_t kMaxProblemsPerFile = 100;

/// Adds a problem to a list that keeps at most kMaxProblemsPerFile. An
/// error that finds the list full takes the place of its last warning,
/// because an error is what marks a file incomplete, and a list of
/// warnings alone would not show why.
inline void keepProblem(std::vector<Problem> &problems, Problem &&problem)
{
    if (problems.size() < kMaxProblemsPerFile) {
        problems.push_back(std::move(problem));
        return;
    }
    if (problem.severity != Problem::Severity::Error)
        return;
    const auto warning = std::find_if(
        problems.rbegin(), problems.rend(), [](const Problem &kept) {
            return kept.severity == Problem::Severity::Warning;
        });
    if (warning == problems.rend())
        return;
    problems.erase(std::next(warning).base());
    problems.push_back(std::move(problem));
}

/// Counts of one pair. Chunks use the same type as the merged counts so that
/// the first chunk's table can become the merged table without copying. A
/// slot of the table is then 16 bytes, four to a cache line: the tables
/// contain millions of pairs, and a smaller slot means fewer cache misses
/// and less memory. Remediated events are few, so their counts are kept in
/// a table of their own (see ChunkCounts::remediated).
struct GlobalPair {
    std::int64_t events = 0;
};

/// Position of the event that took a pair past its limit: the chunk, and the
/// 1-based rank of that event among the pair's events in the chunk.
struct LimitCrossing {
    std::int32_t chunk = -1;
    std::int64_t rank = 0;
};

/// Settings of one counting pass.
struct CountingOptions {
    /// Group keys to count, with their id namespaces.
    std::vector<std::string> groupKeys;
    std::vector<std::uint32_t> groupSpaces;
    /// False for the extra pass over group keys found in `$hotshard_record`
    /// events: then only group pairs are counted.
    bool countEverything = true;
    std::string timeZone;
    bool legacyProjectTime = false;
    /// The event number in a range of a plain file from which a user pair's
    /// (or group pair's) evidence is collected, or 0 for none. The merge of
    /// gzip blocks uses the same numbers. See EarlyEvidence.
    std::int64_t userTrackFrom = 0;
    std::int64_t groupTrackFrom = 0;
    /// Records that ranges and blocks may still collect evidence from,
    /// shared by all of them. Without it nothing is tracked.
    std::shared_ptr<std::atomic<std::int64_t>> earlyBudget;
    /// Bytes per step of a plain range; 0 for the reader's default.
    std::int64_t stepBytes = 0;
};

/// The event dates of one step of a plain chunk (see StepStart). A later
/// pass that looks for some dates only reads the steps that contain them.
struct StepDays {
    std::int64_t begin = 0;
    std::int64_t end = 0;
    std::int64_t linesBefore = 0;
    /// The earliest and latest event date in the step. `first` is greater
    /// than `last` when no line in the step has a date.
    Day first = std::numeric_limits<Day>::max();
    Day last = std::numeric_limits<Day>::min();

    bool containsAny(const std::vector<Day> &sortedDays) const
    {
        const auto next =
            std::lower_bound(sortedDays.begin(), sortedDays.end(), first);
        return next != sortedDays.end() && *next <= last;
    }
};

class EarlyEvidence;

/// Counts of one chunk, in chunk-local id indexes.
struct ChunkCounts {
    IdInterner ids;
    std::vector<std::uint8_t> numericIds;
    U64Map<GlobalPair> pairs;
    /// Remediated events of the pairs that have any, by pair key.
    U64Map<std::int64_t> remediated;
    U64Map<DayTotal> days;
    Totals totals;
    std::vector<Problem> problems;
    std::int64_t problemCount = 0;
    std::vector<HotshardRecord> records;
    ReadResult read;
    /// Whether any bad line was found, which marks the file incomplete.
    bool badLines = false;
    /// For a plain line-layout chunk, the dates in each step.
    std::vector<StepDays> steps;
    /// Evidence of the pairs that grew large in a plain chunk, or null.
    std::shared_ptr<EarlyEvidence> early;
};

struct TrackedKey;

/// Runs the counting pass over one inflated block of a gzip file, and
/// collects the evidence of the `tracked` pairs in it when given.
void countBlock(const InputFile &file, const char *data, std::size_t size,
                const char *readableEnd, const CountingOptions &options,
                ChunkCounts &counts, const std::atomic<bool> *cancel,
                const std::vector<TrackedKey> *tracked = nullptr);

/// Runs the counting pass over one chunk.
void countChunk(const InputFile &file, const Chunk &chunk,
                const CountingOptions &options, ChunkCounts &counts,
                const std::atomic<bool> *cancel, const ByteProgress &progress);

/// The maximum entries a prediction reserves in the merged tables. Ids recur,
/// so an early prediction runs high. The cap keeps a wrong one to about
/// 130 MB of slots.
inline constexpr std::size_t kMaxPredictedMergedEntries = std::size_t{1} << 21;

/// Grows an id table and its pair table once, to `scale` times their
/// current sizes but at most `maxEntries` each. Tables left to grow as they
/// fill double about ten times on a large input, and each doubling moves
/// every entry.
inline void growTables(IdInterner &ids, U64Map<GlobalPair> &pairs, double scale,
                       std::size_t maxEntries)
{
    const auto predict = [scale, maxEntries](std::size_t entries) {
        const double predicted = static_cast<double>(entries) * scale;
        return predicted >= static_cast<double>(maxEntries)
                   ? maxEntries
                   : static_cast<std::size_t>(predicted);
    };
    ids.reserve(predict(ids.size()));
    pairs.reserve(predict(pairs.size()));
}

/// Counts merged over all chunks, in input order.
struct GlobalCounts {
    IdInterner ids;
    std::vector<std::uint32_t> idFlags;
    U64Map<GlobalPair> pairs;
    /// Remediated events of the pairs that have any, by pair key.
    U64Map<std::int64_t> remediated;
    /// The pairs over their limit, by pair key. They are few, so they are
    /// kept apart from the pair table.
    U64Map<LimitCrossing> crossings;
    U64Map<DayTotal> days;
    Totals totals;
    /// For each namespace, whether a chunk that a partial merge left out
    /// of `ids` had ids in it (see mergeChunkInPart()). It can be shorter
    /// than the list of namespaces.
    std::vector<bool> spacesSeen;
};

/// Event counts below which a pair cannot reach a count that a report
/// lists, per kind of id; see mergeChunkInPart().
struct MergeFloors {
    std::int64_t user = 0;
    std::int64_t group = 0;
};

/// Merges one chunk into the global counts. Chunks must be merged in input
/// order, because that order decides where each limit was crossed. The
/// first chunk's tables are moved, not copied. A large chunk is merged on
/// up to `threads` threads.
/// `groupKeyOfSpace` names the group key of every namespace above 0.
void mergeChunk(ChunkCounts &chunk, std::int32_t chunkIndex,
                const ScanSettings &settings,
                const std::vector<std::string> &groupKeyOfSpace, int threads,
                GlobalCounts &global);

/// Merges the last chunk of a pass in part: only the ids that a report
/// without every id's volume can need. Those are the ids with an id flag
/// in either table, and the ids with a pair of at least `floors` events in
/// the chunk or in the global counts. A pair whose total can reach twice
/// the floor has such a part, so the pairs left out change no listed
/// count. A merge of half a file's ids was a tenth of the scan's time.
/// Call it only for the last chunk, and only when no later pass merges
/// into the same namespaces.
void mergeChunkInPart(ChunkCounts &chunk, std::int32_t chunkIndex,
                      const ScanSettings &settings,
                      const std::vector<std::string> &groupKeyOfSpace,
                      int threads, const MergeFloors &floors,
                      GlobalCounts &global);

/// Event counts from which the counting pass tracks a pair, and the pairs
/// that a merge took to them.
struct TrackingThresholds {
    std::int64_t user = 0;
    std::int64_t group = 0;
    /// Global pair keys that reached their threshold in the last merge.
    std::vector<std::uint64_t> reached;
};

/// Same as above, and also lists in `tracking.reached` the pairs that this
/// merge took to their tracking threshold.
void mergeChunk(ChunkCounts &chunk, std::int32_t chunkIndex,
                const ScanSettings &settings,
                const std::vector<std::string> &groupKeyOfSpace, int threads,
                GlobalCounts &global, TrackingThresholds &tracking);

} // namespace hsi::detail
