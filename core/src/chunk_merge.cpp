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
/// on all threads first, since the table does not change then.
std::vector<std::uint32_t> mapIds(const ChunkCounts &chunk,
                                  const std::vector<std::string> &keyOfSpace,
                                  int threads, GlobalCounts &global)
{
    const auto count = static_cast<std::uint32_t>(chunk.ids.size());
    std::vector<std::uint32_t> toGlobal(count);
    const int parts = chunk.pairs.size() >= kParallelMinimum ? threads : 1;
    forEachPart(
        parts, count, [&](std::size_t, std::size_t begin, std::size_t end) {
            for (std::size_t local = begin; local < end; ++local) {
                if (local + kLookahead < end)
                    global.ids.prefetch(chunk.ids.hash(
                        static_cast<std::uint32_t>(local + kLookahead)));
                if (local + kLookahead / 2 < end)
                    global.ids.prefetchRecord(chunk.ids.hash(
                        static_cast<std::uint32_t>(local + kLookahead / 2)));
                const auto id = static_cast<std::uint32_t>(local);
                const std::uint32_t found =
                    global.ids.find(chunk.ids.space(id), chunk.ids.text(id),
                                    chunk.ids.hash(id));
                toGlobal[local] = found;
                // An id sent as a number anywhere is flagged, whichever
                // form came first. Each thread writes different ids.
                if (found != IdInterner::kNotFound && chunk.numericIds[local])
                    global.idFlags[found] |= IdFlagNumeric;
            }
        });

    const auto firstNew = static_cast<std::uint32_t>(global.ids.size());
    std::vector<std::uint32_t> localOfNew;
    for (std::uint32_t local = 0; local < count; ++local) {
        if (toGlobal[local] == IdInterner::kNotFound)
            localOfNew.push_back(local);
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
                    const std::uint64_t globalKey =
                        pairKey(toGlobal[pairIdIndex(key)], pairDay(key));
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
                        TrackingThresholds *tracking)
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
        toGlobal = mapIds(chunk, groupKeyOfSpace, threads, global);
    }
    mergePairs(chunk, toGlobal, chunkIndex, settings, threads, global,
               tracking);
    chunk.remediated.forEach([&](std::uint64_t key, std::int64_t events) {
        global.remediated[pairKey(toGlobal[pairIdIndex(key)], pairDay(key))] +=
            events;
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
