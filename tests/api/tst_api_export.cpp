// Export against the test server: day files, the manifest, resume, and
// every injected fault.

#include "hsi/api/exporter.h"
#include "test_server.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>
#include <zlib.h>

using namespace hsi;
using namespace hsi::api;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kFirstDaySeconds = 1709251200; // 2024-03-01T00:00:00Z
const Day kFirstDay = *parseDay("2024-03-01");
constexpr int kEventsPerFullDay = 200;

QJsonObject fault(const char *kind, int count)
{
    return {{QStringLiteral("path"), QStringLiteral("/api/2.0/export")},
            {QStringLiteral("kind"), QLatin1String(kind)},
            {QStringLiteral("count"), count}};
}

/// Lines of a day file, gunzipped when needed.
QList<QByteArray> readDayFile(const QString &path)
{
    gzFile file = gzopen(QFile::encodeName(path).constData(), "rb");
    QByteArray content;
    char buffer[65536];
    int read = 0;
    while (file && (read = gzread(file, buffer, sizeof buffer)) > 0)
        content.append(buffer, read);
    if (file)
        gzclose(file);
    QList<QByteArray> lines = content.split('\n');
    lines.removeAll(QByteArray());
    return lines;
}

QJsonObject readManifest(const QString &dir)
{
    QFile file(dir + QStringLiteral("/manifest.json"));
    file.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(file.readAll()).object();
}

QString manifestStatus(const QString &dir, const char *day)
{
    return readManifest(dir)
        .value(QStringLiteral("days"))
        .toObject()
        .value(QLatin1String(day))
        .toObject()
        .value(QStringLiteral("status"))
        .toString();
}

} // namespace

class ExportTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void writesDayFiles();
    void sniffsPlainBody();
    void appliesFilters();
    void legacySecret();
    void honoursRetryAfter();
    void backsOffWithoutRetryAfter();
    void retriesServerErrors_data();
    void retriesServerErrors();
    void retriesDroppedBody();
    void keepsCutBodyAsPartial();
    void marksTerminatedIncomplete();
    void badRequestNotRetried();
    void unauthorizedNotRetried();
    void resumeSkipsFinishedDays();
    void rejectsOtherQueryInFolder();
    void rejectsOtherProjectInFolder();
    void spacesRequestsByWindow();
    void sharesLimiterAcrossJobs();
    void reportsProgress();
    void cliExitCodes();

private:
    ExportSummary runExport(const Credentials &credentials, Day from, Day to,
                            const ExportQuery &filters = {});
    Credentials serviceAccount() const
    {
        return Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                           QLatin1String(test::kServiceSecret));
    }

    QTemporaryDir m_data;
    std::unique_ptr<QTemporaryDir> m_work;
    std::unique_ptr<test::TestServer> m_server;
    ExportOptions m_options;
    QString m_out;
};

void ExportTest::initTestCase()
{
    QVERIFY(m_data.isValid());
    // 2024-03-01 to 03-03: 200 events each (gzip-sized bodies); 03-04: one
    // event (a plain body under 1,400 bytes); 03-05: none.
    test::writeEvents(m_data.filePath(QStringLiteral("full.ndjson")),
                      3 * kEventsPerFullDay, 3, kFirstDaySeconds);
    test::writeEvents(m_data.filePath(QStringLiteral("small.ndjson")), 1, 1,
                      kFirstDaySeconds + 3 * 86400, QStringLiteral("small"));
}

void ExportTest::init()
{
    m_work = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<test::TestServer>(
        m_data.path(), m_work->filePath(QStringLiteral("state")));
    QVERIFY2(m_server->isRunning(), qPrintable(m_server->errorText()));
    m_out = m_work->filePath(QStringLiteral("out"));
    m_options = ExportOptions();
    m_options.limits.requestsPerSecond = 100;
    m_options.retry.maxAttempts = 3;
    m_options.retry.baseDelay = 10ms;
    m_options.retry.minJitter = 0ms;
    m_options.retry.maxJitter = 5ms;
    m_options.stallTimeoutSeconds = 10;
}

void ExportTest::cleanup()
{
    m_server.reset();
    m_work.reset();
}

