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

/// Formats a size in decimal units, such as "3.6 kB" or "1.03 GB", for
/// both the summary and the desktop program.
std::string formatBytes(std::int64_t bytes);

/// Formats a percentage, such as "61.2%", "0.5%" or "150%": three
/// significant digits below 100, and whole numbers from 100 on.
std::string formatPercent(double percent);

} // namespace hsi
