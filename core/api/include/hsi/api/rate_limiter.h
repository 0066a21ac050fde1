#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace hsi::api {

/// Request limits of one project. The defaults are the Export API's
/// documented limits: 60 requests per hour and 3 per second. `window` is a
/// setting so that tests can use a short one.
struct RateLimits {
    int requestsPerWindow = 60;
    std::chrono::milliseconds window{std::chrono::hours(1)};
    int requestsPerSecond = 3;
    /// Requests under way at once.
    int maxInFlight = 3;
};

/// Spaces the requests of one client so that no sliding window of
/// `window` (or of one second) holds more starts than allowed, and at most
/// `maxInFlight` run at once. Thread-safe; shared by every request of a
/// job. A sliding log is used instead of a token bucket because it never
/// lets a burst exceed the documented per-hour count.
class RateLimiter {
public:
    explicit RateLimiter(RateLimits limits);

    /// A granted request slot, released when destroyed.
    class Permit {
    public:
        Permit() = default;
        explicit Permit(RateLimiter *owner) : m_owner(owner) {}
        Permit(Permit &&other) noexcept : m_owner(other.m_owner)
        {
            other.m_owner = nullptr;
        }
        Permit &operator=(Permit &&other) noexcept;
        Permit(const Permit &) = delete;
        Permit &operator=(const Permit &) = delete;
        ~Permit();

        bool isGranted() const { return m_owner != nullptr; }

    private:
        RateLimiter *m_owner = nullptr;
    };

    /// Blocks until a request may start. Returns an empty permit when
    /// `cancel` becomes true while waiting.
    Permit acquire(const std::atomic<bool> *cancel = nullptr);

    const RateLimits &limits() const { return m_limits; }

private:
    using Clock = std::chrono::steady_clock;

    Clock::time_point nextAllowedStart(Clock::time_point now);
    void release();

    RateLimits m_limits;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Clock::time_point> m_starts;
    int m_inFlight = 0;
};

} // namespace hsi::api
