// Menus, exports, persistent settings and recent files of MainWindow.
#include "charts.h"
#include "day_page.h"
#include "debounced_line_edit.h"
#include "drill_down_page.h"
#include "export_writers.h"
#include "format.h"
#include "main_window.h"
#include "records_page.h"
#include "scan_settings_dialog.h"
#include "table_page.h"

#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <nlohmann/json.hpp>
#include <qcustomplot.h>

namespace hsi::ui {

namespace {

constexpr int kMaxRecent = 8;
const QString kRecentKey = QStringLiteral("recentFiles");

// Joins the paths of one recent entry. A path that contains a newline is
// split wrongly when the entry is reopened, but such names are very rare.
const QString kRecentSeparator = QStringLiteral("\n");

QString recentEntryLabel(const QStringList &paths)
{
    QString label = QFileInfo(paths.value(0)).fileName();
    if (paths.size() > 1)
        label += QStringLiteral(" and %1 more").arg(paths.size() - 1);
    return label;
}

} // namespace

void MainWindow::buildMenus()
{
    buildFileMenu();

    QMenu *scanMenu = menuBar()->addMenu(QStringLiteral("&Scan"));
    m_rescanAction = scanMenu->addAction(QStringLiteral("&Rescan"), this,
                                         &MainWindow::rescan);
    m_rescanAction->setShortcuts(
        {QKeySequence::Refresh, QKeySequence(Qt::CTRL | Qt::Key_R)});
    scanMenu->addAction(QStringLiteral("&Cancel scan"), this,
                        &MainWindow::cancelScan);
    scanMenu->addSeparator();
    QAction *settings = scanMenu->addAction(
        QStringLiteral("Scan &settings…"), this, &MainWindow::editScanSettings);
    settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));

    QMenu *viewMenu = menuBar()->addMenu(QStringLiteral("&View"));
    QAction *find = viewMenu->addAction(QStringLiteral("&Find"), this,
                                        &MainWindow::focusFind);
    find->setShortcut(QKeySequence::Find);
    viewMenu->addAction(m_problemsDock->toggleViewAction());
    viewMenu->addSeparator();
    const QStringList titles = {
        QStringLiteral("Overview"),   QStringLiteral("Per day"),
        QStringLiteral("Per id"),     QStringLiteral("Per group"),
        QStringLiteral("Drill-down"), QStringLiteral("Records")};
    for (int i = 0; i < titles.size(); ++i) {
        QAction *show = viewMenu->addAction(
            titles[i], this, [this, i] { m_tabs->setCurrentIndex(i); });
        show->setShortcut(
            QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)));
    }

    QMenu *recoveryMenu = menuBar()->addMenu(QStringLiteral("Re&covery"));
    m_repairAction = recoveryMenu->addAction(
        QStringLiteral("&Repair history…"), this, &MainWindow::repairRequested);
    m_repairAction->setToolTip(
        QStringLiteral("Export, transform and re-import the events of the "
                       "hot shards found. Needs a scan with hot shards."));

    QMenu *helpMenu = menuBar()->addMenu(QStringLiteral("&Help"));
    helpMenu->addAction(QStringLiteral("&About Hot Shard Investigator"), this,
                        &MainWindow::showAbout);
    helpMenu->addAction(QStringLiteral("About &Qt"), qApp,
                        &QApplication::aboutQt);
}

void MainWindow::buildFileMenu()
{
    QMenu *fileMenu = menuBar()->addMenu(QStringLiteral("&File"));
    fileMenu
        ->addAction(QStringLiteral("&Open files…"), this,
                    &MainWindow::chooseFiles)
        ->setShortcut(QKeySequence::Open);
    fileMenu
        ->addAction(QStringLiteral("Open &folder…"), this,
                    &MainWindow::chooseFolder)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    fileMenu->addAction(QStringLiteral("Open &sample"), this,
                        &MainWindow::openSample);
    m_recentMenu = fileMenu->addMenu(QStringLiteral("Open &recent"));
    fileMenu->addSeparator();
    buildExportMenu(fileMenu);
    fileMenu->addSeparator();
    fileMenu->addAction(QStringLiteral("&Quit"), this, &QWidget::close)
        ->setShortcut(QKeySequence::Quit);
}

