// The recovery wizard driven offscreen against the test server: both
// paths to the end, resume from a job folder, and verify blocking import.
// Set HSI_WIZARD_SCREENSHOT_DIR to save a PNG of every page on the way.

#include "../api/test_server.h"
#include "hsi/scanner.h"
#include "keychain_credential_store.h"
#include "recovery_fixture.h"
#include "wizard/recovery_wizard.h"
#include "wizard/wizard_pages.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace hsi;
using namespace hsi::test;
using hsi::ui::RecoveryWizard;

namespace {

/// Milliseconds a background step may take before QTRY_ gives up.
constexpr int kStepTimeoutMs = 30000;

class RecoveryWizardTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void userPath();
    void groupPath();
    void resumeAfterExport();
    void verifyBlocksImport();
    void exportRetry();
    void resumeAtDeletion();
    void keychainStore();
    void samplePlan();

private:
    std::unique_ptr<RecoveryWizard> makeWizard();
    void fillConnection(RecoveryWizard &wizard);
    void saveScreenshot(RecoveryWizard &wizard, const QString &name);
    QString jobPath() const { return m_dir->filePath(QStringLiteral("job")); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestServer> m_server;
    std::shared_ptr<const Report> m_report;
    std::shared_ptr<api::CredentialStore> m_store;
};

void RecoveryWizardTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    const QDir root(m_dir->path());
    QVERIFY(root.mkpath(QStringLiteral("data")));
    QVERIFY(root.mkpath(QStringLiteral("state")));
    const QString data = root.filePath(QStringLiteral("data"));
    writeRecoveryFixture(data);
    m_server = std::make_unique<TestServer>(
        data, root.filePath(QStringLiteral("state")));
    QVERIFY2(m_server->isRunning(), qPrintable(m_server->errorText()));
    m_report = std::make_shared<const Report>(
        scan({QString(data + QStringLiteral("/incident.ndjson")).toStdString()},
             recoveryScanSettings()));
    QCOMPARE(m_report->hotUserShards(), 1);
    QCOMPARE(m_report->hotGroupShards(), 1);
    // Never the real keychain in tests: keychainStore() covers that class.
    m_store = std::make_shared<api::SessionCredentialStore>();
}

void RecoveryWizardTest::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

std::unique_ptr<RecoveryWizard> RecoveryWizardTest::makeWizard()
{
    auto wizard = std::make_unique<RecoveryWizard>(m_report, m_store);
    wizard->resize(900, 680);
    wizard->show();
    return wizard;
}

void RecoveryWizardTest::fillConnection(RecoveryWizard &wizard)
{
    ui::ConnectionPage *page = wizard.connectionPage();
    page->projectIdEdit()->setText(QString::number(kProjectId));
    page->apiUrlEdit()->setText(m_server->baseUrl());
    page->usernameEdit()->setText(QString::fromLatin1(kServiceUser));
    page->secretEdit()->setText(QString::fromLatin1(kServiceSecret));
}

