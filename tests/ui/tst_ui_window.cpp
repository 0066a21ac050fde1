#include "charts.h"
#include "day_page.h"
#include "debounced_line_edit.h"
#include "drill_down_page.h"
#include "hsi/sample_generator.h"
#include "id_table_model.h"
#include "main_window.h"
#include "overview_page.h"
#include "problem_model.h"
#include "report_fixture.h"
#include "report_models.h"
#include "scan_runner.h"
#include "scan_settings_dialog.h"
#include "table_page.h"

#include <QAction>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLoggingCategory>
#include <QMenu>
#include <QMimeData>
#include <QProcess>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QUrl>
#include <qcustomplot.h>

using namespace hsi;
using namespace hsi::ui;

namespace {

constexpr int kScanTimeoutMs = 20000;
// Start of 2024-03-06 UTC in epoch seconds.
constexpr double kMarch6Seconds = 1709683200.0;

QString cell(const QAbstractItemModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

} // namespace

class UiWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void windowShowsHotShards();
    void windowFillsCharts();
    void windowListsProblems();
    void windowDrillDown();
    void drillDownLongId();
    void drillDownDaylightSaving();
    void drillDownCrossingOutOfOrder();
    void windowDayOverlay();
    void windowRescansOnSettings();
    void windowShowsScanFailure();
    void windowMissingFile();
    void windowCancelThenScan();
    void chartFollowsPalette();
    void dayChartFitsData();
    void windowDropOpensFiles();
    void windowRemembersRecent();
    void windowFilterDebounced();
    void windowAboutVersions();
    void helpWithoutDisplay();
    void settingsDialogRoundTrip();
    void windowOpensFolder();
    void chartSavesPngAndPdf();
    void groupKeysParsed();

private:
    /// Opens `paths` in `window` and waits until the scan finished.
    bool openAndWait(MainWindow &window, const QStringList &paths);

    QTemporaryDir m_dir;
    QString m_fixture;
};

void UiWindowTest::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QLoggingCategory::setFilterRules(
        QStringLiteral("hsi.*.info=false\nhsi.ui.info=false"));
    QCoreApplication::setOrganizationName(QStringLiteral("hsi-ui-tests"));
    QVERIFY(m_dir.isValid());
    m_fixture = m_dir.filePath(QStringLiteral("fixture.json"));
    QVERIFY(test::writeFixtureExport(m_fixture));
}

void UiWindowTest::init()
{
    QSettings().clear();
}

bool UiWindowTest::openAndWait(MainWindow &window, const QStringList &paths)
{
    QSignalSpy finished(&window, &MainWindow::scanFinished);
    window.openPaths(paths);
    return finished.wait(kScanTimeoutMs) && !window.isScanning() &&
           window.report();
}

void UiWindowTest::windowShowsHotShards()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    window.show();
    QVERIFY(!window.repairAction()->isEnabled());
    QVERIFY(openAndWait(window, {m_fixture}));

    QVERIFY(window.windowTitle().startsWith(QLatin1String("fixture.json")));
    QVERIFY(window.repairAction()->isEnabled());
    const FindingTableModel *findings = window.overviewPage()->findingModel();
    QCOMPARE(findings->rowCount(), 2);
    QCOMPARE(cell(*findings, 0, FindingTableModel::StatusColumn),
             QStringLiteral("hot"));
    // The id column is cut when the table is too narrow for every column,
    // so its tool tip gives the whole id.
    const QModelIndex id = findings->index(0, FindingTableModel::IdColumn);
    QCOMPARE(findings->data(id, Qt::ToolTipRole).toString(),
             findings->data(id, Qt::DisplayRole).toString());

    const IdTableModel *users = window.userPage()->model();
    // alice, bob and member-0..4; the record's distinct_id "" is no id.
    QCOMPARE(users->rowCount(), 7);
    QCOMPARE(cell(*users, 0, IdTableModel::IdColumn), QStringLiteral("alice"));
    QCOMPARE(cell(*users, 0, IdTableModel::EventsColumn),
             QStringLiteral("150"));
    QCOMPARE(cell(*users, 0, IdTableModel::OverLimitColumn),
             QStringLiteral("50"));
    QCOMPARE(cell(*users, 0, IdTableModel::PeakDateColumn),
             QStringLiteral("2024-03-06"));
    QVERIFY(users->findingAt(0));

    const IdTableModel *groups = window.groupPage()->model();
    QCOMPARE(groups->rowCount(), 1);
    QCOMPARE(cell(*groups, 0, IdTableModel::IdColumn), QStringLiteral("Acme"));
    QCOMPARE(cell(*groups, 0, IdTableModel::EventsColumn),
             QStringLiteral("130"));
}

