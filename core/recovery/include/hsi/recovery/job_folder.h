#pragma once

#include <QString>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hsi::recovery {

/// Steps of a recovery job, in the order they run. Not every path uses
/// every step: the user path skips the deletion steps.
enum class JobStep {
    Export,
    DeletionRequested,
    DeletionConfirmed,
    Transform,
    Verify,
    Import,
};

/// One file of a job, as listed in manifest.json.
struct ManifestEntry {
    /// Path relative to the job folder, such as "raw/2024-03-01.json.gz".
    std::string path;
    /// Role of the file: "raw", "transformed", "rejects" or a caller's own
    /// name.
    std::string role;
    std::int64_t events = 0;
    std::int64_t bytes = 0;
};

/// Stable name of a step, as stored in job.json.
const char *jobStepName(JobStep step);

/// The folder that contains every file of one recovery job, so that a later
/// run can resume where an earlier one stopped.
///
/// Layout:
///
///     job.json              step state and settings (see markDone())
///     audit.log             one JSON object per line, append only
///     manifest.json         list of files with event counts
///     deletion-request.txt  text for Mixpanel support
///     verify.json           result of the last verify
///     raw/                  exports as downloaded
///     transformed/          files to import
///     transformed/rejects.ndjson  events set aside by the transform
///     checkpoints/          progress of interrupted exports and imports
class JobFolder {
public:
    /// Uses `root` as the job folder; call create() before writing.
    explicit JobFolder(QString root);

    /// Creates the folder and its subfolders. Throws RecoveryError naming
    /// the path when one cannot be created.
    void create() const;

    QString root() const { return m_root; }
    QString statePath() const;
    QString auditLogPath() const;
    QString manifestPath() const;
    QString deletionRequestPath() const;
    QString verifyResultPath() const;
    QString rawExportsDir() const;
    QString transformedDir() const;
    QString rejectsPath() const;
    QString checkpointsDir() const;

    /// Reads job.json; returns an empty object when the job is new. Throws
    /// RecoveryError when the file exists but is not a JSON object.
    nlohmann::ordered_json loadState() const;
    /// Replaces job.json atomically, so an interrupted write keeps the
    /// previous state.
    void saveState(const nlohmann::ordered_json &state) const;

    /// Replaces manifest.json atomically with `entries`.
    void saveManifest(const std::vector<ManifestEntry> &entries) const;
    /// Reads manifest.json; returns no entries when it does not exist.
    /// Throws RecoveryError when it is not a valid manifest.
    std::vector<ManifestEntry> loadManifest() const;

    /// Replaces the file at `path` atomically with `text`, so a reader
    /// never sees half of it. Throws RecoveryError naming the path on error.
    void writeFile(const QString &path, const std::string &text) const;

    bool isDone(JobStep step) const;
    /// Records `step` as done, with the UTC time, in job.json.
    void markDone(JobStep step) const;
    /// Returns the first step of `path` that is not done, or nothing when
    /// all are.
    std::optional<JobStep> nextStep(const std::vector<JobStep> &path) const;

    /// Appends one line `{"time": ..., "action": ..., <details>}` to
    /// audit.log and flushes it. Values of keys that name a secret
    /// (password, secret, token, authorization, api key, case-insensitive,
    /// at any depth) are replaced by "[redacted]", and so are "Basic" and
    /// "Bearer" credentials and secret-named URL query parameters inside
    /// other strings.
    void appendAudit(const std::string &action,
                     const nlohmann::ordered_json &details = {}) const;

private:
    QString m_root;
};

/// Returns a copy of `value` with secrets replaced by "[redacted]", by the
/// rules of JobFolder::appendAudit().
nlohmann::ordered_json redactSecrets(const nlohmann::ordered_json &value);

} // namespace hsi::recovery
