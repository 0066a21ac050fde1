#include "keychain_credential_store.h"

// The keychain entry has to carry the secret, so this file is the second
// reader of CredentialAccess next to the HTTP layer.
#include "credential_access.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <qt6keychain/keychain.h>

Q_LOGGING_CATEGORY(lcKeychain, "hsi.ui.keychain")

namespace hsi::ui {

namespace {

const QString kKind = QStringLiteral("kind");
const QString kUser = QStringLiteral("user");
const QString kSecret = QStringLiteral("secret");

QString kindName(api::Credentials::Kind kind)
{
    switch (kind) {
    case api::Credentials::Kind::ServiceAccount:
        return QStringLiteral("service_account");
    case api::Credentials::Kind::ApiSecret:
        return QStringLiteral("api_secret");
    case api::Credentials::Kind::ProjectToken:
        return QStringLiteral("project_token");
    case api::Credentials::Kind::None:
        break;
    }
    return QString();
}

std::optional<api::Credentials> credentialsFromEntry(const QByteArray &entry)
{
    const QJsonObject object = QJsonDocument::fromJson(entry).object();
    const QString kind = object.value(kKind).toString();
    const QString secret = object.value(kSecret).toString();
    if (kind == QLatin1String("service_account"))
        return api::Credentials::serviceAccount(object.value(kUser).toString(),
                                                secret);
    if (kind == QLatin1String("api_secret"))
        return api::Credentials::apiSecret(secret);
    if (kind == QLatin1String("project_token"))
        return api::Credentials::projectToken(secret);
    return std::nullopt;
}

/// Describes a failed job. Without a Secret Service (a headless machine),
/// qtkeychain reports only "Unknown error", which is no help to the user.
QString describeFailure(const QKeychain::Job &job)
{
    if (job.error() == QKeychain::NoBackendAvailable ||
        job.errorString() == QLatin1String("Unknown error")) {
        return QStringLiteral("no keychain service answered (on Linux a "
                              "Secret Service such as GNOME Keyring or "
                              "KWallet must be running): %1")
            .arg(job.errorString());
    }
    return job.errorString();
}

/// Runs `job` to completion in a local event loop; qtkeychain jobs only
/// report through signals. Returns false and sets `error` on failure.
bool runJob(QKeychain::Job &job, QString *error)
{
    job.setAutoDelete(false);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    if (job.error() == QKeychain::NoError)
        return true;
    const QString failure = describeFailure(job);
    if (error)
        *error = failure;
    // A missing entry only means that nothing was stored yet.
    if (job.error() == QKeychain::EntryNotFound)
        return false;
    qCWarning(lcKeychain).noquote()
        << "keychain request for" << job.key() << "failed:" << failure;
    return false;
}

QString entryKey(qint64 projectId)
{
    return QStringLiteral("project-%1").arg(projectId);
}

} // namespace

KeychainCredentialStore::KeychainCredentialStore(QString service)
    : m_service(std::move(service))
{
}

bool KeychainCredentialStore::store(qint64 projectId,
                                    const api::Credentials &credentials,
                                    QString *error)
{
    if (!credentials.isValid()) {
        if (error)
            *error = QStringLiteral("the credentials are incomplete");
        return false;
    }
    const bool service =
        credentials.kind() == api::Credentials::Kind::ServiceAccount;
    const std::string secret =
        service ? api::CredentialAccess::basicPassword(credentials)
                : api::CredentialAccess::basicUser(credentials);
    QJsonObject object{{kKind, kindName(credentials.kind())},
                       {kUser, credentials.username()},
                       {kSecret, QString::fromStdString(secret)}};
    QByteArray entry = QJsonDocument(object).toJson(QJsonDocument::Compact);

    QKeychain::WritePasswordJob job(m_service);
    job.setKey(entryKey(projectId));
    job.setBinaryData(entry);
    // Wipe the local copy: the keychain job keeps its own until it ends.
    entry.fill('\0');
    return runJob(job, error);
}

std::optional<api::Credentials> KeychainCredentialStore::load(qint64 projectId,
                                                              QString *error)
{
    QKeychain::ReadPasswordJob job(m_service);
    job.setKey(entryKey(projectId));
    QString jobError;
    if (!runJob(job, &jobError)) {
        // A missing entry is not an error: there is nothing stored yet.
        if (job.error() != QKeychain::EntryNotFound && error)
            *error = jobError;
        return std::nullopt;
    }
    QByteArray entry = job.binaryData();
    std::optional<api::Credentials> credentials = credentialsFromEntry(entry);
    entry.fill('\0');
    if (!credentials && error)
        *error = QStringLiteral("the keychain entry %1 of service %2 is not "
                                "valid; enter the credentials again")
                     .arg(entryKey(projectId), m_service);
    return credentials;
}

bool KeychainCredentialStore::remove(qint64 projectId, QString *error)
{
    QKeychain::DeletePasswordJob job(m_service);
    job.setKey(entryKey(projectId));
    return runJob(job, error);
}

} // namespace hsi::ui
