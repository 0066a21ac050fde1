#include "main_window.h"

#include "charts.h"
#include "day_page.h"
#include "drill_down_page.h"
#include "format.h"
#include "overview_page.h"
#include "problem_model.h"
#include "records_page.h"
#include "sample_locator.h"
#include "scan_runner.h"
#include "table_page.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLoggingCategory>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcUi, "hsi.ui")

namespace hsi::ui {

namespace {

enum PageIndex {
    OverviewIndex,
    DaysIndex,
    UsersIndex,
    GroupsIndex,
    DrillDownIndex,
    RecordsIndex
};

/// Names a pass of the scan in the status bar.
QString passName(int pass)
{
    switch (pass) {
    case 2:
        return QStringLiteral("Gathering evidence");
    case 3:
        return QStringLiteral("Counting group keys from records");
    default:
        return QStringLiteral("Counting");
    }
}

} // namespace

QStringList MainWindow::pageKeys()
{
    return {QStringLiteral("overview"),   QStringLiteral("days"),
            QStringLiteral("ids"),        QStringLiteral("groups"),
            QStringLiteral("drill-down"), QStringLiteral("records")};
}

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_runner(new ScanRunner(this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    buildPages();
    buildProblemsDock();
    buildStatusBar();
    buildMenus();
    resize(1400, 900);
    resizeDocks({m_problemsDock}, {170}, Qt::Vertical);
    loadSettings();

    connect(m_runner, &ScanRunner::progressChanged, this,
            &MainWindow::onScanProgress);
    connect(m_runner, &ScanRunner::finished, this, &MainWindow::onScanFinished);
    connect(m_runner, &ScanRunner::failed, this, &MainWindow::onScanFailed);
    connect(m_runner, &ScanRunner::cancelled, this,
            &MainWindow::onScanCancelled);
    setScanning(false);
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildPages()
{
    m_overview = new OverviewPage(this);
    m_days = new DayPage(this);
    m_users = new TablePage(ShardKind::User, this);
    m_groups = new TablePage(ShardKind::Group, this);
    m_drillDown = new DrillDownPage(this);
    m_records = new RecordsPage(this);

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_overview, QStringLiteral("&Overview"));
    m_tabs->addTab(m_days, QStringLiteral("Per &day"));
    m_tabs->addTab(m_users, QStringLiteral("Per &id"));
    m_tabs->addTab(m_groups, QStringLiteral("Per &group"));
    m_tabs->addTab(m_drillDown, QStringLiteral("Dri&ll-down"));
    m_tabs->addTab(m_records, QStringLiteral("&Records"));

    connect(m_overview, &OverviewPage::linkActivated, this,
            &MainWindow::followLink);
    connect(m_overview, &OverviewPage::findingActivated, this,
            [this](const PairFinding &finding) {
                m_drillDown->showFinding(finding);
                showDrillDown();
            });
    for (TablePage *page : {m_users, m_groups}) {
        connect(page, &TablePage::idActivated, this,
                [this](const IdVolume &volume) {
                    m_drillDown->showId(volume);
                    showDrillDown();
                });
    }

    m_banner = new QLabel(this);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(
        QStringLiteral("QLabel { background: #fff3cd; color: #5c4400; border: "
                       "1px solid #e0c060; padding: 6px; }"));
    m_banner->hide();

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
}

void MainWindow::buildProblemsDock()
{
    m_problems = new ProblemTableModel(this);
    m_problemView = new QTableView(this);
    m_problemView->setModel(m_problems);
    m_problemView->setSortingEnabled(true);
    m_problemView->sortByColumn(ProblemTableModel::SeverityColumn,
                                Qt::DescendingOrder);
    m_problemView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problemView->verticalHeader()->hide();
    m_problemView->horizontalHeader()->setStretchLastSection(true);
    m_problemView->setColumnWidth(ProblemTableModel::SeverityColumn, 90);
    m_problemView->setColumnWidth(ProblemTableModel::FileColumn, 220);

    auto *errorsOnly = new QCheckBox(QStringLiteral("Errors only"), this);
    connect(errorsOnly, &QCheckBox::toggled, m_problems,
            &ProblemTableModel::setErrorsOnly);
    auto *panel = new QWidget(this);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(errorsOnly);
    layout->addWidget(m_problemView, 1);

    m_problemsDock = new QDockWidget(QStringLiteral("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("ProblemsDock"));
    m_problemsDock->setWidget(panel);
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
    connect(m_problems, &ProblemTableModel::rowsRearranged, this, [this] {
        QString title =
            QStringLiteral("Problems (%1, %2")
                .arg(countOf(m_problems->errorCount(), "error"),
                     countOf(m_problems->warningCount(), "warning"));
        if (m_problems->unlistedCount() > 0) {
            title += QStringLiteral(", %1 more not listed")
                         .arg(formatCount(m_problems->unlistedCount()));
        }
        m_problemsDock->setWindowTitle(title + QLatin1Char(')'));
    });
}

void MainWindow::buildStatusBar()
{
    m_statusLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(260);
    m_cancelButton = new QPushButton(QStringLiteral("Cancel"), this);
    m_cancelButton->setToolTip(QStringLiteral("Stop the running scan (Esc)"));
    m_cancelButton->setShortcut(QKeySequence(Qt::Key_Escape));
    connect(m_cancelButton, &QPushButton::clicked, this,
            &MainWindow::cancelScan);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelButton);
}

// NOTE: Qt decodes file names as UTF-8 and replaces other bytes, so a file
// whose name is not UTF-8 cannot be opened by name here. Its folder opens
// it, because the scan lists folders by their bytes.
void MainWindow::openPaths(const QStringList &paths)
{
    QStringList absolute;
    for (const QString &path : paths)
        absolute << QFileInfo(path).absoluteFilePath();
    if (absolute.isEmpty())
        return;
    m_paths = absolute;
    addRecent(absolute);
    updateTitle();
    startScan();
}

bool MainWindow::openSample()
{
    const QString path = findSampleExport();
    if (path.isEmpty()) {
        showBanner(QStringLiteral(
                       "The sample export %1 was not found in: %2. Build the "
                       "sample_export target or install the package.")
                       .arg(QString::fromLatin1(kSampleFileName),
                            sampleSearchPaths().join(QStringLiteral(", "))));
        return false;
    }
    openPaths({path});
    return true;
}

void MainWindow::rescan()
{
    if (!m_paths.isEmpty())
        startScan();
}

void MainWindow::cancelScan()
{
    m_runner->cancel();
}

bool MainWindow::isScanning() const
{
    return m_runner->isRunning();
}

void MainWindow::setScanSettings(const ScanSettings &settings)
{
    m_settings = settings;
    saveScanSettings();
    rescan();
}

void MainWindow::startScan()
{
    m_banner->hide();
    qCInfo(lcUi) << "scanning" << m_paths;
    m_runner->start(m_paths, m_settings);
    const QString files = openFilesLabel();
    m_statusLabel->setText(QStringLiteral("Scanning %1…").arg(files));
    m_progress->setValue(0);
    if (!m_report)
        m_overview->setMessage(
            QStringLiteral("Scanning %1. The views fill in when the scan "
                           "finishes, and the status bar shows its progress.")
                .arg(files));
    setScanning(true);
}

void MainWindow::onScanProgress(const ScanStatus &status)
{
    const ScanProgress &p = status.progress;
    if (p.bytesTotal > 0)
        m_progress->setValue(
            static_cast<int>(1000 * p.bytesDone / p.bytesTotal));
    QString text =
        QStringLiteral("%1: %2 of %3, %4/s, %5 events/s")
            .arg(
                passName(p.pass), formatBytes(p.bytesDone),
                formatBytes(p.bytesTotal),
                formatBytes(static_cast<std::int64_t>(status.bytesPerSecond)),
                formatCount(static_cast<std::int64_t>(status.eventsPerSecond)));
    if (status.secondsLeft >= 0)
        text += QStringLiteral(", about %1 left in this pass")
                    .arg(formatDuration(status.secondsLeft));
    m_statusLabel->setText(text);
}

void MainWindow::onScanFinished(std::shared_ptr<const Report> report)
{
    setScanning(false);
    QElapsedTimer clock;
    clock.start();
    showReport(std::move(report));
    qCDebug(lcUi) << "filled the views with" << m_report->ids.size() << "ids in"
                  << clock.elapsed() << "ms";
    m_statusLabel->setText(QStringLiteral("Scanned %1 (%2) in %3.")
                               .arg(countOf(m_report->totals.events, "event"),
                                    formatBytes(m_report->totals.bytes),
                                    formatDuration(m_report->elapsedSeconds)));
    if (m_report->noInputRead())
        showBanner(QStringLiteral(
            "No input could be read. The Problems panel lists why."));
    emit scanFinished();
}

void MainWindow::onScanFailed(const QString &message)
{
    setScanning(false);
    showReport(nullptr);
    m_problems->setScanFailure(message);
    showBanner(
        QStringLiteral("The scan could not run: %1. Change the scan settings "
                       "(Scan > Scan settings) and rescan.")
            .arg(message));
    m_statusLabel->setText(QStringLiteral("Scan failed."));
    emit scanFailed(message);
}

void MainWindow::onScanCancelled()
{
    setScanning(false);
    if (m_report) {
        m_statusLabel->setText(
            QStringLiteral("Scan cancelled. The previous result is shown."));
    } else {
        m_statusLabel->setText(QStringLiteral("Scan cancelled."));
        m_overview->setMessage(
            QStringLiteral("The scan was cancelled. Rescan "
                           "(F5) or open other files (Ctrl+O)."));
    }
    emit scanCancelled();
}

void MainWindow::showReport(std::shared_ptr<const Report> report)
{
    m_report = std::move(report);
    m_overview->setReport(m_report);
    m_days->setReport(m_report);
    m_users->setReport(m_report);
    m_groups->setReport(m_report);
    m_drillDown->setReport(m_report);
    m_records->setReport(m_report);
    if (m_report)
        m_problems->setReport(*m_report);
    else
        m_problems->clear();
    m_problemView->resizeColumnToContents(ProblemTableModel::LineColumn);
    updateActions();
}

void MainWindow::setScanning(bool scanning)
{
    m_progress->setVisible(scanning);
    m_cancelButton->setVisible(scanning);
    m_cancelButton->setEnabled(scanning);
}

QString MainWindow::openFilesLabel() const
{
    if (m_paths.isEmpty())
        return {};
    QString label = QFileInfo(m_paths.first()).fileName();
    if (m_paths.size() > 1)
        label += QStringLiteral(" and %1 more").arg(m_paths.size() - 1);
    return label;
}

void MainWindow::updateTitle()
{
    const QString files = openFilesLabel();
    setWindowTitle(files.isEmpty()
                       ? QStringLiteral("Hot Shard Investigator")
                       : files + QStringLiteral(" — Hot Shard Investigator"));
    setWindowFilePath(m_paths.value(0));
}

void MainWindow::showBanner(const QString &text)
{
    qCWarning(lcUi).noquote() << text;
    m_banner->setText(text);
    m_banner->show();
}

void MainWindow::followLink(const QString &target)
{
    if (target == QLatin1String("problems")) {
        m_problemsDock->show();
        m_problemsDock->raise();
        m_problemView->setFocus();
        return;
    }
    const QString prefix = QStringLiteral("page:");
    if (target.startsWith(prefix))
        showPage(target.mid(prefix.size()));
}

bool MainWindow::showPage(const QString &key)
{
    const int index = static_cast<int>(pageKeys().indexOf(key));
    if (index < 0)
        return false;
    m_tabs->setCurrentIndex(index);
    return true;
}

void MainWindow::showDrillDown()
{
    m_tabs->setCurrentIndex(DrillDownIndex);
}

bool MainWindow::showFirstFinding()
{
    if (!m_report)
        return false;
    const auto &list =
        m_report->hotShards.empty() ? m_report->nearLimit : m_report->hotShards;
    if (list.empty())
        return false;
    m_drillDown->showFinding(list.front());
    showDrillDown();
    return true;
}

QList<ChartWidget *> MainWindow::currentCharts() const
{
    switch (m_tabs->currentIndex()) {
    case DaysIndex:
        return {m_days->chart()};
    case UsersIndex:
        return {m_users->topChart()};
    case GroupsIndex:
        return {m_groups->topChart()};
    case DrillDownIndex:
        return {m_drillDown->chart()};
    case RecordsIndex:
        return {m_records->timeline()};
    default:
        return {};
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    m_runner->cancel();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    const bool allLocal =
        !urls.isEmpty() &&
        std::all_of(urls.begin(), urls.end(),
                    [](const QUrl &url) { return url.isLocalFile(); });
    if (allLocal)
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls())
        paths << url.toLocalFile();
    openPaths(paths);
    event->acceptProposedAction();
}

} // namespace hsi::ui
