#pragma once

#include "hsi/api/connection.h"
#include "hsi/api/credentials.h"

#include <QString>
#include <optional>
#include <vector>

namespace hsi::api {

/// The result class of a connection test.
enum class ConnectionVerdict {
    Ok,
    /// 401 here and in every other region.
    WrongCredentials,
    /// 401 here, but another region accepted the credentials: the project
    /// lives there.
    WrongRegion,
    /// 403: the credentials are valid but may not export this project.
    MissingPermission,
    /// 400: usually an unknown project id.
    InvalidRequest,
    /// No HTTP response (DNS, TLS, refused or timed-out connection).
    Unreachable,
    /// 429 or 5xx: the server is busy or failing; try again later.
    ServerBusy,
};

/// What a connection test found, with a sentence for the user.
struct ConnectionDiagnosis {
    ConnectionVerdict verdict = ConnectionVerdict::Unreachable;
    /// HTTP status of the request to the configured region; 0 without one.
    int httpStatus = 0;
    /// The region that accepted the credentials, for WrongRegion.
    std::optional<Region> suggestedRegion;
    /// The server's or transport's own message, without any secret.
    QString detail;
    /// What happened and what to do next, in one or two sentences.
    QString explanation;
};

/// Another region to try when the configured one answers 401.
struct RegionProbe {
    Region region;
    Endpoints endpoints;
};

/// Returns the documented endpoints of every region except `region`.
std::vector<RegionProbe> otherRegions(Region region);

/// Makes one small export request (yesterday, UTC, `limit=1`) and explains
/// the result. On a 401 it repeats the request against `alternatives` to
/// tell wrong credentials from a project in another region.
ConnectionDiagnosis
testConnection(const ConnectionSettings &settings,
               const Credentials &credentials,
               const std::vector<RegionProbe> &alternatives);

/// testConnection() with the other regions' documented hosts as
/// alternatives, or none when a base-URL override is set.
ConnectionDiagnosis testConnection(const ConnectionSettings &settings,
                                   const Credentials &credentials);

} // namespace hsi::api
