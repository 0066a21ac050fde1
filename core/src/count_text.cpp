#include "hsi/count_text.h"

#include <cstdio>

namespace hsi {

std::string formatCount(std::int64_t value)
{
    // Built digit by digit: inserting separators into the string trips a
    // false -Wrestrict warning in GCC 12.
    const std::uint64_t magnitude = value < 0
                                        ? 0 - static_cast<std::uint64_t>(value)
                                        : static_cast<std::uint64_t>(value);
    const std::string digits = std::to_string(magnitude);
    std::string text = value < 0 ? "-" : "";
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            text += ',';
        text += digits[i];
    }
    return text;
}

std::string countOf(std::int64_t count, const char *noun)
{
    return formatCount(count) + ' ' + noun + (count == 1 ? "" : "s");
}

std::string formatPercent(double percent)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, percent >= 100 ? "%.0f%%" : "%.3g%%",
                  percent);
    return buffer;
}

std::string formatBytes(std::int64_t bytes)
{
    const auto value = static_cast<double>(bytes);
    char buffer[32];
    if (value >= 1e9)
        std::snprintf(buffer, sizeof buffer, "%.2f GB", value / 1e9);
    else if (value >= 1e6)
        std::snprintf(buffer, sizeof buffer, "%.1f MB", value / 1e6);
    else if (value >= 1e3)
        std::snprintf(buffer, sizeof buffer, "%.1f kB", value / 1e3);
    else
        return std::to_string(bytes) + " B";
    return buffer;
}

} // namespace hsi
