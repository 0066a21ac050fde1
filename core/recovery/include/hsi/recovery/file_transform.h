#pragma once

#include "hsi/recovery/event_transform.h"
#include "hsi/scanner.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hsi::recovery {

/// Counts of one transform run. After a complete run
/// `read == written() + setAside`, which transformFiles() checks.
struct TransformStats {
    std::int64_t read = 0;
    std::int64_t restored = 0;
    std::int64_t modified = 0;
    std::int64_t passedThrough = 0;
    std::int64_t setAside = 0;
    /// Set-aside events per reason name (see setAsideReasonName()).
    std::map<std::string, std::int64_t> setAsideByReason;
    std::int64_t idsRestored = 0;
    /// Restored events whose new distinct_id the Import API rejects.
    std::int64_t rejectedIdsRestored = 0;
    std::int64_t groupBlanked = 0;
    std::int64_t insertIdsRegenerated = 0;
    /// Written events whose `$insert_id` strict import would reject.
    std::int64_t invalidInsertIds = 0;
    /// Written events that the Import API rejects for their distinct_id:
    /// missing, null or a placeholder value, restored or not.
    std::int64_t rejectedDistinctIds = 0;
    std::int64_t timesConverted = 0;
    /// Changed events with a number that is written with other digits, such
    /// as 1.50 as 1.5, 1e3 as 1000.0, or an integer beyond 64 bits as the
    /// nearest double. Events passed through keep their bytes.
    std::int64_t numbersReformatted = 0;

    std::int64_t written() const { return restored + modified + passedThrough; }
};

/// Input and output paths of a transform.
struct TransformPaths {
    /// NDJSON, JSON array or gzip files (sniffed by content), or folders of
    /// them.
    std::vector<std::string> inputs;
    /// NDJSON output, gzip-compressed when the name ends in ".gz".
    std::string output;
    /// Set-aside events, one JSON object per line. Empty means
    /// `<output>.rejects.ndjson`.
    std::string rejects;
    /// A file that the caller writes after the transform, such as a JSON
    /// summary, or empty. It is checked against the other paths too.
    std::string summary;
};

/// Writes the counts as a JSON object with snake_case keys ("read",
/// "written", "set_aside_by_reason", ...), for scripts and the job folder.
nlohmann::ordered_json transformStatsToJson(const TransformStats &stats);

/// Returns the rejects path used when `paths.rejects` is empty.
std::string rejectsPathFor(const TransformPaths &paths);

/// A snapshot of a running transform, for progress bars.
struct TransformProgressState {
    std::int64_t eventsRead = 0;
    /// Bytes read from the input files (compressed bytes for gzip files).
    std::int64_t bytesDone = 0;
    std::int64_t bytesTotal = 0;
};

/// Receives progress on the calling thread, once per block read.
using TransformProgress = std::function<void(const TransformProgressState &)>;

/// Lists the files that a transform of `paths.inputs` reads, as a scan
/// lists them (see listInputFiles()). Before anything is read, it checks
/// that each output is a regular file or a new name, that the outputs are
/// not one file, and that no input is also an output. Throws RecoveryError
/// naming the path when a check fails, when a folder cannot be listed, or
/// when no export file is left to read. transformFiles() makes the same
/// checks.
InputListing checkTransformPaths(const TransformPaths &paths);

/// Streams every event of the inputs through `transformer`, in input order,
/// into the output and the rejects file, with memory bounded by the largest
/// event. Each rejects line is `{"reason", "detail", "file", "line",
/// "event"}` with the original event as a JSON object. A record that is not
/// valid JSON has "raw" (its text as a string) in place of "event", or
/// "raw_base64" when the text is not UTF-8.
///
/// Both files are written under a temporary name and renamed when complete,
/// so a failed run leaves no partial output under the final names. Throws
/// RecoveryError when an input cannot be read completely, a file cannot be
/// written, or the counts do not add up.
TransformStats transformFiles(const TransformPaths &paths,
                              EventTransformer &transformer,
                              const std::atomic<bool> *cancel = nullptr,
                              const TransformProgress &progress = {});

} // namespace hsi::recovery
