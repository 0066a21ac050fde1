#pragma once

#include "background_step.h"
#include "hsi/api/connection_test.h"
#include "recovery_job.h"

#include <QFuture>
#include <QWizardPage>
#include <atomic>
#include <functional>
#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QTableWidget;
class QVBoxLayout;

namespace hsi::ui {

class RecoveryWizard;

/// Chooses the user or the group path from the hot shards of the scan.
class PathPage : public QWizardPage {
    Q_OBJECT
public:
    explicit PathPage(RecoveryWizard *wizard);
    void initializePage() override;
    RecoveryPath path() const;
    QRadioButton *usersButton() const { return m_users; }
    QRadioButton *groupsButton() const { return m_groups; }

private:
    RecoveryWizard *m_wizard;
    QRadioButton *m_users;
    QRadioButton *m_groups;
};

/// Region, project id, API URL override and credentials, with a
/// "Test connection" action that explains the result.
class ConnectionPage : public QWizardPage {
    Q_OBJECT
public:
    explicit ConnectionPage(RecoveryWizard *wizard);
    bool isComplete() const override;
    bool validatePage() override;

    QComboBox *regionBox() const { return m_region; }
    QLineEdit *projectIdEdit() const { return m_projectId; }
    QLineEdit *apiUrlEdit() const { return m_apiUrl; }
    QComboBox *kindBox() const { return m_kind; }
    QLineEdit *usernameEdit() const { return m_username; }
    QLineEdit *secretEdit() const { return m_secret; }
    QPushButton *testButton() const { return m_test; }
    QLabel *resultLabel() const { return m_result; }
    /// Notice on where the credentials went when the page was left: the
    /// keychain, or memory for this session only with the reason.
    QString storageNotice() const { return m_storageNotice; }

private:
    api::ConnectionSettings settings() const;
    std::optional<api::Credentials> enteredCredentials() const;
    void loadStoredCredentials();
    void testConnection();
    void storeCredentials(const api::Credentials &credentials);

    RecoveryWizard *m_wizard;
    QComboBox *m_region;
    QLineEdit *m_projectId;
    QLineEdit *m_apiUrl;
    QComboBox *m_kind;
    QLineEdit *m_username;
    QLineEdit *m_secret;
    QPushButton *m_test;
    QLabel *m_result;
    std::optional<api::Credentials> m_stored;
    QString m_storageNotice;
    QFuture<StepOutcome<api::ConnectionDiagnosis>> m_testFuture;
};

/// Chooses the job folder; a folder that already contains a job resumes at its
/// first step that is not done.
class JobFolderPage : public QWizardPage {
    Q_OBJECT
public:
    explicit JobFolderPage(RecoveryWizard *wizard);
    void initializePage() override;
    bool validatePage() override;
    bool isComplete() const override;
    int nextId() const override;

    QLineEdit *folderEdit() const { return m_folder; }
    QLabel *statusLabel() const { return m_status; }

private:
    void describeFolder();

    RecoveryWizard *m_wizard;
    QLineEdit *m_folder;
    QLabel *m_notice;
    QLabel *m_status;
    int m_resumePage = -1;
};

/// A page whose step runs in the background with progress and Cancel. The
/// page is complete once the step succeeded.
class StepPage : public QWizardPage {
    Q_OBJECT
public:
    explicit StepPage(RecoveryWizard *wizard);
    ~StepPage() override;
    bool isComplete() const override;
    /// Rejects Next while the step is incomplete. QWizard checks
    /// isComplete() only for the button, not for a call of next().
    bool validatePage() override;
    bool isBusy() const { return m_busy; }
    /// Requests cancellation and waits until the step returns.
    void cancelAndWait();
    /// Requests cancellation of the running step.
    void cancel();

    QLabel *statusLabel() const { return m_status; }
    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *cancelButton() const { return m_cancel; }

protected:
    /// Runs `work` in the background; `finish` runs on the GUI thread.
    template <typename Work, typename Finish>
    void runStep(const QString &message, Work work, Finish finish)
    {
        m_cancelFlag = std::make_shared<std::atomic<bool>>(false);
        setBusy(true, message);
        auto future = runInBackground(this, std::move(work),
                                      [this, finish](auto outcome) {
                                          setBusy(false, QString());
                                          finish(outcome);
                                      });
        m_waitForStep = [future]() mutable {
            future.waitForFinished();
        };
    }
    void setBusy(bool busy, const QString &message);
    void setDone(bool done);
    void setStatus(const QString &text);
    /// Shows `done` of `total`; total 0 shows a busy indicator.
    void setProgress(std::int64_t done, std::int64_t total);
    /// Called by Cancel, next to setting cancelFlag(), for steps whose
    /// library has its own cancel flag.
    void setCancelHook(std::function<void()> hook)
    {
        m_cancelHook = std::move(hook);
    }
    /// Calls `update` on the GUI thread; safe from the running step.
    void postToPage(std::function<void()> update);
    /// A flag the running step polls; Cancel sets it.
    std::shared_ptr<std::atomic<bool>> cancelFlag() const
    {
        return m_cancelFlag;
    }

