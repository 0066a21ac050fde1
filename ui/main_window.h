#pragma once

#include "hsi/report.h"
#include "hsi/scan_settings.h"

#include <QMainWindow>
#include <QStringList>
#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;

namespace hsi::ui {

class ChartWidget;
class DayPage;
class DrillDownPage;
class OverviewPage;
class ProblemTableModel;
class RecordsPage;
class ScanRunner;
struct ScanStatus;
class TablePage;

/// The investigation window: opens exports, scans them in the background
/// and shows the result in an overview, per-day, per-id, per-group,
/// drill-down and record view, with a Problems panel docked below.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// Keys of the views, in tab order, for showPage().
    static QStringList pageKeys();

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Scans `paths` (files or folders) with the current settings and
    /// remembers them as a recent entry.
    void openPaths(const QStringList &paths);
    /// Opens the bundled sample export. Returns false, with a banner, when
    /// it cannot be found.
    bool openSample();
    /// Scans the open files again.
    void rescan();
    void cancelScan();
    /// Replaces the scan settings, stores them, and rescans open files.
    void setScanSettings(const ScanSettings &settings);
    const ScanSettings &scanSettings() const { return m_settings; }

    const QStringList &openPathsList() const { return m_paths; }
    std::shared_ptr<const Report> report() const { return m_report; }
    bool isScanning() const;
    /// Shows a view by key ("overview", "days", ...). Returns false for an
    /// unknown key.
    bool showPage(const QString &key);
    /// Shows the first hot pair (or the first near-limit pair) in the
    /// drill-down view. Returns false when there is none.
    bool showFirstFinding();

    OverviewPage *overviewPage() const { return m_overview; }
    DayPage *dayPage() const { return m_days; }
    TablePage *userPage() const { return m_users; }
    TablePage *groupPage() const { return m_groups; }
    DrillDownPage *drillDownPage() const { return m_drillDown; }
    RecordsPage *recordsPage() const { return m_records; }
    ProblemTableModel *problemModel() const { return m_problems; }
    QDockWidget *problemsDock() const { return m_problemsDock; }
    ScanRunner *scanRunner() const { return m_runner; }
    QAction *repairAction() const { return m_repairAction; }
    QAction *rescanAction() const { return m_rescanAction; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QLabel *bannerLabel() const { return m_banner; }
    /// Returns the About box text: the program version and the versions of
    /// Qt and the libraries it was built with.
    static QString aboutText();
    /// Charts shown by the current view.
    QList<ChartWidget *> currentCharts() const;

signals:
    /// Emitted when the user chooses Recovery > Repair history, which is
    /// enabled once a scan found hot shards. The recovery wizard connects
    /// to this signal.
    void repairRequested();
    /// A scan finished and its report is shown.
    void scanFinished();
    void scanCancelled();
    void scanFailed(const QString &message);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    // main_window.cpp: pages and the scan lifecycle.
    void buildPages();
    void buildProblemsDock();
    void buildStatusBar();
    void startScan();
    void showReport(std::shared_ptr<const Report> report);
    void onScanProgress(const ScanStatus &status);
    void onScanFinished(std::shared_ptr<const Report> report);
    void onScanFailed(const QString &message);
    void onScanCancelled();
    void setScanning(bool scanning);
    /// Returns "a.json" or "a.json and 2 more" for the open paths.
    QString openFilesLabel() const;
    void updateTitle();
    void showBanner(const QString &text);
    void followLink(const QString &target);
    void showDrillDown();

    // main_window_actions.cpp: menus, exports, settings and recent files.
    void buildMenus();
    void buildFileMenu();
    void buildExportMenu(QMenu *fileMenu);
    void chooseFiles();
    void chooseFolder();
    void editScanSettings();
    /// Ids that the JSON export lists: only those in the findings and id
    /// problems, or every id (as `hotshard scan --json --all-ids` does).
    enum class JsonIds { Flagged, Every };
    void exportJson(JsonIds ids);
    void exportCsv();
    void exportHtml();
    void saveCurrentChart();
    void focusFind();
    void showAbout();
    void addRecent(const QStringList &paths);
    void rebuildRecentMenu();
    void loadSettings();
    void saveScanSettings() const;
    void updateActions();
    QString exportBaseName() const;

    ScanRunner *m_runner;
    ScanSettings m_settings;
    QStringList m_paths;
    std::shared_ptr<const Report> m_report;

    QTabWidget *m_tabs = nullptr;
    QLabel *m_banner = nullptr;
    OverviewPage *m_overview = nullptr;
    DayPage *m_days = nullptr;
    TablePage *m_users = nullptr;
    TablePage *m_groups = nullptr;
    DrillDownPage *m_drillDown = nullptr;
    RecordsPage *m_records = nullptr;
    ProblemTableModel *m_problems = nullptr;
    QTableView *m_problemView = nullptr;
    QDockWidget *m_problemsDock = nullptr;

    QProgressBar *m_progress = nullptr;
    QLabel *m_statusLabel = nullptr;
    QPushButton *m_cancelButton = nullptr;

    QMenu *m_recentMenu = nullptr;
    QAction *m_rescanAction = nullptr;
    QAction *m_repairAction = nullptr;
    QList<QAction *> m_reportActions;
};

} // namespace hsi::ui
