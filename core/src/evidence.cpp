#include "evidence.h"

#include "event_parser.h"
#include "hsi/count_text.h"
#include "pair_counter.h"
#include "parallel.h"
#include "time_zone.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <limits>

namespace hsi::detail {

namespace {

constexpr int kMinutesPerDay = 1440;

std::uint64_t hashText(std::string_view text)
{
    return std::hash<std::string_view>{}(text);
}

/// The accumulator an event of a pair goes to, and the rank among the
/// pair's events at which it crosses its limit (0 for none).
struct PairTarget {
    EvidenceAccumulator *accumulator = nullptr;
    std::int64_t crossingRank = 0;
};

} // namespace

/// Decides where the evidence of each pair an event belongs to goes.
class PairTargets {
public:
    virtual ~PairTargets() = default;
    /// Returns the target for the pair, or none when the event is not
    /// collected here. `line` counts from the start of the text read.
    virtual PairTarget find(std::uint32_t space, std::string_view id, Day day,
                            std::int64_t line) = 0;
};

/// Parses records for evidence and adds each to the targets of its pairs.
class EvidenceCollector {
public:
    EvidenceCollector(const InputFile &file, const EvidenceQuery &query,
                      PairTargets &targets)
        : m_file(file), m_query(query), m_targets(targets),
          m_parser(ParseOptions{query.groupKeys, true}),
          m_days(query.timeZone, query.legacyProjectTime)
    {
    }

    /// A sink that passes each record to collect().
    RecordSink sink()
    {
        return [this](std::string_view text, std::int64_t line) {
            collect(text, line);
        };
    }

    void collect(std::string_view text, std::int64_t line)
    {
        if (!m_query.lineFilter.empty() && !m_query.lineFilter.foundIn(text))
            return;
        if (!m_parser.parse(text, m_event, m_error))
            return;
        const TimeValue &time = m_event.time;
        if (!time.usable())
            return;
        const Day day = m_days.dayOf(time.ms);
        const IdValue userId = attributedUserId();
        if (userId.kind == IdKind::String || userId.kind == IdKind::Number ||
            userId.kind == IdKind::Boolean)
            visitPair(kUserSpace, userId.text, day, line, userId.text);
        for (std::size_t i = 0; i < m_event.groupValues.size(); ++i) {
            const GroupValue &value = m_event.groupValues[i];
            if (value.id.empty() || repeatsEarlierValue(i))
                continue;
            visitPair(m_query.groupSpaces[value.keyIndex], value.id, day, line,
                      userId.text);
        }
    }

private:
    bool repeatsEarlierValue(std::size_t index) const
    {
        const GroupValue &value = m_event.groupValues[index];
        for (std::size_t i = 0; i < index; ++i) {
            const GroupValue &earlier = m_event.groupValues[i];
            if (earlier.keyIndex == value.keyIndex && earlier.id == value.id)
                return true;
        }
        return false;
    }

    IdValue attributedUserId() const
    {
        if (m_event.isRemediated) {
            const IdValue &original = m_event.originalDistinctId;
            if (original.kind == IdKind::String ||
                original.kind == IdKind::Number)
                return original;
        }
        if (m_event.distinctId.kind == IdKind::String &&
            m_event.distinctId.text.empty())
            return {IdKind::Missing, {}};
        return m_event.distinctId;
    }

    std::string_view originalEventName() const
    {
        if (m_event.isRemediated && m_event.hasOriginalEventName &&
            !m_event.originalEventName.empty())
            return m_event.originalEventName;
        return m_event.eventName;
    }

    void visitPair(std::uint32_t space, std::string_view id, Day day,
                   std::int64_t line, std::string_view userId)
    {
        const PairTarget target = m_targets.find(space, id, day, line);
        if (target.accumulator)
            accumulate(*target.accumulator, target.crossingRank, line, userId);
    }