    RecoveryWizard *m_wizard;
    /// Layout for the page's own widgets, above the status and progress.
    QVBoxLayout *m_content;

private:
    QLabel *m_status;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    std::function<void()> m_waitForStep;
    std::function<void()> m_cancelHook;
    std::shared_ptr<std::atomic<bool>> m_cancelFlag;
    bool m_busy = false;
    bool m_done = false;
};

/// Exports the affected days into raw/, shows each day's state, and offers
/// Retry for failed and incomplete days.
class ExportPage : public StepPage {
    Q_OBJECT
public:
    explicit ExportPage(RecoveryWizard *wizard);
    void initializePage() override;
    int nextId() const override;
    QTableWidget *dayTable() const { return m_days; }
    QPushButton *retryButton() const { return m_retry; }
    void startExport();

private:
    void showSummary(const api::ExportSummary &summary);

    QTableWidget *m_days;
    QPushButton *m_retry;
};

/// Shows the deletion request for Mixpanel support and waits until the
/// user confirms that the deletion is complete.
class DeletionPage : public StepPage {
    Q_OBJECT
public:
    explicit DeletionPage(RecoveryWizard *wizard);
    void initializePage() override;
    bool isComplete() const override;
    bool validatePage() override;
    QPlainTextEdit *requestText() const { return m_text; }
    QCheckBox *confirmBox() const { return m_confirmed; }
    QPushButton *copyButton() const { return m_copy; }

private:
    QPlainTextEdit *m_text;
    QPushButton *m_copy;
    QCheckBox *m_confirmed;
};

/// The transform settings (distinct_id source, blanked groups, new
/// `$insert_id`, legacy time) and the transform run.
class TransformPage : public StepPage {
    Q_OBJECT
public:
    explicit TransformPage(RecoveryWizard *wizard);
    void initializePage() override;
    QComboBox *distinctIdBox() const { return m_distinctId; }
    QLineEdit *argumentEdit() const { return m_argument; }
    QCheckBox *regenerateBox() const { return m_regenerate; }
    QPushButton *runButton() const { return m_run; }
    void startTransform();

private:
    std::optional<recovery::TransformOptions> options();
    void updateArgument();

    QComboBox *m_distinctId;
    QLineEdit *m_argument;
    QLabel *m_groups;
    QCheckBox *m_regenerate;
    QLabel *m_regenerateReason;
    QCheckBox *m_legacyTime;
    QLineEdit *m_timeZone;
    QPushButton *m_run;
};

/// Counts per id or group and day of the transformed file, and sample
/// events before and after the transform.
class ReviewPage : public StepPage {
    Q_OBJECT
public:
    explicit ReviewPage(RecoveryWizard *wizard);
    void initializePage() override;
    QTableWidget *countTable() const { return m_counts; }
    QPlainTextEdit *beforeText() const { return m_before; }
    QPlainTextEdit *afterText() const { return m_after; }

private:
    struct ReviewData {
        std::shared_ptr<const Report> report;
        std::vector<recovery::PreviewSample> samples;
    };
    void showReview(const ReviewData &data);

    QTableWidget *m_counts;
    QPlainTextEdit *m_before;
    QPlainTextEdit *m_after;
};

/// Runs the detection on the transformed file and blocks the import while
/// any pair would exceed its limit.
class VerifyPage : public StepPage {
    Q_OBJECT
public:
    explicit VerifyPage(RecoveryWizard *wizard);
    void initializePage() override;
    QTableWidget *offendingTable() const { return m_offending; }

private:
    void showResult(const recovery::VerifyResult &result);

    QTableWidget *m_offending;
};

/// Imports the transformed file in batches with a checkpoint, and shows the
/// final report.
class ImportPage : public StepPage {
    Q_OBJECT
public:
    explicit ImportPage(RecoveryWizard *wizard);
    void initializePage() override;
    QPushButton *importButton() const { return m_import; }
    QPlainTextEdit *reportText() const { return m_report; }
    void startImport();

private:
    QPushButton *m_import;
    QPlainTextEdit *m_report;
};

} // namespace hsi::ui
