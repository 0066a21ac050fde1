#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace hsi::detail {

/// Calls `work(part, begin, end)` for `parts` contiguous parts of
/// [0, count), each on its own thread, the last on the calling thread.
/// Returns when all are done.
template <typename Work>
void forEachPart(int parts, std::size_t count, Work &&work)
{
    const auto partCount = static_cast<std::size_t>(std::max(parts, 1));
    std::vector<std::jthread> helpers;
    for (std::size_t part = 0; part + 1 < partCount; ++part) {
        helpers.emplace_back(work, part, count * part / partCount,
                             count * (part + 1) / partCount);
    }
    work(partCount - 1, count * (partCount - 1) / partCount, count);
}

/// Calls `work(thread, index)` for every index in [0, count) on `threads`
/// threads, one of them the calling thread. Each thread takes the next
/// index as it finishes one, so uneven items keep all threads busy.
/// `stop()` is checked before each item. Returns when all threads are done.
template <typename Work, typename Stop>
void forEachIndex(int threads, std::size_t count, Stop &&stop, Work &&work)
{
    std::atomic<std::size_t> next = 0;
    const auto run = [&](std::size_t thread) {
        for (std::size_t index = next++; index < count; index = next++) {
            if (stop())
                return;
            work(thread, index);
        }
    };
    std::vector<std::jthread> helpers;
    for (int thread = 1; thread < threads; ++thread)
        helpers.emplace_back(run, static_cast<std::size_t>(thread));
    run(0);
}

} // namespace hsi::detail
