#include "screenshot_tour.h"

#include "day_page.h"
#include "format.h"
#include "main_window.h"

#include <QApplication>
#include <QDir>
#include <QTimer>
#include <cstdio>

ScreenshotTour::ScreenshotTour(hsi::ui::MainWindow *window,
                               const QString &directory)
    : QObject(window), m_window(window), m_directory(directory)
{
    using hsi::ui::MainWindow;
    connect(window, &MainWindow::scanFinished, this, [this] {
        // Let the views lay out and the charts replot before grabbing.
        QTimer::singleShot(500, this, &ScreenshotTour::capture);
    });
    connect(window, &MainWindow::scanFailed, this, &ScreenshotTour::fail);
    connect(window, &MainWindow::scanCancelled, this,
            [this] { fail(QStringLiteral("the scan was cancelled")); });
}

void ScreenshotTour::capture()
{
    if (!QDir().mkpath(m_directory))
        return fail(QStringLiteral("cannot create %1").arg(m_directory));
    int number = 1;
    for (const QString &key : hsi::ui::MainWindow::pageKeys()) {
        if (key == QLatin1String("drill-down"))
            m_window->showFirstFinding();
        if (key == QLatin1String("days"))
            overlayFirstHotUser();
        m_window->showPage(key);
        QApplication::processEvents();
        const QString path =
            QDir(m_directory)
                .filePath(QStringLiteral("%1-%2.png")
                              .arg(number++, 2, 10, QLatin1Char('0'))
                              .arg(key));
        if (!m_window->grab().save(path))
            return fail(QStringLiteral("cannot write %1").arg(path));
        std::fprintf(stderr, "wrote %s\n", qUtf8Printable(path));
    }
    QApplication::exit(0);
}

void ScreenshotTour::overlayFirstHotUser()
{
    for (const hsi::PairFinding &finding : m_window->report()->hotShards) {
        if (finding.kind == hsi::ShardKind::User) {
            m_window->dayPage()->showId(hsi::ui::displayText(finding.id));
            return;
        }
    }
}

void ScreenshotTour::fail(const QString &message)
{
    std::fprintf(stderr, "hotshard-investigator: screenshots failed: %s\n",
                 qUtf8Printable(message));
    QApplication::exit(1);
}
