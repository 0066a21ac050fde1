// End-to-end repair on the command line against the test server:
// export -> (selector) -> fix -> verify -> import, for both paths.

#include "../api/test_server.h"
#include "hotshard_process.h"
#include "recovery_fixture.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace hsi::test;

namespace {

struct Run {
    int exitCode = -1;
    /// Standard output followed by standard error, for failure messages.
    QString output;
    QString standardOutput;
};

class RecoveryCliTest : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void userPath();
    void groupPath();
    void verifyBlocksHotId();

private:
    Run hotshard(const QStringList &arguments) const;
    QStringList apiArguments() const;
    QStringList rawFiles() const;
    Run exportDay(const QStringList &filter);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<TestServer> m_server;
};

void RecoveryCliTest::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    const QDir root(m_dir->path());
    QVERIFY(root.mkpath(QStringLiteral("data")));
    QVERIFY(root.mkpath(QStringLiteral("state")));
    writeRecoveryFixture(root.filePath(QStringLiteral("data")));
    m_server =
        std::make_unique<TestServer>(root.filePath(QStringLiteral("data")),
                                     root.filePath(QStringLiteral("state")));
    QVERIFY2(m_server->isRunning(), qPrintable(m_server->errorText()));
}

void RecoveryCliTest::cleanup()
{
    m_server.reset();
    m_dir.reset();
}

Run RecoveryCliTest::hotshard(const QStringList &arguments) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("MIXPANEL_SERVICE_ACCOUNT_USERNAME"),
                       QString::fromLatin1(kServiceUser));
    environment.insert(QStringLiteral("MIXPANEL_SERVICE_ACCOUNT_SECRET"),
                       QString::fromLatin1(kServiceSecret));
    const hsi::test::HotshardRun run =
        hsi::test::runHotshard(arguments, environment, m_dir->path());
    return {run.exitCode, run.out + run.err, run.out};
}

QStringList RecoveryCliTest::apiArguments() const
{
    return {QStringLiteral("--api-url"), m_server->baseUrl(),
            QStringLiteral("--project-id"), QString::number(kProjectId)};
}

QStringList RecoveryCliTest::rawFiles() const
{
    const QDir raw(m_dir->filePath(QStringLiteral("raw")));
    QStringList files;
    for (const QString &name :
         raw.entryList({QStringLiteral("2024-*")}, QDir::Files, QDir::Name))
        files << raw.filePath(name);
    return files;
}

Run RecoveryCliTest::exportDay(const QStringList &filter)
{
    return hotshard(
        QStringList{QStringLiteral("export"), QStringLiteral("--from"),
                    QString::fromLatin1(kIncidentDay), QStringLiteral("--to"),
                    QString::fromLatin1(kIncidentDay), QStringLiteral("--out"),
                    QStringLiteral("raw")}
        << filter << apiArguments());
}

const QStringList kScanLimits = {
    QStringLiteral("--user-limit"),  QStringLiteral("5"),
    QStringLiteral("--group-limit"), QStringLiteral("5"),
    QStringLiteral("--group-key"),   QStringLiteral("company_id")};

