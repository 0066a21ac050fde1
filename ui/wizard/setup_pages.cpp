// The pages before any request goes out: path, connection and job folder.

#include "format.h"
#include "hsi/api/connection_test.h"
#include "recovery_wizard.h"
#include "wizard_pages.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcWizard, "hsi.ui.wizard")

namespace hsi::ui {

namespace {

QLabel *wrappedLabel(const QString &text = QString())
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

std::int64_t countHot(const Report *report, ShardKind kind)
{
    if (!report)
        return 0;
    return std::count_if(
        report->hotShards.begin(), report->hotShards.end(),
        [kind](const PairFinding &f) { return f.kind == kind; });
}

} // namespace

PathPage::PathPage(RecoveryWizard *wizard) : m_wizard(wizard)
{
    setTitle(QStringLiteral("What to repair"));
    setSubTitle(QStringLiteral(
        "Mixpanel renamed the events past the limit to $hotshard_events and "
        "blanked their distinct_id. Choose which hot shards of the scan to "
        "repair; run the wizard again for the other kind."));
    m_users = new QRadioButton;
    m_users->setObjectName(QStringLiteral("usersPath"));
    m_groups = new QRadioButton;
    m_groups->setObjectName(QStringLiteral("groupsPath"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_users);
    layout->addWidget(wrappedLabel(QStringLiteral(
        "Exports the $hotshard_events of the hot days, restores their names "
        "and distinct_id, and imports them again.")));
    layout->addSpacing(12);
    layout->addWidget(m_groups);
    layout->addWidget(wrappedLabel(QStringLiteral(
        "Exports every event of the hot groups, asks Mixpanel support to "
        "delete them, blanks the hot group id and imports them again.")));
    layout->addStretch();
}

void PathPage::initializePage()
{
    const Report *report = m_wizard->report().get();
    const std::int64_t users = countHot(report, ShardKind::User);
    const std::int64_t groups = countHot(report, ShardKind::Group);
    m_users->setText(QStringLiteral("User hot shards (%1)")
                         .arg(countOf(users, "hot (id, day) pair")));
    m_groups->setText(QStringLiteral("Group hot shards (%1)")
                          .arg(countOf(groups, "hot (group, day) pair")));
    m_users->setEnabled(users > 0);
    m_groups->setEnabled(groups > 0);
    // Without a scan the plan comes from the job folder to resume.
    if (users > 0 || groups == 0)
        m_users->setChecked(true);
    else
        m_groups->setChecked(true);
}

RecoveryPath PathPage::path() const
{
    return m_groups->isChecked() ? RecoveryPath::Groups : RecoveryPath::Users;
}

ConnectionPage::ConnectionPage(RecoveryWizard *wizard) : m_wizard(wizard)
{
    setTitle(QStringLiteral("Connect to the project"));
    setSubTitle(QStringLiteral(
        "Export and import run as a service account of the project. The "
        "secret goes to the system keychain, never into the job folder."));
    m_region = new QComboBox;
    m_region->addItem(QStringLiteral("US (api.mixpanel.com)"),
                      QStringLiteral("us"));
    m_region->addItem(QStringLiteral("EU (api-eu.mixpanel.com)"),
                      QStringLiteral("eu"));
    m_region->addItem(QStringLiteral("India (api-in.mixpanel.com)"),
                      QStringLiteral("in"));
    m_projectId = new QLineEdit;
    m_projectId->setObjectName(QStringLiteral("projectId"));
    m_projectId->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[0-9]{1,18}")), m_projectId));
    m_apiUrl = new QLineEdit;
    m_apiUrl->setPlaceholderText(
        QStringLiteral("optional, such as https://proxy.example.com"));
    m_kind = new QComboBox;
    m_kind->addItem(QStringLiteral("Service account"));
    m_kind->addItem(QStringLiteral("Project API secret (legacy)"));
    m_username = new QLineEdit;
    m_username->setObjectName(QStringLiteral("username"));
    m_secret = new QLineEdit;
    m_secret->setObjectName(QStringLiteral("secret"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_test = new QPushButton(QStringLiteral("&Test connection"));
    m_result = wrappedLabel();
    m_result->setObjectName(QStringLiteral("connectionResult"));

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("&Region:"), m_region);
    form->addRow(QStringLiteral("&Project id:"), m_projectId);
    form->addRow(QStringLiteral("API &URL override:"), m_apiUrl);
    form->addRow(QStringLiteral("&Credentials:"), m_kind);
    form->addRow(QStringLiteral("User&name:"), m_username);
    form->addRow(QStringLiteral("&Secret:"), m_secret);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_test, 0, Qt::AlignLeft);
    layout->addWidget(m_result);
    layout->addStretch();

    for (QLineEdit *edit : {m_projectId, m_username, m_secret})
        connect(edit, &QLineEdit::textChanged, this,
                &ConnectionPage::completeChanged);
    connect(m_projectId, &QLineEdit::editingFinished, this,
            &ConnectionPage::loadStoredCredentials);
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_username->setEnabled(index == 0);
        emit completeChanged();
    });
    connect(m_test, &QPushButton::clicked, this,
            &ConnectionPage::testConnection);
}

