#pragma once

#include "hsi/api/connection.h"
#include "hsi/api/credentials.h"
#include "hsi/api/exporter.h"
#include "hsi/api/importer.h"
#include "hsi/recovery/event_transform.h"
#include "hsi/recovery/file_transform.h"
#include "hsi/recovery/job_folder.h"
#include "hsi/recovery/preview.h"
#include "hsi/recovery/verify.h"
#include "hsi/report.h"

#include <QString>
#include <QStringList>
#include <atomic>
#include <nlohmann/json.hpp>
#include <vector>

namespace hsi::ui {

/// The two repair procedures: user hot shards restore `$hotshard_events`;
/// group hot shards export, delete and re-import the groups' events.
enum class RecoveryPath { Users, Groups };

/// The scope of a recovery job, derived once from the scan report and then
/// kept in job.json so that a resumed job repairs the same thing.
struct RecoveryPlan {
    RecoveryPath path = RecoveryPath::Users;
    /// Days with a hot pair of the path's kind, sorted.
    std::vector<Day> days;
    /// Hot (group key, group id) pairs; empty for the user path.
    std::vector<recovery::GroupTarget> groups;
    /// mp_processing_time_ms bound of the group selector: the time the plan
    /// was made, so that events ingested after the export are never deleted.
    std::int64_t processedBeforeMs = 0;
    /// Limits and keys used by the verify step; taken from the scan.
    ScanSettings scanSettings;

    /// Builds the plan for `path` from the hot shards of `report`.
    static RecoveryPlan fromReport(const Report &report, RecoveryPath path,
                                   std::int64_t nowMs);
    nlohmann::ordered_json toJson() const;
    /// Throws RecoveryError when `json` is not a plan written by toJson().
    static RecoveryPlan fromJson(const nlohmann::ordered_json &json);

    /// The export query: the `$hotshard_events` of the hot days, or every
    /// event matching the group selector from the first to the last hot day.
    api::ExportQuery exportQuery() const;
    /// The job steps of this path, in order.
    std::vector<recovery::JobStep> steps() const;
};

/// Returns "users" or "groups".
QString recoveryPathName(RecoveryPath path);

/// The files and steps of one recovery job, on top of recovery::JobFolder.
/// Every method that does I/O is safe to call from a worker thread, one
/// call at a time.
class RecoveryJob {
public:
    explicit RecoveryJob(const QString &root);

    const recovery::JobFolder &folder() const { return m_folder; }
    /// True when job.json already contains a plan.
    bool hasPlan() const;
    RecoveryPlan loadPlan() const;
    /// Creates the folder, stores `plan` and the connection (never the
    /// secret) in job.json and logs the start in audit.log.
    void start(const RecoveryPlan &plan,
               const api::ConnectionSettings &connection) const;
    /// The connection stored by start(), if any.
    std::optional<api::ConnectionSettings> loadConnection() const;
    /// Forgets that `step` was done, so that it and later steps run again.
    void resetStep(recovery::JobStep step) const;

    /// Exports into raw/ and records each day in audit.log.
    api::ExportSummary exportEvents(const RecoveryPlan &plan,
                                    const api::ConnectionSettings &connection,
                                    const api::Credentials &credentials,
                                    api::ExportControl *control) const;
    /// Exported files in raw/, sorted by day.
    QStringList rawFiles() const;
    /// Scans the exported files for the event count and affected days,
    /// writes deletion-request.txt and returns its text.
    std::string writeDeletionRequest(const RecoveryPlan &plan,
                                     const QString &projectId) const;
    /// Transforms the raw files into transformed/events.ndjson.gz.
    recovery::TransformStats
    transform(const recovery::TransformOptions &options,
              const std::atomic<bool> *cancel,
              const recovery::TransformProgress &progress = {}) const;
    QString transformedPath() const;
    /// Returns up to `count` events of the raw files that the transform
    /// changes or sets aside, before and after.
    std::vector<recovery::PreviewSample>
    preview(const recovery::TransformOptions &options, int count) const;
    /// Scans the transformed file, writes verify.json and marks the step done
    /// when it passed.
    recovery::VerifyResult verify(const RecoveryPlan &plan) const;
    /// Imports the transformed file with its checkpoint in checkpoints/import.
    api::ImportSummary importEvents(const api::ConnectionSettings &connection,
                                    const api::Credentials &credentials,
                                    api::ImportControl *control) const;

private:
    recovery::JobFolder m_folder;
};

/// Formats the import summary as the final report: sent, imported, rejected
/// by reason, retried and time taken.
QString formatImportReport(const api::ImportSummary &summary);

} // namespace hsi::ui
