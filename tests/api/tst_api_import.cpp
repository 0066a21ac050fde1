// Import against the test server: batching, local and server-side
// rejections, 413 splits, retries, checkpoints and resume after SIGKILL.

#include "hsi/api/exporter.h"
#include "hsi/api/importer.h"
#include "test_server.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <memory>
#include <sys/stat.h>
#include <zlib.h>

using namespace hsi;
using namespace hsi::api;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kFirstDaySeconds = 1709251200; // 2024-03-01T00:00:00Z
const QString kImportPath = QStringLiteral("/import");

QJsonObject importFault(const char *kind, int count)
{
    return {{QStringLiteral("path"), kImportPath},
            {QStringLiteral("kind"), QLatin1String(kind)},
            {QStringLiteral("count"), count}};
}

qint64 statValue(test::TestServer &server, const char *name)
{
    return server.stats().value(QLatin1String(name)).toInteger();
}

QList<QByteArray> fileLines(const QString &path)
{
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    QList<QByteArray> lines = file.readAll().split('\n');
    lines.removeAll(QByteArray());
    return lines;
}

void appendLine(const QString &path, const QByteArray &line)
{
    QFile file(path);
    file.open(QIODevice::Append);
    file.write(line + '\n');
}

/// Acknowledged batches recorded in a checkpoint file.
int acknowledgedBatches(const QString &checkpointPath)
{
    QFile file(checkpointPath);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QJsonObject files = QJsonDocument::fromJson(file.readAll())
                                  .object()
                                  .value(QStringLiteral("files"))
                                  .toObject();
    int count = 0;
    for (const QJsonValue &state : files) {
        for (const QJsonValue &range :
             state.toObject().value(QStringLiteral("acknowledged")).toArray())
            count += range.toArray().at(1).toInt() -
                     range.toArray().at(0).toInt() + 1;
    }
    return count;
}

} // namespace

class ImportTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void importsEveryEventOnce();
    void readsArrayAndGzip();
    void rejectsInvalidLocally();
    void recordsServerRejections_data();
    void recordsServerRejections();
    void splitsOn413();
    void retriesTransientFailures_data();
    void retriesTransientFailures();
    void honoursRetryAfter();
    void badRequestNotRetried();
    void unauthorizedNotRetried();
    void projectTokenAccepted();
    void resumesAfterFailedBatch();
    void dryRunSendsNothing();
    void cliInputChecks();
    void undercountNotAcknowledged();
    void rejectsBadFileList();
    void exportReturnsImported();
    void cliExitCodes();
    void resumesAfterKill();

private:
    ImportSummary runImport(const Credentials &credentials,
                            const QStringList &files);
    Credentials serviceAccount() const
    {
        return Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                           QLatin1String(test::kServiceSecret));
    }
    QString input(const char *name) const
    {
        return m_work->filePath(QLatin1String(name));
    }
    QProcess *startCli(const QStringList &arguments);

    std::unique_ptr<QTemporaryDir> m_work;
    std::unique_ptr<test::TestServer> m_server;
    ImportOptions m_options;
    ConnectionSettings m_settings;
};

void ImportTest::init()
{
    m_work = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<test::TestServer>(
        QString(), m_work->filePath(QStringLiteral("state")));
    QVERIFY2(m_server->isRunning(), qPrintable(m_server->errorText()));
    m_options = ImportOptions();
    m_options.jobDir = m_work->filePath(QStringLiteral("job"));
    m_options.retry.maxAttempts = 4;
    m_options.retry.baseDelay = 10ms;
    m_options.retry.minJitter = 0ms;
    m_options.retry.maxJitter = 5ms;
    m_options.stallTimeoutSeconds = 10;
    m_settings = ConnectionSettings();
    m_settings.baseUrl = m_server->baseUrl();
    m_settings.projectId = test::kProjectId;
}

void ImportTest::cleanup()
{
    m_server.reset();
    m_work.reset();
}

