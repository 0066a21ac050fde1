#include "recovery_wizard.h"

#include "wizard_pages.h"

namespace hsi::ui {

using recovery::JobStep;

RecoveryWizard::RecoveryWizard(std::shared_ptr<const Report> report,
                               std::shared_ptr<api::CredentialStore> store,
                               QWidget *parent)
    : QWizard(parent), m_report(std::move(report)), m_store(std::move(store)),
      m_sessionStore(std::make_unique<api::SessionCredentialStore>())
{
    setWindowTitle(QStringLiteral("Repair history"));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setMinimumSize(820, 620);

    m_pathPage = new PathPage(this);
    m_connectionPage = new ConnectionPage(this);
    m_jobFolderPage = new JobFolderPage(this);
    m_exportPage = new ExportPage(this);
    m_deletionPage = new DeletionPage(this);
    m_transformPage = new TransformPage(this);
    m_reviewPage = new ReviewPage(this);
    m_verifyPage = new VerifyPage(this);
    m_importPage = new ImportPage(this);
    setPage(PathPageId, m_pathPage);
    setPage(ConnectionPageId, m_connectionPage);
    setPage(JobFolderPageId, m_jobFolderPage);
    setPage(ExportPageId, m_exportPage);
    setPage(DeletionPageId, m_deletionPage);
    setPage(TransformPageId, m_transformPage);
    setPage(ReviewPageId, m_reviewPage);
    setPage(VerifyPageId, m_verifyPage);
    setPage(ImportPageId, m_importPage);
    setStartId(PathPageId);
}

RecoveryWizard::~RecoveryWizard()
{
    for (StepPage *page : stepPages())
        page->cancelAndWait();
}

RecoveryPath RecoveryWizard::chosenPath() const
{
    return m_pathPage->path();
}

void RecoveryWizard::setJob(std::unique_ptr<RecoveryJob> job,
                            const RecoveryPlan &plan)
{
    m_job = std::move(job);
    m_plan = plan;
}

void RecoveryWizard::setConnection(const api::ConnectionSettings &connection,
                                   const api::Credentials &credentials)
{
    m_connection = connection;
    m_credentials = credentials;
}

int RecoveryWizard::pageForStep(std::optional<JobStep> step) const
{
    if (!step)
        return ImportPageId;
    switch (*step) {
    case JobStep::Export:
        return ExportPageId;
    case JobStep::DeletionRequested:
    case JobStep::DeletionConfirmed:
        return DeletionPageId;
    case JobStep::Transform:
        return TransformPageId;
    case JobStep::Verify:
        return VerifyPageId;
    case JobStep::Import:
        return ImportPageId;
    }
    return ExportPageId;
}

void RecoveryWizard::done(int result)
{
    // Stop running steps first: they write into the job folder, and their
    // files are consistent only at the points where a step can stop.
    for (StepPage *page : stepPages())
        page->cancelAndWait();
    if (m_job)
        m_job->folder().appendAudit(
            result == QDialog::Accepted ? "wizard_finished" : "wizard_closed");
    QWizard::done(result);
}

QList<StepPage *> RecoveryWizard::stepPages() const
{
    return {m_exportPage, m_deletionPage, m_transformPage,
            m_reviewPage, m_verifyPage,   m_importPage};
}

} // namespace hsi::ui
