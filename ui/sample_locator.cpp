#include "sample_locator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace hsi::ui {

QStringList sampleSearchPaths()
{
    const QString fileName = QString::fromLatin1(kSampleFileName);
    const QString relative =
        QStringLiteral("hotshard-investigator/") + fileName;
    QStringList paths{QStringLiteral(HSI_BUILD_SAMPLE_PATH),
                      QStringLiteral(HSI_INSTALLED_DATA_DIR "/") + fileName};
    // A relocated install keeps the data directory beside bin/.
    const QDir binDir(QCoreApplication::applicationDirPath());
    paths << QDir::cleanPath(
        binDir.filePath(QStringLiteral("../share/") + relative));
    for (const QString &dataDir :
         QStandardPaths::standardLocations(QStandardPaths::GenericDataLocation))
        paths << QDir(dataDir).filePath(relative);
    paths.removeDuplicates();
    return paths;
}

QString findSampleExport()
{
    for (const QString &path : sampleSearchPaths()) {
        if (QFileInfo(path).isFile())
            return path;
    }
    return {};
}

} // namespace hsi::ui
