#pragma once

#include <QString>
#include <memory>
#include <optional>
#include <string>

namespace hsi::api {

class CredentialAccess;

/// Mixpanel credentials for one project. The secret cannot be read back or
/// printed through this class: only the HTTP layer reads it, through
/// CredentialAccess, to fill in Basic auth. Use describe() for logs and
/// messages.
class Credentials {
public:
    enum class Kind {
        None,
        /// Service-account username and secret; requests also need the
        /// numeric project id.
        ServiceAccount,
        /// Legacy project API secret, sent as the Basic-auth username with
        /// an empty password. Accepted by export.
        ApiSecret,
        /// Project token, sent like the API secret. Accepted by import.
        ProjectToken,
    };

    Credentials() = default;
    ~Credentials();
    Credentials(const Credentials &other) = default;
    Credentials &operator=(const Credentials &other) = default;

    static Credentials serviceAccount(const QString &username,
                                      const QString &secret);
    static Credentials apiSecret(const QString &secret);
    static Credentials projectToken(const QString &token);

    Kind kind() const { return m_kind; }
    /// True when a kind is set and the secret is not empty.
    bool isValid() const;
    /// The service-account username, which is not secret; empty for the
    /// other kinds.
    QString username() const { return m_username; }
    /// A description safe for logs, such as
    /// "service account name.1.mp-service-account".
    QString describe() const;
    /// True when `text` contains the secret. Used to check that reports and
    /// messages never carry it.
    bool appearsIn(const QString &text) const;

private:
    friend class CredentialAccess;

    Kind m_kind = Kind::None;
    QString m_username;
    /// Shared so that copies do not multiply the secret in memory; the
    /// holder wipes it when the last copy goes away.
    std::shared_ptr<std::string> m_secret;
};

/// Stores credentials per project, for example in the OS keychain.
/// Implementations report failures as text (without the secret) so that a
/// caller can explain why credentials were not kept.
class CredentialStore {
public:
    virtual ~CredentialStore() = default;

    /// Stores `credentials` under `projectId`, replacing earlier ones.
    /// Returns false and sets `error` when they could not be stored.
    virtual bool store(qint64 projectId, const Credentials &credentials,
                       QString *error) = 0;
    /// Returns the stored credentials, or nothing when there are none.
    virtual std::optional<Credentials> load(qint64 projectId,
                                            QString *error) = 0;
    /// Forgets the credentials of `projectId`.
    virtual bool remove(qint64 projectId, QString *error) = 0;
    /// True when stored credentials survive the end of the process.
    virtual bool isPersistent() const = 0;
};

/// A CredentialStore that keeps credentials in memory for this process
/// only. Used where no keychain service runs, and by the command line.
class SessionCredentialStore final : public CredentialStore {
public:
    SessionCredentialStore();
    ~SessionCredentialStore() override;

    bool store(qint64 projectId, const Credentials &credentials,
               QString *error) override;
    std::optional<Credentials> load(qint64 projectId, QString *error) override;
    bool remove(qint64 projectId, QString *error) override;
    bool isPersistent() const override { return false; }

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace hsi::api
