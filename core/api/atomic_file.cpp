#include "atomic_file.h"

#include <QFileInfo>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace hsi::api {

namespace {

QString systemError(const QString &action, const QString &path)
{
    return QStringLiteral("%1 %2 failed: %3")
        .arg(action, path, QString::fromLocal8Bit(std::strerror(errno)));
}

bool writeAll(int descriptor, std::string_view content)
{
    while (!content.empty()) {
        const ssize_t written =
            ::write(descriptor, content.data(), content.size());
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        content.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

void syncFolder(const QString &path)
{
    const QByteArray folder = QFile::encodeName(QFileInfo(path).absolutePath());
    const int descriptor = ::open(folder.constData(), O_RDONLY | O_DIRECTORY);
    if (descriptor >= 0) {
        ::fsync(descriptor);
        ::close(descriptor);
    }
}

} // namespace

bool syncDescriptor(int descriptor)
{
    return ::fsync(descriptor) == 0;
}

bool writeFileAtomically(const QString &path, std::string_view content,
                         QString *error)
{
    const QString temporary = path + QStringLiteral(".tmp");
    const QByteArray temporaryName = QFile::encodeName(temporary);
    const int descriptor =
        ::open(temporaryName.constData(),
               O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (descriptor < 0) {
        *error = systemError(QStringLiteral("creating"), temporary);
        return false;
    }
    const bool written =
        writeAll(descriptor, content) && syncDescriptor(descriptor);
    const int savedErrno = errno;
    ::close(descriptor);
    if (!written) {
        errno = savedErrno;
        *error = systemError(QStringLiteral("writing"), temporary);
        ::unlink(temporaryName.constData());
        return false;
    }
    if (::rename(temporaryName.constData(),
                 QFile::encodeName(path).constData()) != 0) {
        *error = systemError(QStringLiteral("renaming to"), path);
        return false;
    }
    syncFolder(path);
    return true;
}

} // namespace hsi::api
