// The export page and the deletion-request page of the group path.

#include "format.h"
#include "recovery_wizard.h"
#include "wizard_pages.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace hsi::ui {

using recovery::JobStep;

ExportPage::ExportPage(RecoveryWizard *wizard) : StepPage(wizard)
{
    setTitle(QStringLiteral("Export"));
    setSubTitle(QStringLiteral(
        "One export request per day into raw/ of the job folder. A failed or "
        "incomplete day is never counted as a day without events: retry it "
        "until every day is ok or empty."));
    m_days = new QTableWidget(0, 4);
    m_days->setObjectName(QStringLiteral("exportDays"));
    m_days->setHorizontalHeaderLabels(
        {QStringLiteral("Day"), QStringLiteral("Status"),
         QStringLiteral("Events"), QStringLiteral("Message")});
    m_days->horizontalHeader()->setStretchLastSection(true);
    m_days->verticalHeader()->setVisible(false);
    m_days->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_retry = new QPushButton(QStringLiteral("&Retry failed days"));
    m_retry->setEnabled(false);
    m_content->addWidget(m_days);
    m_content->addWidget(m_retry, 0, Qt::AlignLeft);
    connect(m_retry, &QPushButton::clicked, this, &ExportPage::startExport);
}

void ExportPage::initializePage()
{
    // Runs again when the export was done earlier: the exporter skips the
    // days its manifest lists as ok or empty, so no request goes out.
    startExport();
}

int ExportPage::nextId() const
{
    return m_wizard->plan().path == RecoveryPath::Groups
               ? RecoveryWizard::DeletionPageId
               : RecoveryWizard::TransformPageId;
}

void ExportPage::startExport()
{
    const RecoveryJob *job = m_wizard->job();
    if (!job || isBusy())
        return;
    setDone(false);
    m_retry->setEnabled(false);
    const QString root = job->folder().root();
    const RecoveryPlan plan = m_wizard->plan();
    const api::ConnectionSettings connection = m_wizard->connection();
    const api::Credentials credentials = m_wizard->credentials();
    auto control = std::make_shared<api::ExportControl>();
    control->onProgress = [this](const api::ExportProgress &progress) {
        postToPage([this, progress]() {
            setProgress(progress.daysDone, progress.daysTotal);
            setStatus(QStringLiteral("Exported %1 of %2 days, %3 bytes…")
                          .arg(progress.daysDone)
                          .arg(progress.daysTotal)
                          .arg(progress.bytes));
        });
    };
    setCancelHook([control]() { control->cancelRequested = true; });
    runStep(
        QStringLiteral("Exporting…"),
        [root, plan, connection, credentials, control]() {
            return RecoveryJob(root).exportEvents(plan, connection, credentials,
                                                  control.get());
        },
        [this](const StepOutcome<api::ExportSummary> &outcome) {
            if (!outcome.value) {
                setStatus(
                    QStringLiteral("The export failed: %1").arg(outcome.error));
                m_retry->setEnabled(true);
                return;
            }
            showSummary(*outcome.value);
        });
}

void ExportPage::showSummary(const api::ExportSummary &summary)
{
    m_days->setRowCount(static_cast<int>(summary.days.size()));
    int row = 0;
    for (const api::DayRecord &day : summary.days) {
        const QStringList cells = {QString::fromStdString(formatDay(day.day)),
                                   api::dayStatusName(day.status),
                                   QString::number(day.events), day.message};
        for (int column = 0; column < cells.size(); ++column)
            m_days->setItem(row, column, new QTableWidgetItem(cells[column]));
        ++row;
    }
    m_days->resizeColumnsToContents();
    const bool complete =
        summary.isComplete() && !summary.cancelled && summary.error.isEmpty();
    const int failed = summary.countWithStatus(api::DayStatus::Failed) +
                       summary.countWithStatus(api::DayStatus::Incomplete);
    if (complete)
        setStatus(
            QStringLiteral("Exported %1 (%2 skipped because an "
                           "earlier run finished them).")
                .arg(countOf(static_cast<std::int64_t>(summary.days.size()),
                             "day"),
                     formatCount(summary.skippedDays)));
    else if (!summary.error.isEmpty())
        setStatus(QStringLiteral("The export failed: %1").arg(summary.error));
    else
        setStatus(QStringLiteral("%1 days failed or are incomplete%2. Retry "
                                 "exports only those days.")
                      .arg(failed)
                      .arg(summary.cancelled ? QStringLiteral(" (cancelled)")
                                             : QString()));
    m_retry->setEnabled(!complete);
    setDone(complete);
}

DeletionPage::DeletionPage(RecoveryWizard *wizard) : StepPage(wizard)
{
    setTitle(QStringLiteral("Deletion request"));
    setSubTitle(QStringLiteral(
        "Send this request to Mixpanel support. They delete exactly the "
        "exported events: same selector, same dates, same threshold. Re-import "
        "only after they confirm, or the project holds both copies."));
    m_text = new QPlainTextEdit;
    m_text->setObjectName(QStringLiteral("deletionRequest"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_copy = new QPushButton(QStringLiteral("&Copy request"));
    m_confirmed = new QCheckBox(
        QStringLiteral("Mixpanel support confirmed the deletion is complete"));
    m_confirmed->setObjectName(QStringLiteral("deletionConfirmed"));
    m_content->addWidget(m_text, 1);
    m_content->addWidget(m_copy, 0, Qt::AlignLeft);
    m_content->addWidget(m_confirmed);
    connect(m_copy, &QPushButton::clicked, this, [this]() {
        QApplication::clipboard()->setText(m_text->toPlainText());
        setStatus(QStringLiteral("The request is on the clipboard."));
    });
    connect(m_confirmed, &QCheckBox::toggled, this,
            &DeletionPage::completeChanged);
}

void DeletionPage::initializePage()
{
    const RecoveryJob *job = m_wizard->job();
    if (!job)
        return;
    m_confirmed->setChecked(job->folder().isDone(JobStep::DeletionConfirmed));
    const QString root = job->folder().root();
    const RecoveryPlan plan = m_wizard->plan();
    const QString projectId = QString::number(m_wizard->connection().projectId);
    runStep(
        QStringLiteral("Counting the exported events…"),
        [root, plan, projectId]() {
            return RecoveryJob(root).writeDeletionRequest(plan, projectId);
        },
        [this](const StepOutcome<std::string> &outcome) {
            if (!outcome.value) {
                setStatus(outcome.error);
                return;
            }
            m_text->setPlainText(QString::fromStdString(*outcome.value));
            setStatus(QStringLiteral("Saved as deletion-request.txt in the job "
                                     "folder."));
            setDone(true);
        });
}

bool DeletionPage::isComplete() const
{
    return StepPage::isComplete() && m_confirmed->isChecked();
}

bool DeletionPage::validatePage()
{
    if (!isComplete())
        return false;
    const RecoveryJob *job = m_wizard->job();
    if (!job->folder().isDone(JobStep::DeletionConfirmed)) {
        job->folder().markDone(JobStep::DeletionConfirmed);
        job->folder().appendAudit("deletion_confirmed_by_user");
    }
    return true;
}

} // namespace hsi::ui
