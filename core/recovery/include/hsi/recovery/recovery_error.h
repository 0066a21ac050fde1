#pragma once

#include <stdexcept>

namespace hsi::recovery {

/// Thrown for recovery settings or files that make a step impossible, such as
/// an invalid map file or an unwritable output. The message names the file,
/// the line or the value, and what to do.
class RecoveryError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

} // namespace hsi::recovery