void RecoveryWizardTest::saveScreenshot(RecoveryWizard &wizard,
                                        const QString &name)
{
    const QString dir = qEnvironmentVariable("HSI_WIZARD_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    wizard.grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
}

/// Selects the item of `box` whose data is `value`.
bool selectData(QComboBox *box, const QString &value)
{
    const int index = box->findData(value);
    box->setCurrentIndex(index);
    return index >= 0;
}

/// Moves from the path page to the export page of a new job.
#define START_JOB(wizard, groups)                                              \
    do {                                                                       \
        (groups ? (wizard).pathPage()->groupsButton()                          \
                : (wizard).pathPage()->usersButton())                          \
            ->setChecked(true);                                                \
        (wizard).next();                                                       \
        QCOMPARE((wizard).currentId(), int(RecoveryWizard::ConnectionPageId)); \
        fillConnection(wizard);                                                \
        (wizard).next();                                                       \
        QCOMPARE((wizard).currentId(), int(RecoveryWizard::JobFolderPageId));  \
        (wizard).jobFolderPage()->folderEdit()->setText(jobPath());            \
        (wizard).next();                                                       \
        QCOMPARE((wizard).currentId(), int(RecoveryWizard::ExportPageId));     \
        QTRY_VERIFY_WITH_TIMEOUT((wizard).exportPage()->isComplete(),          \
                                 kStepTimeoutMs);                              \
    } while (false)

/// Runs the transform with `choice` ("keep", "original", "property") and
/// `argument`, then moves on to the verify page.
#define TRANSFORM_AND_VERIFY(wizard, choice, argument)                         \
    do {                                                                       \
        QCOMPARE((wizard).currentId(), int(RecoveryWizard::TransformPageId));  \
        QVERIFY(selectData((wizard).transformPage()->distinctIdBox(),          \
                           QStringLiteral(choice)));                           \
        (wizard).transformPage()->argumentEdit()->setText(                     \
            QStringLiteral(argument));                                         \
        (wizard).transformPage()->runButton()->click();                        \
        QTRY_VERIFY_WITH_TIMEOUT((wizard).transformPage()->isComplete(),       \
                                 kStepTimeoutMs);                              \
        (wizard).next();                                                       \
        QCOMPARE((wizard).currentId(), int(RecoveryWizard::ReviewPageId));     \
        QTRY_VERIFY_WITH_TIMEOUT((wizard).reviewPage()->isComplete(),          \
                                 kStepTimeoutMs);                              \
        (wizard).next();                                                       \
        QCOMPARE((wizard).currentId(), int(RecoveryWizard::VerifyPageId));     \
        QTRY_VERIFY_WITH_TIMEOUT(!(wizard).verifyPage()->isBusy(),             \
                                 kStepTimeoutMs);                              \
    } while (false)

#define IMPORT(wizard)                                                         \
    do {                                                                       \
        QVERIFY((wizard).verifyPage()->isComplete());                          \
        (wizard).next();                                                       \
        QCOMPARE((wizard).currentId(), int(RecoveryWizard::ImportPageId));     \
        (wizard).importPage()->importButton()->click();                        \
        QTRY_VERIFY_WITH_TIMEOUT((wizard).importPage()->isComplete(),          \
                                 kStepTimeoutMs);                              \
    } while (false)

void RecoveryWizardTest::userPath()
{
    auto wizard = makeWizard();
    saveScreenshot(*wizard, QStringLiteral("01-path"));
    wizard->pathPage()->usersButton()->setChecked(true);
    wizard->next();
    fillConnection(*wizard);
    wizard->connectionPage()->testButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(
        wizard->connectionPage()->testButton()->isEnabled(), kStepTimeoutMs);
    QCOMPARE(
        wizard->connectionPage()->resultLabel()->property("verdict").toInt(),
        int(api::ConnectionVerdict::Ok));
    saveScreenshot(*wizard, QStringLiteral("02-connection"));
    wizard->back();
    START_JOB(*wizard, false);
    saveScreenshot(*wizard, QStringLiteral("04-export"));
    QCOMPARE(wizard->exportPage()->dayTable()->rowCount(), 1);
    QCOMPARE(wizard->exportPage()->dayTable()->item(0, 1)->text(),
             QStringLiteral("ok"));
    wizard->next();

    TRANSFORM_AND_VERIFY(*wizard, "property", "$user_id");
    IMPORT(*wizard);
    saveScreenshot(*wizard, QStringLiteral("09-import"));
    QVERIFY(wizard->importPage()->reportText()->toPlainText().contains(
        QStringLiteral("Imported 7")));

    const std::vector<QJsonObject> events = m_server->importedEvents();
    QCOMPARE(distinctIds(events), expectedUserPathIds());
    QCOMPARE(countWithProperty(events, QStringLiteral("mp_original_event_name"),
                               QStringLiteral("Page View")),
             0);
    QCOMPARE(
        m_server->stats().value(QStringLiteral("duplicate_copies")).toInt(), 0);
    const QDir job(jobPath());
    QVERIFY(job.exists(QStringLiteral("audit.log")));
    QVERIFY(job.exists(QStringLiteral("verify.json")));
    QVERIFY(job.exists(QStringLiteral("transformed/events.ndjson.gz")));

    QFile audit(job.filePath(QStringLiteral("audit.log")));
    QVERIFY(audit.open(QIODevice::ReadOnly));
    const QByteArray log = audit.readAll();
    QVERIFY(log.contains("\"action\":\"export_day\""));
    QVERIFY(log.contains("\"action\":\"import\""));
    QVERIFY(!log.contains(kServiceSecret));
    QFile state(job.filePath(QStringLiteral("job.json")));
    QVERIFY(state.open(QIODevice::ReadOnly));
    QVERIFY(!state.readAll().contains(kServiceSecret));
}

void RecoveryWizardTest::groupPath()
{
    auto wizard = makeWizard();
    START_JOB(*wizard, true);
    wizard->next();
    QCOMPARE(wizard->currentId(), int(RecoveryWizard::DeletionPageId));
    ui::DeletionPage *deletion = wizard->deletionPage();
    QTRY_VERIFY_WITH_TIMEOUT(!deletion->isBusy(), kStepTimeoutMs);
    const QString request = deletion->requestText()->toPlainText();
    QVERIFY2(request.contains(QStringLiteral("mp_processing_time_ms")),
             qPrintable(request));
    QVERIFY2(request.contains(QString::fromLatin1(kIncidentDay)),
             qPrintable(request));
    QVERIFY(QFile::exists(jobPath() + QStringLiteral("/deletion-request.txt")));
    // Next stays disabled until the user confirms the deletion.
    QVERIFY(!deletion->isComplete());
    wizard->next();
    QCOMPARE(wizard->currentId(), int(RecoveryWizard::DeletionPageId));
    saveScreenshot(*wizard, QStringLiteral("05-deletion"));
    deletion->confirmBox()->setChecked(true);
    QVERIFY(deletion->isComplete());
    wizard->next();

    // Inside the 7-day undo window the wizard proposes new $insert_id values.
    QVERIFY(wizard->transformPage()->regenerateBox()->isChecked());
    saveScreenshot(*wizard, QStringLiteral("06-transform"));
    TRANSFORM_AND_VERIFY(*wizard, "keep", "");
    saveScreenshot(*wizard, QStringLiteral("08-verify-group"));
    wizard->back();
    QVERIFY(wizard->reviewPage()->countTable()->rowCount() > 0);
    QVERIFY(wizard->reviewPage()->afterText()->toPlainText().contains(
        QStringLiteral("\"company_id\": \"\"")));
    saveScreenshot(*wizard, QStringLiteral("07-review"));
    wizard->next();
    QTRY_VERIFY_WITH_TIMEOUT(wizard->verifyPage()->isComplete(),
                             kStepTimeoutMs);
    IMPORT(*wizard);
    saveScreenshot(*wizard, QStringLiteral("09-import-group"));

    const std::vector<QJsonObject> events = m_server->importedEvents();
    QCOMPARE(distinctIds(events), expectedGroupPathIds());
    QCOMPARE(countWithProperty(events, QStringLiteral("company_id"),
                               QStringLiteral("acme")),
             0);
    QCOMPARE(countWithProperty(events, QStringLiteral("company_id"), QString()),
             8);
    QCOMPARE(
        m_server->stats().value(QStringLiteral("duplicate_copies")).toInt(), 0);
}

void RecoveryWizardTest::resumeAfterExport()
{
    {
        auto wizard = makeWizard();
        START_JOB(*wizard, false);
        wizard->reject();
    }
    const int exportRequests =
        m_server->requestCount(QStringLiteral("/api/2.0/export"));
    QCOMPARE(exportRequests, 1);

    auto wizard = makeWizard();
    wizard->next();
    fillConnection(*wizard);
    wizard->next();
    wizard->jobFolderPage()->folderEdit()->setText(jobPath());
    QVERIFY2(wizard->jobFolderPage()->statusLabel()->text().contains(
                 QStringLiteral("resumes at: transform")),
             qPrintable(wizard->jobFolderPage()->statusLabel()->text()));
    saveScreenshot(*wizard, QStringLiteral("03-job-folder"));
    wizard->next();
    QCOMPARE(wizard->currentId(), int(RecoveryWizard::TransformPageId));

    TRANSFORM_AND_VERIFY(*wizard, "property", "$user_id");
    IMPORT(*wizard);
    QCOMPARE(distinctIds(m_server->importedEvents()), expectedUserPathIds());
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")),
             exportRequests);
}