ExportSummary ExportTest::runExport(const Credentials &credentials, Day from,
                                    Day to, const ExportQuery &filters)
{
    ConnectionSettings settings;
    settings.baseUrl = m_server->baseUrl();
    settings.projectId = test::kProjectId;
    ExportQuery query = filters;
    query.from = from;
    query.to = to;
    Exporter exporter(settings, credentials, m_options);
    return exporter.run(query, m_out);
}

void ExportTest::writesDayFiles()
{
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay + 4);
    QVERIFY2(summary.error.isEmpty(), qPrintable(summary.error));
    QVERIFY(summary.isComplete());
    QCOMPARE(summary.countWithStatus(DayStatus::Ok), 4);
    QCOMPARE(summary.countWithStatus(DayStatus::Empty), 1);
    QCOMPARE(summary.days.at(0).events, kEventsPerFullDay);
    QCOMPARE(summary.days.at(0).file, QStringLiteral("2024-03-01.json.gz"));

    const QList<QByteArray> lines =
        readDayFile(m_out + QStringLiteral("/2024-03-02.json.gz"));
    QCOMPARE(lines.size(), kEventsPerFullDay);
    const QJsonObject first = QJsonDocument::fromJson(lines.first()).object();
    // time_in_ms=true: times come back in milliseconds.
    const double time = first.value(QStringLiteral("properties"))
                            .toObject()
                            .value(QStringLiteral("time"))
                            .toDouble();
    QVERIFY(time >= (kFirstDaySeconds + 86400) * 1000.0);
    QCOMPARE(manifestStatus(m_out, "2024-03-05"), QStringLiteral("empty"));
    QCOMPARE(manifestStatus(m_out, "2024-03-01"), QStringLiteral("ok"));
    QVERIFY(!QFile::exists(m_out + QStringLiteral("/2024-03-05.json")));
    QVERIFY(QDir(m_out).entryList({QStringLiteral("*.download")}).isEmpty());
}

void ExportTest::sniffsPlainBody()
{
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay + 3, kFirstDay + 3);
    QVERIFY(summary.isComplete());
    QCOMPARE(summary.days.at(0).file, QStringLiteral("2024-03-04.json"));
    QCOMPARE(summary.days.at(0).events, 1);
    QFile file(m_out + QStringLiteral("/2024-03-04.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().startsWith("{\"event\""));
}

void ExportTest::appliesFilters()
{
    ExportQuery filters;
    filters.events = {QStringLiteral("Event 1"), QStringLiteral("Event 2")};
    filters.where = QStringLiteral(
        "properties[\"plan\"] == \"pro\" AND defined(properties[\"time\"])");
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay);
    QVERIFY(summary.isComplete());
    m_out += QStringLiteral("-filtered");
    const ExportSummary filtered =
        runExport(serviceAccount(), kFirstDay, kFirstDay, filters);
    QVERIFY2(filtered.isComplete(), qPrintable(filtered.days.at(0).message));
    // Odd indices are "pro"; of those only "Event 1" (index % 4 == 1) is in
    // the list.
    QCOMPARE(filtered.days.at(0).events, kEventsPerFullDay / 4);
    const QJsonObject manifest = readManifest(m_out);
    QCOMPARE(manifest.value(QStringLiteral("where")).toString(), filters.where);
    QCOMPARE(manifest.value(QStringLiteral("event")).toArray().size(), 2);
}

void ExportTest::legacySecret()
{
    const ExportSummary summary =
        runExport(Credentials::apiSecret(QLatin1String(test::kApiSecret)),
                  kFirstDay, kFirstDay);
    QVERIFY(summary.isComplete());
    QCOMPARE(summary.days.at(0).events, kEventsPerFullDay);
}

void ExportTest::honoursRetryAfter()
{
    QJsonObject rule = fault("429", 1);
    rule.insert(QStringLiteral("retry_after"), 1);
    QVERIFY(m_server->setFaults({rule}));
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay);
    QVERIFY(summary.isComplete());
    QCOMPARE(summary.days.at(0).attempts, 2);

    const QJsonArray log =
        m_server->stats().value(QStringLiteral("log")).toArray();
    QCOMPARE(log.size(), 2);
    QCOMPARE(log.at(0).toObject().value(QStringLiteral("status")).toInt(), 429);
    const double gap =
        log.at(1).toObject().value(QStringLiteral("start")).toDouble() -
        log.at(0).toObject().value(QStringLiteral("end")).toDouble();
    QVERIFY2(gap >= 0.95, qPrintable(QString::number(gap)));
    QVERIFY2(gap < 3.0, qPrintable(QString::number(gap)));
}

