// Secrets stay out of logs, manifests, checkpoints, rejects and messages,
// and the connection test explains each kind of failure.

#include "hsi/api/connection_test.h"
#include "hsi/api/exporter.h"
#include "hsi/api/importer.h"
#include "test_server.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace hsi;
using namespace hsi::api;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kFirstDaySeconds = 1709251200; // 2024-03-01T00:00:00Z

QMutex g_logMutex;
QString g_log;

void captureMessage(QtMsgType, const QMessageLogContext &context,
                    const QString &message)
{
    QMutexLocker lock(&g_logMutex);
    g_log += QLatin1String(context.category ? context.category : "") +
             QLatin1Char(' ') + message + QLatin1Char('\n');
}

/// Concatenated contents of every file under `dir`.
QString folderText(const QString &dir)
{
    QString text;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly))
            text += QString::fromUtf8(file.readAll());
    }
    return text;
}

QJsonObject fault(const QString &path, const char *kind, int count)
{
    return {{QStringLiteral("path"), path},
            {QStringLiteral("kind"), QLatin1String(kind)},
            {QStringLiteral("count"), count}};
}

RetrySettings fastRetries()
{
    RetrySettings retry;
    retry.maxAttempts = 2;
    retry.baseDelay = 5ms;
    retry.minJitter = 0ms;
    retry.maxJitter = 1ms;
    return retry;
}

} // namespace

class SecurityTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void secretsStayOutOfOutput_data();
    void secretsStayOutOfOutput();
    void diagnosesOk();
    void diagnosesWrongCredentials();
    void diagnosesWrongRegion();
    void diagnosesMissingPermission();
    void diagnosesUnreachable();

private:
    ConnectionSettings settingsFor(const test::TestServer &server) const;

    QTemporaryDir m_data;
    std::unique_ptr<QTemporaryDir> m_work;
    std::unique_ptr<test::TestServer> m_server;
};

void SecurityTest::initTestCase()
{
    const QString events = m_data.filePath(QStringLiteral("events.ndjson"));
    test::writeEvents(events, 400, 2, kFirstDaySeconds);
    // One event without `time`, so that the rejects file gets a line.
    QFile file(events);
    QVERIFY(file.open(QIODevice::Append));
    file.write(
        R"({"event":"x","properties":{"distinct_id":"u","$insert_id":"no-time"}})"
        "\n");
    QLoggingCategory::setFilterRules(QStringLiteral("hsi.*=true"));
}

void SecurityTest::init()
{
    m_work = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<test::TestServer>(
        m_data.path(), m_work->filePath(QStringLiteral("state")));
    QVERIFY2(m_server->isRunning(), qPrintable(m_server->errorText()));
}

void SecurityTest::cleanup()
{
    m_server.reset();
    m_work.reset();
}

ConnectionSettings
SecurityTest::settingsFor(const test::TestServer &server) const
{
    ConnectionSettings settings;
    settings.baseUrl = server.baseUrl();
    settings.projectId = test::kProjectId;
    settings.connectTimeoutSeconds = 5;
    return settings;
}

void SecurityTest::secretsStayOutOfOutput_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("faultKind");
    const QString service = QLatin1String(test::kServiceSecret);
    QTest::addRow("service 500")
        << QStringLiteral("service") << service << QStringLiteral("500");
    QTest::addRow("service echo")
        << QStringLiteral("service") << service << QStringLiteral("echo_auth");
    QTest::addRow("wrong secret")
        << QStringLiteral("service") << QStringLiteral("wrong-secret-123")
        << QString();
    QTest::addRow("legacy echo")
        << QStringLiteral("legacy") << QString::fromLatin1(test::kApiSecret)
        << QStringLiteral("echo_auth");
}

