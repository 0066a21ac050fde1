#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace hsi::recovery {

/// Converts project-local wall-clock times, as projects created before 2023
/// store them in `time`, to true UTC epoch times.
///
/// Rules at daylight-saving changes:
/// - A local time that occurs twice (clocks go back) maps to its first
///   occurrence, the one still on the earlier, larger UTC offset.
/// - A local time that does not exist (clocks go forward) is read with the
///   offset in effect before the change, so 02:30 in a one-hour gap becomes
///   the instant shown as 03:30 after it.
/// Both rules match Python's zoneinfo with fold=0.
class LegacyTimeConverter {
public:
    /// Throws RecoveryError when `timeZone` is not a known IANA name.
    explicit LegacyTimeConverter(const std::string &timeZone);
    ~LegacyTimeConverter();
    LegacyTimeConverter(LegacyTimeConverter &&) noexcept;
    LegacyTimeConverter &operator=(LegacyTimeConverter &&) noexcept;

    /// Returns the UTC epoch seconds of local wall-clock seconds
    /// `localSeconds`.
    std::int64_t toUtcSeconds(std::int64_t localSeconds);
    /// Returns the UTC offset, in seconds, that applies to `localSeconds`
    /// under the rules above.
    std::int32_t offsetForLocal(std::int64_t localSeconds);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace hsi::recovery
