#pragma once

#include "hsi/report.h"
#include "hsi/scan_settings.h"
#include "hsi/scanner.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QList>
#include <QObject>
#include <QStringList>
#include <memory>

namespace hsi::ui {

/// Progress of the running scan with the rates derived from it.
struct ScanStatus {
    ScanProgress progress;
    double elapsedSeconds = 0;
    double bytesPerSecond = 0;
    double eventsPerSecond = 0;
    /// Estimate of the time left in the current pass, from its byte rate so
    /// far. Negative while there is too little data for an estimate.
    double secondsLeft = -1;
};

/// Runs `hsi::scan` on a thread of the global QThreadPool.
///
/// Every start() and cancel() bumps a generation number, and a result whose
/// generation is not the current one is dropped, so the signals only ever
/// describe the latest request. Signals are emitted in the thread that owns
/// the runner.
class ScanRunner : public QObject {
    Q_OBJECT
public:
    explicit ScanRunner(QObject *parent = nullptr);
    /// Cancels running scans and waits for them, because their progress
    /// callbacks refer to this object.
    ~ScanRunner() override;

    /// Starts a scan and supersedes any running one. Returns its generation.
    quint64 start(const QStringList &paths, const ScanSettings &settings);
    /// Cancels the current scan. Its result is dropped if it still arrives.
    void cancel();
    bool isRunning() const { return m_running; }
    /// Blocks until every worker has returned, including cancelled and
    /// superseded ones. Their results are then queued to this object as
    /// events and are delivered (or dropped) by the event loop.
    void waitForWorkers();
    quint64 generation() const { return m_generation; }
    /// Minimum time between two progressChanged() signals.
    static constexpr int kProgressIntervalMs = 100;

signals:
    void started(quint64 generation);
    void progressChanged(const hsi::ui::ScanStatus &status);
    void finished(std::shared_ptr<const hsi::Report> report);
    /// The scan could not start, for example because of an unknown time zone.
    void failed(const QString &message);
    void cancelled();

private:
    struct Outcome {
        std::shared_ptr<const Report> report;
        QString error;
    };
    struct Run;

    void installProgressCallback(Run &run);
    QFuture<void> launchWorker(std::shared_ptr<Run> run,
                               std::vector<std::string> inputs,
                               ScanSettings settings);
    void deliverProgress(quint64 generation, const ScanProgress &progress);
    void deliverOutcome(quint64 generation, const Outcome &outcome);

    quint64 m_generation = 0;
    bool m_running = false;
    std::shared_ptr<Run> m_current;
    QElapsedTimer m_clock;
    QElapsedTimer m_passClock;
    int m_pass = 1;
    QList<QFuture<void>> m_pending;
};

} // namespace hsi::ui

Q_DECLARE_METATYPE(hsi::ui::ScanStatus)
Q_DECLARE_METATYPE(std::shared_ptr<const hsi::Report>)