    void accumulate(EvidenceAccumulator &acc, std::int64_t crossingRank,
                    std::int64_t line, std::string_view userId)
    {
        ++acc.events;
        if (crossingRank > 0 && acc.events == crossingRank) {
            acc.hasCrossing = true;
            acc.crossing = {m_file.path, line, m_event.time.ms};
        }
        const std::string_view name = originalEventName();
        acc.eventNames.add(name);
        acc.libraries.add(m_event.library);
        if (!m_event.deviceId.empty())
            acc.devices.insert(hashText(m_event.deviceId));
        if (!userId.empty())
            acc.users.insert(hashText(userId));
        addUniqueKey(acc, name, userId);
        if (acc.eventsPerMinute.empty())
            acc.eventsPerMinute.assign(kMinutesPerDay, 0);
        ++acc.eventsPerMinute[m_days.minuteOf(m_event.time.ms)];
    }

    // Mixpanel deduplicates on (event, distinct_id, time, $insert_id).
    void addUniqueKey(EvidenceAccumulator &acc, std::string_view name,
                      std::string_view userId)
    {
        if (m_event.insertId.empty()) {
            ++acc.eventsWithoutInsertId;
            return;
        }
        std::uint64_t key = hashText(name);
        key = mixBits(key ^ hashText(userId));
        key = mixBits(key ^ static_cast<std::uint64_t>(m_event.time.ms));
        key = mixBits(key ^ hashText(m_event.insertId));
        acc.uniqueKeys.insert(key);
    }

    const InputFile &m_file;
    const EvidenceQuery &m_query;
    PairTargets &m_targets;
    EventParser m_parser;
    DayResolver m_days;
    ParsedEvent m_event;
    std::string m_error;
};

namespace {

/// Sends the events of flagged pairs to a chunk's evidence. With
/// `lastLine`, which comes from an EvidencePiece, a pair's events after its
/// last line are skipped.
class FlaggedTargets final : public PairTargets {
public:
    FlaggedTargets(const EvidenceQuery &query, std::int32_t chunkIndex,
                   ChunkEvidence &evidence,
                   const std::vector<std::int64_t> *lastLine = nullptr)
        : m_query(query), m_chunkIndex(chunkIndex), m_evidence(evidence),
          m_lastLine(lastLine)
    {
        m_evidence.pairs.resize(query.pairs->size());
    }

    PairTarget find(std::uint32_t space, std::string_view id, Day day,
                    std::int64_t line) override
    {
        const std::uint32_t idIndex = m_query.ids->find(space, id);
        if (idIndex == IdInterner::kNotFound)
            return {};
        const std::uint32_t *index =
            m_query.indexOfPair->find(pairKey(idIndex, day));
        if (!index)
            return {};
        const LimitCrossing &crossing = (*m_query.pairs)[*index].crossing;
        const std::int64_t rank =
            crossing.chunk == m_chunkIndex ? crossing.rank : 0;
        const std::int64_t last =
            m_lastLine ? (*m_lastLine)[*index] : EvidencePiece::kEveryLine;
        if (last == EvidencePiece::kCrossingOnly) {
            m_crossingOnly.resize(m_evidence.pairs.size());
            return {&m_crossingOnly[*index], rank};
        }
        if (line > last)
            return {};
        return {&m_evidence.pairs[*index], rank};
    }

    /// Moves the crossings found by counting alone into the evidence.
    void keepCrossings()
    {
        for (std::size_t i = 0; i < m_crossingOnly.size(); ++i) {
            if (!m_crossingOnly[i].hasCrossing)
                continue;
            m_evidence.pairs[i].hasCrossing = true;
            m_evidence.pairs[i].crossing =
                std::move(m_crossingOnly[i].crossing);
        }
    }

private:
    const EvidenceQuery &m_query;
    std::int32_t m_chunkIndex;
    ChunkEvidence &m_evidence;
    const std::vector<std::int64_t> *m_lastLine;
    /// Events of pairs read only to find their crossing.
    std::vector<EvidenceAccumulator> m_crossingOnly;
};

std::vector<NamedCount> topCounts(const NameCounter &counts, int topN)
{
    std::vector<NamedCount> list;
    list.reserve(counts.entries().size());
    for (const auto &[name, count] : counts.entries())
        list.push_back({name, count});
    std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) {
        return a.count != b.count ? a.count > b.count : a.name < b.name;
    });
    if (list.size() > static_cast<std::size_t>(std::max(topN, 1)))
        list.resize(static_cast<std::size_t>(std::max(topN, 1)));
    return list;
}

} // namespace

