#pragma once

#include "flat_map.h"
#include "gzip_reader.h"
#include "hsi/report.h"
#include "input_source.h"
#include "pair_counter.h"
#include "text_search.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace hsi::detail {

/// A hot or near-limit pair chosen after the counting pass, whose events the
/// evidence pass examines.
struct FlaggedPair {
    std::uint32_t idIndex = 0;
    Day day = 0;
    LimitCrossing crossing;
};

/// Evidence for one flagged pair, collected from one chunk or merged.
struct EvidenceAccumulator {
    NameCounter eventNames;
    NameCounter libraries;
    U64Set devices;
    U64Set users;
    /// NOTE: one 8-byte hash per distinct event of a flagged pair, so this
    /// set grows with the events of hot and near-limit pairs (about 8 MB for
    /// a million-event group), unlike the rest of the scan.
    U64Set uniqueKeys;
    /// Events without `$insert_id`; Mixpanel never deduplicates them.
    std::int64_t eventsWithoutInsertId = 0;
    std::vector<std::int32_t> eventsPerMinute;
    std::int64_t events = 0;
    bool hasCrossing = false;
    Crossing crossing;
};

/// Input of the evidence pass: the flagged pairs and how to find them.
struct EvidenceQuery {
    const std::vector<FlaggedPair> *pairs = nullptr;
    /// Maps a global pair key to its index in `pairs`.
    const U64Map<std::uint32_t> *indexOfPair = nullptr;
    const IdInterner *ids = nullptr;
    std::vector<std::string> groupKeys;
    std::vector<std::uint32_t> groupSpaces;
    std::string timeZone;
    bool legacyProjectTime = false;
    /// Text that every line of a flagged pair contains; empty when the ids
    /// are too short or too many to filter lines cheaply.
    TextSearch lineFilter{{}};
};

struct ChunkEvidence {
    /// Indexed like EvidenceQuery::pairs.
    std::vector<EvidenceAccumulator> pairs;
    ReadResult read;
};

/// Runs the evidence pass over one chunk.
void collectEvidence(const InputFile &file, const Chunk &chunk,
                     std::int32_t chunkIndex, const EvidenceQuery &query,
                     ChunkEvidence &evidence, const std::atomic<bool> *cancel,
                     const ByteProgress &progress);

/// A pair that grew large in one range of a plain file during the counting
/// pass, from which point the counting pass collected its evidence itself.
/// The pair's events up to and including `lastLineLeft` are left to the
/// evidence pass; those after it are in `evidence`.
struct TrackedPair {
    std::uint32_t space = 0;
    std::string id;
    std::uint64_t hash = 0;
    Day day = 0;
    /// The step of the range, and the range's line, where collection began.
    std::size_t firstStep = 0;
    std::int64_t lastLineLeft = 0;
    EvidenceAccumulator evidence;
    /// Events collected in each step from `firstStep` on, so that the
    /// evidence pass can find a crossing without reading those steps.
    std::vector<std::int64_t> eventsByStep;
};

/// A pair that the counting pass tracks in every gzip block it starts, once
/// the blocks merged before have brought the pair to its tracking
/// threshold.
struct TrackedKey {
    std::uint32_t space = 0;
    std::string id;
    std::uint64_t hash = 0;
    Day day = 0;
};

class EvidenceCollector;
class TrackedTargets;

/// Evidence collected while a range of a plain file or a gzip block is
/// counted, for the pairs that reach `trackFrom` events in a range (or that
/// the merge of earlier blocks took there). The evidence pass then reads
/// only the steps up to where each pair's collection began, instead of
/// every step of its date. For a hot id that sends a fifth of a day's
/// events, that is about one step per range.
///
/// NOTE: the collection is speculative. A pair tracked here may stay below
/// the near-limit threshold once all ranges are merged, and its evidence is
/// then dropped. To bound that work and memory, a range tracks at most
/// kMaxTrackedPairs pairs, and all ranges of a scan share a budget of
/// collected records. A range that finds the budget spent drops what it
/// collected and leaves those pairs to the evidence pass.
class EarlyEvidence {
public:
    static constexpr std::size_t kMaxTrackedPairs = 32;
    /// Records that all ranges and blocks of a scan may collect. Each adds
    /// a few set entries, so by estimate at most about 60 MB in all.
    static constexpr std::int64_t kScanBudget = std::int64_t{1} << 21;

    EarlyEvidence(const InputFile &file, const CountingOptions &options);
    /// Tracks `keys` from the first record on, as for a gzip block.
    EarlyEvidence(const InputFile &file, const CountingOptions &options,
                  const std::vector<TrackedKey> &keys);
    ~EarlyEvidence();
    EarlyEvidence(const EarlyEvidence &) = delete;
    EarlyEvidence &operator=(const EarlyEvidence &) = delete;

    /// Sets the step and the range's line of the record being counted.
    void setPosition(std::size_t step, std::int64_t line)
    {
        m_step = step;
        m_line = line;
    }
    /// Whether the pair may be tracked; a false positive costs one parse.
    bool mayTrack(std::uint64_t hash, Day day) const
    {
        const std::uint64_t bit = filterBit(hash, day);
        return (m_filter[bit / 64] >> (bit % 64) & 1) != 0;
    }
    bool full() const { return m_spent || m_pairs.size() >= kMaxTrackedPairs; }
    /// Starts collecting the pair's events after the current record.
    void track(std::uint32_t space, std::string_view id, std::uint64_t hash,
               Day day);
    /// Parses the current record for evidence and adds it to each of its
    /// tracked pairs.
    void collect(std::string_view text);
    std::vector<TrackedPair> takePairs();

private:
    static std::uint64_t filterBit(std::uint64_t hash, Day day)
    {
        return mixBits(hash ^ static_cast<std::uint64_t>(day)) % kFilterBits;
    }

