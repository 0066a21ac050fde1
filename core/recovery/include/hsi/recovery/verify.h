#pragma once

#include "hsi/report.h"
#include "hsi/scan_settings.h"
#include "hsi/scanner.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hsi::recovery {

/// A pair that would exceed its limit if the verified files were imported.
struct OffendingPair {
    ShardKind kind = ShardKind::User;
    /// Empty for user pairs.
    std::string groupKey;
    std::string id;
    Day day = 0;
    std::int64_t events = 0;
    std::int64_t limit = 0;
};

/// Outcome of verifying files before import.
struct VerifyResult {
    std::int64_t events = 0;
    std::vector<OffendingPair> offending;
    /// Files that could not be read completely, with the reason; the result
    /// is then incomplete and must not clear an import.
    std::vector<std::string> inputErrors;
    bool cancelled = false;

    /// True when every file was read and no pair exceeds its limit.
    bool passed() const
    {
        return offending.empty() && inputErrors.empty() && !cancelled;
    }
};

/// Builds the verify result from a scan of the files to import.
VerifyResult verifyResultFromReport(const Report &report);

/// Runs hsi::scan() over `paths` and lists every (id, day) and (group,
/// day) above its limit. Only events in `paths` are counted: events that
/// already sit in the project under the same ids are not, so include an
/// export of them when they matter. `control` passes progress and a cancel
/// flag to the scan. Throws ScanError for invalid settings.
VerifyResult verifyFiles(const std::vector<std::string> &paths,
                         const ScanSettings &settings,
                         ScanControl *control = nullptr);

/// Writes the result as JSON for the job folder.
nlohmann::ordered_json verifyResultToJson(const VerifyResult &result);

} // namespace hsi::recovery