/// Sends the events of the pairs a range tracks to their evidence, once
/// collection for the pair has begun.
class TrackedTargets final : public PairTargets {
public:
    TrackedTargets(std::vector<TrackedPair> &pairs, const std::size_t &step)
        : m_pairs(pairs), m_step(step)
    {
    }

    PairTarget find(std::uint32_t space, std::string_view id, Day day,
                    std::int64_t line) override
    {
        const std::uint64_t hash = IdInterner::hashOf(space, id);
        for (TrackedPair &pair : m_pairs) {
            if (pair.hash != hash || pair.day != day || pair.space != space ||
                pair.id != id || line <= pair.lastLineLeft)
                continue;
            const std::size_t step = m_step - pair.firstStep;
            if (pair.eventsByStep.size() <= step)
                pair.eventsByStep.resize(step + 1, 0);
            ++pair.eventsByStep[step];
            return {&pair.evidence, 0};
        }
        return {};
    }

private:
    std::vector<TrackedPair> &m_pairs;
    const std::size_t &m_step;
};

EarlyEvidence::EarlyEvidence(const InputFile &file,
                             const CountingOptions &options)
    : m_budget(options.earlyBudget), m_query(std::make_unique<EvidenceQuery>()),
      m_targets(std::make_unique<TrackedTargets>(m_pairs, m_step))
{
    m_pairs.reserve(kMaxTrackedPairs);
    m_query->groupKeys = options.groupKeys;
    m_query->groupSpaces = options.groupSpaces;
    m_query->timeZone = options.timeZone;
    m_query->legacyProjectTime = options.legacyProjectTime;
    m_collector =
        std::make_unique<EvidenceCollector>(file, *m_query, *m_targets);
}

EarlyEvidence::EarlyEvidence(const InputFile &file,
                             const CountingOptions &options,
                             const std::vector<TrackedKey> &keys)
    : EarlyEvidence(file, options)
{
    for (const TrackedKey &key : keys)
        track(key.space, key.id, key.hash, key.day);
}

// Records reserved but not collected go back, so that many short ranges
// or blocks do not use up the budget.
EarlyEvidence::~EarlyEvidence()
{
    if (m_budget && m_reserved > 0)
        m_budget->fetch_add(m_reserved);
}

void EarlyEvidence::track(std::uint32_t space, std::string_view id,
                          std::uint64_t hash, Day day)
{
    if (full())
        return;
    TrackedPair pair;
    pair.space = space;
    pair.id = std::string(id);
    pair.hash = hash;
    pair.day = day;
    pair.firstStep = m_step;
    pair.lastLineLeft = m_line;
    m_pairs.push_back(std::move(pair));
    const std::uint64_t bit = filterBit(hash, day);
    m_filter[bit / 64] |= std::uint64_t{1} << (bit % 64);
}

bool EarlyEvidence::reserveRecord()
{
    if (m_reserved == 0 && !m_spent) {
        const std::int64_t left = m_budget->fetch_sub(kBudgetBatch);
        m_reserved = std::clamp<std::int64_t>(left, 0, kBudgetBatch);
        // What was taken beyond the budget goes back, so that records
        // returned later can still be used.
        if (m_reserved < kBudgetBatch)
            m_budget->fetch_add(kBudgetBatch - m_reserved);
        if (m_reserved == 0) {
            // The evidence pass collects every event of pairs it has no
            // early evidence for, so dropping them loses nothing.
            m_spent = true;
            m_pairs.clear();
        }
    }
    if (m_spent)
        return false;
    --m_reserved;
    return true;
}

void EarlyEvidence::collect(std::string_view text)
{
    if (reserveRecord())
        m_collector->collect(text, m_line);
}

std::vector<TrackedPair> EarlyEvidence::takePairs()
{
    return std::move(m_pairs);
}

