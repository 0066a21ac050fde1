#pragma once

#include <atomic>
#include <chrono>
#include <thread>

namespace hsi::api {

/// Sleeps for `delay` in short steps; returns false early when `cancel`
/// becomes true.
inline bool sleepUnlessCancelled(std::chrono::milliseconds delay,
                                 const std::atomic<bool> *cancel)
{
    const auto end = std::chrono::steady_clock::now() + delay;
    for (;;) {
        if (cancel && cancel->load())
            return false;
        const auto now = std::chrono::steady_clock::now();
        if (now >= end)
            return true;
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(
                end - now, std::chrono::milliseconds(50)));
    }
}

} // namespace hsi::api
