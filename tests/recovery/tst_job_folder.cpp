#include "hsi/recovery/deletion_request.h"
#include "hsi/recovery/job_folder.h"
#include "hsi/recovery/recovery_error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using hsi::recovery::JobFolder;
using hsi::recovery::JobStep;
using Json = nlohmann::ordered_json;

namespace {

std::vector<Json> readJsonLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    std::vector<Json> lines;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (!line.isEmpty())
            lines.push_back(Json::parse(line.toStdString()));
    }
    return lines;
}

} // namespace

class TestJobFolder : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void layout();
    void resume();
    void corruptState();
    void manifestRoundTrip();
    void manifestInvalid();
    void auditAppends();
    void auditRedacts();
    void redactStrings_data();
    void redactStrings();
    void deletionText();
    void utcFormat();
    void requestFromReport();

private:
    QTemporaryDir m_dir;
};

void TestJobFolder::layout()
{
    const JobFolder job(m_dir.filePath(QStringLiteral("layout")));
    job.create();
    QVERIFY(QDir(job.rawExportsDir()).exists());
    QVERIFY(QDir(job.transformedDir()).exists());
    QVERIFY(QDir(job.checkpointsDir()).exists());
    QCOMPARE(job.statePath(), job.root() + QStringLiteral("/job.json"));
    QCOMPARE(job.auditLogPath(), job.root() + QStringLiteral("/audit.log"));
    QVERIFY(job.rejectsPath().startsWith(job.transformedDir()));
}

void TestJobFolder::resume()
{
    const QString root = m_dir.filePath(QStringLiteral("resume"));
    const std::vector<JobStep> userPath = {JobStep::Export, JobStep::Transform,
                                           JobStep::Verify, JobStep::Import};
    {
        const JobFolder job(root);
        job.create();
        QCOMPARE(job.nextStep(userPath), JobStep::Export);
        job.markDone(JobStep::Export);
        job.markDone(JobStep::Transform);
        Json state = job.loadState();
        state["distinct_id"] = "original";
        job.saveState(state);
    }

    // A new object on the same folder, as after a restart.
    const JobFolder reopened(root);
    QVERIFY(reopened.isDone(JobStep::Export));
    QVERIFY(reopened.isDone(JobStep::Transform));
    QVERIFY(!reopened.isDone(JobStep::Verify));
    QCOMPARE(reopened.nextStep(userPath), JobStep::Verify);
    QCOMPARE(reopened.loadState()["distinct_id"].get<std::string>(),
             std::string("original"));
    reopened.markDone(JobStep::Verify);
    reopened.markDone(JobStep::Import);
    QVERIFY(!reopened.nextStep(userPath).has_value());
}

void TestJobFolder::corruptState()
{
    const JobFolder job(m_dir.filePath(QStringLiteral("corrupt")));
    job.create();
    QFile file(job.statePath());
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[1, 2");
    file.close();
    QVERIFY_THROWS_EXCEPTION(hsi::recovery::RecoveryError, job.loadState());
}

void TestJobFolder::manifestRoundTrip()
{
    const JobFolder job(m_dir.filePath(QStringLiteral("manifest")));
    job.create();
    QVERIFY(job.loadManifest().empty());
    job.saveManifest({{"raw/a.json.gz", "raw", 3000000000, 123},
                      {"transformed/a.ndjson.gz", "transformed", 7, 45}});

    const std::vector<hsi::recovery::ManifestEntry> entries =
        job.loadManifest();
    QCOMPARE(entries.size(), std::size_t(2));
    QCOMPARE(entries[0].path, std::string("raw/a.json.gz"));
    QCOMPARE(entries[0].role, std::string("raw"));
    QCOMPARE(entries[0].events, std::int64_t(3000000000));
    QCOMPARE(entries[0].bytes, std::int64_t(123));
    QCOMPARE(entries[1].role, std::string("transformed"));
}

void TestJobFolder::manifestInvalid()
{
    const JobFolder job(m_dir.filePath(QStringLiteral("bad-manifest")));
    job.create();
    job.writeFile(job.manifestPath(), R"({"files":[{"path":"a"}]})");
    QVERIFY_THROWS_EXCEPTION(hsi::recovery::RecoveryError, job.loadManifest());
}

void TestJobFolder::auditAppends()
{
    const JobFolder job(m_dir.filePath(QStringLiteral("audit")));
    job.create();
    job.appendAudit("export", {{"from", "2024-01-01"}, {"status", 200}});
    job.appendAudit("import", {{"events", 2000}});

    const std::vector<Json> lines = readJsonLines(job.auditLogPath());
    QCOMPARE(lines.size(), std::size_t(2));
    QCOMPARE(lines[0]["action"].get<std::string>(), std::string("export"));
    QCOMPARE(lines[0]["status"].get<int>(), 200);
    QVERIFY(lines[0].contains("time"));
    QCOMPARE(lines[1]["events"].get<int>(), 2000);
}

void TestJobFolder::auditRedacts()
{
    const JobFolder job(m_dir.filePath(QStringLiteral("secrets")));
    job.create();
    job.appendAudit(
        "request",
        {{"url", "http://127.0.0.1/import"},
         {"Authorization", "Basic c2VjcmV0"},
         {"service_account", {{"user", "sa"}, {"password", "hunter2"}}},
         {"headers", Json::array({{{"X-Api-Key", "k-123"}}})},
         {"project_token", "tok"}});

    QFile file(job.auditLogPath());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY(!text.contains("c2VjcmV0"));
    QVERIFY(!text.contains("hunter2"));
    QVERIFY(!text.contains("k-123"));
    QVERIFY(!text.contains("\"tok\""));
    QVERIFY(text.contains("\"user\":\"sa\""));
    QVERIFY(text.contains("http://127.0.0.1/import"));
    QCOMPARE(text.count("[redacted]"), 4);
}

void TestJobFolder::redactStrings_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::addRow("basic") << "Basic dXNlcjpwYXNz"
                           << "[redacted]";
    QTest::addRow("bearer") << "bearer abc.def.ghi"
                            << "[redacted]";
    QTest::addRow("basic words") << "Basic export done"
                                 << "Basic export done";
    QTest::addRow("query token")
        << "http://127.0.0.1:8080/import?project_id=7&token=abc&strict=1"
        << "http://127.0.0.1:8080/"
           "import?project_id=7&token=[redacted]&strict=1";
    QTest::addRow("query api secret") << "/export?api_secret=s3cr3t"
                                      << "/export?api_secret=[redacted]";
    QTest::addRow("plain text") << "exported 2024-03-01"
                                << "exported 2024-03-01";
    QTest::addRow("token in path") << "/tokens/list?limit=5"
                                   << "/tokens/list?limit=5";
}

