#pragma once

#include <QString>
#include <optional>
#include <vector>

namespace hsi::api {

/// Data residency of a Mixpanel project. It decides which hosts serve the
/// project's export and import requests; a project answers only on its own.
enum class Region { US, EU, India };

/// Parses "us", "eu" or "in" (any case).
std::optional<Region> parseRegion(const QString &text);
/// Returns "us", "eu" or "in".
QString regionName(Region region);

/// Full URLs of the two endpoints the client calls.
struct Endpoints {
    /// For example https://data.mixpanel.com/api/2.0/export
    QString exportUrl;
    /// For example https://api.mixpanel.com/import
    QString importUrl;
};

/// Returns Mixpanel's documented export and import URLs for `region`.
Endpoints regionEndpoints(Region region);

/// Where and as which project the client connects.
struct ConnectionSettings {
    Region region = Region::US;
    /// Replaces both regional hosts when set: export then goes to
    /// `<baseUrl>/api/2.0/export` and import to `<baseUrl>/import`. Used by
    /// tests and behind proxies.
    QString baseUrl;
    /// Numeric project id; required with service-account credentials.
    qint64 projectId = 0;
    /// Seconds allowed to open a connection.
    long connectTimeoutSeconds = 30;

    /// The URLs in effect: the base-URL override, else the region's hosts.
    Endpoints endpoints() const;
};

/// Returns the endpoints for `baseUrl` (with or without a trailing slash).
Endpoints endpointsForBaseUrl(const QString &baseUrl);

} // namespace hsi::api
