#include "hsi/api/credentials.h"

#include "credential_access.h"

#include <QHash>
#include <QMutex>

namespace hsi::api {

namespace {

/// Overwrites the secret before its memory is freed, so that it does not
/// linger in freed heap blocks or core dumps longer than needed.
void wipe(std::string *secret)
{
    volatile char *bytes = secret->data();
    for (std::size_t i = 0; i < secret->size(); ++i)
        bytes[i] = 0;
    delete secret;
}

std::shared_ptr<std::string> holdSecret(const QString &secret)
{
    return std::shared_ptr<std::string>(new std::string(secret.toStdString()),
                                        wipe);
}

} // namespace

Credentials::~Credentials() = default;

Credentials Credentials::serviceAccount(const QString &username,
                                        const QString &secret)
{
    Credentials credentials;
    credentials.m_kind = Kind::ServiceAccount;
    credentials.m_username = username;
    credentials.m_secret = holdSecret(secret);
    return credentials;
}

Credentials Credentials::apiSecret(const QString &secret)
{
    Credentials credentials;
    credentials.m_kind = Kind::ApiSecret;
    credentials.m_secret = holdSecret(secret);
    return credentials;
}

Credentials Credentials::projectToken(const QString &token)
{
    Credentials credentials;
    credentials.m_kind = Kind::ProjectToken;
    credentials.m_secret = holdSecret(token);
    return credentials;
}

bool Credentials::isValid() const
{
    if (m_kind == Kind::None || !m_secret || m_secret->empty())
        return false;
    return m_kind != Kind::ServiceAccount || !m_username.isEmpty();
}

QString Credentials::describe() const
{
    switch (m_kind) {
    case Kind::ServiceAccount:
        return QStringLiteral("service account ") + m_username;
    case Kind::ApiSecret:
        return QStringLiteral("project API secret (hidden)");
    case Kind::ProjectToken:
        return QStringLiteral("project token (hidden)");
    case Kind::None:
        break;
    }
    return QStringLiteral("no credentials");
}

bool Credentials::appearsIn(const QString &text) const
{
    if (!m_secret || m_secret->empty())
        return false;
    return text.contains(QString::fromStdString(*m_secret));
}

std::string CredentialAccess::basicUser(const Credentials &credentials)
{
    if (credentials.m_kind == Credentials::Kind::ServiceAccount)
        return credentials.m_username.toStdString();
    return credentials.m_secret ? *credentials.m_secret : std::string();
}

std::string CredentialAccess::basicPassword(const Credentials &credentials)
{
    if (credentials.m_kind != Credentials::Kind::ServiceAccount ||
        !credentials.m_secret)
        return std::string();
    return *credentials.m_secret;
}

struct SessionCredentialStore::Private {
    QMutex mutex;
    QHash<qint64, Credentials> credentials;
};

SessionCredentialStore::SessionCredentialStore() : d(new Private) {}

SessionCredentialStore::~SessionCredentialStore() = default;

bool SessionCredentialStore::store(qint64 projectId,
                                   const Credentials &credentials,
                                   QString *error)
{
    if (!credentials.isValid()) {
        if (error)
            *error = QStringLiteral("credentials for project %1 are "
                                    "incomplete: enter both the name and "
                                    "the secret")
                         .arg(projectId);
        return false;
    }
    QMutexLocker lock(&d->mutex);
    d->credentials.insert(projectId, credentials);
    return true;
}

std::optional<Credentials> SessionCredentialStore::load(qint64 projectId,
                                                        QString *)
{
    QMutexLocker lock(&d->mutex);
    const auto found = d->credentials.constFind(projectId);
    if (found == d->credentials.constEnd())
        return std::nullopt;
    return *found;
}

bool SessionCredentialStore::remove(qint64 projectId, QString *)
{
    QMutexLocker lock(&d->mutex);
    d->credentials.remove(projectId);
    return true;
}

} // namespace hsi::api

namespace hsi::api {

QString redactSecret(const Credentials &credentials, const QString &text)
{
    const std::string secret =
        CredentialAccess::basicPassword(credentials).empty()
            ? CredentialAccess::basicUser(credentials)
            : CredentialAccess::basicPassword(credentials);
    if (credentials.kind() == Credentials::Kind::None || secret.empty())
        return text;
    QString result = text;
    result.replace(QString::fromStdString(secret), QStringLiteral("***"));
    return result;
}

} // namespace hsi::api
