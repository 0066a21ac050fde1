#pragma once

#include <cstdint>
#include <string>

namespace hsi {

/// "1,234,567": a count with thousands separators, the same in every locale
/// so that reports and logs compare as text.
std::string formatCount(std::int64_t value);

/// "1 record", "2 records": the count with the noun in the right number.
/// `noun` is the singular form of a noun whose plural adds an "s".
std::string countOf(std::int64_t count, const char *noun);

/// "3.6 kB", "1.03 GB": a size in decimal units, as the summary and the
/// desktop program both show sizes.
std::string formatBytes(std::int64_t bytes);

/// "61.2%", "0.5%", "150%": a percentage with three significant digits
/// below 100 and none from 100 on.
std::string formatPercent(double percent);

} // namespace hsi
