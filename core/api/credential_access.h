#pragma once

#include "hsi/api/credentials.h"

#include <string>

namespace hsi::api {

/// The one place that reads a secret out of Credentials: the HTTP layer
/// uses it to fill in Basic auth. Not part of the public headers.
class CredentialAccess {
public:
    /// The Basic-auth username: the service-account name, or the legacy
    /// secret or token itself.
    static std::string basicUser(const Credentials &credentials);
    /// The Basic-auth password: the service-account secret, else empty.
    static std::string basicPassword(const Credentials &credentials);
};

} // namespace hsi::api

#include <QString>

namespace hsi::api {

/// Returns `text` with every occurrence of the secret in `credentials`
/// replaced by "***". Applied to every server and transport message before
/// it reaches a log, a manifest or the user.
QString redactSecret(const Credentials &credentials, const QString &text);

} // namespace hsi::api