void collectEvidence(const InputFile &file, const Chunk &chunk,
                     std::int32_t chunkIndex, const EvidenceQuery &query,
                     ChunkEvidence &evidence, const std::atomic<bool> *cancel,
                     const ByteProgress &progress)
{
    FlaggedTargets targets(query, chunkIndex, evidence);
    EvidenceCollector collector(file, query, targets);
    evidence.read = readChunk(file, chunk, collector.sink(), cancel, progress);
}

namespace {

/// Unit number given to pieces, which no crossing names, so that the
/// collector finds no crossing in them. Crossings in pieces are found by
/// resolveCrossings().
constexpr std::int32_t kPieceUnit = std::numeric_limits<std::int32_t>::min();

/// Collects the evidence in one piece. With a line filter, the text between
/// matching lines is searched, not split, because a piece's line numbers
/// are not needed, unless a pair's collection stops at a line of the piece.
void collectInPiece(const InputFile &file, const EvidencePiece &piece,
                    const EvidenceQuery &query, ChunkEvidence &evidence,
                    const std::atomic<bool> *cancel)
{
    const std::vector<std::int64_t> &lastLine = piece.lastLine;
    FlaggedTargets targets(query, kPieceUnit, evidence,
                           lastLine.empty() ? nullptr : &lastLine);
    EvidenceCollector collector(file, query, targets);
    const bool needsLines =
        std::any_of(lastLine.begin(), lastLine.end(), [](std::int64_t last) {
            return last != EvidencePiece::kEveryLine &&
                   last != EvidencePiece::kNoLine;
        });
    if (query.lineFilter.empty() || needsLines) {
        evidence.read =
            readChunk(file, piece.range, collector.sink(), cancel, {});
        return;
    }
    evidence.read = readMatchingLines(file, piece.range, query.lineFilter,
                                      collector.sink(), cancel);
}

/// A piece to read again, and the pairs whose crossing it contains, each
/// with the crossing's rank among the pair's events in the piece.
struct Reread {
    std::size_t piece;
    std::vector<std::pair<std::uint32_t, std::int64_t>> ranks;
};

/// Finds the pieces that contain a crossing. A pair's rank is counted over
/// its unit, so the pair's events are added piece by piece, in input order,
/// up to the piece that contains the rank.
std::vector<Reread>
piecesWithCrossings(const std::vector<FlaggedPair> &pairs,
                    const std::vector<std::vector<PieceCount>> &counts)
{
    std::vector<Reread> rereads;
    std::vector<std::int64_t> seen(pairs.size(), 0);
    for (std::size_t p = 0; p < counts.size(); ++p) {
        Reread reread{p, {}};
        for (const PieceCount &count : counts[p]) {
            const std::int64_t before = seen[count.pair];
            seen[count.pair] += count.events;
            const std::int64_t rank = pairs[count.pair].crossing.rank;
            if (rank > before && rank <= seen[count.pair])
                reread.ranks.emplace_back(count.pair, rank - before);
        }
        if (!reread.ranks.empty())
            rereads.push_back(std::move(reread));
    }
    return rereads;
}

/// Reads each piece that contains a crossing again, on all threads, for
/// the crossing events. Each pair crosses once, so the threads write to
/// different entries of `evidence`.
void resolveCrossings(const std::vector<InputFile> &files,
                      const std::vector<EvidencePiece> &pieces,
                      const std::vector<std::vector<PieceCount>> &counts,
                      const EvidenceQuery &query, int threads,
                      std::vector<EvidenceAccumulator> &evidence,
                      const std::atomic<bool> *cancel)
{
    const std::vector<Reread> rereads =
        piecesWithCrossings(*query.pairs, counts);
    const auto stop = [cancel] {
        return cancel && *cancel;
    };
    forEachIndex(threads, rereads.size(), stop,
                 [&](std::size_t, std::size_t r) {
                     std::vector<FlaggedPair> pairs = *query.pairs;
                     for (FlaggedPair &pair : pairs)
                         pair.crossing = {};
                     for (const auto &[pair, rank] : rereads[r].ranks)
                         pairs[pair].crossing = {0, rank};
                     EvidenceQuery again = query;
                     again.pairs = &pairs;
                     ChunkEvidence found;
                     const EvidencePiece &piece = pieces[rereads[r].piece];
                     collectEvidence(files[piece.range.fileIndex], piece.range,
                                     0, again, found, cancel, {});
                     for (const auto &[pair, rank] : rereads[r].ranks) {
                         EvidenceAccumulator &crossed = found.pairs[pair];
                         if (!crossed.hasCrossing)
                             continue;
                         evidence[pair].hasCrossing = true;
                         evidence[pair].crossing = std::move(crossed.crossing);
                         evidence[pair].crossing.line += piece.linesBefore;
                     }
                 });
}

/// Calls `collect(task, accumulators)` for every task in [0, tasks) on
/// `threads` threads, then adds what they collected to `evidence`. Each
/// thread adds into its own accumulators, so that memory stays at one set
/// per thread however many tasks there are.
template <typename Collect>
void collectOnThreads(int threads, std::size_t tasks,
                      const std::atomic<bool> *cancel,
                      std::vector<EvidenceAccumulator> &evidence,
                      Collect &&collect)
{
    const auto threadCount = static_cast<std::size_t>(std::max(threads, 1));
    std::vector<std::vector<EvidenceAccumulator>> perThread(
        threadCount, std::vector<EvidenceAccumulator>(evidence.size()));
    const auto stop = [cancel] {
        return cancel && *cancel;
    };
    forEachIndex(threads, tasks, stop,
                 [&](std::size_t thread, std::size_t task) {
                     collect(task, perThread[thread]);
                 });
    for (std::vector<EvidenceAccumulator> &found : perThread) {
        for (std::size_t i = 0; i < evidence.size(); ++i)
            mergeEvidence(std::move(found[i]), 0, evidence[i]);
    }
}

/// Collects the evidence in one inflated block. Unless `splitLines` is
/// set, the text between matching lines is searched, not split, because
/// only a block with a crossing needs its line numbers. `lastLine`, when
/// given, limits each pair as EvidencePiece::lastLine does.
void collectInBlock(const InputFile &file, const TextBlock &block,
                    std::int32_t unitIndex, const EvidenceQuery &query,
                    bool splitLines, const std::vector<std::int64_t> *lastLine,
                    ChunkEvidence &evidence, const std::atomic<bool> *cancel)
{
    FlaggedTargets targets(query, unitIndex, evidence, lastLine);
    EvidenceCollector collector(file, query, targets);
    const char *readableEnd = block.buffer.data() + block.buffer.size();
    evidence.read =
        splitLines
            ? readBlock(block.buffer.data(), block.size, readableEnd,
                        collector.sink(), cancel)
            : readMatchingInBlock(block.buffer.data(), block.size, readableEnd,
                                  query.lineFilter, collector.sink(), cancel);
    targets.keepCrossings();
}

/// Inflates one segment and collects the evidence in the blocks it marks.
BlockRangeRead collectInSegment(
    const InputFile &file, const GzipSegment &segment,
    const std::vector<std::int64_t> &unitLineOffsets,
    const std::vector<std::int32_t> &crossingUnits, const EvidenceQuery &query,
    std::vector<EvidenceAccumulator> &evidence, const std::atomic<bool> *cancel)
{
    const std::size_t firstBlock = segment.from ? segment.from->block : 0;
    const auto collectBlock = [&](std::size_t number, const TextBlock &block) {
        if (!segment.parse[number - firstBlock])
            return;
        const std::size_t unit = segment.firstUnit + number;
        const auto unitIndex = static_cast<std::int32_t>(unit);
        const std::vector<std::int64_t> *lastLine =
            segment.lastLine.empty() ||
                    segment.lastLine[number - firstBlock].empty()
                ? nullptr
                : &segment.lastLine[number - firstBlock];
        const bool splitLines =
            query.lineFilter.empty() ||
            std::binary_search(crossingUnits.begin(), crossingUnits.end(),
                               unitIndex);
        ChunkEvidence found;
        collectInBlock(file, block, unitIndex, query, splitLines, lastLine,
                       found, cancel);
        for (std::size_t i = 0; i < found.pairs.size(); ++i)
            mergeEvidence(std::move(found.pairs[i]), unitLineOffsets[unit],
                          evidence[i]);
    };
    return inflateBlockRange(file.path, segment.from,
                             firstBlock + segment.parse.size(), collectBlock,
                             cancel);
}

} // namespace

