#pragma once

#include <chrono>
#include <optional>
#include <random>

namespace hsi::api {

/// How failed requests are retried. The defaults follow Mixpanel's import
/// guidance: start at 2 s, double up to 60 s, add 1-5 s of random jitter.
/// Tests shrink every delay to milliseconds.
struct RetrySettings {
    /// Attempts per request, the first one included.
    int maxAttempts = 8;
    std::chrono::milliseconds baseDelay{2000};
    std::chrono::milliseconds maxDelay{60000};
    std::chrono::milliseconds minJitter{1000};
    std::chrono::milliseconds maxJitter{5000};
    /// Upper bound on a server's Retry-After, so that a bad value cannot
    /// stall a job for hours.
    std::chrono::seconds maxRetryAfter{600};
};

/// Returns the wait before attempt `attempt + 1`, where `attempt` counts
/// the attempts made so far (1 after the first failure). A Retry-After
/// value in seconds from the server replaces the exponential delay.
std::chrono::milliseconds retryDelay(const RetrySettings &settings, int attempt,
                                     std::optional<int> retryAfterSeconds,
                                     std::mt19937 &random);

} // namespace hsi::api