api::ConnectionSettings ConnectionPage::settings() const
{
    api::ConnectionSettings settings;
    settings.region = api::parseRegion(m_region->currentData().toString())
                          .value_or(api::Region::US);
    settings.baseUrl = m_apiUrl->text().trimmed();
    settings.projectId = m_projectId->text().toLongLong();
    return settings;
}

std::optional<api::Credentials> ConnectionPage::enteredCredentials() const
{
    const QString secret = m_secret->text();
    if (secret.isEmpty())
        return m_stored;
    if (m_kind->currentIndex() == 1)
        return api::Credentials::apiSecret(secret);
    return api::Credentials::serviceAccount(m_username->text().trimmed(),
                                            secret);
}

bool ConnectionPage::isComplete() const
{
    const std::optional<api::Credentials> credentials = enteredCredentials();
    return !m_projectId->text().isEmpty() && credentials &&
           credentials->isValid();
}

void ConnectionPage::loadStoredCredentials()
{
    const qint64 projectId = m_projectId->text().toLongLong();
    QString error;
    m_stored = m_wizard->sessionStore().load(projectId, &error);
    if (!m_stored)
        m_stored = m_wizard->credentialStore().load(projectId, &error);
    if (m_stored) {
        m_username->setText(m_stored->username());
        m_secret->clear();
        m_secret->setPlaceholderText(
            QStringLiteral("stored; type to replace it"));
    } else {
        m_secret->setPlaceholderText(QString());
    }
    emit completeChanged();
}

void ConnectionPage::testConnection()
{
    const std::optional<api::Credentials> credentials = enteredCredentials();
    if (!credentials || !credentials->isValid()) {
        m_result->setText(QStringLiteral("Enter the project id and the "
                                         "credentials first."));
        return;
    }
    m_test->setEnabled(false);
    m_result->setText(QStringLiteral("Testing: one small export request…"));
    const api::ConnectionSettings connection = settings();
    const api::Credentials copy = *credentials;
    m_testFuture = runInBackground(
        this,
        [connection, copy]() { return api::testConnection(connection, copy); },
        [this](const StepOutcome<api::ConnectionDiagnosis> &outcome) {
            m_test->setEnabled(true);
            if (!outcome.value) {
                m_result->setText(outcome.error);
                return;
            }
            const api::ConnectionDiagnosis &diagnosis = *outcome.value;
            m_result->setText(diagnosis.explanation);
            m_result->setProperty("verdict",
                                  static_cast<int>(diagnosis.verdict));
        });
}

void ConnectionPage::storeCredentials(const api::Credentials &credentials)
{
    const qint64 projectId = m_projectId->text().toLongLong();
    QString error;
    m_wizard->sessionStore().store(projectId, credentials, &error);
    if (m_wizard->credentialStore().store(projectId, credentials, &error)) {
        m_storageNotice =
            m_wizard->credentialStore().isPersistent()
                ? QStringLiteral("The credentials are stored in the system "
                                 "keychain.")
                : QStringLiteral("The credentials are kept for this session "
                                 "only.");
        return;
    }
    m_storageNotice =
        QStringLiteral("No keychain is available (%1). The credentials are "
                       "kept in memory for this session only; enter them "
                       "again after a restart.")
            .arg(error);
    qCInfo(lcWizard) << "credentials kept for the session only:" << error;
}

bool ConnectionPage::validatePage()
{
    const std::optional<api::Credentials> credentials = enteredCredentials();
    if (!credentials || !credentials->isValid())
        return false;
    if (m_testFuture.isRunning())
        m_testFuture.waitForFinished();
    if (!m_secret->text().isEmpty())
        storeCredentials(*credentials);
    m_wizard->setConnection(settings(), *credentials);
    return true;
}