void collectSegmentEvidence(
    const std::vector<InputFile> &files,
    const std::vector<GzipSegment> &segments,
    const std::vector<std::int64_t> &unitLineOffsets,
    const EvidenceQuery &query, int threads,
    std::vector<EvidenceAccumulator> &evidence, const std::atomic<bool> *cancel,
    const std::function<void(std::size_t segment, std::int64_t bytes,
                             const std::string &error)> &onSegmentDone)
{
    std::vector<std::int32_t> crossingUnits;
    for (const FlaggedPair &pair : *query.pairs) {
        if (pair.crossing.chunk >= 0)
            crossingUnits.push_back(pair.crossing.chunk);
    }
    std::sort(crossingUnits.begin(), crossingUnits.end());
    collectOnThreads(
        threads, segments.size(), cancel, evidence,
        [&](std::size_t s, std::vector<EvidenceAccumulator> &found) {
            const GzipSegment &segment = segments[s];
            const BlockRangeRead read = collectInSegment(
                files[segment.fileIndex], segment, unitLineOffsets,
                crossingUnits, query, found, cancel);
            if (onSegmentDone)
                onSegmentDone(s, read.compressedBytes, read.error);
        });
}

void collectPieceEvidence(
    const std::vector<InputFile> &files,
    const std::vector<EvidencePiece> &pieces, const EvidenceQuery &query,
    int threads, std::vector<EvidenceAccumulator> &evidence,
    const std::atomic<bool> *cancel,
    const std::function<void(std::size_t piece, std::int64_t bytes,
                             const std::string &error)> &onPieceDone)
{
    std::vector<std::vector<PieceCount>> counts(pieces.size());
    const auto crossesIn = [&query](std::size_t pair, std::int32_t unit) {
        return (*query.pairs)[pair].crossing.chunk == unit;
    };
    collectOnThreads(
        threads, pieces.size(), cancel, evidence,
        [&](std::size_t p, std::vector<EvidenceAccumulator> &into) {
            const EvidencePiece &piece = pieces[p];
            if (!piece.read)
                return;
            ChunkEvidence found;
            collectInPiece(files[piece.range.fileIndex], piece, query, found,
                           cancel);
            for (std::size_t i = 0; i < found.pairs.size(); ++i) {
                const std::int64_t events = found.pairs[i].events;
                if (events > 0 && crossesIn(i, piece.unit))
                    counts[p].push_back(
                        {static_cast<std::uint32_t>(i), events});
                mergeEvidence(std::move(found.pairs[i]), 0, into[i]);
            }
            if (onPieceDone)
                onPieceDone(p, piece.range.end - piece.range.begin,
                            found.read.error);
        });
    // A pair's events in a piece count as one entry, whether this pass or
    // the counting pass collected them, because a crossing's rank is
    // counted from the piece's first line.
    for (std::size_t p = 0; p < pieces.size(); ++p) {
        for (const PieceCount &early : pieces[p].collectedEarly) {
            if (!crossesIn(early.pair, pieces[p].unit))
                continue;
            const auto same = std::find_if(counts[p].begin(), counts[p].end(),
                                           [&early](const PieceCount &read) {
                                               return read.pair == early.pair;
                                           });
            if (same != counts[p].end())
                same->events += early.events;
            else
                counts[p].push_back(early);
        }
    }
    if (!(cancel && *cancel))
        resolveCrossings(files, pieces, counts, query, threads, evidence,
                         cancel);
}