ImportSummary ImportTest::runImport(const Credentials &credentials,
                                    const QStringList &files)
{
    Importer importer(m_settings, credentials, m_options);
    return importer.run(files);
}

void ImportTest::importsEveryEventOnce()
{
    test::writeEvents(input("a.ndjson"), 5000, 3, kFirstDaySeconds);
    const ImportSummary summary =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QCOMPARE(summary.eventsRead, 5000);
    QCOMPARE(summary.sent, 5000);
    QCOMPARE(summary.imported, 5000);
    QCOMPARE(summary.rejected, 0);
    QCOMPARE(summary.requests, 3); // 2000 + 2000 + 1000
    QCOMPARE(statValue(*m_server, "stored_events"), 5000);
    QCOMPARE(statValue(*m_server, "received_events"), 5000);
    QCOMPARE(acknowledgedBatches(m_options.jobDir +
                                 QStringLiteral("/checkpoint.json")),
             3);
}

void ImportTest::readsArrayAndGzip()
{
    test::writeEvents(input("lines.ndjson"), 300, 2, kFirstDaySeconds);
    QByteArray array = "[\n";
    const QList<QByteArray> lines = fileLines(input("lines.ndjson"));
    array += lines.join(",\n  ");
    array += "\n]\n";
    gzFile file =
        gzopen(QFile::encodeName(input("array.json.gz")).constData(), "wb");
    gzwrite(file, array.constData(), static_cast<unsigned>(array.size()));
    gzclose(file);

    const ImportSummary summary =
        runImport(serviceAccount(), {input("array.json.gz")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QCOMPARE(summary.imported, 300);
    QCOMPARE(statValue(*m_server, "stored_events"), 300);
}

void ImportTest::rejectsInvalidLocally()
{
    test::writeEvents(input("a.ndjson"), 100, 1, kFirstDaySeconds);
    appendLine(
        input("a.ndjson"),
        R"({"event":"x","properties":{"distinct_id":"u","$insert_id":"t1"}})");
    appendLine(
        input("a.ndjson"),
        R"({"event":"x","properties":{"time":1709251200,"distinct_id":"u","$insert_id":"has space"}})");
    appendLine(
        input("a.ndjson"),
        R"({"event":"x","properties":{"time":1709251200,"distinct_id":"u","$insert_id":"big","pad":")" +
            QByteArray(1024 * 1024, 'p') + "\"}}");
    appendLine(input("a.ndjson"), "not json");
    const ImportSummary summary =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QCOMPARE(summary.imported, 100);
    QCOMPARE(summary.rejected, 4);
    QCOMPARE(summary.rejectedByReason.at(QStringLiteral("missing_time")), 1);
    QCOMPARE(summary.rejectedByReason.at(QStringLiteral("invalid_insert_id")),
             1);
    QCOMPARE(summary.rejectedByReason.at(QStringLiteral("event_too_large")), 1);
    QCOMPARE(summary.rejectedByReason.at(QStringLiteral("invalid_json")), 1);
    // Locally rejected events never reach the server.
    QCOMPARE(statValue(*m_server, "received_events"), 100);

    const QList<QByteArray> rejects =
        fileLines(m_options.jobDir + QStringLiteral("/rejects.ndjson"));
    QCOMPARE(rejects.size(), 4);
    const QJsonObject first = QJsonDocument::fromJson(rejects.first()).object();
    QCOMPARE(first.value(QStringLiteral("reason")).toString(),
             QStringLiteral("missing_time"));
    QCOMPARE(first.value(QStringLiteral("line")).toInt(), 101);
    QVERIFY(first.value(QStringLiteral("event")).isObject());
}

void ImportTest::recordsServerRejections_data()
{
    QTest::addColumn<QString>("idKey");
    QTest::addColumn<bool>("withIndex");
    QTest::addRow("index") << QStringLiteral("$insert_id") << true;
    QTest::addRow("$insert_id only") << QStringLiteral("$insert_id") << false;
    QTest::addRow("insert_id only") << QStringLiteral("insert_id") << false;
}

void ImportTest::recordsServerRejections()
{
    QFETCH(QString, idKey);
    QFETCH(bool, withIndex);
    test::writeEvents(input("a.ndjson"), 500, 1, kFirstDaySeconds);
    QJsonObject rule = importFault("failed_records", 1);
    rule.insert(QStringLiteral("failed"), 3);
    rule.insert(QStringLiteral("id_key"), idKey);
    rule.insert(QStringLiteral("with_index"), withIndex);
    QVERIFY(m_server->setFaults({rule}));
    const ImportSummary summary =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QCOMPARE(summary.imported, 497);
    QCOMPARE(summary.rejected, 3);
    QCOMPARE(summary.rejectedByReason.at(QStringLiteral("server:properties")),
             3);
    // A partial success is not resent.
    QCOMPARE(summary.requests, 1);
    QCOMPARE(m_server->requestCount(kImportPath), 1);
    QCOMPARE(statValue(*m_server, "stored_events"), 497);
    const QList<QByteArray> rejects =
        fileLines(m_options.jobDir + QStringLiteral("/rejects.ndjson"));
    QCOMPARE(rejects.size(), 3);
    QVERIFY(rejects.first().contains("rejected by the test server"));
    // The server rejects the first events of the body.
    QVERIFY2(rejects.first().contains("\"$insert_id\":\"ev-0\""),
             rejects.first().constData());
}

void ImportTest::splitsOn413()
{
    test::writeEvents(input("a.ndjson"), 2000, 1, kFirstDaySeconds);
    QVERIFY(m_server->setMaxBodyBytes(6000));
    const ImportSummary summary =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QVERIFY(summary.splits > 0);
    QCOMPARE(summary.imported, 2000);
    QCOMPARE(statValue(*m_server, "stored_events"), 2000);
    QCOMPARE(statValue(*m_server, "duplicate_copies"), 0);
}

void ImportTest::retriesTransientFailures_data()
{
    QTest::addColumn<QJsonObject>("rule");
    QTest::addColumn<int>("minRetries");
    // 0: no event reaches the server twice; 1: some do; -1: not checked.
    QTest::addColumn<int>("copies");
    QTest::addColumn<int>("timeoutSeconds");
    QJsonObject retryAfter = importFault("429", 2);
    retryAfter.insert(QStringLiteral("retry_after"), 0);
    QTest::addRow("429 Retry-After") << retryAfter << 2 << 0 << 10;
    QTest::addRow("429") << importFault("429", 2) << 2 << 0 << 10;
    QTest::addRow("500") << importFault("500", 2) << 2 << 0 << 10;
    QTest::addRow("502") << importFault("502", 2) << 2 << 0 << 10;
    QJsonObject slow = importFault("slow", 2);
    slow.insert(QStringLiteral("delay_ms"), 300);
    QTest::addRow("slow") << slow << 0 << 0 << 10;
    // libcurl itself resends a request once when a reused connection
    // closes before any response, so a drop may not count as a retry here.
    QTest::addRow("drop before") << importFault("drop", 2) << 0 << 0 << 10;
    QJsonObject dropAfter = importFault("drop", 1);
    dropAfter.insert(QStringLiteral("after_store"), true);
    QTest::addRow("drop after store") << dropAfter << 0 << 1 << 10;
    // A request that takes longer than the request timeout is retried like
    // a dropped connection. The stalled request may store its events after
    // the import ends, so copies are not checked.
    QJsonObject stall = importFault("slow", 1);
    stall.insert(QStringLiteral("delay_ms"), 2500);
    QTest::addRow("timeout") << stall << 1 << -1 << 1;
    // A random 40 % of requests fail.
    QJsonObject fraction{{QStringLiteral("path"), kImportPath},
                         {QStringLiteral("kind"), QStringLiteral("502")},
                         {QStringLiteral("fraction"), 0.4}};
    QTest::addRow("502 fraction") << fraction << 1 << 0 << 10;
}

void ImportTest::retriesTransientFailures()
{
    QFETCH(QJsonObject, rule);
    QFETCH(int, minRetries);
    QFETCH(int, copies);
    QFETCH(int, timeoutSeconds);
    m_options.requestTimeoutSeconds = timeoutSeconds;
    // 30 batches, so that a fault on a fraction of requests hits some, and
    // enough attempts that no batch runs out (0.4^10 per batch).
    m_options.maxBatchEvents = 100;
    m_options.retry.maxAttempts = 10;
    test::writeEvents(input("a.ndjson"), 3000, 2, kFirstDaySeconds);
    QVERIFY(m_server->setFaults({rule}));
    const ImportSummary summary =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QCOMPARE(summary.sent, 3000);
    QCOMPARE(summary.imported, 3000);
    QVERIFY(summary.retries >= minRetries);
    QCOMPARE(statValue(*m_server, "stored_events"), 3000);
    // A body lost after the server stored it is resent identically, so the
    // server receives copies but stores each event once.
    if (copies == 1)
        QVERIFY(statValue(*m_server, "duplicate_copies") > 0);
    else if (copies == 0)
        QCOMPARE(statValue(*m_server, "duplicate_copies"), 0);
}

void ImportTest::honoursRetryAfter()
{
    test::writeEvents(input("a.ndjson"), 10, 1, kFirstDaySeconds);
    QJsonObject rule = importFault("429", 1);
    rule.insert(QStringLiteral("retry_after"), 1);
    QVERIFY(m_server->setFaults({rule}));
    const ImportSummary summary =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QCOMPARE(summary.retries, 1);

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

void ImportTest::badRequestNotRetried()
{
    test::writeEvents(input("a.ndjson"), 10, 1, kFirstDaySeconds);
    m_settings.projectId = 999;
    const ImportSummary summary =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY(!summary.isComplete());
    QVERIFY2(summary.error.contains(QLatin1String("invalid project_id")),
             qPrintable(summary.error));
    QCOMPARE(summary.undelivered, 10);
    QCOMPARE(m_server->requestCount(kImportPath), 1);
}

void ImportTest::unauthorizedNotRetried()
{
    test::writeEvents(input("a.ndjson"), 10, 1, kFirstDaySeconds);
    const ImportSummary summary =
        runImport(Credentials::projectToken(QStringLiteral("wrong-token")),
                  {input("a.ndjson")});
    QVERIFY(!summary.isComplete());
    QVERIFY2(summary.error.contains(QLatin1String("HTTP 401")),
             qPrintable(summary.error));
    QCOMPARE(m_server->requestCount(kImportPath), 1);
    QCOMPARE(statValue(*m_server, "stored_events"), 0);
}

void ImportTest::projectTokenAccepted()
{
    test::writeEvents(input("a.ndjson"), 10, 1, kFirstDaySeconds);
    const ImportSummary summary = runImport(
        Credentials::projectToken(QStringLiteral("test-project-token")),
        {input("a.ndjson")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QCOMPARE(statValue(*m_server, "stored_events"), 10);
}

void ImportTest::resumesAfterFailedBatch()
{
    test::writeEvents(input("a.ndjson"), 5000, 2, kFirstDaySeconds);
    m_options.parallelRequests = 1;
    m_options.maxBatchEvents = 1000;
    m_options.retry.maxAttempts = 2;
    QJsonObject rule = importFault("500", 100);
    rule.insert(QStringLiteral("skip"), 2);
    QVERIFY(m_server->setFaults({rule}));
    const ImportSummary first =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY(!first.isComplete());
    QVERIFY2(first.error.contains(QLatin1String("HTTP 500")),
             qPrintable(first.error));
    QCOMPARE(first.imported, 2000);
    QCOMPARE(statValue(*m_server, "stored_events"), 2000);

    QVERIFY(m_server->setFaults({}));
    const ImportSummary second =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(second.isComplete(), qPrintable(second.error));
    QCOMPARE(second.skippedBatches, 2);
    QCOMPARE(second.imported, 3000);
    QCOMPARE(statValue(*m_server, "stored_events"), 5000);
    QCOMPARE(statValue(*m_server, "received_events"), 5000);
}

void ImportTest::dryRunSendsNothing()
{
    test::writeEvents(input("a.ndjson"), 100, 1, kFirstDaySeconds);
    appendLine(
        input("a.ndjson"),
        R"({"event":"x","properties":{"distinct_id":"u","$insert_id":"t1"}})");
    m_options.dryRun = true;
    const ImportSummary summary =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(summary.isComplete(), qPrintable(summary.error));
    QCOMPARE(summary.imported, 100);
    QCOMPARE(summary.rejected, 1);
    QCOMPARE(summary.requests, 0);
    QCOMPARE(m_server->requestCount(kImportPath), 0);
    QVERIFY(!QDir(m_options.jobDir).exists());
}

void ImportTest::undercountNotAcknowledged()
{
    test::writeEvents(input("a.ndjson"), 100, 1, kFirstDaySeconds);
    QVERIFY(m_server->setFaults({importFault("undercount", 1)}));
    const ImportSummary first =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY(!first.isComplete());
    QCOMPARE(first.unaccounted, 1);
    QVERIFY2(first.error.contains(QLatin1String("accounted for 99 of 100")),
             qPrintable(first.error));
    QCOMPARE(acknowledgedBatches(m_options.jobDir +
                                 QStringLiteral("/checkpoint.json")),
             0);

    // The batch is resent, and the server keeps each event once.
    const ImportSummary second =
        runImport(serviceAccount(), {input("a.ndjson")});
    QVERIFY2(second.isComplete(), qPrintable(second.error));
    QCOMPARE(second.imported, 100);
    QCOMPARE(statValue(*m_server, "stored_events"), 100);
}

void ImportTest::rejectsBadFileList()
{
    test::writeEvents(input("a.ndjson"), 10, 1, kFirstDaySeconds);
    const ImportSummary summary = runImport(
        serviceAccount(),
        {input("a.ndjson"), m_work->filePath(QStringLiteral("./a.ndjson"))});
    QVERIFY2(summary.error.contains(QLatin1String("listed twice")),
             qPrintable(summary.error));
    QCOMPARE(m_server->requestCount(kImportPath), 0);

    // A missing file stops the job before the checkpoint records it.
    const ImportSummary missing = runImport(
        serviceAccount(), {input("a.ndjson"), input("missing.ndjson")});
    QVERIFY2(missing.error.contains(QLatin1String("input file not found")),
             qPrintable(missing.error));
    QVERIFY(
        !QFile::exists(m_options.jobDir + QStringLiteral("/checkpoint.json")));

    // A pipe exists, so it is named as what it is, not as missing.
    const QString pipe = input("pipe.ndjson");
    QCOMPARE(::mkfifo(QFile::encodeName(pipe).constData(), 0600), 0);
    const ImportSummary piped =
        runImport(serviceAccount(), {input("a.ndjson"), pipe});
    QVERIFY2(piped.error.contains(QLatin1String("is not a regular file")),
             qPrintable(piped.error));
    QCOMPARE(m_server->requestCount(kImportPath), 0);
}

void ImportTest::exportReturnsImported()
{
    // The recovery steps export what they imported, so the test server
    // serves imported events from export too.
    test::writeEvents(input("a.ndjson"), 120, 2, kFirstDaySeconds);
    QVERIFY(runImport(serviceAccount(), {input("a.ndjson")}).isComplete());

    ExportOptions options;
    options.limits.requestsPerSecond = 100;
    ExportQuery query;
    query.from = *parseDay("2024-03-01");
    query.to = *parseDay("2024-03-02");
    const ExportSummary exported =
        Exporter(m_settings, serviceAccount(), options)
            .run(query, m_work->filePath(QStringLiteral("out")));
    QVERIFY(exported.isComplete());
    QCOMPARE(exported.days.at(0).events, 60);
    QCOMPARE(exported.days.at(1).events, 60);
}

QProcess *ImportTest::startCli(const QStringList &arguments)
{
    auto *process = new QProcess(this);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("MIXPANEL_SERVICE_ACCOUNT_USERNAME"),
                       QLatin1String(test::kServiceUser));
    environment.insert(QStringLiteral("MIXPANEL_SERVICE_ACCOUNT_SECRET"),
                       QLatin1String(test::kServiceSecret));
    process->setProcessEnvironment(environment);
    process->start(
        QStringLiteral(HSI_BINARY_DIR "/app/hotshard"),
        QStringList{QStringLiteral("import"), QStringLiteral("--api-url"),
                    m_server->baseUrl(), QStringLiteral("--project-id"),
                    QString::number(test::kProjectId),
                    QStringLiteral("--retry-base-ms"), QStringLiteral("10")} +
            arguments);
    process->waitForStarted();
    return process;
}

void ImportTest::cliExitCodes()
{
    test::writeEvents(input("a.ndjson"), 50, 1, kFirstDaySeconds);
    appendLine(
        input("a.ndjson"),
        R"({"event":"x","properties":{"distinct_id":"u","$insert_id":"t1"}})");
    QProcess *ok = startCli({input("a.ndjson")});
    QVERIFY(ok->waitForFinished(30000));
    QCOMPARE(ok->exitCode(), 0);
    QVERIFY(ok->readAllStandardOutput().contains("rejected missing_time: 1"));

    QProcess *usage = startCli(
        {QStringLiteral("--parallel"), QStringLiteral("0"), input("a.ndjson")});
    QVERIFY(usage->waitForFinished(30000));
    QCOMPARE(usage->exitCode(), 2);

    // Every request fails with 500 until the attempts run out.
    QVERIFY(m_server->setFaults({importFault("500", 100)}));
    QProcess *failing =
        startCli({QStringLiteral("--max-attempts"), QStringLiteral("2"),
                  QStringLiteral("--job"),
                  m_work->filePath(QStringLiteral("job2")), input("a.ndjson")});
    QVERIFY(failing->waitForFinished(30000));
    QCOMPARE(failing->exitCode(), 1);
}

void ImportTest::cliInputChecks()
{
    const QString folder = m_work->filePath(QStringLiteral("days"));
    QVERIFY(QDir().mkpath(folder));
    test::writeEvents(folder + QStringLiteral("/2024-03-01.json"), 30, 1,
                      kFirstDaySeconds);
    test::writeEvents(folder + QStringLiteral("/2024-03-02.json"), 20, 1,
                      kFirstDaySeconds + 86400);

    // A folder reads like the scan reads it: every export file in it.
    QProcess *dryRun = startCli({QStringLiteral("--dry-run"), folder});
    QVERIFY(dryRun->waitForFinished(30000));
    QCOMPARE(dryRun->exitCode(), 0);
    const QByteArray dryOutput = dryRun->readAllStandardOutput();
    QVERIFY2(dryOutput.contains("50 events read"), dryOutput.constData());

    // A folder without export files stops the import, as it stops fix.
    const QString empty = m_work->filePath(QStringLiteral("no-exports"));
    QVERIFY(QDir().mkpath(empty));
    QProcess *none = startCli({QStringLiteral("--dry-run"), empty});
    QVERIFY(none->waitForFinished(30000));
    QCOMPARE(none->exitCode(), 2);
    const QByteArray noneErrors = none->readAllStandardError();
    QVERIFY2(noneErrors.contains("holds no export files"),
             noneErrors.constData());

    // A file named twice is read once with a note, as the scan reads it,
    // so no event is sent twice.
    const QString file = folder + QStringLiteral("/2024-03-01.json");
    QProcess *twice = startCli({QStringLiteral("--dry-run"), file, file});
    QVERIFY(twice->waitForFinished(30000));
    QCOMPARE(twice->exitCode(), 0);
    const QByteArray twiceErrors = twice->readAllStandardError();
    QVERIFY2(twiceErrors.contains("is named twice, so it was read once"),
             twiceErrors.constData());
    const QByteArray twiceOutput = twice->readAllStandardOutput();
    QVERIFY2(twiceOutput.contains("30 events read"), twiceOutput.constData());

    // After a 401, running again unchanged cannot help, so the summary
    // requests the fix first.
    auto *wrongSecret = new QProcess(this);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("MIXPANEL_SERVICE_ACCOUNT_USERNAME"),
                       QLatin1String(test::kServiceUser));
    environment.insert(QStringLiteral("MIXPANEL_SERVICE_ACCOUNT_SECRET"),
                       QStringLiteral("wrong-secret"));
    wrongSecret->setProcessEnvironment(environment);
    wrongSecret->start(
        QStringLiteral(HSI_BINARY_DIR "/app/hotshard"),
        {QStringLiteral("import"), QStringLiteral("--api-url"),
         m_server->baseUrl(), QStringLiteral("--project-id"),
         QString::number(test::kProjectId), QStringLiteral("--job"),
         m_work->filePath(QStringLiteral("wrong-secret-job")), file});
    QVERIFY(wrongSecret->waitForFinished(30000));
    QCOMPARE(wrongSecret->exitCode(), 1);
    const QByteArray advice = wrongSecret->readAllStandardOutput();
    QVERIFY2(advice.contains("fix the error that this command printed"),
             advice.constData());
    QVERIFY2(wrongSecret->readAllStandardError().contains("401"),
             advice.constData());
}

void ImportTest::resumesAfterKill()
{
    constexpr int kEvents = 20000;
    constexpr int kBatch = 500;
    test::writeEvents(input("big.ndjson"), kEvents, 5, kFirstDaySeconds);
    QJsonObject slow{{QStringLiteral("path"), kImportPath},
                     {QStringLiteral("kind"), QStringLiteral("slow")},
                     {QStringLiteral("delay_ms"), 150}};
    QVERIFY(m_server->setFaults({slow}));
    const QString job = m_work->filePath(QStringLiteral("killed-job"));
    const QString checkpoint = job + QStringLiteral("/checkpoint.json");
    const QStringList arguments = {QStringLiteral("--parallel"),
                                   QStringLiteral("2"),
                                   QStringLiteral("--batch-events"),
                                   QString::number(kBatch),
                                   QStringLiteral("--job"),
                                   job,
                                   input("big.ndjson")};

    QProcess *first = startCli(arguments);
    QElapsedTimer timer;
    timer.start();
    while (acknowledgedBatches(checkpoint) < 4 && timer.elapsed() < 20000)
        QTest::qWait(20);
    ::kill(static_cast<pid_t>(first->processId()), SIGKILL);
    QVERIFY(first->waitForFinished(10000));
    QCOMPARE(first->exitStatus(), QProcess::CrashExit);
    const int acknowledged = acknowledgedBatches(checkpoint);
    QVERIFY(acknowledged >= 4);
    QVERIFY2(acknowledged < kEvents / kBatch,
             "the run finished before it was killed");

    QVERIFY(m_server->setFaults({}));
    QProcess *second = startCli(arguments);
    QVERIFY(second->waitForFinished(60000));
    const QByteArray output = second->readAllStandardOutput();
    QCOMPARE(second->exitCode(), 0);
    const QByteArray expected =
        QByteArray::number(acknowledged) + " batches were already acknowledged";
    QVERIFY2(output.contains(expected), output.constData());
    QCOMPARE(statValue(*m_server, "stored_events"), kEvents);
    // Only batches in flight at the kill (at most --parallel of them) may
    // have reached the server twice.
    QVERIFY(statValue(*m_server, "received_events") <= kEvents + 2 * kBatch);
}

QTEST_GUILESS_MAIN(ImportTest)
#include "tst_api_import.moc"