void UiWindowTest::windowFillsCharts()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {m_fixture}));

    DayChart *days = window.dayPage()->chart();
    QCOMPARE(days->originalBars()->dataCount(), 1);
    QCOMPARE(days->originalBars()->data()->at(0)->key, kMarch6Seconds);
    // 2 + 150 + 18 + 130 events and the $hotshard_record event.
    QCOMPARE(days->originalBars()->data()->at(0)->value, 301.0);
    // No event was remediated, so no remediated bar, not even an outline.
    QCOMPARE(days->remediatedBars()->dataCount(), 0);
    QVERIFY(days->limitLine().isVisible());
    QCOMPARE(days->limitLine().value(), 100.0);

    TopChart *top = window.userPage()->topChart();
    QCOMPARE(top->bars()->dataCount(), 7);
    QCOMPARE(top->bars()->data()->at(0)->value, 150.0);
    QCOMPARE(top->limitLine().value(), 100.0);
    QCOMPARE(window.groupPage()->topChart()->bars()->data()->at(0)->value,
             130.0);
}

void UiWindowTest::windowListsProblems()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {m_fixture}));

    const ProblemTableModel *problems = window.problemModel();
    QVERIFY(problems->errorCount() >= 1);
    QCOMPARE(cell(*problems, 0, ProblemTableModel::SeverityColumn),
             QStringLiteral("error"));
    QCOMPARE(cell(*problems, 0, ProblemTableModel::FileColumn),
             QStringLiteral("fixture.json"));
    QCOMPARE(cell(*problems, 0, ProblemTableModel::LineColumn),
             QString::number(test::kFixtureBadLine));
    QVERIFY(window.problemsDock()->windowTitle().contains(
        QLatin1String("(1 error,")));
    QVERIFY(!window.bannerLabel()->isVisibleTo(&window));
}

void UiWindowTest::windowDrillDown()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {m_fixture}));
    QVERIFY(window.showFirstFinding());

    const PairFinding *finding = window.drillDownPage()->finding();
    QVERIFY(finding);
    QCOMPARE(finding->id, std::string("alice"));
    QVERIFY(finding->crossing);
    ActivityChart *chart = window.drillDownPage()->chart();
    // 15-minute buckets over the day.
    QCOMPARE(chart->bars()->dataCount(), 96);
    double sum = 0;
    for (auto it = chart->bars()->data()->constBegin();
         it != chart->bars()->data()->constEnd(); ++it)
        sum += it->value;
    QCOMPARE(sum, 150.0);
    QCOMPARE(chart->cumulativeGraph()->data()->at(95)->value, 150.0);
    QVERIFY(chart->crossingSeconds().has_value());
    QCOMPARE(*chart->crossingSeconds(),
             static_cast<double>(finding->crossing->timeMs) / 1000.0);
    // The 101st event of alice, one a minute from 08:00, is the first past 100.
    QCOMPARE(*chart->crossingSeconds(), kMarch6Seconds + 8 * 3600 + 100 * 60);
    QCOMPARE(window.drillDownPage()->eventModel()->rowCount(), 1);
}

void UiWindowTest::drillDownLongId()
{
    // A 300-character id without a space, hot on one day.
    const std::string id(300, 'x');
    QFile file(m_dir.filePath(QStringLiteral("long-id.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    for (int i = 0; i < 101; ++i)
        file.write(QByteArray::fromStdString(
            "{\"event\":\"e\",\"properties\":{\"distinct_id\":\"" + id +
            "\",\"time\":" + std::to_string(kMarch6Seconds + i) + "}}\n"));
    file.close();
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {file.fileName()}));
    QVERIFY(window.showFirstFinding());

    // The title may be cut, with the id in its tool tip, but the page must
    // not ask for more width than a screen has.
    QVERIFY(window.drillDownPage()->minimumSizeHint().width() < 1000);
    const auto labels = window.drillDownPage()->findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.begin(), labels.end(), [&id](QLabel *label) {
        return label->toolTip().contains(QString::fromStdString(id));
    }));
}

