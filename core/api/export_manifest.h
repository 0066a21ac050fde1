#pragma once

#include "hsi/api/exporter.h"

#include <map>
#include <optional>
#include <string>

namespace hsi::api {

/// The contents of `manifest.json` in an export folder: the query it was
/// made for and the state of each day finished so far.
struct ExportManifest {
    qint64 projectId = 0;
    QStringList events;
    QString where;
    std::map<Day, DayRecord> days;

    /// Reads `path`. Returns nothing without an error when the file does
    /// not exist, and nothing with `error` set when it cannot be read.
    static std::optional<ExportManifest> load(const QString &path,
                                              QString *error);
    std::string toJson() const;
};

} // namespace hsi::api