void mergeEvidence(EvidenceAccumulator &&from, std::int64_t lineOffset,
                   EvidenceAccumulator &into)
{
    into.eventNames.merge(from.eventNames);
    into.libraries.merge(from.libraries);
    into.devices.merge(std::move(from.devices));
    into.users.merge(std::move(from.users));
    into.uniqueKeys.merge(std::move(from.uniqueKeys));
    into.eventsWithoutInsertId += from.eventsWithoutInsertId;
    into.events += from.events;
    if (!from.eventsPerMinute.empty()) {
        if (into.eventsPerMinute.empty())
            into.eventsPerMinute.assign(kMinutesPerDay, 0);
        for (int minute = 0; minute < kMinutesPerDay; ++minute)
            into.eventsPerMinute[minute] += from.eventsPerMinute[minute];
    }
    if (from.hasCrossing) {
        into.hasCrossing = true;
        into.crossing = std::move(from.crossing);
        into.crossing.line += lineOffset;
    }
}

void applyEvidence(const EvidenceAccumulator &acc, int topN,
                   PairFinding &finding)
{
    Evidence &evidence = finding.evidence;
    evidence.topEvents = topCounts(acc.eventNames, topN);
    evidence.libraries = topCounts(acc.libraries, topN);
    for (NamedCount &library : evidence.libraries) {
        if (library.name.empty())
            library.name = "(none)";
    }
    evidence.distinctDevices = static_cast<std::int64_t>(acc.devices.size());
    evidence.distinctUsers = static_cast<std::int64_t>(acc.users.size());
    finding.uniqueEvents = static_cast<std::int64_t>(acc.uniqueKeys.size()) +
                           acc.eventsWithoutInsertId;
    evidence.duplicates = acc.events - finding.uniqueEvents;
    evidence.eventsPerMinute = acc.eventsPerMinute;
    if (evidence.eventsPerMinute.empty())
        evidence.eventsPerMinute.assign(kMinutesPerDay, 0);
    if (acc.hasCrossing)
        finding.crossing = acc.crossing;
}

