#pragma once

#include <QString>
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace hsi::api {

/// The contents of `checkpoint.json` in an import job folder: which batches
/// of which input file the server has acknowledged. A batch is identified by
/// its index in the file. Batches are cut deterministically with the
/// recorded batch limits, so the same index always means the same events. Each
/// input file is also recorded with its size and modification time, and a
/// changed file is reported instead of resumed.
class ImportCheckpoint {
public:
    struct FileState {
        std::int64_t size = 0;
        std::int64_t modifiedMs = 0;
        std::set<std::int64_t> acknowledged;
        /// Events of the acknowledged batches, imported or rejected.
        std::int64_t imported = 0;
        std::int64_t rejected = 0;
    };

    /// Reads `path` when it exists. Returns false and sets `error` when it
    /// exists but cannot be used.
    bool load(const QString &path, QString *error);
    /// Writes the checkpoint with fsync and an atomic rename.
    bool save(QString *error) const;

    /// Checks that the batch limits match the recorded ones (a new
    /// checkpoint takes them).
    bool checkLimits(int maxEvents, std::int64_t maxBytes, QString *error);
    /// Registers `file` or checks it against the recorded size and time.
    bool checkFile(const QString &file, std::int64_t size,
                   std::int64_t modifiedMs, QString *error);

    bool isAcknowledged(const QString &file, std::int64_t batch) const;
    void acknowledge(const QString &file, std::int64_t batch,
                     std::int64_t imported, std::int64_t rejected);

private:
    std::string toJson() const;

    QString m_path;
    int m_maxEvents = 0;
    std::int64_t m_maxBytes = 0;
    std::map<QString, FileState> m_files;
    std::int64_t m_imported = 0;
    std::int64_t m_rejected = 0;
};

} // namespace hsi::api