void ExportTest::backsOffWithoutRetryAfter()
{
    QVERIFY(m_server->setFaults({fault("429", 2)}));
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay);
    QVERIFY(summary.isComplete());
    QCOMPARE(summary.days.at(0).attempts, 3);
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")), 3);
}

void ExportTest::retriesServerErrors_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addRow("500") << QStringLiteral("500");
    QTest::addRow("502") << QStringLiteral("502");
}

void ExportTest::retriesServerErrors()
{
    QFETCH(QString, kind);
    QVERIFY(m_server->setFaults({fault(qPrintable(kind), 2)}));
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay);
    QVERIFY(summary.isComplete());
    QCOMPARE(summary.days.at(0).attempts, 3);
    QCOMPARE(summary.days.at(0).events, kEventsPerFullDay);

    // Out of attempts: the day fails with the server's message, and is not
    // counted as empty.
    m_out += QStringLiteral("-2");
    QVERIFY(m_server->setFaults({fault(qPrintable(kind), 10)}));
    const ExportSummary failed =
        runExport(serviceAccount(), kFirstDay, kFirstDay);
    QCOMPARE(failed.days.at(0).status, DayStatus::Failed);
    QVERIFY2(failed.days.at(0).message.contains(kind),
             qPrintable(failed.days.at(0).message));
    QCOMPARE(failed.countWithStatus(DayStatus::Empty), 0);
    QCOMPARE(manifestStatus(m_out, "2024-03-01"), QStringLiteral("failed"));
}

void ExportTest::retriesDroppedBody()
{
    QVERIFY(m_server->setFaults({fault("drop", 1)}));
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay);
    QVERIFY2(summary.isComplete(), qPrintable(summary.days.at(0).message));
    QCOMPARE(summary.days.at(0).attempts, 2);
    QCOMPARE(readDayFile(m_out + QStringLiteral("/2024-03-01.json.gz")).size(),
             kEventsPerFullDay);
    QVERIFY(
        !QFile::exists(m_out + QStringLiteral("/2024-03-01.json.gz.partial")));
}

void ExportTest::keepsCutBodyAsPartial()
{
    QVERIFY(m_server->setFaults({fault("drop", 10)}));
    m_options.retry.maxAttempts = 2;
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay);
    QCOMPARE(summary.days.at(0).status, DayStatus::Incomplete);
    QVERIFY(!summary.days.at(0).message.isEmpty());
    QCOMPARE(manifestStatus(m_out, "2024-03-01"), QStringLiteral("incomplete"));
    QVERIFY(
        QFile::exists(m_out + QStringLiteral("/2024-03-01.json.gz.partial")));
    QVERIFY(!QFile::exists(m_out + QStringLiteral("/2024-03-01.json.gz")));
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")), 2);
}

void ExportTest::marksTerminatedIncomplete()
{
    QVERIFY(m_server->setFaults({fault("terminated", 10)}));
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay + 1);
    QCOMPARE(summary.countWithStatus(DayStatus::Incomplete), 2);
    const DayRecord &day = summary.days.at(0);
    QVERIFY2(day.message.contains(QLatin1String("export terminated early")),
             qPrintable(day.message));
    QCOMPARE(day.events, kEventsPerFullDay);
    QCOMPARE(day.file, QStringLiteral("2024-03-01.json.gz.partial"));
    QVERIFY(!summary.isComplete());
}

void ExportTest::badRequestNotRetried()
{
    ExportQuery filters;
    filters.where = QStringLiteral("properties[\"plan\" ==");
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay, filters);
    QCOMPARE(summary.days.at(0).status, DayStatus::Failed);
    QCOMPARE(summary.days.at(0).httpStatus, 400);
    QVERIFY2(summary.days.at(0).message.contains(
                 QLatin1String("invalid where expression")),
             qPrintable(summary.days.at(0).message));
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")), 1);
}