void TestJobFolder::redactStrings()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const Json redacted =
        hsi::recovery::redactSecrets({{"url", text.toStdString()}});
    QCOMPARE(QString::fromStdString(redacted["url"].get<std::string>()),
             expected);
}

void TestJobFolder::deletionText()
{
    hsi::recovery::DeletionRequest request;
    request.projectId = "12345";
    request.selector = "(G) AND (T)";
    request.fromDate = *hsi::parseDay("2024-03-01");
    request.toDate = *hsi::parseDay("2024-03-03");
    request.processedBeforeMs = 1709683200000;
    request.eventCount = 3200000;
    request.affectedDays = {{*hsi::parseDay("2024-03-01"), 1200000},
                            {*hsi::parseDay("2024-03-02"), 2000000}};

    const QString text =
        QString::fromStdString(hsi::recovery::formatDeletionRequest(request));
    QVERIFY(text.contains(QLatin1String("PROJECT_ID: 12345\n")));
    QVERIFY(text.contains(QLatin1String("SELECTOR: (G) AND (T)\n")));
    QVERIFY(text.contains(QLatin1String("FROM: 2024-03-01\n")));
    QVERIFY(text.contains(QLatin1String("TO: 2024-03-03\n")));
    QVERIFY(text.contains(
        QLatin1String("TIME_THRESHOLD: 1709683200000 (mp_processing_time_ms, "
                      "2024-03-06 00:00:00.000 UTC)\n")));
    QVERIFY(text.contains(QLatin1String("EVENT_COUNT: 3200000\n")));
    QVERIFY(text.contains(QLatin1String("AFFECTED_DAYS: 2\n")));
    QVERIFY(text.contains(QLatin1String("  2024-03-02: 2000000 events\n")));
}

void TestJobFolder::utcFormat()
{
    QCOMPARE(hsi::recovery::formatUtcMs(0),
             std::string("1970-01-01 00:00:00.000 UTC"));
    QCOMPARE(hsi::recovery::formatUtcMs(-1),
             std::string("1969-12-31 23:59:59.999 UTC"));
    QCOMPARE(hsi::recovery::formatUtcMs(1700000000123),
             std::string("2023-11-14 22:13:20.123 UTC"));
}

void TestJobFolder::requestFromReport()
{
    hsi::Report report;
    report.totals.events = 30;
    report.days = {{*hsi::parseDay("2024-03-01"), 10, 0, 0},
                   {*hsi::parseDay("2024-03-02"), 20, 0, 0}};
    const hsi::recovery::DeletionRequest request =
        hsi::recovery::deletionRequestFromReport(
            report, "(G) AND (T)", *hsi::parseDay("2024-03-01"),
            *hsi::parseDay("2024-03-05"), 99);
    QCOMPARE(request.eventCount, std::int64_t(30));
    QCOMPARE(request.affectedDays.size(), std::size_t(2));
    QCOMPARE(request.affectedDays[1].events, std::int64_t(20));
    QCOMPARE(hsi::formatDay(request.affectedDays[1].day),
             std::string("2024-03-02"));
    QCOMPARE(request.selector, std::string("(G) AND (T)"));
    QCOMPARE(request.processedBeforeMs, std::int64_t(99));
    QCOMPARE(hsi::formatDay(request.toDate), std::string("2024-03-05"));
}

QTEST_GUILESS_MAIN(TestJobFolder)
#include "tst_job_folder.moc"