void RecoveryWizardTest::verifyBlocksImport()
{
    auto wizard = makeWizard();
    START_JOB(*wizard, false);
    wizard->next();
    // The original id puts all 7 restored events back on u-hot (limit 5).
    TRANSFORM_AND_VERIFY(*wizard, "original", "");
    ui::VerifyPage *verify = wizard->verifyPage();
    QVERIFY(!verify->isComplete());
    QCOMPARE(verify->offendingTable()->rowCount(), 1);
    QCOMPARE(verify->offendingTable()->item(0, 1)->text(),
             QStringLiteral("u-hot"));
    QCOMPARE(verify->offendingTable()->item(0, 2)->text(),
             QString::fromLatin1(kIncidentDay));
    saveScreenshot(*wizard, QStringLiteral("08-verify-blocked"));
    wizard->next();
    QCOMPARE(wizard->currentId(), int(RecoveryWizard::VerifyPageId));

    wizard->back();
    wizard->back();
    TRANSFORM_AND_VERIFY(*wizard, "property", "$user_id");
    QVERIFY(verify->isComplete());
    QCOMPARE(verify->offendingTable()->rowCount(), 0);
    saveScreenshot(*wizard, QStringLiteral("08-verify-passed"));
    QCOMPARE(m_server->requestCount(QStringLiteral("/import")), 0);
    IMPORT(*wizard);
    QCOMPARE(distinctIds(m_server->importedEvents()), expectedUserPathIds());
}

