#pragma once

#include <QString>
#include <QStringList>

namespace hsi::ui {

/// File name of the bundled sample export.
inline constexpr char kSampleFileName[] = "sample-incident.json.gz";

/// Places where the sample export may be, in the order they are searched:
/// the build tree this program was built in, the install prefix it was
/// configured for, `../share/hotshard-investigator` next to the executable,
/// and the XDG data directories.
QStringList sampleSearchPaths();

/// Returns the first existing sample export, or an empty string.
QString findSampleExport();

} // namespace hsi::ui
