#pragma once

#include "hsi/api/connection.h"
#include "hsi/api/credentials.h"
#include "hsi/api/rate_limiter.h"
#include "hsi/api/retry.h"
#include "hsi/civil_date.h"

#include <QString>
#include <QStringList>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace hsi::api {

/// Export request: an inclusive range of days, optionally narrowed to some
/// event names and by a segmentation expression (`where`).
struct ExportQuery {
    Day from = 0;
    Day to = 0;
    QStringList events;
    QString where;
};

/// State of one day in the export manifest.
enum class DayStatus {
    /// Not finished yet.
    Pending,
    /// Downloaded and checked: every line is an event.
    Ok,
    /// The server returned an empty body: no event that day.
    Empty,
    /// The server rejected the request, or retries ran out. `message`
    /// contains the server's text. A failed day is never reported as empty.
    Failed,
    /// A body arrived but was cut or ended in a line that is not an event,
    /// such as "export terminated early". The bytes are kept under a
    /// `.partial` name for inspection.
    Incomplete,
};

/// Returns "pending", "ok", "empty", "failed" or "incomplete".
QString dayStatusName(DayStatus status);
/// Parses a name returned by dayStatusName().
DayStatus dayStatusFromName(const QString &name);

/// The manifest entry of one day.
struct DayRecord {
    Day day = 0;
    DayStatus status = DayStatus::Pending;
    /// Bytes stored, compressed when the body came gzip-compressed.
    std::int64_t bytes = 0;
    std::int64_t events = 0;
    int attempts = 0;
    /// HTTP status of the last attempt; 0 when no response arrived.
    int httpStatus = 0;
    /// File name inside the output folder; empty for empty and failed days.
    QString file;
    /// Server or transport message for failed and incomplete days.
    QString message;
};

/// Tunables of an export job.
struct ExportOptions {
    /// Limits of a limiter made for this job; ignored when `limiter` is
    /// set.
    RateLimits limits;
    /// A limiter shared with other jobs of the same project, so that their
    /// requests together stay within the project's limits.
    std::shared_ptr<RateLimiter> limiter;
    RetrySettings retry;
    /// Abort a transfer when no byte arrives for this many seconds.
    long stallTimeoutSeconds = 300;
};

/// Progress of a running export.
struct ExportProgress {
    int daysDone = 0;
    int daysTotal = 0;
    /// Bytes stored for the finished days.
    std::int64_t bytes = 0;
    /// Bytes received so far, including days still downloading and
    /// attempts that were retried. Updated while a large day streams in.
    std::int64_t bytesReceived = 0;
};

/// Cancel flag and callbacks. Callbacks run on worker threads, and
/// onProgress at most about five times per second while bytes stream in.
struct ExportControl {
    std::atomic<bool> cancelRequested{false};
    std::function<void(const ExportProgress &)> onProgress;
    std::function<void(const DayRecord &)> onDayFinished;
};

/// Outcome of an export run.
struct ExportSummary {
    /// Every day of the range, in order, including days skipped because an
    /// earlier run finished them.
    std::vector<DayRecord> days;
    int skippedDays = 0;
    bool cancelled = false;
    /// Set when the job could not start or the manifest could not be
    /// written; days are then not reliable.
    QString error;

    int countWithStatus(DayStatus status) const;
    /// True when every day is ok or empty.
    bool isComplete() const;
};

/// Downloads events one day per request into `<outDir>/<YYYY-MM-DD>.json.gz`
/// (or `.json` when the server sent a plain body), and records each day in
/// `<outDir>/manifest.json`. Days already ok or empty in the manifest are
/// skipped, so running the same job again resumes it.
class Exporter {
public:
    Exporter(ConnectionSettings connection, Credentials credentials,
             ExportOptions options = {});

    ExportSummary run(const ExportQuery &query, const QString &outDir,
                      ExportControl *control = nullptr);

private:
    ConnectionSettings m_connection;
    Credentials m_credentials;
    ExportOptions m_options;
};

} // namespace hsi::api
