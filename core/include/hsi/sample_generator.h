#pragma once

#include "hsi/civil_date.h"
#include "hsi/report.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hsi {

/// Which incident the generator writes.
enum class GeneratorPreset {
    /// A week with a user hot shard from a static id, a group hot shard from
    /// set_group() with a literal, their remediated events and records,
    /// near-limit ids, duplicates and a long tail of ordinary users.
    Sample,
    /// About `targetBytes` of events over three days with one million
    /// distinct ids and a few hot ones, for throughput measurements.
    Benchmark,
};

struct GeneratorOptions {
    GeneratorPreset preset = GeneratorPreset::Sample;
    /// Size of the uncompressed output for the benchmark preset.
    std::int64_t targetBytes = 1'000'000'000;
    /// Compress with gzip, one member per 8 MiB of text (multi-member, as
    /// concatenated gzip files are).
    bool gzip = false;
    /// Divides every source's event count, to make small fixtures with
    /// limits divided by the same factor.
    int scaleDivisor = 1;
    std::uint64_t seed = 20240306;
};

/// A pair whose final count the generator knows, because it wrote all of
/// its events itself.
struct ExpectedPair {
    ShardKind kind = ShardKind::User;
    std::string groupKey;
    std::string id;
    Day day = 0;
    std::int64_t events = 0;
    std::int64_t remediatedEvents = 0;
    std::int64_t duplicates = 0;
};

struct GeneratorSummary {
    std::int64_t events = 0;
    std::int64_t bytes = 0;
    std::int64_t remediatedEvents = 0;
    std::int64_t records = 0;
    std::int64_t userLimit = 0;
    std::int64_t groupLimit = 0;
    /// The named sources' pairs; long-tail users are not listed.
    std::vector<ExpectedPair> pairs;
};

/// Writes a deterministic Mixpanel export (NDJSON, plain or gzip) to `path`.
/// The same options always produce the same bytes. Throws std::runtime_error
/// naming the path when it cannot be written.
GeneratorSummary generateExport(const GeneratorOptions &options,
                                const std::string &path);

} // namespace hsi