void UiWindowTest::drillDownDaylightSaving()
{
    // New York skips 02:00-03:00 on 2024-03-10. Five events at 03:00 local
    // time cross a limit of 4, and the bar and the marker must sit at the
    // same clock time.
    const QTimeZone newYork("America/New_York");
    QVERIFY(newYork.isValid());
    const Day day = static_cast<Day>(kMarch6Seconds / 86400) + 4;
    std::vector<std::int32_t> perMinute(1440, 0);
    perMinute[3 * 60] = 5;
    const std::int64_t crossingMs =
        QDateTime(QDate(2024, 3, 10), QTime(3, 0), newYork).toMSecsSinceEpoch();

    ActivityChart chart;
    chart.setMinuteCounts(day, newYork, perMinute, 15, 4, crossingMs);

    double barKey = -1;
    for (auto it = chart.bars()->data()->constBegin();
         it != chart.bars()->data()->constEnd(); ++it) {
        if (it->value > 0)
            barKey = it->key;
    }
    const double clockThree = day * 86400.0 + 3 * 3600;
    QCOMPARE(barKey, clockThree + 15 * 30);
    QVERIFY(chart.crossingSeconds().has_value());
    QCOMPARE(*chart.crossingSeconds(), clockThree);
    QVERIFY2(!chart.crossingText().contains(QLatin1String("time order")),
             qPrintable(chart.crossingText()));
}

void UiWindowTest::drillDownCrossingOutOfOrder()
{
    // Five events at 01:00 and five at 09:00, in a file that lists the
    // later ones first: the fifth event of the file, at 09:00, crossed a
    // limit of 4, while the running total by time passes it at 01:00.
    const Day day = static_cast<Day>(kMarch6Seconds / 86400);
    std::vector<std::int32_t> perMinute(1440, 0);
    perMinute[60] = 5;
    perMinute[9 * 60] = 5;
    const std::int64_t crossingMs =
        (static_cast<std::int64_t>(day) * 86400 + 9 * 3600) * 1000;

    ActivityChart chart;
    chart.setMinuteCounts(day, QTimeZone::utc(), perMinute, 15, 4, crossingMs);
    QVERIFY2(chart.crossingText().contains(
                 QLatin1String("in input order, which is not time order")),
             qPrintable(chart.crossingText()));
}

void UiWindowTest::windowDayOverlay()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {m_fixture}));
    DayPage *page = window.dayPage();

    QVERIFY(page->showId(QStringLiteral("alice")));
    QVERIFY(page->chart()->overlayGraph()->visible());
    QCOMPARE(page->chart()->overlayGraph()->dataCount(), 1);
    QCOMPARE(page->chart()->overlayGraph()->data()->at(0)->value, 150.0);
    // An unknown id brings back the busiest distinct_id of each day, which
    // the per-id limit line applies to.
    QVERIFY(!page->showId(QStringLiteral("nobody")));
    QCOMPARE(page->chart()->overlayGraph()->name(),
             QStringLiteral("Busiest distinct_id of each day"));
    QCOMPARE(page->chart()->overlayGraph()->data()->at(0)->value, 150.0);

    page->setSearchSpace(ShardKind::Group, QStringLiteral("company"));
    QVERIFY(page->showId(QStringLiteral("Acme")));
    QCOMPARE(page->chart()->overlayGraph()->data()->at(0)->value, 130.0);
}

void UiWindowTest::windowRescansOnSettings()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {m_fixture}));
    QCOMPARE(window.report()->hotUserShards(), 1);

    QSignalSpy finished(&window, &MainWindow::scanFinished);
    ScanSettings relaxed = test::fixtureSettings();
    relaxed.userLimit = 1000;
    relaxed.groupLimit = 1000;
    window.setScanSettings(relaxed);
    QVERIFY(window.isScanning());
    QVERIFY(finished.wait(kScanTimeoutMs));
    QCOMPARE(window.report()->hotShards.size(), std::size_t(0));
    QVERIFY(!window.repairAction()->isEnabled());
    QCOMPARE(window.overviewPage()->findingModel()->rowCount(), 0);
    QCOMPARE(QSettings().value(QStringLiteral("scan/userLimit")).toLongLong(),
             1000);
}

