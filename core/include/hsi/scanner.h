#pragma once

#include "hsi/report.h"
#include "hsi/scan_settings.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hsi {

/// A snapshot of a running scan, for progress bars.
struct ScanProgress {
    /// Bytes read from the input files (compressed bytes for gzip files).
    std::int64_t bytesDone = 0;
    std::int64_t bytesTotal = 0;
    std::int64_t events = 0;
    /// 1 for the counting pass, 2 for the evidence pass, and 3 for the
    /// extra pass that counts group keys found in `$hotshard_record` events,
    /// which runs between them.
    int pass = 1;
};

/// Callbacks and the cancel flag of one scan. All members may be left empty.
struct ScanControl {
    /// Set from any thread to stop the scan; `scan()` then returns early with
    /// `Report::cancelled` set.
    std::atomic<bool> cancelRequested{false};
    /// Called from worker threads, at most a few times per second.
    std::function<void(const ScanProgress &)> onProgress;
};

/// Thrown for settings that make a scan impossible, such as an unknown time
/// zone. Problems with input files are reported in the Report instead.
class ScanError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The files that a scan of some paths reads, and notes on what it leaves
/// out.
struct InputListing {
    std::vector<std::string> files;
    /// One sentence per path or folder entry that is not read, or read only
    /// once though named again.
    std::vector<std::string> notes;
    /// Folders that could not be listed, with the reason.
    std::vector<std::pair<std::string, std::string>> unreadableFolders;
};

/// Expands folders into the export files directly in them, sorted by name,
/// and keeps files as they are. A path that does not exist is kept, so that
/// reading it reports the error. Each file is listed once however many
/// paths name it: the same path twice, a file inside a folder also named,
/// or a link. It skips report files that the program wrote into a folder,
/// and notes each subfolder, which it does not read. Every command that
/// reads exports lists its inputs with it.
InputListing listInputFiles(const std::vector<std::string> &paths);

/// Returns why a command that needs every listed input cannot go on: a
/// folder that could not be listed, or no export file to read. Returns an
/// empty text when neither is the case.
std::string inputListingError(const InputListing &listing);

/// A file's device and inode, which every name of the file shares: the
/// same path, a symbolic link or a hard link.
using FileIdentity = std::pair<std::uint64_t, std::uint64_t>;

/// Returns the identity of the file that `path` names, after symbolic
/// links, or nothing when it does not exist or cannot be examined.
std::optional<FileIdentity> fileIdentity(const std::string &path);

/// Reads Mixpanel export files and finds hot shards.
///
/// Input order (the order of `paths`, then line order) stands for ingestion
/// order when deciding which event crossed a limit. Memory grows with the
/// number of distinct (id, date) pairs, not with the number of events.
/// Throws ScanError for invalid settings.
Report scan(const std::vector<std::string> &paths, const ScanSettings &settings,
            ScanControl *control = nullptr);

} // namespace hsi
