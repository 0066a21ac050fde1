#pragma once

#include "hsi/api/connection.h"
#include "hsi/api/credentials.h"
#include "hsi/report.h"
#include "recovery_job.h"

#include <QWizard>
#include <memory>
#include <optional>

namespace hsi::ui {

class ConnectionPage;
class DeletionPage;
class ExportPage;
class ImportPage;
class JobFolderPage;
class PathPage;
class ReviewPage;
class StepPage;
class TransformPage;
class VerifyPage;

/// Guides the repair of history after a hot shard: export, deletion request
/// (group path), transform, review, verify and import, each step backed by
/// hsi_api and hsi_recovery and run off the GUI thread. Every file of the
/// job lives in the job folder the user chooses, and reopening that folder
/// resumes at the first step that is not done.
class RecoveryWizard : public QWizard {
    Q_OBJECT
public:
    enum PageId {
        PathPageId,
        ConnectionPageId,
        JobFolderPageId,
        ExportPageId,
        DeletionPageId,
        TransformPageId,
        ReviewPageId,
        VerifyPageId,
        ImportPageId,
    };

    /// `report` is the scan the paths are chosen from; it may be null when
    /// the wizard only resumes a job folder. `store` keeps the credentials,
    /// for example a KeychainCredentialStore.
    RecoveryWizard(std::shared_ptr<const Report> report,
                   std::shared_ptr<api::CredentialStore> store,
                   QWidget *parent = nullptr);
    ~RecoveryWizard() override;

    std::shared_ptr<const Report> report() const { return m_report; }
    api::CredentialStore &credentialStore() { return *m_store; }
    /// Keeps credentials for this session when the store cannot.
    api::SessionCredentialStore &sessionStore() { return *m_sessionStore; }

    /// The path chosen on the first page.
    RecoveryPath chosenPath() const;
    /// Set by the job-folder page; the plan comes from job.json.
    const RecoveryJob *job() const { return m_job.get(); }
    const RecoveryPlan &plan() const { return m_plan; }
    void setJob(std::unique_ptr<RecoveryJob> job, const RecoveryPlan &plan);

    api::ConnectionSettings connection() const { return m_connection; }
    api::Credentials credentials() const { return m_credentials; }
    void setConnection(const api::ConnectionSettings &connection,
                       const api::Credentials &credentials);

    /// Transform settings chosen on the transform page.
    recovery::TransformOptions transformOptions() const
    {
        return m_transformOptions;
    }
    void setTransformOptions(const recovery::TransformOptions &options)
    {
        m_transformOptions = options;
    }

    /// Page that runs `step`, for resuming a job.
    int pageForStep(std::optional<recovery::JobStep> step) const;

    PathPage *pathPage() const { return m_pathPage; }
    ConnectionPage *connectionPage() const { return m_connectionPage; }
    JobFolderPage *jobFolderPage() const { return m_jobFolderPage; }
    ExportPage *exportPage() const { return m_exportPage; }
    DeletionPage *deletionPage() const { return m_deletionPage; }
    TransformPage *transformPage() const { return m_transformPage; }
    ReviewPage *reviewPage() const { return m_reviewPage; }
    VerifyPage *verifyPage() const { return m_verifyPage; }
    ImportPage *importPage() const { return m_importPage; }

public slots:
    /// Cancels a running step, waits for it, then closes.
    void done(int result) override;

private:
    QList<StepPage *> stepPages() const;

    std::shared_ptr<const Report> m_report;
    std::shared_ptr<api::CredentialStore> m_store;
    std::unique_ptr<api::SessionCredentialStore> m_sessionStore;
    std::unique_ptr<RecoveryJob> m_job;
    RecoveryPlan m_plan;
    api::ConnectionSettings m_connection;
    api::Credentials m_credentials;
    recovery::TransformOptions m_transformOptions;

    PathPage *m_pathPage;
    ConnectionPage *m_connectionPage;
    JobFolderPage *m_jobFolderPage;
    ExportPage *m_exportPage;
    DeletionPage *m_deletionPage;
    TransformPage *m_transformPage;
    ReviewPage *m_reviewPage;
    VerifyPage *m_verifyPage;
    ImportPage *m_importPage;
};

} // namespace hsi::ui
