#pragma once

#include "hsi/recovery/event_transform.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hsi::recovery {

/// One event before and after the transform, for a review page.
struct PreviewSample {
    std::string path;
    std::int64_t line = 0;
    std::string before;
    /// The transformed event, or empty when it was set aside.
    std::string after;
    EventOutcome outcome;
};

/// Reads events from `inputs` in order and returns up to `maxSamples` that
/// the transform changes or sets aside; events passed through unchanged are
/// skipped. Stops after `maxEventsRead` events, so a preview of a large file
/// stays quick. Throws RecoveryError when an input cannot be read.
std::vector<PreviewSample>
previewTransform(const std::vector<std::string> &inputs,
                 EventTransformer &transformer, std::size_t maxSamples,
                 std::int64_t maxEventsRead = 1'000'000);

} // namespace hsi::recovery
