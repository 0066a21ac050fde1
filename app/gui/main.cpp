#include "keychain_credential_store.h"
#include "main_window.h"
#include "screenshot_tour.h"
#include "wizard/recovery_wizard.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>
#include <cstdio>
#include <string_view>

namespace {

const QCommandLineOption
    kSample(QStringLiteral("sample"),
            QStringLiteral("Open the bundled sample incident export."));
const QCommandLineOption kScreenshots(
    QStringLiteral("screenshot-dir"),
    QStringLiteral(
        "After the scan, save a PNG of every view into <dir> and quit."),
    QStringLiteral("dir"));

void setApplicationIdentity()
{
    QCoreApplication::setApplicationName(
        QStringLiteral("hotshard-investigator"));
    QCoreApplication::setOrganizationName(
        QStringLiteral("hotshard-investigator"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HSI_VERSION_STRING));
}

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Opens Mixpanel export files (NDJSON or JSON arrays, plain or gzip) or "
        "folders of them, "
        "and shows which ids and groups crossed the per-day limits."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({kSample, kScreenshots});
    parser.addPositionalArgument(
        QStringLiteral("paths"),
        QStringLiteral("Export files or folders to open."),
        QStringLiteral("[paths...]"));
}

/// True for --help and --version, which must work without a display: a
/// QApplication aborts when no display server can be reached.
bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument(argv[i]);
        if (argument == "-h" || argument == "--help" ||
            argument == "--help-all" || argument == "-?" || argument == "-v" ||
            argument == "--version")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationIdentity();
        QCommandLineParser parser;
        describeOptions(parser);
        parser.process(app);
        return 0;
    }

    QApplication app(argc, argv);
    setApplicationIdentity();
    QApplication::setApplicationDisplayName(
        QStringLiteral("Hot Shard Investigator"));
    QApplication::setDesktopFileName(QStringLiteral("hotshard-investigator"));
    QApplication::setWindowIcon(
        QIcon(QStringLiteral(":/icons/hotshard-investigator.svg")));

    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);
    const QCommandLineOption &sample = kSample;
    const QCommandLineOption &screenshots = kScreenshots;

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