void MainWindow::buildExportMenu(QMenu *fileMenu)
{
    QAction *json =
        fileMenu->addAction(QStringLiteral("&Export report as JSON…"), this,
                            [this] { exportJson(JsonIds::Flagged); });
    json->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    QAction *jsonAllIds = fileMenu->addAction(
        QStringLiteral("Export report as JSON with every &id…"), this,
        [this] { exportJson(JsonIds::Every); });
    QAction *csv = fileMenu->addAction(QStringLiteral("Export tables as &CSV…"),
                                       this, &MainWindow::exportCsv);
    QAction *html = fileMenu->addAction(QStringLiteral("Export &HTML summary…"),
                                        this, &MainWindow::exportHtml);
    html->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    QAction *chart =
        fileMenu->addAction(QStringLiteral("Save &chart as PNG or PDF…"), this,
                            &MainWindow::saveCurrentChart);
    chart->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_reportActions = {json, jsonAllIds, csv, html, chart};
}

void MainWindow::updateActions()
{
    for (QAction *action : m_reportActions)
        action->setEnabled(m_report != nullptr);
    m_repairAction->setEnabled(m_report && !m_report->hotShards.empty());
    m_rescanAction->setEnabled(!m_paths.isEmpty());
}

void MainWindow::chooseFiles()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, QStringLiteral("Open Mixpanel exports"),
        QFileInfo(m_paths.value(0)).path(),
        QStringLiteral("Mixpanel exports (*.json *.ndjson *.jsonl *.gz "
                       "*.txt);;All files (*)"));
    if (!paths.isEmpty())
        openPaths(paths);
}

void MainWindow::chooseFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, QStringLiteral("Open a folder of Mixpanel exports"),
        QFileInfo(m_paths.value(0)).path());
    if (!folder.isEmpty())
        openPaths({folder});
}

void MainWindow::editScanSettings()
{
    ScanSettingsDialog dialog(m_settings, this);
    if (dialog.exec() == QDialog::Accepted)
        setScanSettings(dialog.settings());
}

QString MainWindow::exportBaseName() const
{
    QString name = QFileInfo(m_paths.value(0)).fileName();
    for (const QString &suffix :
         {QStringLiteral(".gz"), QStringLiteral(".json"),
          QStringLiteral(".ndjson")}) {
        if (name.endsWith(suffix))
            name.chop(suffix.size());
    }
    return (name.isEmpty() ? QStringLiteral("report") : name) +
           QStringLiteral("-hot-shards");
}

void MainWindow::exportJson(JsonIds ids)
{
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Export report as JSON"),
        exportBaseName() + QStringLiteral(".json"),
        QStringLiteral("JSON (*.json)"));
    if (path.isEmpty() || !m_report)
        return;
    const QString error =
        writeJsonExport(*m_report, path, ids == JsonIds::Every);
    if (error.isEmpty())
        statusBar()->showMessage(QStringLiteral("Wrote %1").arg(path), 8000);
    else
        showBanner(error);
}

void MainWindow::exportCsv()
{
    const QString folder = QFileDialog::getExistingDirectory(
        this, QStringLiteral("Export CSV tables into"));
    if (folder.isEmpty() || !m_report)
        return;
    QStringList written;
    const QString error = writeCsvTables(*m_report, folder, &written);
    if (error.isEmpty())
        statusBar()->showMessage(QStringLiteral("Wrote %1 CSV files to %2")
                                     .arg(written.size())
                                     .arg(folder),
                                 8000);
    else
        showBanner(error);
}

void MainWindow::exportHtml()
{
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Export HTML summary"),
        exportBaseName() + QStringLiteral(".html"),
        QStringLiteral("HTML (*.html)"));
    if (path.isEmpty() || !m_report)
        return;
    const QSize size(1000, 420);
    QList<ChartImage> charts{
        {QStringLiteral("Events per day"), m_days->chart()->toPng(size)},
        {QStringLiteral("User ids with the most events"),
         m_users->topChart()->toPng(size)}};
    if (!m_report->groupKeys.empty())
        charts.append({QStringLiteral("Group ids with the most events"),
                       m_groups->topChart()->toPng(size)});
    if (m_drillDown->finding())
        charts.append(
            {QStringLiteral("Drill-down"), m_drillDown->chart()->toPng(size)});
    if (!m_report->records.empty())
        charts.append({QStringLiteral("$hotshard_record timeline"),
                       m_records->timeline()->toPng(size)});
    const QString error = writeHtmlSummary(*m_report, charts, path);
    if (error.isEmpty())
        statusBar()->showMessage(QStringLiteral("Wrote %1").arg(path), 8000);
    else
        showBanner(error);
}

