#include "hsi/api/rate_limiter.h"

#include <algorithm>

namespace hsi::api {

RateLimiter::RateLimiter(RateLimits limits) : m_limits(limits)
{
    m_limits.requestsPerWindow = std::max(1, m_limits.requestsPerWindow);
    m_limits.requestsPerSecond = std::max(1, m_limits.requestsPerSecond);
    m_limits.maxInFlight = std::max(1, m_limits.maxInFlight);
}

RateLimiter::Permit &RateLimiter::Permit::operator=(Permit &&other) noexcept
{
    if (this != &other) {
        if (m_owner)
            m_owner->release();
        m_owner = other.m_owner;
        other.m_owner = nullptr;
    }
    return *this;
}

RateLimiter::Permit::~Permit()
{
    if (m_owner)
        m_owner->release();
}

RateLimiter::Clock::time_point
RateLimiter::nextAllowedStart(Clock::time_point now)
{
    const auto window =
        std::max<Clock::duration>(m_limits.window, std::chrono::seconds(1));
    while (!m_starts.empty() && m_starts.front() <= now - window)
        m_starts.pop_front();

    Clock::time_point allowed = now;
    const auto size = static_cast<int>(m_starts.size());
    if (size >= m_limits.requestsPerWindow) {
        const auto oldest = m_starts[size - m_limits.requestsPerWindow];
        allowed = std::max(allowed, oldest + m_limits.window);
    }
    if (size >= m_limits.requestsPerSecond) {
        const auto oldest = m_starts[size - m_limits.requestsPerSecond];
        allowed = std::max<Clock::time_point>(allowed,
                                              oldest + std::chrono::seconds(1));
    }
    return allowed;
}

RateLimiter::Permit RateLimiter::acquire(const std::atomic<bool> *cancel)
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (cancel && cancel->load())
            return Permit();
        const auto now = Clock::now();
        const auto allowed = nextAllowedStart(now);
        if (m_inFlight < m_limits.maxInFlight && allowed <= now) {
            m_starts.push_back(now);
            ++m_inFlight;
            return Permit(this);
        }
        // Wake up at least every 200 ms to notice a cancel request.
        const auto wakeUp =
            m_inFlight < m_limits.maxInFlight
                ? std::min(allowed, now + std::chrono::milliseconds(200))
                : now + std::chrono::milliseconds(200);
        m_changed.wait_until(lock, wakeUp);
    }
}

void RateLimiter::release()
{
    {
        std::lock_guard lock(m_mutex);
        --m_inFlight;
    }
    m_changed.notify_all();
}

} // namespace hsi::api
