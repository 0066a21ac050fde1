#include "hsi/api/retry.h"

#include <algorithm>

namespace hsi::api {

std::chrono::milliseconds retryDelay(const RetrySettings &settings, int attempt,
                                     std::optional<int> retryAfterSeconds,
                                     std::mt19937 &random)
{
    using std::chrono::milliseconds;
    if (retryAfterSeconds && *retryAfterSeconds >= 0) {
        const std::chrono::seconds wait{std::min<long long>(
            *retryAfterSeconds, settings.maxRetryAfter.count())};
        return std::chrono::duration_cast<milliseconds>(wait);
    }

    // The delay doubles from the base. The shift is capped so that it
    // cannot overflow after many attempts.
    const int doublings = std::clamp(attempt - 1, 0, 20);
    const long long exponential =
        static_cast<long long>(settings.baseDelay.count()) << doublings;
    const long long capped =
        std::min<long long>(exponential, settings.maxDelay.count());

    const long long low = settings.minJitter.count();
    const long long high = std::max<long long>(low, settings.maxJitter.count());
    std::uniform_int_distribution<long long> jitter(low, high);
    return milliseconds(capped + jitter(random));
}

} // namespace hsi::api
