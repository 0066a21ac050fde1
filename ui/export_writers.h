#pragma once

#include "hsi/report.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>
#include <functional>

namespace hsi::ui {

/// A chart rendered for the HTML summary.
struct ChartImage {
    QString title;
    /// PNG bytes.
    QByteArray png;
};

/// Writes the report as JSON with the schema of `hotshard scan --json`,
/// including every id when `includeIds` is set. Returns an error message, or
/// an empty string on success.
QString writeJsonExport(const Report &report, const QString &path,
                        bool includeIds);

/// Writes one CSV file per table into `directory`: days.csv, hot_shards.csv,
/// near_limit.csv, ids.csv, records.csv and problems.csv (RFC 4180 quoting,
/// UTF-8). Returns an error message naming the file, or an empty string.
QString writeCsvTables(const Report &report, const QString &directory,
                       QStringList *written = nullptr);

/// Writes a single HTML file with the totals, the hot and near-limit pairs,
/// the records and the problems, and `charts` embedded as base64 PNG images,
/// so that it opens without any other file. Returns an error message, or an
/// empty string.
QString writeHtmlSummary(const Report &report, const QList<ChartImage> &charts,
                         const QString &path);

/// Writes `path` through QSaveFile with `body` producing the text. Returns
/// an error message naming the path, or an empty string.
QString writeFileAtomically(const QString &path,
                            const std::function<void(QTextStream &)> &body);

/// Quotes one CSV field when it contains a comma, a quote or a line break.
QString csvField(const QString &text);

} // namespace hsi::ui
