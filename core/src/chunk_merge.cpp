// Merging one chunk's counts into the global counts, on several threads when
// the chunk is large. A plain file is split into one range per thread, and
// the last range's merge runs after every thread has finished counting, so
// a merge on one thread would leave the other cores idle.

#include "id_classifier.h"
#include "pair_counter.h"
#include "parallel.h"

#include <algorithm>
#include <thread>

namespace hsi::detail {

namespace {

/// Merge steps over fewer ids or pairs than this run on the calling
/// thread, because starting threads would cost more than it saves. Blocks
/// of gzip files (4 MiB of text) usually stay below it, and their merges
/// already overlap the counting of later blocks.
constexpr std::size_t kParallelMinimum = 1 << 16;

/// Loads run this many entries ahead, so that a loop's cache misses
/// overlap instead of stalling it one at a time.
constexpr std::size_t kLookahead = 16;

/// The global index of a chunk id that a partial merge leaves out.
constexpr std::uint32_t kUnmerged = IdInterner::kNotFound - 1;

void mergeTotals(const Totals &from, Totals &to)
{
    to.events += from.events;
    to.remediatedEvents += from.remediatedEvents;
    to.skippedLines += from.skippedLines;
    to.nonAttributedEvents += from.nonAttributedEvents;
    to.nullIds += from.nullIds;
    to.missingIds += from.missingIds;
    to.structuredIds += from.structuredIds;
    to.undatedEvents += from.undatedEvents;
}

void mergeDays(const ChunkCounts &chunk, GlobalCounts &global)
{
    chunk.days.forEach([&](std::uint64_t key, const DayTotal &total) {
        DayTotal &merged = global.days[key];
        merged.day = total.day;
        merged.events += total.events;
        merged.remediatedEvents += total.remediatedEvents;
        merged.nonAttributedEvents += total.nonAttributedEvents;
    });
}

/// Classifies global ids [first, global.ids.size()). `localOf` gives each
/// one's index in the chunk, which records whether the id was a number.
template <typename LocalOf>
void classifyNewIds(const ChunkCounts &chunk, std::uint32_t first,
                    const std::vector<std::string> &keyOfSpace, int threads,
                    GlobalCounts &global, LocalOf &&localOf)
{
    const std::size_t count = global.ids.size() - first;
    global.idFlags.resize(global.ids.size());
    const int parts = count >= kParallelMinimum ? threads : 1;
    forEachPart(parts, count,
                [&](std::size_t, std::size_t begin, std::size_t end) {
                    for (std::size_t i = begin; i < end; ++i) {
                        const auto id = static_cast<std::uint32_t>(first + i);
                        const std::uint32_t space = global.ids.space(id);
                        const IdKind kind = chunk.numericIds[localOf(id)]
                                                ? IdKind::Number
                                                : IdKind::String;
                        global.idFlags[id] =
                            classifyId(kind, global.ids.text(id),
                                       space == kUserSpace ? std::string_view()
                                                           : keyOfSpace[space]);
                    }
                });
}

/// Returns the global index of each of the chunk's ids, adding new ones in
/// chunk order so that indexes follow input order. Known ids are looked up
/// on all threads first, since the table does not change then. With
/// `selected`, only the listed local ids are mapped, and the others map to
/// kUnmerged.
std::vector<std::uint32_t> mapIds(const ChunkCounts &chunk,
                                  const std::vector<std::string> &keyOfSpace,
                                  int threads, GlobalCounts &global,
                                  const std::vector<std::uint32_t> *selected)
{
    const auto count = static_cast<std::uint32_t>(chunk.ids.size());
    std::vector<std::uint32_t> toGlobal(count, kUnmerged);
    const std::size_t mapped = selected ? selected->size() : count;
    const auto localAt = [selected](std::size_t i) {
        return selected ? (*selected)[i] : static_cast<std::uint32_t>(i);
    };
    const std::size_t work = selected ? mapped : chunk.pairs.size();
    const int parts = work >= kParallelMinimum ? threads : 1;
    forEachPart(
        parts, mapped, [&](std::size_t, std::size_t begin, std::size_t end) {
            for (std::size_t i = begin; i < end; ++i) {
                if (i + kLookahead < end)
                    global.ids.prefetch(
                        chunk.ids.hash(localAt(i + kLookahead)));
                if (i + kLookahead / 2 < end)
                    global.ids.prefetchRecord(
                        chunk.ids.hash(localAt(i + kLookahead / 2)));
                const std::uint32_t local = localAt(i);
                const std::uint32_t found = global.ids.find(
                    chunk.ids.space(local), chunk.ids.text(local),
                    chunk.ids.hash(local));
                toGlobal[local] = found;
                // An id sent as a number anywhere is flagged, whichever
                // form came first. Each thread writes different ids.
                if (found != IdInterner::kNotFound && chunk.numericIds[local])
                    global.idFlags[found] |= IdFlagNumeric;
            }
        });

    const auto firstNew = static_cast<std::uint32_t>(global.ids.size());
    std::vector<std::uint32_t> localOfNew;
    for (std::size_t i = 0; i < mapped; ++i) {
        if (toGlobal[localAt(i)] == IdInterner::kNotFound)
            localOfNew.push_back(localAt(i));
    }
    global.ids.reserve(global.ids.size() + localOfNew.size());
    for (std::size_t i = 0; i < localOfNew.size(); ++i) {
        if (i + kLookahead < localOfNew.size())
            global.ids.prefetch(chunk.ids.hash(localOfNew[i + kLookahead]));
        const std::uint32_t local = localOfNew[i];
        toGlobal[local] =
            global.ids.intern(chunk.ids.space(local), chunk.ids.text(local),
                              chunk.ids.hash(local));
    }
    classifyNewIds(chunk, firstNew, keyOfSpace, threads, global,
                   [&](std::uint32_t id) { return localOfNew[id - firstNew]; });
    return toGlobal;
}

std::int64_t limitOf(const IdInterner &ids, std::uint32_t id,
                     const ScanSettings &settings)
{
    return ids.space(id) == kUserSpace ? settings.userLimit
                                       : settings.groupLimit;
}

// With nothing merged yet, every count starts at zero: the chunk's tables
// become the global ones and a pair over its limit crossed it at rank
// limit + 1 of this chunk.
void adoptChunk(ChunkCounts &chunk, std::int32_t chunkIndex,
                const ScanSettings &settings,
                const std::vector<std::string> &keyOfSpace, int threads,
                GlobalCounts &global, TrackingThresholds *tracking)
{
    global.ids = std::move(chunk.ids);
    classifyNewIds(chunk, 0, keyOfSpace, threads, global,
                   [](std::uint32_t id) { return id; });
    global.pairs = std::move(chunk.pairs);
    global.remediated = std::move(chunk.remediated);
    const std::int64_t lowestLimit =
        std::min(settings.userLimit, settings.groupLimit);
    const auto overLowestLimit = [lowestLimit](const GlobalPair &pair) {
        return pair.events > lowestLimit;
    };
    global.pairs.forEachWhere(
        overLowestLimit, [&](std::uint64_t key, const GlobalPair &pair) {
            const std::int64_t limit =
                limitOf(global.ids, pairIdIndex(key), settings);
            if (pair.events > limit)
                global.crossings[key] = {chunkIndex, limit + 1};
        });
    if (!tracking)
        return;
    const std::int64_t lowest = std::min(tracking->user, tracking->group);
    const auto reachedLowest = [lowest](const GlobalPair &pair) {
        return pair.events >= lowest;
    };
    global.pairs.forEachWhere(reachedLowest, [&](std::uint64_t key,
                                                 const GlobalPair &pair) {
        const bool isUser = global.ids.space(pairIdIndex(key)) == kUserSpace;
        if (pair.events >= (isUser ? tracking->user : tracking->group))
            tracking->reached.push_back(key);
    });
}

/// A chunk's pair, keyed for the global table.
struct PairUpdate {
    std::uint64_t globalKey;
    const GlobalPair *counts;
};

/// Adds one chunk's counts of a pair to its global counts. Crossings go to
/// `crossings`, which each thread keeps for itself.
class PairMerger {
public:
    PairMerger(std::int32_t chunkIndex, const ScanSettings &settings,
               const IdInterner &ids,
               std::vector<std::pair<std::uint64_t, LimitCrossing>> &crossings,
               const TrackingThresholds *tracking,
               std::vector<std::uint64_t> &reached)
        : m_chunkIndex(chunkIndex), m_settings(settings), m_ids(ids),
          m_crossings(crossings),
          m_lowestLimit(std::min(settings.userLimit, settings.groupLimit)),
          m_tracking(tracking), m_reached(reached),
          m_lowestTrackFrom(tracking ? std::min(tracking->user, tracking->group)
                                     : 0)
    {
    }

