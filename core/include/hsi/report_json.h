#pragma once

#include "hsi/report.h"

#include <functional>
#include <nlohmann/json.hpp>
#include <ostream>
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

/// Calls `write` with a stream to `path`, or to stdout when `path` is "-",
/// and checks that everything reached it. Throws std::runtime_error naming
/// `what` and the path when it cannot be written, a full disk included.
void writeJsonOutput(const std::string &path, const std::string &what,
                     const std::function<void(std::ostream &)> &write);

/// Writes the report to `path`, or to stdout when `path` is "-".
/// Throws std::runtime_error naming the path when it cannot be written.
void writeJsonReport(const Report &report, const std::string &path,
                     const JsonReportOptions &options = {});

} // namespace hsi