void MainWindow::saveCurrentChart()
{
    const QList<ChartWidget *> charts = currentCharts();
    if (charts.isEmpty()) {
        statusBar()->showMessage(
            QStringLiteral(
                "This view has no chart; switch to a view with one."),
            8000);
        return;
    }
    ChartWidget *chart = charts.first();
    const QString path = QFileDialog::getSaveFileName(
        this, QStringLiteral("Save chart"),
        chart->title() + QStringLiteral(".png"),
        QStringLiteral("PNG image (*.png);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    if (chart->saveImage(path))
        statusBar()->showMessage(QStringLiteral("Wrote %1").arg(path), 8000);
    else
        showBanner(QStringLiteral("Could not write %1: check that the folder "
                                  "exists and is writable.")
                       .arg(path));
}

void MainWindow::focusFind()
{
    DebouncedLineEdit *edit = nullptr;
    QWidget *page = m_tabs->currentWidget();
    if (page == m_days)
        edit = m_days->searchEdit();
    else if (page == m_users || page == m_groups)
        edit = static_cast<TablePage *>(page)->filterEdit();
    else if (page == m_records)
        edit = m_records->filterEdit();
    if (!edit) {
        m_tabs->setCurrentWidget(m_users);
        edit = m_users->filterEdit();
    }
    edit->setFocus(Qt::ShortcutFocusReason);
    edit->selectAll();
}

QString MainWindow::aboutText()
{
    const QString json = QStringLiteral("%1.%2.%3")
                             .arg(NLOHMANN_JSON_VERSION_MAJOR)
                             .arg(NLOHMANN_JSON_VERSION_MINOR)
                             .arg(NLOHMANN_JSON_VERSION_PATCH);
    return QStringLiteral(
               "<h3>Hot Shard Investigator %1</h3>"
               "<p>Finds the Mixpanel ids and groups that crossed the per-day "
               "event "
               "limits, and explains why.</p>"
               "<p>Built with:</p><ul>"
               "<li>Qt %2 (running on %3)</li><li>QCustomPlot %4</li>"
               "<li>simdjson %5</li><li>isa-l %6</li><li>libdeflate %7</li>"
               "<li>libcurl %8</li><li>nlohmann/json %9</li></ul>")
        .arg(QStringLiteral(HSI_VERSION_STRING), QStringLiteral(QT_VERSION_STR),
             QString::fromLatin1(qVersion()),
             QStringLiteral(QCUSTOMPLOT_VERSION_STR),
             QStringLiteral(HSI_SIMDJSON_VERSION),
             QStringLiteral(HSI_ISAL_VERSION),
             QStringLiteral(HSI_LIBDEFLATE_VERSION),
             QStringLiteral(HSI_CURL_VERSION), json);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, QStringLiteral("About Hot Shard Investigator"),
                       aboutText());
}

void MainWindow::addRecent(const QStringList &paths)
{
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    const QString entry = paths.join(kRecentSeparator);
    recent.removeAll(entry);
    recent.prepend(entry);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString &entry : recent) {
        const QStringList paths = entry.split(kRecentSeparator);
        QAction *action = m_recentMenu->addAction(
            recentEntryLabel(paths), this, [this, paths] { openPaths(paths); });
        action->setToolTip(paths.join(QStringLiteral(", ")));
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::loadSettings()
{
    QSettings settings;
    restoreGeometry(
        settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const ScanSettings defaults;
    m_settings.userLimit =
        settings
            .value(QStringLiteral("scan/userLimit"), qint64(defaults.userLimit))
            .toLongLong();
    m_settings.groupLimit = settings
                                .value(QStringLiteral("scan/groupLimit"),
                                       qint64(defaults.groupLimit))
                                .toLongLong();
    m_settings.timeZone = settings
                              .value(QStringLiteral("scan/timeZone"),
                                     toQString(defaults.timeZone))
                              .toString()
                              .toStdString();
    m_settings.legacyProjectTime =
        settings.value(QStringLiteral("scan/legacyProjectTime"), false)
            .toBool();
    m_settings.groupKeys = parseGroupKeys(
        settings.value(QStringLiteral("scan/groupKeys")).toString());
    m_settings.nearLimitFraction =
        settings
            .value(QStringLiteral("scan/nearLimitFraction"),
                   defaults.nearLimitFraction)
            .toDouble();
    rebuildRecentMenu();
}

void MainWindow::saveScanSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("scan/userLimit"),
                      qint64(m_settings.userLimit));
    settings.setValue(QStringLiteral("scan/groupLimit"),
                      qint64(m_settings.groupLimit));
    settings.setValue(QStringLiteral("scan/timeZone"),
                      toQString(m_settings.timeZone));
    settings.setValue(QStringLiteral("scan/legacyProjectTime"),
                      m_settings.legacyProjectTime);
    QStringList keys;
    for (const std::string &key : m_settings.groupKeys)
        keys << toQString(key);
    settings.setValue(QStringLiteral("scan/groupKeys"),
                      keys.join(QStringLiteral(", ")));
    settings.setValue(QStringLiteral("scan/nearLimitFraction"),
                      m_settings.nearLimitFraction);
}

} // namespace hsi::ui