namespace {

constexpr double kDuplicateShare = 0.3;
constexpr double kServerShare = 0.8;
constexpr std::int64_t kManySenders = 10;
constexpr std::int64_t kFewDevices = 3;

// mp_lib / $lib values of Mixpanel's server-side SDKs and import tools;
// "(none)" stands for events that carry no library at all.
constexpr std::array<std::string_view, 12> kServerLibraries = {
    "python",
    "node",
    "nodejs",
    "ruby",
    "php",
    "java",
    "go",
    "dotnet",
    "rust",
    "(none)",
    "mixpanel-import",
    "mp-import"};

std::string percent(double share)
{
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%.0f%%", share * 100.0);
    return buffer;
}

bool isServerLibrary(std::string_view name)
{
    return std::find(kServerLibraries.begin(), kServerLibraries.end(), name) !=
           kServerLibraries.end();
}

double serverShare(const Evidence &evidence, std::string &names)
{
    std::int64_t server = 0;
    std::int64_t total = 0;
    for (const NamedCount &library : evidence.libraries) {
        total += library.count;
        if (!isServerLibrary(library.name))
            continue;
        server += library.count;
        const std::string name =
            library.name == "(none)" ? "no mp_lib" : library.name;
        names += names.empty() ? name : ", " + name;
    }
    return total == 0 ? 0.0 : static_cast<double>(server) / total;
}

std::int64_t activeMinutes(const Evidence &evidence)
{
    return std::count_if(evidence.eventsPerMinute.begin(),
                         evidence.eventsPerMinute.end(),
                         [](std::int32_t count) { return count > 0; });
}

std::string quoted(const PairFinding &finding)
{
    return "'" + finding.id + "'";
}

} // namespace