    bool reserveRecord();

    static constexpr std::size_t kFilterBits = 4096;
    /// Records taken from the shared budget at a time.
    static constexpr std::int64_t kBudgetBatch = 4096;
    std::shared_ptr<std::atomic<std::int64_t>> m_budget;
    std::int64_t m_reserved = 0;
    bool m_spent = false;
    std::vector<TrackedPair> m_pairs;
    std::uint64_t m_filter[kFilterBits / 64] = {};
    std::size_t m_step = 0;
    std::int64_t m_line = 0;
    std::unique_ptr<EvidenceQuery> m_query;
    std::unique_ptr<TrackedTargets> m_targets;
    std::unique_ptr<EvidenceCollector> m_collector;
};

/// Events of one flagged pair in one piece.
struct PieceCount {
    std::uint32_t pair;
    std::int64_t events;
};

/// One step of a plain chunk, read on its own by the evidence pass so that
/// the steps worth reading are shared among all threads.
struct EvidencePiece {
    /// Values of `lastLine`: every line of the piece, none, or none but
    /// the pair's events are still counted to find its crossing, which the
    /// piece contains. Gzip segments use the same values for their blocks.
    static constexpr std::int64_t kEveryLine =
        std::numeric_limits<std::int64_t>::max();
    static constexpr std::int64_t kNoLine = -1;
    static constexpr std::int64_t kCrossingOnly = -2;

    /// The counting pass's unit that contains the step.
    std::int32_t unit = 0;
    Chunk range;
    /// Lines of the file before the piece's first line.
    std::int64_t linesBefore = 0;
    /// For each flagged pair, the last line of the piece (counted from 1)
    /// whose events this pass collects, because the counting pass collected
    /// the rest. Empty when this pass collects every line for every pair.
    std::vector<std::int64_t> lastLine;
    /// Events that the counting pass collected in this piece, for pairs that
    /// cross their limit in its unit.
    std::vector<PieceCount> collectedEarly;
    /// False when the counting pass collected everything this piece contains
    /// for the flagged pairs, so only `collectedEarly` matters.
    bool read = true;
};

/// Runs the evidence pass over `pieces`, given in input order, on `threads`
/// threads, and adds what they hold to `evidence`, indexed like
/// `query.pairs`. `onPieceDone` receives each finished piece's index, its
/// bytes, and an error message when it could not be read.
void collectPieceEvidence(
    const std::vector<InputFile> &files,
    const std::vector<EvidencePiece> &pieces, const EvidenceQuery &query,
    int threads, std::vector<EvidenceAccumulator> &evidence,
    const std::atomic<bool> *cancel,
    const std::function<void(std::size_t piece, std::int64_t bytes,
                             const std::string &error)> &onPieceDone);

/// A stretch of a gzip file that the evidence pass inflates on its own,
/// from a checkpoint that the counting pass saved or from the file's start,
/// so that several threads can inflate one file.
struct GzipSegment {
    std::size_t fileIndex = 0;
    /// Null to start at the beginning of the file.
    const GzipCheckpoint *from = nullptr;
    /// The unit number of the file's first block.
    std::size_t firstUnit = 0;
    /// Whether to parse each block from the segment's first on; inflating
    /// stops after the last entry.
    std::vector<bool> parse;
    /// For each block, the reading of each flagged pair (see
    /// EvidencePiece::lastLine); empty for every line of every pair.
    std::vector<std::vector<std::int64_t>> lastLine;
};

/// Runs the evidence pass over `segments` on `threads` threads and adds
/// the evidence found to `evidence`, indexed like `query.pairs`. Blocks keep
/// their unit numbers, so `unitLineOffsets` gives their first lines and a
/// crossing is found by its rank in its unit. `onSegmentDone` receives each
/// finished segment's index, its compressed bytes, and an error message
/// when the segment could not be read to its last block.
void collectSegmentEvidence(
    const std::vector<InputFile> &files,
    const std::vector<GzipSegment> &segments,
    const std::vector<std::int64_t> &unitLineOffsets,
    const EvidenceQuery &query, int threads,
    std::vector<EvidenceAccumulator> &evidence, const std::atomic<bool> *cancel,
    const std::function<void(std::size_t segment, std::int64_t bytes,
                             const std::string &error)> &onSegmentDone);

/// Adds one chunk's evidence; `lineOffset` turns its line numbers into line
/// numbers of the file.
void mergeEvidence(EvidenceAccumulator &&from, std::int64_t lineOffset,
                   EvidenceAccumulator &into);

/// Fills the evidence, unique count and crossing of a finding.
void applyEvidence(const EvidenceAccumulator &accumulator, int topN,
                   PairFinding &finding);

/// Picks the likely cause of a hot or near-limit pair from its evidence and
/// writes the explanation shown to users.
void explainLikelyCause(PairFinding &finding);

} // namespace hsi::detail
