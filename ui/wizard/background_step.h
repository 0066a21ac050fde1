#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace hsi::ui {

/// The value of a background step, or the message of the exception it threw.
template <typename T> struct StepOutcome {
    std::optional<T> value;
    QString error;
};

/// Runs `work` on the global thread pool and calls `done` with its outcome
/// on the thread of `context`, unless `context` is gone by then. Exceptions
/// derived from std::exception become the outcome's error. Returns the
/// future, so that the owner can wait for it before it is destroyed.
template <typename Work, typename Done>
QFuture<StepOutcome<std::invoke_result_t<Work>>>
runInBackground(QObject *context, Work work, Done done)
{
    using Result = std::invoke_result_t<Work>;
    using Outcome = StepOutcome<Result>;
    auto *watcher = new QFutureWatcher<Outcome>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, done = std::move(done)]() {
                         done(watcher->result());
                         watcher->deleteLater();
                     });
    QFuture<Outcome> future =
        QtConcurrent::run([work = std::move(work)]() -> Outcome {
            try {
                return Outcome{work(), QString()};
            } catch (const std::exception &error) {
                return Outcome{std::nullopt, QString::fromUtf8(error.what())};
            }
        });
    watcher->setFuture(future);
    return future;
}

} // namespace hsi::ui