JobFolderPage::JobFolderPage(RecoveryWizard *wizard) : m_wizard(wizard)
{
    setTitle(QStringLiteral("Job folder"));
    setSubTitle(QStringLiteral(
        "Every file of the repair goes here: exports, transformed files, "
        "checkpoints, rejects, the deletion request, the verify result and an "
        "audit log of each step. Choose an existing job folder to "
        "resume it."));
    m_folder = new QLineEdit;
    m_folder->setObjectName(QStringLiteral("jobFolder"));
    auto *browse = new QPushButton(QStringLiteral("&Browse…"));
    m_notice = wrappedLabel();
    m_status = wrappedLabel();
    m_status->setObjectName(QStringLiteral("jobStatus"));
    auto *row = new QHBoxLayout;
    row->addWidget(m_folder);
    row->addWidget(browse);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_status);
    layout->addStretch();
    layout->addWidget(m_notice);

    connect(browse, &QPushButton::clicked, this, [this]() {
        const QString folder = QFileDialog::getExistingDirectory(
            this, QStringLiteral("Job folder"), m_folder->text());
        if (!folder.isEmpty())
            m_folder->setText(folder);
    });
    connect(m_folder, &QLineEdit::textChanged, this,
            &JobFolderPage::describeFolder);
}

void JobFolderPage::initializePage()
{
    m_notice->setText(m_wizard->connectionPage()->storageNotice());
    describeFolder();
}

void JobFolderPage::describeFolder()
{
    const QString path = m_folder->text().trimmed();
    if (path.isEmpty()) {
        m_status->setText(QString());
    } else if (!QFileInfo::exists(path + QStringLiteral("/job.json"))) {
        m_status->setText(QStringLiteral("A new job starts here."));
    } else {
        try {
            const RecoveryJob job(path);
            const RecoveryPlan plan = job.loadPlan();
            const auto step = job.folder().nextStep(plan.steps());
            m_status->setText(
                QStringLiteral(
                    "This folder contains a job for %1 hot shards. It "
                    "resumes at: %2.")
                    .arg(plan.path == RecoveryPath::Users
                             ? QStringLiteral("user")
                             : QStringLiteral("group"),
                         step ? QString::fromUtf8(recovery::jobStepName(*step))
                              : QStringLiteral("finished")));
        } catch (const std::exception &error) {
            m_status->setText(QString::fromUtf8(error.what()));
        }
    }
    emit completeChanged();
}

bool JobFolderPage::isComplete() const
{
    return !m_folder->text().trimmed().isEmpty();
}

bool JobFolderPage::validatePage()
{
    const QString path = QDir(m_folder->text().trimmed()).absolutePath();
    try {
        auto job = std::make_unique<RecoveryJob>(path);
        RecoveryPlan plan;
        if (job->hasPlan()) {
            const auto stored = job->loadConnection();
            const qint64 projectId = m_wizard->connection().projectId;
            if (stored && stored->projectId != projectId) {
                m_status->setText(
                    QStringLiteral("This job belongs to project %1, not %2. "
                                   "Go Back and enter project id %1, or "
                                   "choose another folder.")
                        .arg(stored->projectId)
                        .arg(projectId));
                return false;
            }
            plan = job->loadPlan();
            job->folder().appendAudit("job_resumed");
        } else if (m_wizard->report()) {
            plan = RecoveryPlan::fromReport(
                *m_wizard->report(), m_wizard->chosenPath(),
                QDateTime::currentMSecsSinceEpoch());
            job->start(plan, m_wizard->connection());
        } else {
            m_status->setText(QStringLiteral(
                "This folder holds no job. Scan the export first, or choose "
                "the folder of an earlier job."));
            return false;
        }
        m_resumePage =
            m_wizard->pageForStep(job->folder().nextStep(plan.steps()));
        m_wizard->setJob(std::move(job), plan);
        return true;
    } catch (const std::exception &error) {
        m_status->setText(QString::fromUtf8(error.what()));
        return false;
    }
}

int JobFolderPage::nextId() const
{
    return m_resumePage >= 0 ? m_resumePage : RecoveryWizard::ExportPageId;
}

} // namespace hsi::ui
