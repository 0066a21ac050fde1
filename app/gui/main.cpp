#include "keychain_credential_store.h"
#include "main_window.h"
#include "screenshot_tour.h"
#include "wizard/recovery_wizard.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>
#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("hotshard-investigator"));
    QApplication::setApplicationDisplayName(
        QStringLiteral("Hot Shard Investigator"));
    QApplication::setOrganizationName(QStringLiteral("hotshard-investigator"));
    QApplication::setApplicationVersion(QStringLiteral(HSI_VERSION_STRING));
    QApplication::setDesktopFileName(QStringLiteral("hotshard-investigator"));
    QApplication::setWindowIcon(
        QIcon(QStringLiteral(":/icons/hotshard-investigator.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Opens Mixpanel export files (NDJSON or JSON arrays, plain or gzip) or "
        "folders of them, "
        "and shows which ids and groups crossed the per-day limits."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption sample(
        QStringLiteral("sample"),
        QStringLiteral("Open the bundled sample incident export."));
    const QCommandLineOption screenshots(
        QStringLiteral("screenshot-dir"),
        QStringLiteral(
            "After the scan, save a PNG of every view into <dir> and quit."),
        QStringLiteral("dir"));
    parser.addOptions({sample, screenshots});
    parser.addPositionalArgument(
        QStringLiteral("paths"),
        QStringLiteral("Export files or folders to open."),
        QStringLiteral("[paths...]"));
    parser.process(app);

    hsi::ui::MainWindow window;
    QObject::connect(
        &window, &hsi::ui::MainWindow::repairRequested, &window, [&window]() {
            auto *wizard = new hsi::ui::RecoveryWizard(
                window.report(),
                std::make_shared<hsi::ui::KeychainCredentialStore>(), &window);
            wizard->setAttribute(Qt::WA_DeleteOnClose);
            wizard->show();
        });
    if (parser.isSet(screenshots)) {
        window.resize(1560, 960);
        new ScreenshotTour(&window, parser.value(screenshots));
    }
    window.show();
    if (parser.isSet(sample)) {
        if (!window.openSample() && parser.isSet(screenshots))
            return 1;
    } else if (!parser.positionalArguments().isEmpty()) {
        window.openPaths(parser.positionalArguments());
    } else if (parser.isSet(screenshots)) {
        std::fprintf(
            stderr,
            "hotshard-investigator: --screenshot-dir requires --sample or a "
            "path to open\n");
        return 2;
    }
    return app.exec();
}