namespace {

/// The sentence that an id flag adds to a cause, or an empty text.
std::string idFlagSentence(const PairFinding &finding)
{
    if (finding.idFlags & IdFlagLiteralName)
        return " " + quoted(finding) +
               " looks like a property name, not an id.";
    if (finding.idFlags & IdFlagPlaceholder)
        return " " + quoted(finding) +
               " is a placeholder value that Mixpanel's Import API rejects.";
    return {};
}

/// A likely cause in two parts: what the evidence shows, and what the
/// owner should do, which the text ends with.
struct CauseText {
    LikelyCause cause = LikelyCause::Unknown;
    std::string finding;
    std::string action;
};

CauseText describeCause(const PairFinding &finding)
{
    const Evidence &evidence = finding.evidence;
    const std::int64_t events = std::max<std::int64_t>(1, finding.events);
    const double duplicateShare =
        static_cast<double>(evidence.duplicates) / static_cast<double>(events);
    const bool isGroup = finding.kind == ShardKind::Group;
    const std::int64_t senders =
        isGroup ? evidence.distinctUsers : evidence.distinctDevices;
    std::string serverNames;
    const double server = serverShare(evidence, serverNames);

    if (duplicateShare >= kDuplicateShare)
        return {LikelyCause::DuplicateStorm,
                percent(duplicateShare) + " of the " + formatCount(events) +
                    " events repeat an earlier event with the same name, id, "
                    "time and $insert_id: client retries or a replayed "
                    "import. Mixpanel counts duplicates toward the limit, so "
                    "reports show fewer events than the alert.",
                "Find the client or import job that sends them again and "
                "stop it."};
    if (senders >= kManySenders && isGroup)
        return {LikelyCause::StaticIdManyDevices,
                countOf(senders, "user") + " sent events in group " +
                    quoted(finding) + " of '" + finding.groupKey +
                    "'. A group id shared by that many users usually means "
                    "set_group() was called with a literal.",
                "Pass each group's own id to set_group()."};
    if (senders >= kManySenders)
        return {LikelyCause::StaticIdManyDevices,
                countOf(senders, "device") + " sent events as " +
                    quoted(finding) +
                    ". A static id shared by many devices usually means "
                    "identify() was called with a literal instead of each "
                    "user's id.",
                "Pass each user's own id to identify()."};
    if (server >= kServerShare)
        return {
            LikelyCause::ServerSideOneId,
            percent(server) +
                " of the events come from server-side "
                "sources (" +
                (serverNames.empty() ? std::string("no mp_lib") : serverNames) +
                ")" +
                (evidence.distinctDevices == 0
                     ? std::string(" and none carries a $device_id")
                     : " and " + countOf(evidence.distinctDevices, "device") +
                           " sent them") +
                ": server-side data tagged with one id.",
            isGroup ? "Set the group property only on events that belong "
                      "to that group."
                    : "Send events that belong to no user with "
                      "distinct_id \"\"."};
    // Projects without ID merge often send no $device_id, so the devices
    // behind a client library cannot be distinguished.
    if (evidence.distinctDevices == 0)
        return {LikelyCause::Unknown,
                percent(1.0 - server) +
                    " of the events come from client libraries, and none "
                    "carries a $device_id, so the devices that sent them "
                    "cannot be counted. A static id set on many clients and "
                    "one client in a loop both look like this.",
                "Compare the events per minute and the top events in the "
                "JSON report or the desktop program."};
    if (evidence.distinctDevices <= kFewDevices) {
        const std::int64_t minutes =
            std::max<std::int64_t>(1, activeMinutes(evidence));
        return {LikelyCause::AutomationFewDevices,
                "The events come from " +
                    countOf(evidence.distinctDevices, "device") + " at about " +
                    countOf(events / minutes, "event") +
                    " per active minute over " + countOf(minutes, "minute") +
                    ": an automated client, a test or a retry loop.",
                "Stop or throttle it, or send its events with distinct_id "
                "\"\" if they belong to no user."};
    }
    return {LikelyCause::Unknown,
            "No single pattern stands out: " +
                countOf(evidence.distinctDevices, "device") + ", " +
                percent(duplicateShare) + " duplicates.",
            "Compare the pair's top events and libraries in the JSON report "
            "or the desktop program."};
}

} // namespace

void explainLikelyCause(PairFinding &finding)
{
    const CauseText text = describeCause(finding);
    finding.likelyCause = text.cause;
    // Appended piece by piece: a chain of + trips a false -Wrestrict
    // warning in GCC 12.
    finding.likelyCauseText = text.finding;
    finding.likelyCauseText.append(idFlagSentence(finding));
    finding.likelyCauseText.append(" ").append(text.action);
}

} // namespace hsi::detail
