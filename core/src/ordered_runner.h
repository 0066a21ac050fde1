#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace hsi::detail {

/// Runs `work(i, result)` for i in [0, count) on `threads` workers and calls
/// `merge(i, result)` on the calling thread in index order, as soon as each
/// result and all before it are ready. Workers stay at most threads + 1
/// items ahead of the merge, which bounds the memory held by waiting
/// results.
template <typename Result>
void runInOrder(std::size_t count, int threads,
                const std::function<void(std::size_t, Result &)> &work,
                const std::function<void(std::size_t, Result &&)> &merge)
{
    const std::size_t window = static_cast<std::size_t>(std::max(1, threads)) + 1;
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::size_t, Result> finished;
    std::size_t nextToTake = 0;
    std::size_t nextToMerge = 0;

    auto worker = [&] {
        for (;;) {
            std::size_t index = 0;
            {
                std::unique_lock lock(mutex);
                changed.wait(lock, [&] {
                    return nextToTake >= count ||
                           nextToTake < nextToMerge + window;
                });
                if (nextToTake >= count)
                    return;
                index = nextToTake++;
            }
            Result result;
            work(index, result);
            std::lock_guard lock(mutex);
            finished.emplace(index, std::move(result));
            changed.notify_all();
        }
    };

    std::vector<std::thread> pool;
    const int poolSize =
        static_cast<int>(std::min<std::size_t>(count, std::max(1, threads)));
    for (int i = 0; i < poolSize; ++i)
        pool.emplace_back(worker);

    while (nextToMerge < count) {
        Result result;
        {
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return finished.count(nextToMerge) > 0; });
            auto node = finished.extract(nextToMerge);
            result = std::move(node.mapped());
        }
        merge(nextToMerge, std::move(result));
        std::lock_guard lock(mutex);
        ++nextToMerge;
        changed.notify_all();
    }
    for (std::thread &thread : pool)
        thread.join();
}

} // namespace hsi::detail
