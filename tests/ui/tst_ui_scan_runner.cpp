#include "report_fixture.h"
#include "scan_runner.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hsi;
using namespace hsi::ui;

class UiScanRunnerTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void runnerFinishes();
    void runnerDropsSuperseded();
    void runnerCancel();
    void runnerReportsFailure();

private:
    QTemporaryDir m_dir;
    QString m_fixture;
    QString m_other;
};

void UiScanRunnerTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_fixture = m_dir.filePath(QStringLiteral("fixture.json"));
    m_other = m_dir.filePath(QStringLiteral("other.json"));
    QVERIFY(test::writeFixtureExport(m_fixture));
    QFile other(m_other);
    QVERIFY(other.open(QIODevice::WriteOnly));
    other.write(test::eventLine("Page Viewed", "zoe", 1709683200, "z-1"));
}

void UiScanRunnerTest::runnerFinishes()
{
    ScanRunner runner;
    QSignalSpy finished(&runner, &ScanRunner::finished);
    const quint64 generation =
        runner.start({m_fixture}, test::fixtureSettings());
    QVERIFY(runner.isRunning());
    QCOMPARE(runner.generation(), generation);
    QVERIFY(finished.wait(10000));
    QVERIFY(!runner.isRunning());
    const auto report =
        finished.at(0).at(0).value<std::shared_ptr<const Report>>();
    QVERIFY(report);
    QCOMPARE(report->hotUserShards(), 1);
    QCOMPARE(report->hotShards.front().id, std::string("alice"));
}

void UiScanRunnerTest::runnerDropsSuperseded()
{
    ScanRunner runner;
    QSignalSpy finished(&runner, &ScanRunner::finished);
    runner.start({m_fixture}, test::fixtureSettings());
    runner.start({m_other}, test::fixtureSettings());
    QVERIFY(finished.wait(10000));
    // Let the first worker return and deliver its queued result, which
    // must be dropped: exactly one report, the second, arrives.
    runner.waitForWorkers();
    QCoreApplication::processEvents();
    QCOMPARE(finished.count(), 1);
    const auto report =
        finished.at(0).at(0).value<std::shared_ptr<const Report>>();
    QCOMPARE(report->inputs.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(report->inputs.front().path), m_other);
}

void UiScanRunnerTest::runnerCancel()
{
    ScanRunner runner;
    QSignalSpy finished(&runner, &ScanRunner::finished);
    QSignalSpy cancelled(&runner, &ScanRunner::cancelled);
    runner.start({m_fixture}, test::fixtureSettings());
    runner.cancel();
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!runner.isRunning());
    runner.waitForWorkers();
    QCoreApplication::processEvents();
    QCOMPARE(finished.count(), 0);
    runner.cancel(); // Nothing runs now, so no second signal.
    QCOMPARE(cancelled.count(), 1);
}

void UiScanRunnerTest::runnerReportsFailure()
{
    ScanRunner runner;
    QSignalSpy failed(&runner, &ScanRunner::failed);
    ScanSettings settings = test::fixtureSettings();
    settings.timeZone = "Nowhere/Invalid";
    runner.start({m_fixture}, settings);
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.at(0).at(0).toString().contains(
        QLatin1String("Nowhere/Invalid")));
    QVERIFY(!runner.isRunning());
}

QTEST_MAIN(UiScanRunnerTest)
#include "tst_ui_scan_runner.moc"
