#pragma once

#include <QString>
#include <string_view>

namespace hsi::api {

/// Replaces `path` with `content` so that a crash at any moment leaves
/// either the old or the new file: writes `<path>.tmp`, fsyncs it, renames
/// it over `path` and fsyncs the folder. Returns false and sets `error`
/// (naming the path and the system error) on failure.
bool writeFileAtomically(const QString &path, std::string_view content,
                         QString *error);

/// Flushes an open file descriptor to disk; returns false on failure.
bool syncDescriptor(int descriptor);

} // namespace hsi::api
