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

/// Runs the evidence pass over one inflated block of a gzip file.
void collectEvidenceInBlock(const InputFile &file, const char *data,
                            std::size_t size, const char *readableEnd,
                            std::int32_t unitIndex, const EvidenceQuery &query,
                            ChunkEvidence &evidence,
                            const std::atomic<bool> *cancel);

/// One step of a plain chunk, read on its own by the evidence pass so that
/// the steps worth reading are shared among all threads.
struct EvidencePiece {
    /// The counting pass's unit that contains the step.
    std::int32_t unit = 0;
    Chunk range;
    /// Lines of the file before the piece's first line.
    std::int64_t linesBefore = 0;
};

/// Runs the evidence pass over `pieces`, given in input order, on `threads`
/// threads, and adds what they hold to `evidence`, indexed like
/// `query.pairs`. `onPieceDone` receives each finished piece's bytes.
void collectPieceEvidence(
    const std::vector<InputFile> &files,
    const std::vector<EvidencePiece> &pieces, const EvidenceQuery &query,
    int threads, std::vector<EvidenceAccumulator> &evidence,
    const std::atomic<bool> *cancel,
    const std::function<void(std::int64_t bytes)> &onPieceDone);

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
