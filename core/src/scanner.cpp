#include "hsi/scanner.h"

namespace hsi {

std::vector<std::string> expandInputPaths(const std::vector<std::string> &paths)
{
    return paths;
}

Report scan(const std::vector<std::string> &, const ScanSettings &settings,
            ScanControl *)
{
    Report report;
    report.settings = settings;
    return report;
}

} // namespace hsi