void UiWindowTest::windowShowsScanFailure()
{
    MainWindow window;
    ScanSettings settings = test::fixtureSettings();
    settings.timeZone = "Nowhere/Invalid";
    window.setScanSettings(settings);
    QSignalSpy failed(&window, &MainWindow::scanFailed);
    window.openPaths({m_fixture});
    QVERIFY(failed.wait(kScanTimeoutMs));
    QVERIFY(window.bannerLabel()->isVisibleTo(&window));
    QVERIFY(window.bannerLabel()->text().contains(
        QLatin1String("Nowhere/Invalid")));
    QCOMPARE(window.problemModel()->errorCount(), 1);
    QVERIFY(!window.report());
}

void UiWindowTest::windowMissingFile()
{
    MainWindow window;
    const QString missing = m_dir.filePath(QStringLiteral("missing.json"));
    QVERIFY(openAndWait(window, {missing}));
    QVERIFY(window.report()->noInputRead());
    QVERIFY(window.bannerLabel()->isVisibleTo(&window));
    const ProblemTableModel *problems = window.problemModel();
    QCOMPARE(problems->errorCount(), 1);
    QCOMPARE(cell(*problems, 0, ProblemTableModel::FileColumn),
             QStringLiteral("missing.json"));
}

void UiWindowTest::windowCancelThenScan()
{
    GeneratorOptions options;
    options.preset = GeneratorPreset::Benchmark;
    options.targetBytes = 8'000'000;
    const QString large = m_dir.filePath(QStringLiteral("large.json"));
    generateExport(options, large.toStdString());

    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    window.show();
    QSignalSpy cancelled(&window, &MainWindow::scanCancelled);
    QSignalSpy finished(&window, &MainWindow::scanFinished);
    window.openPaths({large});
    QVERIFY(window.isScanning());
    QVERIFY(window.cancelButton()->isVisibleTo(&window));
    QTest::mouseClick(window.cancelButton(), Qt::LeftButton);
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!window.isScanning());
    QVERIFY(!window.cancelButton()->isVisibleTo(&window));
    QVERIFY(!window.report());
    QVERIFY(window.overviewPage()->summaryText().contains(
        QLatin1String("cancelled")));

    // The window takes the next scan and shows it, never the cancelled one.
    QVERIFY(openAndWait(window, {m_fixture}));
    // Let the cancelled worker return too; its queued result must be dropped.
    window.scanRunner()->waitForWorkers();
    QCoreApplication::processEvents();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(QString::fromStdString(window.report()->inputs.front().path),
             m_fixture);
    QCOMPARE(window.userPage()->model()->rowCount(), 7);
    QVERIFY(window.rescanAction()->isEnabled());
}

void UiWindowTest::dayChartFitsData()
{
    // Three days of a few hundred events, and one event dated 1970 by a
    // broken clock. The default limit is far above every bar, and the 1970
    // day is left out of view instead of squeezing the others.
    Report report;
    report.settings.userLimit = 200'000;
    const Day march6 = static_cast<Day>(kMarch6Seconds / 86400);
    report.days = {{0, 1, 0, 0},
                   {march6, 300, 0, 0},
                   {march6 + 1, 250, 0, 0},
                   {march6 + 2, 280, 0, 0}};
    IdVolume busy;
    busy.id = "busy";
    busy.dayCount = 2;
    report.ids = {busy};
    report.idDays = {{march6, 40, 0}, {march6 + 1, 60, 0}};

    DayChart chart;
    chart.setReport(&report);
    QCOMPARE(chart.overlayGraph()->dataCount(), 2);
    QCOMPARE(chart.overlayGraph()->data()->at(1)->value, 60.0);
    QVERIFY(chart.yAxis->range().upper < 400.0);
    QVERIFY(chart.overlayGraph()->name().contains(
        QLatin1String("200,000, is far above this chart")));
    QVERIFY(chart.xAxis->range().lower > kMarch6Seconds - 86400.0);
    QVERIFY(chart.xAxis->range().upper < kMarch6Seconds + 3 * 86400.0);
    QVERIFY(chart.originalBars()->name().contains(
        QLatin1String("1 day far from the rest")));

    // Near the limit, the value axis reaches up to it.
    report.settings.userLimit = 200;
    chart.setReport(&report);
    QCOMPARE(chart.overlayGraph()->name(),
             QStringLiteral("Busiest distinct_id of each day"));
    QVERIFY(chart.yAxis->range().upper >= 300.0);
    QCOMPARE(chart.limitLine().value(), 200.0);

    // A single day of events with far days on both sides: the view shows
    // that day alone, with half a day or more either side.
    report.days = {{0, 1, 0, 0}, {march6, 300, 0, 0}, {1'147'000, 1, 0, 0}};
    chart.setReport(&report);
    QVERIFY(chart.xAxis->range().lower > kMarch6Seconds - 86400.0);
    QVERIFY(chart.xAxis->range().lower < kMarch6Seconds);
    QVERIFY(chart.xAxis->range().upper > kMarch6Seconds);
    QVERIFY(chart.xAxis->range().upper < kMarch6Seconds + 2 * 86400.0);
    QVERIFY(chart.originalBars()->name().contains(
        QLatin1String("2 days far from the rest")));
}