void RecoveryWizardTest::exportRetry()
{
    QVERIFY(m_server->setFaults({QJsonObject{
        {QStringLiteral("path"), QStringLiteral("/api/2.0/export")},
        {QStringLiteral("kind"), QStringLiteral("403")},
        {QStringLiteral("count"), 1}}}));
    auto wizard = makeWizard();
    wizard->next();
    fillConnection(*wizard);
    wizard->next();
    wizard->jobFolderPage()->folderEdit()->setText(jobPath());
    wizard->next();
    ui::ExportPage *page = wizard->exportPage();
    QTRY_VERIFY_WITH_TIMEOUT(!page->isBusy(), kStepTimeoutMs);
    QVERIFY(!page->isComplete());
    QCOMPARE(page->dayTable()->item(0, 1)->text(), QStringLiteral("failed"));
    QVERIFY(page->retryButton()->isEnabled());
    wizard->next();
    QCOMPARE(wizard->currentId(), int(RecoveryWizard::ExportPageId));

    page->retryButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(page->isComplete(), kStepTimeoutMs);
    QCOMPARE(page->dayTable()->item(0, 1)->text(), QStringLiteral("ok"));
    QVERIFY(!page->retryButton()->isEnabled());
}

void RecoveryWizardTest::resumeAtDeletion()
{
    {
        auto wizard = makeWizard();
        START_JOB(*wizard, true);
        wizard->next();
        QTRY_VERIFY_WITH_TIMEOUT(!wizard->deletionPage()->isBusy(),
                                 kStepTimeoutMs);
        wizard->reject();
    }
    auto wizard = makeWizard();
    // The job's plan wins over the path chosen on the first page.
    wizard->pathPage()->usersButton()->setChecked(true);
    wizard->next();
    fillConnection(*wizard);
    // A job of another project is rejected before any request goes out.
    wizard->connectionPage()->projectIdEdit()->setText(QStringLiteral("999"));
    wizard->next();
    wizard->jobFolderPage()->folderEdit()->setText(jobPath());
    wizard->next();
    QCOMPARE(wizard->currentId(), int(RecoveryWizard::JobFolderPageId));
    QVERIFY(wizard->jobFolderPage()->statusLabel()->text().contains(
        QString::number(kProjectId)));
    wizard->back();
    wizard->connectionPage()->projectIdEdit()->setText(
        QString::number(kProjectId));
    wizard->next();
    wizard->next();
    QCOMPARE(wizard->currentId(), int(RecoveryWizard::DeletionPageId));
    QVERIFY(wizard->plan().path == ui::RecoveryPath::Groups);
    QTRY_VERIFY_WITH_TIMEOUT(!wizard->deletionPage()->isBusy(), kStepTimeoutMs);
    QVERIFY(!wizard->deletionPage()->confirmBox()->isChecked());
    QVERIFY(!wizard->deletionPage()->isComplete());
}

