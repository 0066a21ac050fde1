#pragma once

#include "gzip_reader.h"
#include "input_source.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hsi::detail {

/// The smallest piece of input one worker reads: a byte range or whole file
/// (a Chunk), or one inflated block of a gzip line-layout file. Units are
/// numbered in input order; every pass over the same files produces the
/// same units, because block boundaries depend only on the inflated bytes.
struct WorkUnit {
    std::size_t index = 0;
    std::size_t chunkIndex = 0;
    bool isBlock = false;
    TextBlock block;
    /// For the last unit of a block-read file: why reading stopped early,
    /// such as a truncated gzip stream; empty otherwise.
    std::string readError;
    /// For the last unit of a block-read file: whether every block of the
    /// file was handed out, which a cancel can prevent.
    bool fileReadToEnd = false;
};

/// Hands out the units of a list of chunks in order, inflating gzip files
/// on a background thread. Safe to call from several workers.
class WorkUnitSource {
public:
    WorkUnitSource(const std::vector<InputFile> &files,
                   const std::vector<Chunk> &chunks,
                   const std::atomic<bool> *cancel);
    ~WorkUnitSource();

    /// Fills `unit` with the next unit; returns false when all are handed
    /// out. `compressedBytesDone` receives a block's progress in its file.
    bool next(WorkUnit &unit, std::int64_t &compressedBytesDone);
    /// Gives a block's buffer back to its reader for reuse.
    void recycle(WorkUnit &unit);

    /// Makes a later pass read only the chunks c with `chunksToRead[c]`
    /// set, each whole, with units numbered from `firstUnit[c]` as in the
    /// pass that read them all. Other chunks are not opened.
    void readOnly(std::vector<bool> chunksToRead,
                  std::vector<std::size_t> firstUnit);

    /// Makes gzip readers save checkpoints, so that a later pass can
    /// inflate parts of a file in parallel; see GzipBlockReader.
    void keepCheckpoints();
    /// The checkpoints of each chunk read to its end, indexed by chunk.
    std::vector<std::vector<GzipCheckpoint>> takeCheckpoints();

private:
    bool startChunk(WorkUnit &unit);

    const std::vector<InputFile> &m_files;
    const std::vector<Chunk> &m_chunks;
    const std::atomic<bool> *m_cancel;
    std::mutex m_mutex;
    std::size_t m_nextChunk = 0;
    std::size_t m_nextIndex = 0;
    std::unique_ptr<GzipBlockReader> m_reader;
    std::size_t m_readerChunk = 0;
    std::vector<bool> m_chunksToRead;
    std::vector<std::size_t> m_firstUnit;
    bool m_keepCheckpoints = false;
    /// Checkpoints left to save in all files. Each is about 87 KB of
    /// decoder state plus at most 64 KiB of text, so together they take at
    /// most about 39 MB, and about 22 MB when lines are short.
    std::atomic<int> m_checkpointBudget{256};
    std::vector<std::vector<GzipCheckpoint>> m_checkpoints;
};

} // namespace hsi::detail

#include <condition_variable>
#include <map>
#include <thread>

namespace hsi::detail {

/// Description of a finished unit, kept for the merge after its buffer is
/// recycled.
struct UnitInfo {
    std::size_t index = 0;
    std::size_t chunkIndex = 0;
    bool isBlock = false;
    std::string readError;
    bool fileReadToEnd = false;
    /// For a block: the compressed bytes of its file up to its end.
    std::int64_t compressedBytesDone = 0;
};

/// Runs `work` on every unit of `source` on `threads` workers and calls
/// `merge` on the calling thread in the order the units were handed out,
/// as soon as each result and all before it are ready. Workers stay at most
/// threads + 1 units ahead of the merge, which bounds the memory held by
/// waiting results. `merge` receives whether a worker was busy when the
/// merge started, so that it can use every core when none was.
/// `onTaken(unit, compressedBytesDone)` runs, serialised, as each unit is
/// handed out.
template <typename Result>
void runUnitsInOrder(
    WorkUnitSource &source, int threads,
    const std::function<void(const WorkUnit &, std::int64_t)> &onTaken,
    const std::function<void(WorkUnit &, Result &)> &work,
    const std::function<void(const UnitInfo &, Result &&, bool workersBusy)>
        &merge)
{
    const std::size_t window =
        static_cast<std::size_t>(std::max(1, threads)) + 1;
    std::mutex takeMutex;
    std::mutex stateMutex;
    std::condition_variable changed;
    std::map<std::size_t, std::pair<UnitInfo, Result>> finished;
    std::size_t unitsTaken = 0;
    std::size_t nextToMerge = 0;
    std::size_t busyWorkers = 0;
    bool exhausted = false;

    auto worker = [&] {
        for (;;) {
            WorkUnit unit;
            // Results are merged in the order units are handed out. Unit
            // numbers can skip values when a pass reads only some units.
            std::size_t sequence = 0;
            {
                std::lock_guard take(takeMutex);
                {
                    std::unique_lock state(stateMutex);
                    changed.wait(state, [&] {
                        return exhausted || unitsTaken < nextToMerge + window;
                    });
                    if (exhausted)
                        return;
                }
                std::int64_t compressedBytesDone = -1;
                const bool more = source.next(unit, compressedBytesDone);
                std::lock_guard state(stateMutex);
                if (!more) {
                    exhausted = true;
                    changed.notify_all();
                    return;
                }
                sequence = unitsTaken++;
                ++busyWorkers;
                if (onTaken)
                    onTaken(unit, compressedBytesDone);
            }
            Result result;
            work(unit, result);
            UnitInfo info{unit.index,         unit.chunkIndex,
                          unit.isBlock,       std::move(unit.readError),
                          unit.fileReadToEnd, unit.block.compressedBytesDone};
            source.recycle(unit);
            std::lock_guard state(stateMutex);
            --busyWorkers;
            finished.emplace(
                sequence, std::make_pair(std::move(info), std::move(result)));
            changed.notify_all();
        }
    };

    std::vector<std::thread> pool;
    for (int i = 0; i < std::max(1, threads); ++i)
        pool.emplace_back(worker);

    for (;;) {
        std::pair<UnitInfo, Result> entry;
        bool workersBusy = false;
        {
            std::unique_lock state(stateMutex);
            changed.wait(state, [&] {
                return finished.count(nextToMerge) > 0 ||
                       (exhausted && nextToMerge == unitsTaken);
            });
            if (finished.count(nextToMerge) == 0)
                break;
            entry = std::move(finished.extract(nextToMerge).mapped());
            workersBusy = busyWorkers > 0;
        }
        merge(entry.first, std::move(entry.second), workersBusy);
        std::lock_guard state(stateMutex);
        ++nextToMerge;
        changed.notify_all();
    }
    for (std::thread &thread : pool)
        thread.join();
}

} // namespace hsi::detail