void RecoveryCliTest::userPath()
{
    Run run = exportDay(
        {QStringLiteral("--event"), QStringLiteral("$hotshard_events")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    QCOMPARE(rawFiles().size(), 1);

    run = hotshard(
        QStringList{QStringLiteral("fix"), QStringLiteral("--distinct-id"),
                    QStringLiteral("property:$user_id"),
                    QStringLiteral("--out"), QStringLiteral("fixed.ndjson.gz")}
        << rawFiles());
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    run = hotshard(QStringList{QStringLiteral("verify")}
                   << kScanLimits << QStringLiteral("fixed.ndjson.gz"));
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    run =
        hotshard(QStringList{QStringLiteral("import"), QStringLiteral("--job"),
                             QStringLiteral("import-job"),
                             QStringLiteral("fixed.ndjson.gz")}
                 << apiArguments());
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    const std::vector<QJsonObject> events = m_server->importedEvents();
    QCOMPARE(distinctIds(events), expectedUserPathIds());
    for (const QJsonObject &event : events) {
        QCOMPARE(event.value(QStringLiteral("event")).toString(),
                 QStringLiteral("Page View"));
        const QJsonObject properties =
            event.value(QStringLiteral("properties")).toObject();
        QVERIFY(!properties.contains(QStringLiteral("mp_original_event_name")));
        QVERIFY(
            !properties.contains(QStringLiteral("mp_original_distinct_id")));
    }
    QCOMPARE(
        m_server->stats().value(QStringLiteral("duplicate_copies")).toInt(), 0);
}

void RecoveryCliTest::groupPath()
{
    const QString before = QString::number(QDateTime::currentMSecsSinceEpoch());
    Run run = hotshard({QStringLiteral("selector"), QStringLiteral("--group"),
                        QStringLiteral("company_id=acme"),
                        QStringLiteral("--before"), before});
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    const QString selector = run.standardOutput.trimmed();
    QVERIFY(selector.contains(QStringLiteral("mp_processing_time_ms")));

    run = exportDay({QStringLiteral("--where"), selector});
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    run = hotshard(
        QStringList{QStringLiteral("fix"), QStringLiteral("--blank-group"),
                    QStringLiteral("company_id=acme"),
                    QStringLiteral("--regenerate-insert-id"),
                    QStringLiteral("--out"), QStringLiteral("fixed.ndjson")}
        << rawFiles());
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    run = hotshard(QStringList{QStringLiteral("verify")}
                   << kScanLimits << QStringLiteral("fixed.ndjson"));
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    run =
        hotshard(QStringList{QStringLiteral("import"), QStringLiteral("--job"),
                             QStringLiteral("import-job"),
                             QStringLiteral("fixed.ndjson")}
                 << apiArguments());
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    const std::vector<QJsonObject> events = m_server->importedEvents();
    QCOMPARE(distinctIds(events), expectedGroupPathIds());
    QCOMPARE(countWithProperty(events, QStringLiteral("company_id"),
                               QStringLiteral("acme")),
             0);
    QCOMPARE(countWithProperty(events, QStringLiteral("company_id"), QString()),
             8);
    for (const QJsonObject &event : events) {
        const QJsonObject properties =
            event.value(QStringLiteral("properties")).toObject();
        QCOMPARE(
            properties.value(QStringLiteral("$insert_id")).toString().size(),
            36);
        if (properties.value(QStringLiteral("distinct_id")) ==
            QStringLiteral("buyer-list"))
            QCOMPARE(properties.value(QStringLiteral("company_id")).toArray(),
                     (QJsonArray{QString(), QStringLiteral("globex")}));
    }
    QCOMPARE(
        m_server->stats().value(QStringLiteral("duplicate_copies")).toInt(), 0);
}

void RecoveryCliTest::verifyBlocksHotId()
{
    Run run = exportDay(
        {QStringLiteral("--event"), QStringLiteral("$hotshard_events")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));
    // Restoring the original id puts all 7 events back on u-hot, over the
    // limit of 5.
    run = hotshard(
        QStringList{QStringLiteral("fix"), QStringLiteral("--distinct-id"),
                    QStringLiteral("original"), QStringLiteral("--out"),
                    QStringLiteral("fixed.ndjson")}
        << rawFiles());
    QVERIFY2(run.exitCode == 0, qPrintable(run.output));

    run = hotshard(QStringList{QStringLiteral("verify")}
                   << kScanLimits << QStringLiteral("fixed.ndjson"));
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.output.contains(QStringLiteral("u-hot")),
             qPrintable(run.output));
    QVERIFY2(run.output.contains(QString::fromLatin1(kIncidentDay)),
             qPrintable(run.output));
}

} // namespace

QTEST_GUILESS_MAIN(RecoveryCliTest)
#include "tst_recovery_cli.moc"
