#pragma once

#include "hsi/api/connection.h"
#include "hsi/api/credentials.h"
#include "hsi/api/retry.h"

#include <QString>
#include <QStringList>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>

namespace hsi::api {

/// Tunables of an import job.
struct ImportOptions {
    /// Events per request; the Import API accepts at most 2000.
    int maxBatchEvents = 2000;
    /// Uncompressed JSON bytes per request. The Import API documents 10 MB;
    /// 10,000,000 stays below either reading of "MB".
    std::int64_t maxBatchBytes = 10'000'000;
    /// Requests under way at once.
    int parallelRequests = 4;
    /// libdeflate level for request bodies (1 fastest, 12 smallest).
    int compressionLevel = 4;
    RetrySettings retry;
    /// Abort a request when no byte moves for this many seconds.
    long stallTimeoutSeconds = 120;
    /// Abort a request that takes longer than this many seconds in all.
    /// A batch is at most 10 MB, so a slower request has most likely hung.
    long requestTimeoutSeconds = 300;
    /// Validate and count only; send nothing and write no file.
    bool dryRun = false;
    /// Folder for `checkpoint.json` and `rejects.ndjson`. Required unless
    /// `dryRun` is set.
    QString jobDir;
};

/// Progress of a running import.
struct ImportProgress {
    std::int64_t bytesRead = 0;
    std::int64_t bytesTotal = 0;
    std::int64_t eventsRead = 0;
    std::int64_t imported = 0;
    std::int64_t rejected = 0;
};

/// Cancel flag and progress callback; the callback runs on worker threads.
struct ImportControl {
    std::atomic<bool> cancelRequested{false};
    std::function<void(const ImportProgress &)> onProgress;
};

/// Outcome of an import run. Counts cover this run only, except
/// `skippedEvents`, which counts events in batches that an earlier run had
/// already delivered.
struct ImportSummary {
    std::int64_t eventsRead = 0;
    /// Events put in request bodies, each counted once however often its
    /// batch was retried.
    std::int64_t sent = 0;
    std::int64_t imported = 0;
    std::int64_t rejected = 0;
    std::map<QString, std::int64_t> rejectedByReason;
    /// Requests sent again after a 429, a 5xx or a transport failure.
    std::int64_t retries = 0;
    /// Requests split in two after a 413.
    std::int64_t splits = 0;
    std::int64_t requests = 0;
    std::int64_t skippedBatches = 0;
    std::int64_t skippedEvents = 0;
    /// Events whose batch was not delivered (retries ran out, or the job
    /// stopped); the next run sends them.
    std::int64_t undelivered = 0;
    /// Events the server acknowledged neither as imported nor as rejected.
    /// Their batch stays unacknowledged, so the next run resends it.
    std::int64_t unaccounted = 0;
    double seconds = 0;
    bool cancelled = false;
    /// The first fatal error, such as invalid credentials or a file that
    /// cannot be read.
    QString error;

    /// True when every event read was imported or rejected with a reason.
    bool isComplete() const;
};

/// Sends events from NDJSON, JSON-array or gzip files to the Import API in
/// batches, in parallel, retrying transient failures with the identical
/// body. Every acknowledged batch is recorded in `<jobDir>/checkpoint.json`
/// and every rejected event in `<jobDir>/rejects.ndjson`, so a run that is
/// killed and started again sends only unacknowledged batches.
class Importer {
public:
    Importer(ConnectionSettings connection, Credentials credentials,
             ImportOptions options = {});

    ImportSummary run(const QStringList &files,
                      ImportControl *control = nullptr);

private:
    ConnectionSettings m_connection;
    Credentials m_credentials;
    ImportOptions m_options;
};

} // namespace hsi::api