void ExportTest::unauthorizedNotRetried()
{
    const Credentials wrong = Credentials::serviceAccount(
        QLatin1String(test::kServiceUser), QStringLiteral("wrong"));
    const ExportSummary summary = runExport(wrong, kFirstDay, kFirstDay + 1);
    QCOMPARE(summary.countWithStatus(DayStatus::Failed), 2);
    QCOMPARE(summary.days.at(0).httpStatus, 401);
    QVERIFY2(summary.days.at(0).message.contains(
                 QLatin1String("Invalid credentials")),
             qPrintable(summary.days.at(0).message));
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")), 2);
}

void ExportTest::resumeSkipsFinishedDays()
{
    m_options.limits.maxInFlight = 1;
    m_options.retry.maxAttempts = 1;
    QJsonObject rule = fault("drop", 1);
    rule.insert(QStringLiteral("skip"), 1); // the second day's request
    QVERIFY(m_server->setFaults({rule}));
    const ExportSummary first =
        runExport(serviceAccount(), kFirstDay, kFirstDay + 4);
    QCOMPARE(first.days.at(1).status, DayStatus::Incomplete);
    QCOMPARE(first.countWithStatus(DayStatus::Ok) +
                 first.countWithStatus(DayStatus::Empty),
             4);

    const int requestsBefore =
        m_server->requestCount(QStringLiteral("/api/2.0/export"));
    const ExportSummary second =
        runExport(serviceAccount(), kFirstDay, kFirstDay + 4);
    QVERIFY(second.isComplete());
    QCOMPARE(second.skippedDays, 4);
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")) -
                 requestsBefore,
             1);
    QCOMPARE(readDayFile(m_out + QStringLiteral("/2024-03-02.json.gz")).size(),
             kEventsPerFullDay);
    QVERIFY(
        !QFile::exists(m_out + QStringLiteral("/2024-03-02.json.gz.partial")));
}

void ExportTest::rejectsOtherQueryInFolder()
{
    QVERIFY(runExport(serviceAccount(), kFirstDay, kFirstDay).isComplete());
    ExportQuery filters;
    filters.where = QStringLiteral("defined(properties[\"plan\"])");
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay, filters);
    QVERIFY2(
        summary.error.contains(QLatin1String("another event list or where")),
        qPrintable(summary.error));
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")), 1);
}

void ExportTest::rejectsOtherProjectInFolder()
{
    QVERIFY(runExport(serviceAccount(), kFirstDay, kFirstDay).isComplete());
    // Skipping "done" days of another project would mix two projects'
    // events in one folder, so the folder is refused before any request.
    ConnectionSettings settings;
    settings.baseUrl = m_server->baseUrl();
    settings.projectId = test::kProjectId + 1;
    ExportQuery query;
    query.from = kFirstDay;
    query.to = kFirstDay + 1;
    Exporter exporter(settings, serviceAccount(), m_options);
    const ExportSummary summary = exporter.run(query, m_out);
    QVERIFY2(summary.error.contains(QLatin1String("written for project")),
             qPrintable(summary.error));
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")), 1);
}

void ExportTest::spacesRequestsByWindow()
{
    m_options.limits = RateLimits{2, 1000ms, 100, 1};
    const ExportSummary summary =
        runExport(serviceAccount(), kFirstDay, kFirstDay + 3);
    QVERIFY(summary.isComplete());
    const QJsonArray log =
        m_server->stats().value(QStringLiteral("log")).toArray();
    QCOMPARE(log.size(), 4);
    // With two starts per second, the third start waits for the first to
    // leave the window.
    const double gap =
        log.at(2).toObject().value(QStringLiteral("start")).toDouble() -
        log.at(0).toObject().value(QStringLiteral("start")).toDouble();
    QVERIFY2(gap >= 0.95, qPrintable(QString::number(gap)));
}

