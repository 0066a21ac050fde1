#pragma once

#include "hsi/api/credentials.h"

#include <QString>

namespace hsi::ui {

/// A CredentialStore in the OS keychain (Secret Service, KWallet, macOS
/// Keychain or Windows Credential Manager) through qtkeychain. Each project
/// gets one entry under the service name "hotshard-investigator", keyed by
/// the project id.
///
/// Where no keychain service runs, as on a headless machine, every call
/// fails with qtkeychain's message; the caller then keeps the credentials in
/// a SessionCredentialStore and shows the user a notice.
class KeychainCredentialStore final : public api::CredentialStore {
public:
    /// `service` is the keychain service name; tests pass their own.
    explicit KeychainCredentialStore(
        QString service = QStringLiteral("hotshard-investigator"));

    bool store(qint64 projectId, const api::Credentials &credentials,
               QString *error) override;
    std::optional<api::Credentials> load(qint64 projectId,
                                         QString *error) override;
    bool remove(qint64 projectId, QString *error) override;
    bool isPersistent() const override { return true; }

private:
    QString m_service;
};

} // namespace hsi::ui
