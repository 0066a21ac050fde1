#pragma once

#include "hsi/report.h"

#include <nlohmann/json.hpp>
#include <string>

namespace hsi {

/// Options for the JSON report.
struct JsonReportOptions {
    /// Also write `ids` (every id with its peak day); large for big scans.
    bool includeIds = false;
};

/// Builds the machine-readable report described in the README.
nlohmann::ordered_json reportToJson(const Report &report,
                                    const JsonReportOptions &options = {});

/// Writes the report to `path`, or to stdout when `path` is "-".
/// Throws std::runtime_error naming the path when it cannot be written.
void writeJsonReport(const Report &report, const std::string &path,
                     const JsonReportOptions &options = {});

} // namespace hsi