void ExportTest::sharesLimiterAcrossJobs()
{
    // Two jobs of one project share one limiter of two starts per second,
    // so their four requests take more than a second together.
    m_options.limiter =
        std::make_shared<RateLimiter>(RateLimits{100, 1h, 2, 4});
    ConnectionSettings settings;
    settings.baseUrl = m_server->baseUrl();
    settings.projectId = test::kProjectId;
    const auto runJob = [&](Day from, const QString &out) {
        ExportQuery query;
        query.from = from;
        query.to = from + 1;
        return Exporter(settings, serviceAccount(), m_options).run(query, out);
    };
    ExportSummary first;
    std::thread other(
        [&] { first = runJob(kFirstDay, m_out + QStringLiteral("-first")); });
    const ExportSummary second =
        runJob(kFirstDay + 2, m_out + QStringLiteral("-second"));
    other.join();
    QVERIFY(first.isComplete());
    QVERIFY(second.isComplete());
    const QJsonArray log =
        m_server->stats().value(QStringLiteral("log")).toArray();
    QCOMPARE(log.size(), 4);
    const double span =
        log.at(3).toObject().value(QStringLiteral("start")).toDouble() -
        log.at(0).toObject().value(QStringLiteral("start")).toDouble();
    QVERIFY2(span >= 0.95, qPrintable(QString::number(span)));
}

void ExportTest::reportsProgress()
{
    ConnectionSettings settings;
    settings.baseUrl = m_server->baseUrl();
    settings.projectId = test::kProjectId;
    ExportQuery query;
    query.from = kFirstDay;
    query.to = kFirstDay + 4;
    ExportControl control;
    std::mutex mutex;
    std::vector<ExportProgress> reports;
    std::vector<Day> finished;
    control.onProgress = [&](const ExportProgress &progress) {
        std::lock_guard lock(mutex);
        reports.push_back(progress);
    };
    control.onDayFinished = [&](const DayRecord &record) {
        std::lock_guard lock(mutex);
        finished.push_back(record.day);
    };
    const ExportSummary summary =
        Exporter(settings, serviceAccount(), m_options)
            .run(query, m_out, &control);
    QVERIFY(summary.isComplete());
    QCOMPARE(finished.size(), 5u);
    QVERIFY(!reports.empty());
    const auto last =
        std::max_element(reports.begin(), reports.end(),
                         [](const ExportProgress &a, const ExportProgress &b) {
                             return a.daysDone < b.daysDone;
                         });
    QCOMPARE(last->daysDone, 5);
    QCOMPARE(last->daysTotal, 5);
    std::int64_t stored = 0;
    for (const DayRecord &day : summary.days)
        stored += day.bytes;
    QCOMPARE(last->bytes, stored);
    QVERIFY(last->bytesReceived >= stored);
}

void ExportTest::cliExitCodes()
{
    const auto runCli = [&](const QString &apiSecret,
                            const QStringList &extra) {
        QProcess process;
        QProcessEnvironment environment =
            QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("MIXPANEL_SERVICE_ACCOUNT_USERNAME"));
        environment.remove(QStringLiteral("MIXPANEL_SERVICE_ACCOUNT_SECRET"));
        environment.insert(QStringLiteral("MIXPANEL_API_SECRET"), apiSecret);
        process.setProcessEnvironment(environment);
        process.start(
            QStringLiteral(HSI_BINARY_DIR "/app/hotshard"),
            QStringList{QStringLiteral("export"), QStringLiteral("--api-url"),
                        m_server->baseUrl(), QStringLiteral("--from"),
                        QStringLiteral("2024-03-01"), QStringLiteral("--to"),
                        QStringLiteral("2024-03-02"), QStringLiteral("--out"),
                        m_out} +
                extra);
        process.waitForFinished(30000);
        return process.exitCode();
    };
    QCOMPARE(runCli(QLatin1String(test::kApiSecret), {}), 0);
    QCOMPARE(manifestStatus(m_out, "2024-03-02"), QStringLiteral("ok"));
    m_out += QStringLiteral("-denied");
    QCOMPARE(runCli(QStringLiteral("wrong-secret"), {}), 1);
    QCOMPARE(manifestStatus(m_out, "2024-03-01"), QStringLiteral("failed"));
    QCOMPARE(runCli(QLatin1String(test::kApiSecret),
                    {QStringLiteral("--region"), QStringLiteral("asia")}),
             2);
    QCOMPARE(runCli(QLatin1String(test::kApiSecret),
                    {QStringLiteral("--test-connection")}),
             0);
    QCOMPARE(runCli(QStringLiteral("wrong-secret"),
                    {QStringLiteral("--test-connection")}),
             1);
}

QTEST_GUILESS_MAIN(ExportTest)
#include "tst_api_export.moc"
