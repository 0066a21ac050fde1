#pragma once

#include "hsi/report.h"

#include <QString>
#include <memory>

namespace hsi::test {

/// A small Report filled by hand, with a user limit of 100 and a group
/// limit of 500:
/// - users "alice" (hot: 150 events on 2024-03-06, 120 unique, 30
///   remediated, cause StaticIdManyDevices), "bob" (near the limit: 80
///   events on 2024-03-05), "carol" (9 events), "dave" (10 events) and
///   "undefined" (100 events, placeholder flag, not hot);
/// - group "company" = "Acme" (hot: 600 events on 2024-03-06);
/// - two $hotshard_record events (alice, Acme), three days, one input file
///   "/data/export.json" with an error on line 7 and a warning on line 9.
std::shared_ptr<const Report> makeSmallReport();

/// A Report with `count` user ids whose peak events are a permutation of
/// 1..count, for sorting checks.
std::shared_ptr<const Report> makeManyIdsReport(int count);

/// One NDJSON event line (Mixpanel export format).
QByteArray eventLine(const char *event, const QByteArray &distinctId,
                     qint64 timeSeconds, const QByteArray &insertId,
                     const QByteArray &extraProperties = {});

/// Writes an export with a user hot shard ("alice": 150 events on
/// 2024-03-06 from 3 devices), 20 events of "bob", 130 events in group
/// company = "Acme", a `$hotshard_record` for alice, and one invalid line
/// at line 3. Scan it with user and group limits of 100 and group key
/// "company". Returns false when the file cannot be written.
bool writeFixtureExport(const QString &path);

/// Limits and group key that make the fixture export hot.
ScanSettings fixtureSettings();

/// Line number of the invalid line in the fixture export.
inline constexpr int kFixtureBadLine = 3;

} // namespace hsi::test