void UiWindowTest::chartFollowsPalette()
{
    DayChart chart;
    QPalette dark = chart.palette();
    dark.setColor(QPalette::Base, QColor(0x20, 0x20, 0x20));
    dark.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    chart.setPalette(dark);
    QCOMPARE(chart.xAxis->tickLabelColor(), QColor(0xee, 0xee, 0xee));
    QCOMPARE(chart.yAxis->basePen().color(), QColor(0xee, 0xee, 0xee));
    QCOMPARE(chart.axisRect()->backgroundBrush().color(),
             QColor(0x20, 0x20, 0x20));
    QCOMPARE(chart.legend->textColor(), QColor(0xee, 0xee, 0xee));
}

void UiWindowTest::windowDropOpensFiles()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QSignalSpy finished(&window, &MainWindow::scanFinished);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_fixture)});
    const QPoint centre = window.rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &mime, Qt::LeftButton,
                          Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(centre, Qt::CopyAction, &mime, Qt::LeftButton,
                    Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    QVERIFY(finished.wait(kScanTimeoutMs));
    QCOMPARE(window.openPathsList(), QStringList{m_fixture});
    QCOMPARE(window.report()->hotUserShards(), 1);

    QMimeData remote;
    remote.setUrls({QUrl(QStringLiteral("https://example.com/export.json"))});
    QDragEnterEvent remoteEnter(centre, Qt::CopyAction, &remote, Qt::LeftButton,
                                Qt::NoModifier);
    remoteEnter.ignore();
    QCoreApplication::sendEvent(&window, &remoteEnter);
    QVERIFY(!remoteEnter.isAccepted());
}

void UiWindowTest::windowRemembersRecent()
{
    {
        MainWindow window;
        window.setScanSettings(test::fixtureSettings());
        QVERIFY(openAndWait(window, {m_fixture}));
    }
    QCOMPARE(QSettings().value(QStringLiteral("recentFiles")).toStringList(),
             QStringList{m_fixture});

    MainWindow reopened;
    QCOMPARE(reopened.scanSettings().userLimit, 100);
    QCOMPARE(reopened.scanSettings().groupKeys,
             std::vector<std::string>{"company"});
    const auto recentMenus = reopened.findChildren<QMenu *>();
    const auto recent =
        std::find_if(recentMenus.begin(), recentMenus.end(), [](QMenu *menu) {
            return menu->title() == QLatin1String("Open &recent");
        });
    QVERIFY(recent != recentMenus.end());
    QCOMPARE((*recent)->actions().size(), 1);
    QCOMPARE((*recent)->actions().front()->text(),
             QStringLiteral("fixture.json"));
}

void UiWindowTest::windowFilterDebounced()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {m_fixture}));
    window.show();
    window.showPage(QStringLiteral("ids"));
    IdTableModel *model = window.userPage()->model();
    QTest::keyClicks(window.userPage()->filterEdit(), QStringLiteral("member"));
    // The filter applies once typing pauses, not on every key.
    QCOMPARE(model->rowCount(), 7);
    QTRY_COMPARE(model->rowCount(), 5);
    QCOMPARE(model->filterText(), QStringLiteral("member"));
    QCOMPARE(window.userPage()->topChart()->bars()->dataCount(), 5);
    // The count above the table names what it counts.
    const auto labels = window.userPage()->findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.begin(), labels.end(), [](QLabel *label) {
        return label->text() == QStringLiteral("5 of 7 ids");
    }));
    const auto groupLabels = window.groupPage()->findChildren<QLabel *>();
    QVERIFY(
        std::any_of(groupLabels.begin(), groupLabels.end(), [](QLabel *label) {
            return label->text().endsWith(QStringLiteral(" group ids"));
        }));
}