void RecoveryWizardTest::keychainStore()
{
    ui::KeychainCredentialStore store(
        QStringLiteral("hotshard-investigator-test"));
    const api::Credentials credentials = api::Credentials::serviceAccount(
        QStringLiteral("tester.1.mp-service-account"),
        QStringLiteral("keychain-test-secret"));
    QString error;
    if (!store.store(1, credentials, &error)) {
        // No keychain service on this machine: the store returns the reason,
        // and the message does not carry the secret.
        QVERIFY(!error.isEmpty());
        QVERIFY(!credentials.appearsIn(error));
        QVERIFY(!store.load(1, &error).has_value());
        return;
    }
    const std::optional<api::Credentials> loaded = store.load(1, &error);
    QVERIFY2(loaded.has_value(), qPrintable(error));
    QCOMPARE(loaded->username(), credentials.username());
    QVERIFY(loaded->appearsIn(QStringLiteral("keychain-test-secret")));
    QVERIFY(store.remove(1, &error));
}

void RecoveryWizardTest::samplePlan()
{
    const QString sample =
        QStringLiteral(HSI_BINARY_DIR "/resources/sample-incident.json.gz");
    if (!QFile::exists(sample))
        QSKIP("the sample export is not built");
    ScanSettings settings;
    settings.threads = 1;
    auto report =
        std::make_shared<const Report>(scan({sample.toStdString()}, settings));
    QVERIFY(report->hotUserShards() > 0);

    const ui::RecoveryPlan users = ui::RecoveryPlan::fromReport(
        *report, ui::RecoveryPath::Users, 1700000000000);
    QVERIFY(!users.days.empty());
    QVERIFY(users.groups.empty());
    QCOMPARE(users.exportQuery().events,
             QStringList{QStringLiteral("$hotshard_events")});
    const ui::RecoveryPlan restored =
        ui::RecoveryPlan::fromJson(users.toJson());
    QCOMPARE(restored.days, users.days);
    QCOMPARE(restored.scanSettings.userLimit, users.scanSettings.userLimit);

    RecoveryWizard wizard(report, m_store);
    wizard.resize(900, 680);
    wizard.show();
    QVERIFY(wizard.pathPage()->usersButton()->isEnabled());
    QCOMPARE(wizard.pathPage()->groupsButton()->isEnabled(),
             report->hotGroupShards() > 0);
    saveScreenshot(wizard, QStringLiteral("00-sample-path"));
}

} // namespace

QTEST_MAIN(RecoveryWizardTest)
#include "tst_recovery_wizard.moc"
