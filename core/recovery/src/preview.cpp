#include "hsi/recovery/preview.h"

#include "hsi/record_reader.h"
#include "hsi/recovery/recovery_error.h"
#include "hsi/scanner.h"

#include <atomic>

namespace hsi::recovery {

using Json = nlohmann::ordered_json;

namespace {

PreviewSample sampleOf(const std::string &path, std::string_view text,
                       std::int64_t line, EventTransformer &transformer)
{
    PreviewSample sample{path, line, std::string(text), {}, {}};
    Json event;
    try {
        event = parseEvent(text);
    } catch (const Json::exception &error) {
        sample.outcome.kind = EventOutcome::Kind::SetAside;
        sample.outcome.reason = SetAsideReason::InvalidJson;
        sample.outcome.detail = error.what();
        return sample;
    }
    sample.outcome = transformer.transform(event);
    if (sample.outcome.kind != EventOutcome::Kind::SetAside)
        sample.after =
            event.dump(-1, ' ', false, Json::error_handler_t::replace);
    return sample;
}

} // namespace

std::vector<PreviewSample>
previewTransform(const std::vector<std::string> &inputs,
                 EventTransformer &transformer, std::size_t maxSamples,
                 std::int64_t maxEventsRead)
{
    std::vector<PreviewSample> samples;
    std::int64_t read = 0;
    std::atomic<bool> enough{false};
    for (const std::string &input : listInputFiles(inputs).files) {
        const auto sink = [&](std::string_view text, std::int64_t line) {
            if (enough)
                return;
            PreviewSample sample = sampleOf(input, text, line, transformer);
            if (sample.outcome.kind != EventOutcome::Kind::PassedThrough)
                samples.push_back(std::move(sample));
            enough = samples.size() >= maxSamples || ++read >= maxEventsRead;
        };
        const ReadResult result = readRecords(input, sink, &enough);
        if (!result.error.empty() && !enough)
            throw RecoveryError(input + ": " + result.error +
                                ": fix or re-download the file");
        if (enough)
            break;
    }
    return samples;
}

} // namespace hsi::recovery