void UiWindowTest::windowAboutVersions()
{
    const QString text = MainWindow::aboutText();
    QVERIFY(text.contains(QStringLiteral("Qt " QT_VERSION_STR)));
    QVERIFY(
        text.contains(QStringLiteral("QCustomPlot " QCUSTOMPLOT_VERSION_STR)));
    for (const char *library :
         {"simdjson", "isa-l", "libdeflate", "libcurl", "nlohmann/json"}) {
        const QString name = QString::fromLatin1(library);
        QVERIFY2(
            text.contains(QRegularExpression(QRegularExpression::escape(name) +
                                             QStringLiteral(" \\d+\\.\\d+"))),
            qPrintable(name));
    }
}

void UiWindowTest::helpWithoutDisplay()
{
    // --help must print even where no display can be opened, as on a
    // server reached over ssh. The xcb platform aborts without a display.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"),
                       QStringLiteral("xcb"));
    QProcess program;
    program.setProcessEnvironment(environment);
    program.start(
        QStringLiteral(HSI_BINARY_DIR "/app/gui/hotshard-investigator"),
        {QStringLiteral("--help")});
    QVERIFY(program.waitForFinished(30000));
    QCOMPARE(program.exitStatus(), QProcess::NormalExit);
    QCOMPARE(program.exitCode(), 0);
    QVERIFY(program.readAllStandardOutput().contains("--sample"));
}

void UiWindowTest::settingsDialogRoundTrip()
{
    ScanSettings settings = test::fixtureSettings();
    settings.timeZone = "Europe/Berlin";
    settings.legacyProjectTime = true;
    settings.nearLimitFraction = 0.75;
    settings.groupKeys = {"company", "account"};
    ScanSettingsDialog dialog(settings);
    const ScanSettings edited = dialog.settings();
    QCOMPARE(edited.userLimit, 100);
    QCOMPARE(edited.groupLimit, 100);
    QCOMPARE(edited.timeZone, std::string("Europe/Berlin"));
    QVERIFY(edited.legacyProjectTime);
    QCOMPARE(edited.nearLimitFraction, 0.75);
    QCOMPARE(edited.groupKeys,
             (std::vector<std::string>{"company", "account"}));
    QCOMPARE(edited.threads, settings.threads);
}

void UiWindowTest::groupKeysParsed()
{
    QCOMPARE(parseGroupKeys(QStringLiteral(" company , ,account,company")),
             (std::vector<std::string>{"company", "account"}));
    QVERIFY(parseGroupKeys(QStringLiteral(" , ")).empty());
}

void UiWindowTest::windowOpensFolder()
{
    QTemporaryDir folder;
    QVERIFY(folder.isValid());
    QVERIFY(
        QFile::copy(m_fixture, folder.filePath(QStringLiteral("part-1.json"))));
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {folder.path()}));
    QCOMPARE(window.report()->inputs.size(), std::size_t(1));
    QVERIFY(window.report()->inputs.front().path.ends_with("part-1.json"));
    QCOMPARE(window.report()->hotUserShards(), 1);
}

void UiWindowTest::chartSavesPngAndPdf()
{
    MainWindow window;
    window.setScanSettings(test::fixtureSettings());
    QVERIFY(openAndWait(window, {m_fixture}));
    DayChart *chart = window.dayPage()->chart();
    chart->resize(600, 400);

    const QByteArray png = chart->toPng(QSize(400, 300));
    QVERIFY(png.startsWith("\x89PNG"));
    QTemporaryDir dir;
    const QString pngPath = dir.filePath(QStringLiteral("days.png"));
    const QString pdfPath = dir.filePath(QStringLiteral("days.pdf"));
    QVERIFY(chart->saveImage(pngPath));
    QVERIFY(chart->saveImage(pdfPath));
    QFile pdf(pdfPath);
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(5) == "%PDF-");
    QImage image(pngPath);
    // Saved at twice the widget size, for high-DPI screens and print.
    QCOMPARE(image.size(), QSize(1200, 800));
    QVERIFY(
        !chart->saveImage(dir.filePath(QStringLiteral("missing/days.png"))));
}

QTEST_MAIN(UiWindowTest)
#include "tst_ui_window.moc"
