#pragma once

#include <QObject>
#include <QString>

namespace hsi::ui {
class MainWindow;
}

/// Saves a PNG of every view of a MainWindow once its scan has finished,
/// then quits the application. Used by scripts/screenshots.sh.
class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    ScreenshotTour(hsi::ui::MainWindow *window, const QString &directory);

private:
    void capture();
    /// Shows the first hot user id over the per-day chart, if there is one.
    void overlayFirstHotUser();
    void fail(const QString &message);

    hsi::ui::MainWindow *m_window;
    QString m_directory;
};