    void add(const PairUpdate &update, GlobalPair &pair) const
    {
        const GlobalPair &counts = *update.counts;
        if (m_tracking && pair.events + counts.events >= m_lowestTrackFrom &&
            pair.events < std::max(m_tracking->user, m_tracking->group))
            noteTracking(update.globalKey, pair.events, counts.events);
        // Most pairs stay far below either limit, so the id's own limit,
        // which costs a lookup in the id table, is read only near one.
        if (pair.events + counts.events > m_lowestLimit) {
            const std::int64_t limit =
                limitOf(m_ids, pairIdIndex(update.globalKey), m_settings);
            if (pair.events <= limit && pair.events + counts.events > limit)
                m_crossings.push_back(
                    {update.globalKey,
                     {m_chunkIndex, limit + 1 - pair.events}});
        }
        pair.events += counts.events;
    }

private:
    void noteTracking(std::uint64_t key, std::int64_t before,
                      std::int64_t added) const
    {
        const std::int64_t from = m_ids.space(pairIdIndex(key)) == kUserSpace
                                      ? m_tracking->user
                                      : m_tracking->group;
        if (before < from && before + added >= from)
            m_reached.push_back(key);
    }

    std::int32_t m_chunkIndex;
    const ScanSettings &m_settings;
    const IdInterner &m_ids;
    std::vector<std::pair<std::uint64_t, LimitCrossing>> &m_crossings;
    std::int64_t m_lowestLimit;
    const TrackingThresholds *m_tracking;
    std::vector<std::uint64_t> &m_reached;
    std::int64_t m_lowestTrackFrom;
};

/// Pairs of a chunk, grouped for a merge on several threads: [from][to]
/// contains the pairs that thread `from` read for part `to` of the table.
using PartUpdates = std::vector<std::vector<std::vector<PairUpdate>>>;

/// Reads the chunk's pairs on `parts` threads and sorts them by the part
/// of the global table where their lookup starts.
PartUpdates updatesByPart(const ChunkCounts &chunk,
                          const std::vector<std::uint32_t> &toGlobal,
                          std::size_t parts, const GlobalCounts &global)
{
    const std::size_t slots = global.pairs.slotCount();
    PartUpdates updates(parts, std::vector<std::vector<PairUpdate>>(parts));
    forEachPart(
        static_cast<int>(parts), chunk.pairs.slotCount(),
        [&](std::size_t from, std::size_t begin, std::size_t end) {
            chunk.pairs.forEachInSlots(
                begin, end, [&](std::uint64_t key, const GlobalPair &counts) {
                    const std::uint32_t id = toGlobal[pairIdIndex(key)];
                    if (id == kUnmerged)
                        return;
                    const std::uint64_t globalKey = pairKey(id, pairDay(key));
                    const std::size_t to =
                        global.pairs.homeSlot(globalKey) * parts / slots;
                    updates[from][to].push_back({globalKey, &counts});
                });
        });
    return updates;
}

/// Merges the chunk's pairs with one thread per part of the global table,
/// which must have room for all of them. Each thread takes the pairs whose
/// lookup starts in its part and updates only slots there. The few whose
/// lookup runs past the part's end are merged afterwards on the calling
/// thread.
void mergePairs(const ChunkCounts &chunk,
                const std::vector<std::uint32_t> &toGlobal,
                std::int32_t chunkIndex, const ScanSettings &settings,
                int threads, GlobalCounts &global, TrackingThresholds *tracking)
{
    const auto parts = static_cast<std::size_t>(
        chunk.pairs.size() >= kParallelMinimum ? std::max(threads, 1) : 1);
    const std::size_t slots = global.pairs.slotCount();
    const auto partEnd = [&](std::size_t part) {
        return slots * (part + 1) / parts;
    };
    const PartUpdates updates = updatesByPart(chunk, toGlobal, parts, global);

    std::vector<std::vector<std::pair<std::uint64_t, LimitCrossing>>> crossings(
        parts);
    std::vector<std::vector<PairUpdate>> overflow(parts);
    std::vector<std::size_t> inserted(parts, 0);
    std::vector<std::vector<std::uint64_t>> reached(parts);
    forEachPart(
        static_cast<int>(parts), parts,
        [&](std::size_t part, std::size_t, std::size_t) {
            const PairMerger merger(chunkIndex, settings, global.ids,
                                    crossings[part], tracking, reached[part]);
            for (std::size_t from = 0; from < parts; ++from) {
                const std::vector<PairUpdate> &list = updates[from][part];
                for (std::size_t i = 0; i < list.size(); ++i) {
                    if (i + kLookahead < list.size())
                        global.pairs.prefetch(list[i + kLookahead].globalKey);
                    GlobalPair *pair = global.pairs.updateWithin(
                        list[i].globalKey, partEnd(part), inserted[part]);
                    if (pair)
                        merger.add(list[i], *pair);
                    else
                        overflow[part].push_back(list[i]);
                }
            }
        });

    for (std::size_t part = 0; part < parts; ++part) {
        global.pairs.addInserted(inserted[part]);
        const PairMerger merger(chunkIndex, settings, global.ids,
                                crossings[part], tracking, reached[part]);
        for (const PairUpdate &update : overflow[part])
            merger.add(update, global.pairs[update.globalKey]);
        for (const auto &[key, crossing] : crossings[part])
            global.crossings[key] = crossing;
        if (tracking)
            tracking->reached.insert(tracking->reached.end(),
                                     reached[part].begin(),
                                     reached[part].end());
    }
}

} // namespace

namespace {

void mergeChunkTracking(ChunkCounts &chunk, std::int32_t chunkIndex,
                        const ScanSettings &settings,
                        const std::vector<std::string> &groupKeyOfSpace,
                        int threads, GlobalCounts &global,
                        TrackingThresholds *tracking,
                        const std::vector<std::uint32_t> *selected = nullptr)
{
    mergeDays(chunk, global);
    mergeTotals(chunk.totals, global.totals);
    if (global.ids.size() == 0 && global.pairs.size() == 0) {
        adoptChunk(chunk, chunkIndex, settings, groupKeyOfSpace, threads,
                   global, tracking);
        return;
    }
    // The pair table must not grow during the merge. Growing it touches only
    // the pairs, so for a large chunk it runs while the ids are mapped.
    const std::size_t pairsAtMost = global.pairs.size() + chunk.pairs.size();
    std::vector<std::uint32_t> toGlobal;
    {
        std::jthread grow;
        if (chunk.pairs.size() >= kParallelMinimum)
            grow = std::jthread([&] { global.pairs.reserve(pairsAtMost); });
        else
            global.pairs.reserve(pairsAtMost);
        toGlobal = mapIds(chunk, groupKeyOfSpace, threads, global, selected);
    }
    mergePairs(chunk, toGlobal, chunkIndex, settings, threads, global,
               tracking);
    chunk.remediated.forEach([&](std::uint64_t key, std::int64_t events) {
        const std::uint32_t id = toGlobal[pairIdIndex(key)];
        if (id != kUnmerged)
            global.remediated[pairKey(id, pairDay(key))] += events;
    });
}

} // namespace

void mergeChunk(ChunkCounts &chunk, std::int32_t chunkIndex,
                const ScanSettings &settings,
                const std::vector<std::string> &groupKeyOfSpace, int threads,
                GlobalCounts &global)
{
    mergeChunkTracking(chunk, chunkIndex, settings, groupKeyOfSpace, threads,
                       global, nullptr);
}

namespace {

/// Marks the chunk's ids that have an id flag, and records the namespaces
/// of all of them in `global.spacesSeen`, since ids left unmerged must still
/// show which group keys occur.
void markFlaggedIds(const ChunkCounts &chunk,
                    const std::vector<std::string> &keyOfSpace, int threads,
                    std::vector<std::uint8_t> &needed, GlobalCounts &global)
{
    const auto parts = static_cast<std::size_t>(std::max(threads, 1));
    std::vector<std::vector<bool>> spaces(
        parts, std::vector<bool>(keyOfSpace.size(), false));
    forEachPart(static_cast<int>(parts), chunk.ids.size(),
                [&](std::size_t part, std::size_t begin, std::size_t end) {
                    for (std::size_t i = begin; i < end; ++i) {
                        const auto local = static_cast<std::uint32_t>(i);
                        const std::uint32_t space = chunk.ids.space(local);
                        spaces[part][space] = true;
                        const IdKind kind = chunk.numericIds[local]
                                                ? IdKind::Number
                                                : IdKind::String;
                        const std::string_view key = space == kUserSpace
                                                         ? std::string_view()
                                                         : keyOfSpace[space];
                        needed[local] = classifyId(kind, chunk.ids.text(local),
                                                   key) != IdFlagNone;
                    }
                });
    global.spacesSeen.resize(keyOfSpace.size(), false);
    for (const std::vector<bool> &seen : spaces) {
        for (std::size_t space = 0; space < seen.size(); ++space) {
            if (seen[space])
                global.spacesSeen[space] = true;
        }
    }
}

/// Returns the ids with a pair of at least `floors` events, reading the
/// table in parts on all threads. Such pairs are few.
std::vector<std::uint32_t> idsWithLargePairs(const IdInterner &ids,
                                             const U64Map<GlobalPair> &pairs,
                                             const MergeFloors &floors,
                                             int threads)
{
    const std::int64_t lowest = std::min(floors.user, floors.group);
    const auto large = [lowest](const GlobalPair &pair) {
        return pair.events >= lowest;
    };
    const auto parts = static_cast<std::size_t>(std::max(threads, 1));
    std::vector<std::vector<std::uint32_t>> found(parts);
    forEachPart(static_cast<int>(parts), pairs.slotCount(),
                [&](std::size_t part, std::size_t begin, std::size_t end) {
                    pairs.forEachWhereInSlots(
                        begin, end, large,
                        [&](std::uint64_t key, const GlobalPair &pair) {
                            const std::uint32_t id = pairIdIndex(key);
                            const std::int64_t floor =
                                ids.space(id) == kUserSpace ? floors.user
                                                            : floors.group;
                            if (pair.events >= floor)
                                found[part].push_back(id);
                        });
                });
    std::vector<std::uint32_t> all;
    for (const std::vector<std::uint32_t> &list : found)
        all.insert(all.end(), list.begin(), list.end());
    return all;
}

/// Lists the chunk's ids that a report can need: those with a pair of at
/// least `floors` events in the chunk or in the global counts, and those
/// flagged here or in the global counts, whose events the report totals.
std::vector<std::uint32_t>
selectNeededIds(const ChunkCounts &chunk,
                const std::vector<std::string> &keyOfSpace, int threads,
                const MergeFloors &floors, GlobalCounts &global)
{
    std::vector<std::uint8_t> needed(chunk.ids.size(), 0);
    markFlaggedIds(chunk, keyOfSpace, threads, needed, global);
    for (const std::uint32_t local :
         idsWithLargePairs(chunk.ids, chunk.pairs, floors, threads))
        needed[local] = 1;

    std::vector<std::uint32_t> globalIds =
        idsWithLargePairs(global.ids, global.pairs, floors, threads);
    for (std::uint32_t id = 0; id < global.idFlags.size(); ++id) {
        if (global.idFlags[id] != IdFlagNone)
            globalIds.push_back(id);
    }
    for (const std::uint32_t id : globalIds) {
        const std::uint32_t local = chunk.ids.find(
            global.ids.space(id), global.ids.text(id), global.ids.hash(id));
        if (local != IdInterner::kNotFound)
            needed[local] = 1;
    }

    std::vector<std::uint32_t> selected;
    for (std::uint32_t local = 0; local < needed.size(); ++local) {
        if (needed[local])
            selected.push_back(local);
    }
    return selected;
}

} // namespace

void mergeChunkInPart(ChunkCounts &chunk, std::int32_t chunkIndex,
                      const ScanSettings &settings,
                      const std::vector<std::string> &groupKeyOfSpace,
                      int threads, const MergeFloors &floors,
                      GlobalCounts &global)
{
    // With nothing merged yet, the chunk's tables are taken whole, which
    // costs less than a selection.
    if (global.ids.size() == 0 && global.pairs.size() == 0) {
        mergeChunk(chunk, chunkIndex, settings, groupKeyOfSpace, threads,
                   global);
        return;
    }
    const std::vector<std::uint32_t> selected =
        selectNeededIds(chunk, groupKeyOfSpace, threads, floors, global);
    mergeChunkTracking(chunk, chunkIndex, settings, groupKeyOfSpace, threads,
                       global, nullptr, &selected);
}

void mergeChunk(ChunkCounts &chunk, std::int32_t chunkIndex,
                const ScanSettings &settings,
                const std::vector<std::string> &groupKeyOfSpace, int threads,
                GlobalCounts &global, TrackingThresholds &tracking)
{
    tracking.reached.clear();
    mergeChunkTracking(chunk, chunkIndex, settings, groupKeyOfSpace, threads,
                       global, &tracking);
}

} // namespace hsi::detail
