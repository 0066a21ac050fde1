#pragma once

// Runs the built hotshard command for the suites that test it end to end.

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace hsi::test {

struct HotshardRun {
    /// -1 when the command crashed or did not finish in time.
    int exitCode = -1;
    QString out;
    QString err;
};

/// Runs `hotshard` with `arguments` and waits up to a minute for it. A
/// command still running then is killed, and `err` reports the timeout.
inline HotshardRun runHotshard(const QStringList &arguments,
                               const QProcessEnvironment &environment =
                                   QProcessEnvironment::systemEnvironment(),
                               const QString &workingDirectory = {})
{
    QProcess process;
    process.setProcessEnvironment(environment);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(QStringLiteral(HSI_BINARY_DIR "/app/hotshard"), arguments);
    HotshardRun run;
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("hotshard did not finish within 60 s");
        return run;
    }
    run.exitCode =
        process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace hsi::test
