#include "scan_runner.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QtConcurrent>
#include <chrono>
#include <exception>

Q_LOGGING_CATEGORY(lcScan, "hsi.ui.scan")

namespace hsi::ui {

namespace {

std::int64_t steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
        .count();
}

std::vector<std::string> toStdPaths(const QStringList &paths)
{
    std::vector<std::string> result;
    result.reserve(static_cast<std::size_t>(paths.size()));
    for (const QString &path : paths)
        result.push_back(path.toStdString());
    return result;
}

} // namespace

/// State shared between the GUI thread and one worker.
struct ScanRunner::Run {
    quint64 generation = 0;
    ScanControl control;
    std::atomic<std::int64_t> lastProgressMs{0};
};

ScanRunner::ScanRunner(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<ScanStatus>();
    qRegisterMetaType<std::shared_ptr<const Report>>();
}

ScanRunner::~ScanRunner()
{
    cancel();
    waitForWorkers();
}

void ScanRunner::waitForWorkers()
{
    for (QFuture<void> &future : m_pending)
        future.waitForFinished();
    m_pending.clear();
}

quint64 ScanRunner::start(const QStringList &paths,
                          const ScanSettings &settings)
{
    if (m_current)
        m_current->control.cancelRequested = true;
    auto run = std::make_shared<Run>();
    run->generation = ++m_generation;
    m_current = run;
    m_running = true;
    m_clock.start();
    m_passClock.start();
    m_pass = 1;

    installProgressCallback(*run);
    qCInfo(lcScan).noquote() << "starting scan" << run->generation << "of"
                             << paths.join(QStringLiteral(", "));
    QFuture<void> future = launchWorker(run, toStdPaths(paths), settings);
    m_pending.removeIf(
        [](const QFuture<void> &pending) { return pending.isFinished(); });
    m_pending.append(future);
    emit started(run->generation);
    return run->generation;
}

// Worker threads may call onProgress at the same time. The compare-exchange
// lets one call per interval through and returns from the rest, so that few
// events are posted to the GUI thread. `run` outlives the callback because
// the worker lambda keeps a shared pointer to it.
void ScanRunner::installProgressCallback(Run &run)
{
    Run *state = &run;
    run.control.onProgress = [this, state](const ScanProgress &progress) {
        const std::int64_t now = steadyMs();
        std::int64_t last = state->lastProgressMs.load();
        if (now - last < kProgressIntervalMs ||
            !state->lastProgressMs.compare_exchange_strong(last, now))
            return;
        QMetaObject::invokeMethod(
            this,
            [this, generation = state->generation, progress] {
                deliverProgress(generation, progress);
            },
            Qt::QueuedConnection);
    };
}

QFuture<void> ScanRunner::launchWorker(std::shared_ptr<Run> run,
                                       std::vector<std::string> inputs,
                                       ScanSettings settings)
{
    return QtConcurrent::run([this, run, inputs, settings] {
        Outcome outcome;
        try {
            outcome.report = std::make_shared<const Report>(
                scan(inputs, settings, &run->control));
        } catch (const std::exception &error) {
            outcome.error = QString::fromUtf8(error.what());
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation = run->generation, outcome] {
                deliverOutcome(generation, outcome);
            },
            Qt::QueuedConnection);
    });
}

void ScanRunner::cancel()
{
    if (!m_current)
        return;
    qCInfo(lcScan) << "cancelling scan" << m_current->generation;
    m_current->control.cancelRequested = true;
    m_current.reset();
    ++m_generation;
    if (m_running) {
        m_running = false;
        emit cancelled();
    }
}

void ScanRunner::deliverProgress(quint64 generation,
                                 const ScanProgress &progress)
{
    if (generation != m_generation)
        return;
    // Each pass reads the files again from the start, so the byte rate and
    // the time left are measured from the start of the current pass.
    if (progress.pass != m_pass) {
        m_pass = progress.pass;
        m_passClock.restart();
    }
    ScanStatus status;
    status.progress = progress;
    status.elapsedSeconds = static_cast<double>(m_clock.elapsed()) / 1000.0;
    const double passSeconds =
        static_cast<double>(m_passClock.elapsed()) / 1000.0;
    if (passSeconds > 0)
        status.bytesPerSecond =
            static_cast<double>(progress.bytesDone) / passSeconds;
    if (status.elapsedSeconds > 0)
        status.eventsPerSecond =
            static_cast<double>(progress.events) / status.elapsedSeconds;
    if (status.bytesPerSecond > 0 && passSeconds > 0.3)
        status.secondsLeft =
            static_cast<double>(progress.bytesTotal - progress.bytesDone) /
            status.bytesPerSecond;
    emit progressChanged(status);
}

void ScanRunner::deliverOutcome(quint64 generation, const Outcome &outcome)
{
    if (generation != m_generation) {
        qCDebug(lcScan) << "dropping the result of superseded scan"
                        << generation;
        return;
    }
    m_running = false;
    m_current.reset();
    if (!outcome.error.isEmpty()) {
        qCWarning(lcScan) << "scan" << generation << "failed:" << outcome.error;
        emit failed(outcome.error);
        return;
    }
    qCInfo(lcScan) << "scan" << generation << "finished in"
                   << outcome.report->elapsedSeconds << "s";
    emit finished(outcome.report);
}

} // namespace hsi::ui
