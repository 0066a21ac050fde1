#pragma once

#include "hsi/scan_settings.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <vector>

namespace hsi::test {

/// The incident day of the fixture, 2024-03-01 UTC.
inline constexpr char kIncidentDay[] = "2024-03-01";

/// Writes `incident.ndjson` into `dataDir`, the project's events as the
/// test server exports them. On 2024-03-01:
/// - user "u-hot" sent 5 "Page View" events, and Mixpanel remediated 7
///   more into `$hotshard_events` with distinct_id "" (each has its own
///   `$user_id`, "user-0" to "user-6");
/// - group company_id "acme" has 8 "Purchase" events (buyer-0 to buyer-7),
///   one more processed after the selector threshold (buyer-late), one in a
///   list ["acme", "globex"] (buyer-list), plus "acme-west" (buyer-west)
///   and two "globex" events that the selector must not match.
void writeRecoveryFixture(const QString &dataDir);

/// Settings under which the fixture contains one hot user and one hot group:
/// limit 5 for both, group key company_id.
ScanSettings recoveryScanSettings();

/// The distinct_ids, sorted, of `events`.
QStringList distinctIds(const std::vector<QJsonObject> &events);

/// Events of `events` whose property `key` is the string `value`.
int countWithProperty(const std::vector<QJsonObject> &events,
                      const QString &key, const QString &value);

/// Expected distinct_ids after the user path with property:$user_id.
QStringList expectedUserPathIds();
/// Expected distinct_ids after the group path.
QStringList expectedGroupPathIds();

} // namespace hsi::test