void SecurityTest::secretsStayOutOfOutput()
{
    QFETCH(QString, kind);
    QFETCH(QString, secret);
    QFETCH(QString, faultKind);
    const Credentials credentials =
        kind == QLatin1String("legacy")
            ? Credentials::apiSecret(secret)
            : Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                          secret);
    if (!faultKind.isEmpty()) {
        QVERIFY(m_server->setFaults(
            {fault(QStringLiteral("/api/2.0/export"), qPrintable(faultKind),
                   100),
             fault(QStringLiteral("/import"), qPrintable(faultKind), 100)}));
    }
    g_log.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureMessage);

    ExportOptions exportOptions;
    exportOptions.retry = fastRetries();
    exportOptions.limits.requestsPerSecond = 100;
    const QString out = m_work->filePath(QStringLiteral("out"));
    ExportQuery query;
    query.from = *parseDay("2024-03-01");
    query.to = *parseDay("2024-03-02");
    const ExportSummary exported =
        Exporter(settingsFor(*m_server), credentials, exportOptions)
            .run(query, out);

    ImportOptions importOptions;
    importOptions.retry = fastRetries();
    importOptions.jobDir = m_work->filePath(QStringLiteral("job"));
    const ImportSummary imported =
        Importer(settingsFor(*m_server), credentials, importOptions)
            .run({m_data.filePath(QStringLiteral("events.ndjson"))});
    const ConnectionDiagnosis diagnosis =
        testConnection(settingsFor(*m_server), credentials, {});

    // A run that succeeds writes the checkpoint and the rejects file.
    const bool validSecret = !secret.startsWith(QLatin1String("wrong"));
    if (validSecret) {
        QVERIFY(m_server->setFaults({}));
        const ImportSummary second =
            Importer(settingsFor(*m_server), credentials, importOptions)
                .run({m_data.filePath(QStringLiteral("events.ndjson"))});
        QVERIFY2(second.isComplete(), qPrintable(second.error));
        QVERIFY(QFile::exists(importOptions.jobDir +
                              QStringLiteral("/checkpoint.json")));
        QVERIFY(QFile::exists(importOptions.jobDir +
                              QStringLiteral("/rejects.ndjson")));
    }
    qInstallMessageHandler(previous);

    QCOMPARE(exported.countWithStatus(DayStatus::Failed), 2);
    QVERIFY(!imported.isComplete());
    QVERIFY(diagnosis.verdict != ConnectionVerdict::Ok);
    QVERIFY2(!g_log.isEmpty(), "no log output was captured");
    QVERIFY2(!g_log.contains(secret), qPrintable(g_log));
    QVERIFY(!exported.days.at(0).message.contains(secret));
    QVERIFY(!imported.error.contains(secret));
    QVERIFY(!diagnosis.detail.contains(secret));
    QVERIFY(!diagnosis.explanation.contains(secret));
    QVERIFY(QFile::exists(out + QStringLiteral("/manifest.json")));
    const QString files = folderText(out) + folderText(importOptions.jobDir);
    QVERIFY(!files.isEmpty());
    QVERIFY(!files.contains(secret));
    if (faultKind == QLatin1String("echo_auth"))
        QVERIFY2(exported.days.at(0).message.contains(QLatin1String("***")),
                 qPrintable(exported.days.at(0).message));
}

void SecurityTest::diagnosesOk()
{
    const auto diagnosis = testConnection(
        settingsFor(*m_server),
        Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                    QLatin1String(test::kServiceSecret)),
        {});
    QCOMPARE(diagnosis.verdict, ConnectionVerdict::Ok);
    QCOMPARE(diagnosis.httpStatus, 200);
    QVERIFY(diagnosis.explanation.contains(QLatin1String("Connected")));
    QCOMPARE(m_server->requestCount(QStringLiteral("/api/2.0/export")), 1);
}

void SecurityTest::diagnosesWrongCredentials()
{
    test::TestServer otherRegion(QString(),
                                 m_work->filePath(QStringLiteral("state-eu")));
    QVERIFY(otherRegion.isRunning());
    const auto diagnosis = testConnection(
        settingsFor(*m_server),
        Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                    QStringLiteral("wrong")),
        {{Region::EU, endpointsForBaseUrl(otherRegion.baseUrl())}});
    QCOMPARE(diagnosis.verdict, ConnectionVerdict::WrongCredentials);
    QCOMPARE(diagnosis.httpStatus, 401);
    QVERIFY(!diagnosis.suggestedRegion.has_value());
    QCOMPARE(otherRegion.requestCount(QStringLiteral("/api/2.0/export")), 1);
}

void SecurityTest::diagnosesWrongRegion()
{
    // The configured region returns 401 for everything, as a region that
    // does not host the project does. The EU server hosts the project.
    test::TestServer wrongRegion(QString(),
                                 m_work->filePath(QStringLiteral("state-us")),
                                 {QStringLiteral("--reject-all-credentials")});
    QVERIFY(wrongRegion.isRunning());
    const auto diagnosis = testConnection(
        settingsFor(wrongRegion),
        Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                    QLatin1String(test::kServiceSecret)),
        {{Region::EU, endpointsForBaseUrl(m_server->baseUrl())}});
    QCOMPARE(diagnosis.verdict, ConnectionVerdict::WrongRegion);
    QCOMPARE(diagnosis.httpStatus, 401);
    QCOMPARE(diagnosis.suggestedRegion, std::optional<Region>(Region::EU));
    QVERIFY2(diagnosis.explanation.contains(QLatin1String("\"eu\"")),
             qPrintable(diagnosis.explanation));
}

void SecurityTest::diagnosesMissingPermission()
{
    QVERIFY(m_server->setFaults(
        {fault(QStringLiteral("/api/2.0/export"), "403", 1)}));
    const auto diagnosis = testConnection(
        settingsFor(*m_server),
        Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                    QLatin1String(test::kServiceSecret)),
        {});
    QCOMPARE(diagnosis.verdict, ConnectionVerdict::MissingPermission);
    QCOMPARE(diagnosis.httpStatus, 403);
    QVERIFY(diagnosis.explanation.contains(QLatin1String("role")));
}

void SecurityTest::diagnosesUnreachable()
{
    ConnectionSettings settings = settingsFor(*m_server);
    m_server.reset(); // nothing listens on the port any more
    const auto diagnosis = testConnection(
        settings,
        Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                    QLatin1String(test::kServiceSecret)),
        {});
    QCOMPARE(diagnosis.verdict, ConnectionVerdict::Unreachable);
    QCOMPARE(diagnosis.httpStatus, 0);
    QVERIFY(diagnosis.explanation.contains(QLatin1String("No answer")));
}

QTEST_GUILESS_MAIN(SecurityTest)
#include "tst_api_security.moc"
