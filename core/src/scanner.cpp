#include "hsi/scanner.h"

#include "evidence.h"
#include "hsi/count_text.h"
#include "hsi/printable.h"
#include "input_source.h"
#include "pair_counter.h"
#include "parallel.h"
#include "time_zone.h"
#include "work_units.h"

#include <QLoggingCategory>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <sys/stat.h>
#include <thread>
#include <tuple>

namespace hsi {

namespace {

using namespace detail;

Q_LOGGING_CATEGORY(lcScan, "hsi.scan", QtWarningMsg)
/// Lines that are not events. The command line turns it off, because its
/// summary lists them.
Q_LOGGING_CATEGORY(lcBadLines, "hsi.scan.count", QtWarningMsg)

constexpr std::size_t kMaxIdProblems = 1000;
/// Flagged pairs that get evidence. Each costs a few kilobytes while the
/// evidence is collected, so this keeps it to about 100 MB by estimate.
constexpr std::size_t kMaxEvidencePairs = 10'000;
/// Near-limit pairs listed in a report, those with the most events.
constexpr std::size_t kMaxNearLimitListed = 10'000;
constexpr std::size_t kMaxFilterIds = 16;
constexpr const char *kIncompleteEvidence =
    "the evidence of its hot and near-limit pairs";
constexpr const char *kIncompleteGroupKeys =
    "the count of group keys named by $hotshard_record events";
constexpr std::size_t kMinFilterIdLength = 4;

std::int64_t nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
        .count();
}

/// Returns the resident and peak memory of the process for the debug log,
/// or an empty string where /proc is not available.
std::string memoryUse()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    std::string rss;
    std::string peak;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            rss = line.substr(6);
        else if (line.rfind("VmHWM:", 0) == 0)
            peak = line.substr(6);
    }
    if (rss.empty())
        return {};
    const auto trim = [](std::string text) {
        text.erase(0, text.find_first_not_of(" \t"));
        return text;
    };
    return "; resident " + trim(rss) + ", peak " + trim(peak);
}

/// Sums byte progress from all workers and forwards it to the caller at
/// most ten times per second.
class ProgressMeter {
public:
    ProgressMeter(ScanControl *control, std::int64_t bytesTotal)
        : m_control(control), m_bytesTotal(bytesTotal)
    {
    }

    void startPass(int pass)
    {
        m_pass = pass;
        m_bytesDone = 0;
        report(true);
    }

    /// Returns a callback for one chunk that turns its running byte count
    /// into increments.
    ByteProgress forChunk()
    {
        auto last = std::make_shared<std::int64_t>(0);
        return [this, last](std::int64_t done) {
            m_bytesDone += done - *last;
            *last = done;
            report(false);
        };
    }

    void addEvents(std::int64_t events) { m_events += events; }

    void addBytes(std::int64_t bytes)
    {
        m_bytesDone += bytes;
        report(false);
    }

    /// The share of the input read in the current pass, from 0 to 1.
    double fractionDone() const
    {
        return m_bytesTotal > 0 ? static_cast<double>(m_bytesDone) /
                                      static_cast<double>(m_bytesTotal)
                                : 0.0;
    }

private:
    void report(bool force)
    {
        if (!m_control || !m_control->onProgress)
            return;
        const std::int64_t now = nowMs();
        std::int64_t last = m_lastReportMs;
        if (!force && (now - last < 100 ||
                       !m_lastReportMs.compare_exchange_strong(last, now)))
            return;
        ScanProgress progress;
        progress.bytesDone = m_bytesDone;
        progress.bytesTotal = m_bytesTotal;
        progress.events = m_events;
        progress.pass = m_pass;
        m_control->onProgress(progress);
    }

    ScanControl *m_control;
    std::int64_t m_bytesTotal;
    std::atomic<std::int64_t> m_bytesDone{0};
    std::atomic<std::int64_t> m_events{0};
    std::atomic<std::int64_t> m_lastReportMs{0};
    std::atomic<int> m_pass{1};
};

std::string lowercase(std::string text)
{
    for (char &c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

/// Whether the name ends in an export suffix, in any case: files copied
/// through some systems come back as NAME.JSON.
bool hasExportSuffix(const std::string &fileName)
{
    static const char *const kSuffixes[] = {".json", ".ndjson", ".jsonl", ".gz",
                                            ".txt"};
    const std::string name = lowercase(fileName);
    return std::any_of(std::begin(kSuffixes), std::end(kSuffixes),
                       [&name](std::string_view suffix) {
                           return name.size() > suffix.size() &&
                                  name.ends_with(suffix);
                       });
}

void validateSettings(const ScanSettings &settings)
{
    if (settings.userLimit < 1)
        throw ScanError("invalid user limit " +
                        std::to_string(settings.userLimit) +
                        ": use a positive number of events");
    if (settings.groupLimit < 1)
        throw ScanError("invalid group limit " +
                        std::to_string(settings.groupLimit) +
                        ": use a positive number of events");
    if (!(settings.nearLimitFraction > 0 && settings.nearLimitFraction <= 1))
        throw ScanError("invalid near-limit fraction " +
                        std::to_string(settings.nearLimitFraction) +
                        ": use a number above 0 and at most 1");
    // Constructing a resolver validates the time zone name.
    DayResolver resolver(settings.timeZone, settings.legacyProjectTime);
}

/// The event dates of a unit: all of them, and those of each step of a
/// plain chunk.
struct UnitDays {
    std::size_t fileIndex = 0;
    StepDays whole;
    /// Empty unless the unit is a range of a plain file.
    std::vector<StepDays> steps;
};

UnitDays unitDaysOf(ChunkCounts &counts)
{
    UnitDays days;
    counts.days.forEach([&days](std::uint64_t, const DayTotal &total) {
        days.whole.first = std::min(days.whole.first, total.day);
        days.whole.last = std::max(days.whole.last, total.day);
    });
    days.steps = std::move(counts.steps);
    return days;
}

/// A flagged pair whose evidence the counting pass collected in a unit from
/// some line on; see TrackedPair.
struct EarlyCollection {
    std::uint32_t pair = 0;
    std::size_t firstStep = 0;
    std::int64_t lastLineLeft = 0;
    std::vector<std::int64_t> eventsByStep;
};

/// State shared by the passes of one scan.
class ScanRun {
public:
    ScanRun(const ScanSettings &settings, ScanControl *control)
        : m_settings(settings), m_control(control),
          m_threads(settings.threads > 0
                        ? settings.threads
                        : std::max(1u, std::thread::hardware_concurrency()))
    {
        m_keyOfSpace.push_back({});
        for (const std::string &key : settings.groupKeys)
            addGroupKey(key);
        m_configuredKeys = m_keyOfSpace.size() - 1;
    }

    Report run(const std::vector<std::string> &paths);

private:
    bool cancelled() const
    {
        return m_control && m_control->cancelRequested.load();
    }

    /// Tables of this many slots or more are freed by releaseLater().
    static constexpr std::size_t kReleaseLaterSlots = std::size_t{1} << 20;

    /// Frees `tables` on a thread of its own. Returning a hundred
    /// megabytes to the system takes milliseconds, which the scan would
    /// otherwise wait for while the other core is idle. The threads are
    /// joined when the run ends.
    template <typename Tables> void releaseLater(Tables &&tables)
    {
        m_releases.emplace_back(
            [held = std::forward<Tables>(tables)]() mutable {
                const Tables released = std::move(held);
            });
    }
    const std::atomic<bool> *cancelFlag() const
    {
        return m_control ? &m_control->cancelRequested : nullptr;
    }

    bool addGroupKey(const std::string &key);
    void openInputs(const std::vector<std::string> &paths);
    void runCountingPass(const CountingOptions &options, bool firstPass,
                         std::size_t firstChunk = 0,
                         std::size_t endChunk = SIZE_MAX);
    bool countsInSegments(std::size_t chunk) const;
    std::pair<std::size_t, std::size_t>
    segmentBlocks(std::size_t chunk, std::size_t segment) const;
    void countInSegments(std::size_t chunk, const CountingOptions &options);
    bool markFilesCutShort();
    void markRecordKeysCutShort();
    void absorbUnit(const UnitInfo &unit, ChunkCounts &&counts, bool firstPass,
                    bool workersBusy);
    std::function<void(const WorkUnit &, std::int64_t)>
    blockProgress(std::vector<std::int64_t> &reported);
    void growForInput();
    bool countRecordGroupKeys();
    CountingOptions countingOptions(std::size_t firstKey) const;
    CountingOptions firstPassOptions() const;
    std::int64_t nearThreshold(std::int64_t limit) const;
    void flagPairs();
    EvidenceQuery evidenceQuery() const;
    void runEvidencePass();
    void adoptEarlyEvidence();
    void keepBlockEvidence(std::size_t unit, std::vector<TrackedPair> pairs);
    void adoptBlockEvidence(std::size_t &adopted);
    std::shared_ptr<const std::vector<TrackedKey>> blockKeys() const;
    void trackReachedPairs();
    void limitPieceToEarly(const StepDays &step, std::size_t stepIndex,
                           const std::vector<EarlyCollection> &early,
                           EvidencePiece &piece) const;
    void collectUnitEvidence(const EvidenceQuery &query,
                             const std::vector<Day> &flaggedDays);
    std::vector<bool> chunksToRead(const std::vector<Day> &flaggedDays) const;
    std::vector<EvidencePiece> stepsToRead(const std::vector<Day> &flaggedDays);
    void collectGzipEvidence(const EvidenceQuery &query,
                             const std::vector<Day> &flaggedDays);
    std::vector<GzipSegment>
    gzipSegmentsToRead(const std::vector<Day> &flaggedDays) const;
    bool blockToParse(std::size_t unit, const std::vector<Day> &flaggedDays,
                      std::vector<std::int64_t> &lastLine) const;
    void noteRereadError(std::size_t fileIndex, const std::string &error,
                         const std::string &whatIsIncomplete);
    std::vector<std::string> lineFilterForFlaggedPairs() const;
    PairFinding countedFinding(const FlaggedPair &flagged) const;
    std::int64_t remediatedOf(std::uint64_t pairKey) const
    {
        const std::int64_t *events = m_global.remediated.find(pairKey);
        return events ? *events : 0;
    }
    void buildFindings(bool withEvidence);
    void buildVolumes();
    IdVolume volumeOf(std::uint32_t id, std::uint32_t first, std::uint32_t end);
    std::int64_t peakEventsOf(std::uint32_t first, std::uint32_t end) const;
    std::vector<std::int64_t>
    eventsOfIds(const std::vector<std::uint32_t> &ids) const;
    void listIdProblems();
    void noteEmptyInputs();
    void checkRecordsAgainstFindings();
    void noteRemediatedBeyondLimit();
    void noteAbsentGroupKeys();
    bool mergesInPart(const UnitInfo &unit) const;
    void buildDays();

    const ScanSettings &m_settings;
    ScanControl *m_control;
    int m_threads;
    Report m_report;
    std::vector<InputFile> m_files;
    std::vector<Chunk> m_chunks;
    /// Line number before each unit's first line, in its file.
    std::vector<std::int64_t> m_unitLineOffsets;
    /// Event dates of each unit, as a whole and by step, so that the
    /// evidence pass skips what cannot hold a flagged pair.
    std::vector<UnitDays> m_unitDays;
    /// Checkpoints of the gzip files, by chunk, saved by the counting pass.
    std::vector<std::vector<GzipCheckpoint>> m_checkpoints;
    /// Each chunk's first unit and number of units in the counting pass.
    std::vector<std::size_t> m_firstUnitOfChunk;
    std::vector<std::size_t> m_unitsOfChunk;
    /// For each chunk, whether the first pass merged a unit of it whose
    /// reading a cancel cut short, whether its units are gzip blocks, and
    /// for those, whether its reader handed out every block.
    std::vector<std::uint8_t> m_chunkCut;
    std::vector<std::uint8_t> m_chunkInBlocks;
    std::vector<std::uint8_t> m_blocksReadToEnd;
    /// Bytes of each chunk that the first pass read: by step for plain
    /// ranges, as their progress gave them, and for gzip files up to the
    /// last block counted uncut.
    std::vector<std::int64_t> m_chunkBytesRead;
    /// Lines read so far in each file during the counting pass.
    std::vector<std::int64_t> m_fileLines;
    std::vector<std::string> m_keyOfSpace;
    std::size_t m_configuredKeys = 0;
    GlobalCounts m_global;
    std::vector<FlaggedPair> m_flagged;
    /// Flagged pairs beyond kMaxEvidencePairs, listed without evidence.
    std::vector<FlaggedPair> m_flaggedWithoutEvidence;
    U64Map<std::uint32_t> m_flaggedIndex;
    std::vector<EvidenceAccumulator> m_evidence;
    /// Pairs whose evidence the counting pass began to collect, by unit,
    /// and once pairs are flagged, what that means for each flagged one.
    std::vector<std::vector<TrackedPair>> m_trackedPairs;
    /// Evidence that gzip blocks collected, one entry per tracked key and
    /// merged as blocks are, and the events each block collected per key.
    std::vector<TrackedPair> m_blockEvidence;
    std::vector<std::vector<std::pair<std::uint32_t, std::int64_t>>>
        m_blockCoverage;
    std::vector<std::vector<EarlyCollection>> m_earlyByUnit;
    /// Thresholds of the counting pass, and the pairs that gzip blocks
    /// started from now on track, replaced whole as merges add pairs.
    TrackingThresholds m_tracking;
    mutable std::mutex m_blockKeysMutex;
    std::shared_ptr<const std::vector<TrackedKey>> m_blockKeys;
    std::unique_ptr<ProgressMeter> m_progress;
    /// Files and passes already given a failed re-read problem.
    std::set<std::pair<std::size_t, std::string>> m_rereadFailures;
    /// Time the calling thread spent merging chunks, for the debug log.
    std::int64_t m_mergeMs = 0;
    /// Threads that free large tables; see releaseLater().
    std::vector<std::jthread> m_releases;
    bool m_grewForInput = false;
};

bool ScanRun::addGroupKey(const std::string &key)
{
    if (key.empty() || std::find(m_keyOfSpace.begin() + 1, m_keyOfSpace.end(),
                                 key) != m_keyOfSpace.end())
        return false;
    m_keyOfSpace.push_back(key);
    return true;
}

void ScanRun::openInputs(const std::vector<std::string> &paths)
{
    std::int64_t bytesTotal = 0;
    std::int64_t bytesRead = 0;
    InputListing listing = listInputFiles(paths);
    m_report.inputNotes = std::move(listing.notes);
    for (const std::string &path : listing.files) {
        InputFile file = probeInputFile(path);
        InputReport input;
        input.path = path;
        // A file that cannot be opened adds no bytes, so that the inputs'
        // bytes add up to the total.
        input.bytes = file.openError.empty() ? file.size : 0;
        if (!file.openError.empty()) {
            input.status = InputReport::Status::Error;
            input.problemCount = 1;
            input.problems.push_back({Problem::Severity::Error, 0,
                                      "cannot read file: " + file.openError});
        }
        bytesTotal += file.size;
        bytesRead += input.bytes;
        m_files.push_back(std::move(file));
        m_report.inputs.push_back(std::move(input));
    }
    // Entries after the files' own, so that file indexes stay report
    // indexes.
    for (const auto &[folder, reason] : listing.unreadableFolders) {
        InputReport input;
        input.path = folder;
        input.status = InputReport::Status::Error;
        input.problemCount = 1;
        input.problems.push_back(
            {Problem::Severity::Error, 0,
             "cannot read folder: " + reason +
                 "; check its permissions, or name its files instead"});
        m_report.inputs.push_back(std::move(input));
    }
    m_report.totals.bytes = bytesRead;
    m_chunks = planChunks(m_files, m_threads, m_settings.chunkBytes);
    m_fileLines.assign(m_files.size(), 0);
    m_firstUnitOfChunk.assign(m_chunks.size(), 0);
    m_unitsOfChunk.assign(m_chunks.size(), 0);
    m_chunkCut.assign(m_chunks.size(), 0);
    m_chunkInBlocks.assign(m_chunks.size(), 0);
    m_blocksReadToEnd.assign(m_chunks.size(), 0);
    m_chunkBytesRead.assign(m_chunks.size(), 0);
    m_progress = std::make_unique<ProgressMeter>(m_control, bytesTotal);
}

// After a cancel, marks each file that was not read to its end incomplete,
// so that its counts are not taken for the whole file, and returns whether
// there was one. A chunk of one unit (a range of a plain file, or a whole
// file) was read to its end if that unit was merged uncut. A gzip file's
// units are blocks, and its last unit records whether its reader reached
// the end of the stream.
bool ScanRun::markFilesCutShort()
{
    std::vector<std::uint8_t> readToEnd(m_files.size(), 1);
    for (std::size_t chunk = 0; chunk < m_chunks.size(); ++chunk) {
        const bool read = m_unitsOfChunk[chunk] > 0 && !m_chunkCut[chunk] &&
                          (!m_chunkInBlocks[chunk] || m_blocksReadToEnd[chunk]);
        if (!read)
            readToEnd[m_chunks[chunk].fileIndex] = 0;
    }
    std::vector<std::int64_t> bytesRead(m_files.size(), 0);
    for (std::size_t chunk = 0; chunk < m_chunks.size(); ++chunk)
        bytesRead[m_chunks[chunk].fileIndex] += m_chunkBytesRead[chunk];
    bool cutShort = false;
    for (std::size_t file = 0; file < m_files.size(); ++file) {
        InputReport &input = m_report.inputs[file];
        if (readToEnd[file])
            continue;
        cutShort = true;
        input.bytes = std::min(input.bytes, bytesRead[file]);
        if (input.status == InputReport::Status::Error)
            continue;
        input.status = InputReport::Status::Incomplete;
        ++input.problemCount;
        // No line: both ranges of a large file may have been cut.
        keepProblem(input.problems,
                    {Problem::Severity::Error, 0, kScanCancelledInFile});
    }
    return cutShort;
}

// The pass over the keys named by records reads every file again, and its
// order of merges does not show which files it finished, so each readable
// file is marked.
void ScanRun::markRecordKeysCutShort()
{
    for (std::size_t file = 0; file < m_files.size(); ++file) {
        InputReport &input = m_report.inputs[file];
        if (!m_files[file].openError.empty() ||
            input.status == InputReport::Status::Error)
            continue;
        input.status = InputReport::Status::Incomplete;
        ++input.problemCount;
        keepProblem(input.problems,
                    {Problem::Severity::Error, 0, kScanCancelledInRecordKeys});
    }
}

CountingOptions ScanRun::countingOptions(std::size_t firstKey) const
{
    CountingOptions options;
    for (std::size_t space = firstKey + 1; space < m_keyOfSpace.size();
         ++space) {
        options.groupKeys.push_back(m_keyOfSpace[space]);
        options.groupSpaces.push_back(static_cast<std::uint32_t>(space));
    }
    options.timeZone = m_settings.timeZone;
    options.legacyProjectTime = m_settings.legacyProjectTime;
    options.stepBytes = m_settings.stepBytes;
    return options;
}

// A fraction such as 0.55 has no exact binary form, so 0.55 * 200,000 is
// 110,000.00000000001. A product that close to a whole number is taken as
// that number: "at or above 55%" must include 110,000.
std::int64_t ScanRun::nearThreshold(std::int64_t limit) const
{
    constexpr double kRelativeTolerance = 1e-9;
    const double product =
        m_settings.nearLimitFraction * static_cast<double>(limit);
    const double nearest = std::round(product);
    if (std::abs(product - nearest) <= kRelativeTolerance * nearest)
        return static_cast<std::int64_t>(nearest);
    return static_cast<std::int64_t>(std::ceil(product));
}

// A pair is tracked in a range once it has an eighth of the events that
// would flag it there alone. A hot id then has most of its evidence
// collected while it is counted, and an ordinary id is rarely tracked.
CountingOptions ScanRun::firstPassOptions() const
{
    constexpr std::int64_t kShareOfThreshold = 8;
    CountingOptions options = countingOptions(0);
    options.userTrackFrom = std::max<std::int64_t>(
        1, nearThreshold(m_settings.userLimit) / kShareOfThreshold);
    options.groupTrackFrom = std::max<std::int64_t>(
        1, nearThreshold(m_settings.groupLimit) / kShareOfThreshold);
    options.earlyBudget =
        std::make_shared<std::atomic<std::int64_t>>(EarlyEvidence::kScanBudget);
    return options;
}

// The last range of a plain file is merged in part when the report does not
// list every id's volume. Its other ids then change no listed count, and no
// later merge of the counting pass follows it.
bool ScanRun::mergesInPart(const UnitInfo &unit) const
{
    return !m_settings.listEveryId && !unit.isBlock &&
           unit.chunkIndex + 1 == m_chunks.size();
}

void ScanRun::absorbUnit(const UnitInfo &unit, ChunkCounts &&counts,
                         bool firstPass, bool workersBusy)
{
    // While workers are counting, every core is busy, and a merge on several
    // threads would only slow the counting down. The ranges of a large file
    // end at about the same time, so the first range's merge usually finds
    // the workers done and takes every core.
    const int threads = workersBusy ? 1 : m_threads;
    if (firstPass && unit.isBlock) {
        mergeChunk(counts, static_cast<std::int32_t>(unit.index), m_settings,
                   m_keyOfSpace, threads, m_global, m_tracking);
        trackReachedPairs();
    } else if (firstPass && mergesInPart(unit)) {
        const MergeFloors floors{(nearThreshold(m_settings.userLimit) + 1) / 2,
                                 (nearThreshold(m_settings.groupLimit) + 1) /
                                     2};
        mergeChunkInPart(counts, static_cast<std::int32_t>(unit.index),
                         m_settings, m_keyOfSpace, threads, floors, m_global);
    } else {
        mergeChunk(counts, static_cast<std::int32_t>(unit.index), m_settings,
                   m_keyOfSpace, threads, m_global);
    }
    if (!firstPass) {
        const std::string &error =
            unit.isBlock ? unit.readError : counts.read.error;
        if (!error.empty())
            noteRereadError(m_chunks[unit.chunkIndex].fileIndex, error,
                            kIncompleteGroupKeys);
        return;
    }
    growForInput();
    const Chunk &chunk = m_chunks[unit.chunkIndex];
    InputReport &input = m_report.inputs[chunk.fileIndex];
    const std::int64_t lineOffset = m_fileLines[chunk.fileIndex];
    if (m_unitLineOffsets.size() <= unit.index) {
        m_unitLineOffsets.resize(unit.index + 1);
        m_unitDays.resize(unit.index + 1);
    }
    m_unitLineOffsets[unit.index] = lineOffset;
    if (m_unitsOfChunk[unit.chunkIndex]++ == 0)
        m_firstUnitOfChunk[unit.chunkIndex] = unit.index;
    m_chunkCut[unit.chunkIndex] |= counts.read.cancelled ? 1 : 0;
    m_chunkInBlocks[unit.chunkIndex] = unit.isBlock ? 1 : 0;
    m_blocksReadToEnd[unit.chunkIndex] |= unit.fileReadToEnd ? 1 : 0;
    // A block counts as read only once it was counted uncut, so that the
    // bytes after a cancel match the events.
    if (unit.isBlock && !counts.read.cancelled) {
        const std::int64_t done =
            unit.fileReadToEnd
                ? m_files[m_chunks[unit.chunkIndex].fileIndex].size
                : unit.compressedBytesDone;
        m_chunkBytesRead[unit.chunkIndex] =
            std::max(m_chunkBytesRead[unit.chunkIndex], done);
    }
    m_unitDays[unit.index] = unitDaysOf(counts);
    m_unitDays[unit.index].fileIndex = chunk.fileIndex;
    if (counts.early && unit.isBlock) {
        keepBlockEvidence(unit.index, counts.early->takePairs());
    } else if (counts.early) {
        if (m_trackedPairs.size() <= unit.index)
            m_trackedPairs.resize(unit.index + 1);
        m_trackedPairs[unit.index] = counts.early->takePairs();
    }
    m_fileLines[chunk.fileIndex] += counts.read.lines;

    input.events += counts.totals.events;
    input.problemCount += counts.problemCount;
    for (Problem &problem : counts.problems) {
        problem.line += lineOffset;
        // Logged here, where a range's lines are numbered from the start
        // of its file. The first few per file are enough for a log.
        constexpr std::size_t kLoggedPerFile = 3;
        if (problem.severity == Problem::Severity::Error &&
            input.problems.size() < kLoggedPerFile)
            qCWarning(lcBadLines, "%s:%lld: %s", printable(input.path).c_str(),
                      static_cast<long long>(problem.line),
                      printable(problem.message).c_str());
        keepProblem(input.problems, std::move(problem));
    }
    for (HotshardRecord &record : counts.records) {
        record.line += lineOffset;
        m_report.records.push_back(std::move(record));
        addGroupKey(m_report.records.back().groupKey);
    }
    if (!counts.read.warnings.empty()) {
        for (ReadWarning &warning : counts.read.warnings) {
            ++input.problemCount;
            keepProblem(input.problems,
                        {Problem::Severity::Warning, lineOffset + warning.line,
                         std::move(warning.message)});
        }
        // The reader reports them after the records' problems, so the list is
        // put back in line order.
        std::stable_sort(
            input.problems.begin(), input.problems.end(),
            [](const Problem &a, const Problem &b) { return a.line < b.line; });
    }
    if (counts.badLines && input.status == InputReport::Status::Ok)
        input.status = InputReport::Status::Incomplete;
    const std::string &readError =
        unit.isBlock ? unit.readError : counts.read.error;
    if (!readError.empty() && input.status != InputReport::Status::Error) {
        input.status = InputReport::Status::Error;
        ++input.problemCount;
        input.problems.push_back({Problem::Severity::Error,
                                  lineOffset + counts.read.lines, readError});
    }
}

std::function<void(const WorkUnit &, std::int64_t)>
ScanRun::blockProgress(std::vector<std::int64_t> &reported)
{
    return [this, &reported](const WorkUnit &unit, std::int64_t bytesDone) {
        if (!unit.isBlock || bytesDone < 0)
            return;
        m_progress->addBytes(bytesDone - reported[unit.chunkIndex]);
        reported[unit.chunkIndex] = bytesDone;
    };
}

// Later passes read only the chunks in [firstChunk, endChunk), with the
// unit numbers of the first pass.
void ScanRun::runCountingPass(const CountingOptions &options, bool firstPass,
                              std::size_t firstChunk, std::size_t endChunk)
{
    WorkUnitSource source(m_files, m_chunks, cancelFlag());
    if (firstPass) {
        source.keepCheckpoints();
    } else {
        std::vector<bool> chunks(m_chunks.size(), false);
        for (std::size_t chunk = firstChunk;
             chunk < std::min(endChunk, m_chunks.size()); ++chunk)
            chunks[chunk] = true;
        source.readOnly(std::move(chunks), m_firstUnitOfChunk);
    }
    std::vector<std::int64_t> reported(m_chunks.size(), 0);
    runUnitsInOrder<ChunkCounts>(
        source, m_threads, blockProgress(reported),
        [&](WorkUnit &unit, ChunkCounts &counts) {
            const Chunk &chunk = m_chunks[unit.chunkIndex];
            const InputFile &file = m_files[chunk.fileIndex];
            // Events are reported as each worker counts them, because a
            // range of a large file is merged only once it is done.
            std::int64_t eventsShown = 0;
            const auto showEvents = [&] {
                if (firstPass)
                    m_progress->addEvents(counts.totals.events - eventsShown);
                eventsShown = counts.totals.events;
            };
            if (!unit.isBlock) {
                const ByteProgress bytesRead = m_progress->forChunk();
                // Each chunk is read by one worker, which alone writes its
                // entry of m_chunkBytesRead.
                countChunk(file, chunk, options, counts, cancelFlag(),
                           [&](std::int64_t done) {
                               showEvents();
                               bytesRead(done);
                               if (firstPass)
                                   m_chunkBytesRead[unit.chunkIndex] = done;
                           });
            } else {
                const TextBlock &block = unit.block;
                const auto tracked = firstPass ? blockKeys() : nullptr;
                countBlock(file, block.buffer.data(), block.size,
                           block.buffer.data() + block.buffer.size(), options,
                           counts, cancelFlag(), tracked.get());
            }
            showEvents();
        },
        [&](const UnitInfo &unit, ChunkCounts &&counts, bool workersBusy) {
            const std::int64_t mergeStart = nowMs();
            absorbUnit(unit, std::move(counts), firstPass, workersBusy);
            m_mergeMs += nowMs() - mergeStart;
            // A range's tables are left in place unless they became the
            // merged ones.
            if (counts.pairs.slotCount() >= kReleaseLaterSlots)
                releaseLater(std::exchange(counts, {}));
        });
    if (firstPass)
        m_checkpoints = source.takeCheckpoints();
}

// Grows the merged tables once, to the size that the share of the input
// read so far predicts. Gzip files are merged in 4 MiB blocks, and letting
// the tables grow as they fill cost about 8% of a gzip scan of the
// benchmark corpus.
void ScanRun::growForInput()
{
    constexpr double kPredictAfter = 0.02;
    const double done = m_progress->fractionDone();
    if (m_grewForInput || done < kPredictAfter)
        return;
    m_grewForInput = true;
    growTables(m_global.ids, m_global.pairs, 1.0 / done,
               kMaxPredictedMergedEntries);
}

// Group keys named by `$hotshard_record` events are only known once the
// records are read, so their values are counted in an extra pass that reads
// only lines mentioning those keys.
// A gzip file with checkpoints is inflated in segments on all threads.
// NOTE: that pass reads the whole input again: about 30% of the time of a
// scan of the bundled sample. Counting a key from the record that names it
// on would leave only the lines before that record to re-read.
// Returns false when a cancel left a key's values uncounted.
bool ScanRun::countRecordGroupKeys()
{
    if (m_keyOfSpace.size() - 1 <= m_configuredKeys)
        return true;
    if (cancelled())
        return false;
    CountingOptions options = countingOptions(m_configuredKeys);
    options.countEverything = false;
    m_progress->startPass(3);
    std::size_t chunk = 0;
    while (chunk < m_chunks.size() && !cancelled()) {
        if (countsInSegments(chunk)) {
            countInSegments(chunk++, options);
            continue;
        }
        const std::size_t first = chunk;
        while (chunk < m_chunks.size() && !countsInSegments(chunk))
            ++chunk;
        runCountingPass(options, false, first, chunk);
    }
    return !cancelled();
}

// The blocks of a gzip chunk's segment: from the checkpoint before it, or
// block 0, to the next checkpoint or the end of the file. The chunk's last
// unit closes the file and carries its read error, so it holds no block.
std::pair<std::size_t, std::size_t>
ScanRun::segmentBlocks(std::size_t chunk, std::size_t segment) const
{
    const std::vector<GzipCheckpoint> &checkpoints = m_checkpoints[chunk];
    const std::size_t blocks = m_unitsOfChunk[chunk] - 1;
    const std::size_t begin = segment == 0 ? 0 : checkpoints[segment - 1].block;
    const std::size_t end =
        segment < checkpoints.size() ? checkpoints[segment].block : blocks;
    return {begin, end};
}

bool ScanRun::countsInSegments(std::size_t chunk) const
{
    return readsAsBlocks(m_files[m_chunks[chunk].fileIndex]) &&
           !m_checkpoints[chunk].empty() && m_unitsOfChunk[chunk] > 0;
}

// Counts each segment's blocks on its own thread. Blocks are merged in
// input order, as the crossings need, as soon as their segment and all
// before it are counted, so that only the segments in flight hold tables.
// Only lines with one of the new group keys are counted.
void ScanRun::countInSegments(std::size_t chunk, const CountingOptions &options)
{
    const InputFile &file = m_files[m_chunks[chunk].fileIndex];
    const std::vector<GzipCheckpoint> &checkpoints = m_checkpoints[chunk];
    const std::size_t segments = checkpoints.size() + 1;
    std::vector<ChunkCounts> counts(m_unitsOfChunk[chunk]);
    std::vector<bool> counted(segments, false);
    std::size_t nextToMerge = 0;
    std::mutex mergeMutex;
    std::atomic<std::int64_t> bytesRead = 0;
    const auto mergeReady = [&] {
        for (; nextToMerge < segments && counted[nextToMerge]; ++nextToMerge) {
            const auto [begin, end] = segmentBlocks(chunk, nextToMerge);
            for (std::size_t block = begin; block < end && !cancelled();
                 ++block) {
                const UnitInfo unit{
                    m_firstUnitOfChunk[chunk] + block, chunk, true, {}};
                absorbUnit(unit, std::move(counts[block]), false, true);
                counts[block] = ChunkCounts{};
            }
        }
    };
    const auto stop = [this] {
        return cancelled();
    };
    forEachIndex(
        m_threads, segments, stop, [&](std::size_t, std::size_t segment) {
            const std::size_t end = segmentBlocks(chunk, segment).second;
            const GzipCheckpoint *from =
                segment > 0 ? &checkpoints[segment - 1] : nullptr;
            const auto countInBlock = [&](std::size_t number,
                                          const TextBlock &block) {
                countBlock(file, block.buffer.data(), block.size,
                           block.buffer.data() + block.buffer.size(), options,
                           counts[number], cancelFlag());
            };
            const BlockRangeRead read = inflateBlockRange(
                file.path, from, end, countInBlock, cancelFlag());
            bytesRead += read.compressedBytes;
            m_progress->addBytes(read.compressedBytes);
            std::lock_guard lock(mergeMutex);
            if (!read.error.empty())
                noteRereadError(m_chunks[chunk].fileIndex, read.error,
                                kIncompleteGroupKeys);
            counted[segment] = true;
            mergeReady();
        });
    m_progress->addBytes(file.size - bytesRead);
}

void ScanRun::flagPairs()
{
    const std::int64_t userNear = nearThreshold(m_settings.userLimit);
    const std::int64_t groupNear = nearThreshold(m_settings.groupLimit);
    using Candidate = std::pair<std::uint64_t, std::int64_t>;
    std::vector<Candidate> hot;
    std::vector<Candidate> near;
    const std::int64_t lowestNear = std::min(userNear, groupNear);
    // The count check comes first, because looking up the id's space for
    // each of millions of pairs is a cache miss.
    const auto nearAny = [lowestNear](const GlobalPair &pair) {
        return pair.events >= lowestNear;
    };
    m_global.pairs.forEachWhere(nearAny, [&](std::uint64_t key,
                                             const GlobalPair &pair) {
        const bool isUser = m_global.ids.space(pairIdIndex(key)) == kUserSpace;
        if (pair.events < (isUser ? userNear : groupNear))
            return;
        const std::int64_t limit =
            isUser ? m_settings.userLimit : m_settings.groupLimit;
        (pair.events > limit ? hot : near).emplace_back(key, pair.events);
    });
    const auto moreEvents = [](const Candidate &a, const Candidate &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    };
    // A near-limit fraction set low can flag millions of pairs, whose
    // listing would take gigabytes. Every hot pair is listed, because each
    // needs a repair, and the near-limit pairs with the most events.
    m_report.nearLimitCount = static_cast<std::int64_t>(near.size());
    if (near.size() > kMaxNearLimitListed) {
        std::partial_sort(near.begin(), near.begin() + kMaxNearLimitListed,
                          near.end(), moreEvents);
        near.resize(kMaxNearLimitListed);
    }
    // Evidence costs kilobytes per pair while it is collected, so only the
    // first pairs get it: hot ones first, then those with the most events.
    if (hot.size() + near.size() > kMaxEvidencePairs) {
        std::sort(hot.begin(), hot.end(), moreEvents);
        std::sort(near.begin(), near.end(), moreEvents);
    }
    hot.insert(hot.end(), near.begin(), near.end());
    for (std::size_t i = 0; i < hot.size(); ++i) {
        const std::uint64_t key = hot[i].first;
        const LimitCrossing *crossing = m_global.crossings.find(key);
        const FlaggedPair flagged{pairIdIndex(key), pairDay(key),
                                  crossing ? *crossing : LimitCrossing{}};
        if (i >= kMaxEvidencePairs) {
            m_flaggedWithoutEvidence.push_back(flagged);
            continue;
        }
        m_flaggedIndex[key] = static_cast<std::uint32_t>(m_flagged.size());
        m_flagged.push_back(flagged);
    }
    if (!m_flaggedWithoutEvidence.empty())
        qCInfo(lcScan, "%zu flagged pairs beyond the first %zu get no evidence",
               m_flaggedWithoutEvidence.size(), kMaxEvidencePairs);
}

std::vector<std::string> ScanRun::lineFilterForFlaggedPairs() const
{
    std::set<std::string> needles;
    for (const FlaggedPair &pair : m_flagged) {
        const std::string_view id = m_global.ids.text(pair.idIndex);
        const bool plain = std::all_of(id.begin(), id.end(), [](char c) {
            return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/';
        });
        if (!plain || id.size() < kMinFilterIdLength)
            return {};
        needles.insert(std::string(id));
    }
    if (needles.size() > kMaxFilterIds)
        return {};
    // JSON may write any character of an id as a \u escape, so a line with
    // an escape can hold a flagged id that no raw needle matches.
    if (!needles.empty())
        needles.insert("\\u");
    return {needles.begin(), needles.end()};
}

EvidenceQuery ScanRun::evidenceQuery() const
{
    EvidenceQuery query;
    query.pairs = &m_flagged;
    query.indexOfPair = &m_flaggedIndex;
    query.ids = &m_global.ids;
    const CountingOptions keys = countingOptions(0);
    query.groupKeys = keys.groupKeys;
    query.groupSpaces = keys.groupSpaces;
    query.timeZone = m_settings.timeZone;
    query.legacyProjectTime = m_settings.legacyProjectTime;
    query.lineFilter = TextSearch(lineFilterForFlaggedPairs());
    return query;
}

// Ranges of plain files are read step by step, and only the steps that
// hold a flagged date; see stepsToRead(). Gzip files are inflated in
// segments from checkpoints, and only the blocks with a flagged date are
// parsed; see gzipSegmentsToRead(). Other chunks are read whole, in order,
// when they hold a flagged date; see chunksToRead().
void ScanRun::runEvidencePass()
{
    const EvidenceQuery query = evidenceQuery();
    std::vector<Day> flaggedDays;
    for (const FlaggedPair &pair : m_flagged)
        flaggedDays.push_back(pair.day);
    std::sort(flaggedDays.begin(), flaggedDays.end());

    m_evidence.resize(m_flagged.size());
    adoptEarlyEvidence();
    m_progress->startPass(2);
    collectUnitEvidence(query, flaggedDays);
    collectGzipEvidence(query, flaggedDays);
    const std::vector<EvidencePiece> pieces = stepsToRead(flaggedDays);
    std::vector<std::string> errors(pieces.size());
    collectPieceEvidence(
        m_files, pieces, query, m_threads, m_evidence, cancelFlag(),
        [&](std::size_t piece, std::int64_t bytes, const std::string &error) {
            errors[piece] = error;
            m_progress->addBytes(bytes);
        });
    for (std::size_t piece = 0; piece < pieces.size(); ++piece) {
        if (!errors[piece].empty())
            noteRereadError(pieces[piece].range.fileIndex, errors[piece],
                            kIncompleteEvidence);
    }
}

void ScanRun::collectUnitEvidence(const EvidenceQuery &query,
                                  const std::vector<Day> &flaggedDays)
{
    const std::vector<bool> chunks = chunksToRead(flaggedDays);
    WorkUnitSource source(m_files, m_chunks, cancelFlag());
    source.readOnly(chunks, m_firstUnitOfChunk);
    runUnitsInOrder<ChunkEvidence>(
        source, m_threads, {},
        [&](WorkUnit &unit, ChunkEvidence &evidence) {
            const Chunk &chunk = m_chunks[unit.chunkIndex];
            collectEvidence(m_files[chunk.fileIndex], chunk,
                            static_cast<std::int32_t>(unit.index), query,
                            evidence, cancelFlag(), m_progress->forChunk());
        },
        [&](const UnitInfo &unit, ChunkEvidence &&evidence, bool) {
            const std::int64_t lineOffset =
                unit.index < m_unitLineOffsets.size()
                    ? m_unitLineOffsets[unit.index]
                    : 0;
            for (std::size_t i = 0; i < evidence.pairs.size(); ++i)
                mergeEvidence(std::move(evidence.pairs[i]), lineOffset,
                              m_evidence[i]);
        });
    // Bytes of files left unread count as done, so that the progress of the
    // pass ends at its total. Ranges read by steps and gzip files are
    // counted where they are read.
    for (std::size_t chunk = 0; chunk < m_chunks.size(); ++chunk) {
        const std::size_t unit = m_firstUnitOfChunk[chunk];
        const InputFile &file = m_files[m_chunks[chunk].fileIndex];
        if (chunks[chunk] || m_unitsOfChunk[chunk] == 0 ||
            readsAsBlocks(file) || !m_unitDays[unit].steps.empty())
            continue;
        m_progress->addBytes(m_chunks[chunk].end - m_chunks[chunk].begin);
    }
    qCDebug(lcScan, "evidence pass read %zu of %zu chunks in order",
            static_cast<std::size_t>(
                std::count(chunks.begin(), chunks.end(), true)),
            m_chunks.size());
}

// Each segment starts at a checkpoint and is inflated on its own thread,
// so both cores inflate. A segment without a flagged date is not read, and
// a segment is inflated only up to its last block with one.
void ScanRun::collectGzipEvidence(const EvidenceQuery &query,
                                  const std::vector<Day> &flaggedDays)
{
    const std::vector<GzipSegment> segments = gzipSegmentsToRead(flaggedDays);
    std::vector<std::int64_t> bytesRead(segments.size(), 0);
    std::vector<std::string> errors(segments.size());
    collectSegmentEvidence(
        m_files, segments, m_unitLineOffsets, query, m_threads, m_evidence,
        cancelFlag(),
        [&](std::size_t segment, std::int64_t bytes, const std::string &error) {
            bytesRead[segment] = bytes;
            errors[segment] = error;
            m_progress->addBytes(bytes);
        });
    for (std::size_t segment = 0; segment < segments.size(); ++segment) {
        if (!errors[segment].empty())
            noteRereadError(segments[segment].fileIndex, errors[segment],
                            kIncompleteEvidence);
    }
    // The bytes not inflated count as done, so that the pass ends at its
    // total.
    std::int64_t unread = 0;
    for (const InputFile &file : m_files) {
        if (readsAsBlocks(file))
            unread += file.size;
    }
    m_progress->addBytes(unread - std::accumulate(bytesRead.begin(),
                                                  bytesRead.end(),
                                                  std::int64_t{0}));
    qCDebug(lcScan, "evidence pass inflated %zu gzip segments",
            segments.size());
}

// A file whose counting pass ended with a read error fails again where it
// did then, and its report already contains that error. In any other file,
// a later pass fails because the file changed after the counting pass or
// could not be read again. The counts of the counting pass stand, but what
// the later pass adds is then incomplete.
void ScanRun::noteRereadError(std::size_t fileIndex, const std::string &error,
                              const std::string &whatIsIncomplete)
{
    InputReport &input = m_report.inputs[fileIndex];
    // Every piece or segment after the change fails the same way, so one
    // problem per file and pass is enough.
    if (input.status == InputReport::Status::Error ||
        !m_rereadFailures.emplace(fileIndex, whatIsIncomplete).second)
        return;
    qCWarning(lcScan, "%s: reading again failed: %s", input.path.c_str(),
              error.c_str());
    ++input.problemCount;
    if (input.problems.size() < kMaxProblemsPerFile)
        input.problems.push_back(
            {Problem::Severity::Error, 0,
             "reading the file again failed (" + error + "), so " +
                 whatIsIncomplete +
                 " is incomplete: check that nothing is writing to the file, "
                 "then scan it again"});
}

std::vector<GzipSegment>
ScanRun::gzipSegmentsToRead(const std::vector<Day> &flaggedDays) const
{
    std::vector<GzipSegment> segments;
    for (std::size_t chunk = 0; chunk < m_chunks.size(); ++chunk) {
        const std::size_t fileIndex = m_chunks[chunk].fileIndex;
        if (!readsAsBlocks(m_files[fileIndex]) || m_unitsOfChunk[chunk] == 0)
            continue;
        const std::size_t firstUnit = m_firstUnitOfChunk[chunk];
        const std::vector<GzipCheckpoint> &checkpoints = m_checkpoints[chunk];
        for (std::size_t s = 0; s <= checkpoints.size(); ++s) {
            GzipSegment segment;
            segment.fileIndex = fileIndex;
            segment.from = s > 0 ? &checkpoints[s - 1] : nullptr;
            segment.firstUnit = firstUnit;
            const auto [begin, end] = segmentBlocks(chunk, s);
            for (std::size_t block = begin; block < end; ++block) {
                std::vector<std::int64_t> lastLine;
                const bool parse =
                    blockToParse(firstUnit + block, flaggedDays, lastLine);
                segment.parse.push_back(parse);
                segment.lastLine.push_back(std::move(lastLine));
            }
            while (!segment.parse.empty() && !segment.parse.back()) {
                segment.parse.pop_back();
                segment.lastLine.pop_back();
            }
            if (!segment.parse.empty())
                segments.push_back(std::move(segment));
        }
    }
    return segments;
}

// A block is parsed when it contains a flagged date, and either a flagged
// pair of its dates was not collected there by the counting pass, or a
// collected pair crosses its limit there. `lastLine` receives how to read
// each pair.
bool ScanRun::blockToParse(std::size_t unit,
                           const std::vector<Day> &flaggedDays,
                           std::vector<std::int64_t> &lastLine) const
{
    const StepDays &days = m_unitDays[unit].whole;
    if (!days.containsAny(flaggedDays))
        return false;
    if (unit >= m_earlyByUnit.size() || m_earlyByUnit[unit].empty())
        return true;
    lastLine.assign(m_flagged.size(), EvidencePiece::kEveryLine);
    for (const EarlyCollection &collection : m_earlyByUnit[unit]) {
        const bool crossesHere = m_flagged[collection.pair].crossing.chunk ==
                                 static_cast<std::int32_t>(unit);
        lastLine[collection.pair] =
            crossesHere ? EvidencePiece::kCrossingOnly : EvidencePiece::kNoLine;
    }
    for (std::size_t pair = 0; pair < m_flagged.size(); ++pair) {
        const Day day = m_flagged[pair].day;
        if (day >= days.first && day <= days.last &&
            lastLine[pair] != EvidencePiece::kNoLine)
            return true;
    }
    return false;
}

// Marks the chunks read whole by the evidence pass: those, other than gzip
// files and ranges of plain files read by steps, with a flagged date. Each
// of them is one unit, such as a JSON array file.
std::vector<bool>
ScanRun::chunksToRead(const std::vector<Day> &flaggedDays) const
{
    std::vector<bool> chunks(m_chunks.size(), false);
    for (std::size_t chunk = 0; chunk < m_chunks.size(); ++chunk) {
        if (m_unitsOfChunk[chunk] == 0 ||
            readsAsBlocks(m_files[m_chunks[chunk].fileIndex]))
            continue;
        const UnitDays &days = m_unitDays[m_firstUnitOfChunk[chunk]];
        chunks[chunk] =
            days.steps.empty() && days.whole.containsAny(flaggedDays);
    }
    return chunks;
}

std::shared_ptr<const std::vector<TrackedKey>> ScanRun::blockKeys() const
{
    const std::lock_guard lock(m_blockKeysMutex);
    return m_blockKeys;
}

// Gzip blocks are counted a few at a time, each on its own, so a pair is
// tracked in a block only once the blocks merged before it took the pair to
// its threshold. Blocks already being counted then miss it, and the
// evidence pass reads the pair's events there.
// NOTE: keys are never dropped, because a block's pair i must stay key i.
// In an export of many days sorted by time, the first 32 large pairs keep
// their slots after their day ends, and later days' pairs go to the
// evidence pass as before.
void ScanRun::trackReachedPairs()
{
    const auto current = blockKeys();
    const std::size_t before = current ? current->size() : 0;
    if (m_tracking.reached.empty() || before >= EarlyEvidence::kMaxTrackedPairs)
        return;
    auto keys = current ? std::make_shared<std::vector<TrackedKey>>(*current)
                        : std::make_shared<std::vector<TrackedKey>>();
    for (std::uint64_t key : m_tracking.reached) {
        if (keys->size() >= EarlyEvidence::kMaxTrackedPairs)
            break;
        const std::uint32_t id = pairIdIndex(key);
        keys->push_back({m_global.ids.space(id),
                         std::string(m_global.ids.text(id)),
                         m_global.ids.hash(id), pairDay(key)});
    }
    const std::lock_guard lock(m_blockKeysMutex);
    m_blockKeys = std::move(keys);
}

// A block tracks the keys of the snapshot it started with, in their
// order, so its pair i is key i. Its evidence joins the key's at once:
// keeping it per block would take memory in proportion to the file.
void ScanRun::keepBlockEvidence(std::size_t unit,
                                std::vector<TrackedPair> pairs)
{
    if (m_blockCoverage.size() <= unit)
        m_blockCoverage.resize(unit + 1);
    for (std::size_t key = 0; key < pairs.size(); ++key) {
        TrackedPair &pair = pairs[key];
        if (m_blockEvidence.size() <= key) {
            m_blockEvidence.resize(key + 1);
            m_blockEvidence[key].space = pair.space;
            m_blockEvidence[key].id = std::move(pair.id);
            m_blockEvidence[key].hash = pair.hash;
            m_blockEvidence[key].day = pair.day;
        }
        m_blockCoverage[unit].emplace_back(static_cast<std::uint32_t>(key),
                                           pair.evidence.events);
        mergeEvidence(std::move(pair.evidence), 0,
                      m_blockEvidence[key].evidence);
    }
}

// Adds the evidence that gzip blocks collected for keys that turned out
// flagged, and notes which blocks collected each one.
void ScanRun::adoptBlockEvidence(std::size_t &adopted)
{
    std::vector<std::optional<std::uint32_t>> flaggedOfKey;
    for (TrackedPair &tracked : m_blockEvidence) {
        const std::uint32_t id =
            m_global.ids.find(tracked.space, tracked.id, tracked.hash);
        const std::uint32_t *index =
            id == IdInterner::kNotFound
                ? nullptr
                : m_flaggedIndex.find(pairKey(id, tracked.day));
        flaggedOfKey.push_back(index ? std::optional(*index) : std::nullopt);
        if (index) {
            mergeEvidence(std::move(tracked.evidence), 0, m_evidence[*index]);
            ++adopted;
        }
    }
    if (m_earlyByUnit.size() < m_blockCoverage.size())
        m_earlyByUnit.resize(m_blockCoverage.size());
    for (std::size_t unit = 0; unit < m_blockCoverage.size(); ++unit) {
        for (const auto &[key, events] : m_blockCoverage[unit]) {
            if (flaggedOfKey[key])
                m_earlyByUnit[unit].push_back(
                    {*flaggedOfKey[key], 0, 0, {events}});
        }
    }
    m_blockEvidence = {};
    m_blockCoverage = {};
}

// Adds the evidence that the counting pass collected for pairs that turned
// out flagged, and notes where each one's collection began. The rest is
// dropped.
void ScanRun::adoptEarlyEvidence()
{
    m_earlyByUnit.assign(m_trackedPairs.size(), {});
    std::size_t adopted = 0;
    for (std::size_t unit = 0; unit < m_trackedPairs.size(); ++unit) {
        for (TrackedPair &tracked : m_trackedPairs[unit]) {
            const std::uint32_t id =
                m_global.ids.find(tracked.space, tracked.id, tracked.hash);
            if (id == IdInterner::kNotFound)
                continue;
            const std::uint32_t *index =
                m_flaggedIndex.find(pairKey(id, tracked.day));
            if (!index)
                continue;
            mergeEvidence(std::move(tracked.evidence), 0, m_evidence[*index]);
            m_earlyByUnit[unit].push_back({*index, tracked.firstStep,
                                           tracked.lastLineLeft,
                                           std::move(tracked.eventsByStep)});
            ++adopted;
        }
    }
    m_trackedPairs = {};
    adoptBlockEvidence(adopted);
    qCDebug(lcScan,
            "counting pass collected evidence for %zu flagged pairs "
            "in plain ranges and gzip files",
            adopted);
}

// A flagged pair collected early in the piece's unit is read here only up
// to where that collection began: all of it in earlier steps, its lines up
// to the start in the step where it began, and none later. A piece is not
// read when every flagged pair of its dates was collected early.
void ScanRun::limitPieceToEarly(const StepDays &step, std::size_t stepIndex,
                                const std::vector<EarlyCollection> &early,
                                EvidencePiece &piece) const
{
    piece.lastLine.assign(m_flagged.size(), EvidencePiece::kEveryLine);
    for (const EarlyCollection &collection : early) {
        std::int64_t &last = piece.lastLine[collection.pair];
        if (stepIndex < collection.firstStep)
            continue;
        last = stepIndex == collection.firstStep
                   ? collection.lastLineLeft - step.linesBefore
                   : EvidencePiece::kNoLine;
        const std::size_t offset = stepIndex - collection.firstStep;
        if (offset < collection.eventsByStep.size() &&
            collection.eventsByStep[offset] > 0)
            piece.collectedEarly.push_back(
                {collection.pair, collection.eventsByStep[offset]});
    }
    piece.read = false;
    for (std::size_t pair = 0; pair < m_flagged.size(); ++pair) {
        const Day day = m_flagged[pair].day;
        if (day >= step.first && day <= step.last &&
            piece.lastLine[pair] != EvidencePiece::kNoLine)
            piece.read = true;
    }
}

// Lists the steps of plain ranges that hold a flagged date, and counts the
// bytes of those not read as done for the progress meter. In a file sorted
// by time, most steps contain one date, so little more than the flagged
// dates is read, and less where the counting pass collected evidence. A
// file in random order is read whole.
std::vector<EvidencePiece>
ScanRun::stepsToRead(const std::vector<Day> &flaggedDays)
{
    std::vector<EvidencePiece> pieces;
    std::size_t read = 0;
    for (std::size_t unit = 0; unit < m_unitDays.size(); ++unit) {
        const UnitDays &days = m_unitDays[unit];
        for (std::size_t index = 0; index < days.steps.size(); ++index) {
            const StepDays &step = days.steps[index];
            if (!step.containsAny(flaggedDays)) {
                m_progress->addBytes(step.end - step.begin);
                continue;
            }
            EvidencePiece piece;
            piece.unit = static_cast<std::int32_t>(unit);
            piece.range = {days.fileIndex, step.begin, step.end, 0};
            piece.linesBefore = m_unitLineOffsets[unit] + step.linesBefore;
            if (unit < m_earlyByUnit.size() && !m_earlyByUnit[unit].empty())
                limitPieceToEarly(step, index, m_earlyByUnit[unit], piece);
            if (piece.read)
                ++read;
            else
                m_progress->addBytes(step.end - step.begin);
            pieces.push_back(std::move(piece));
        }
    }
    qCDebug(lcScan, "evidence pass reads %zu of %zu steps with a flagged date",
            read, pieces.size());
    return pieces;
}

// Fills in a flagged pair's counts, which the counting pass gives in full.
PairFinding ScanRun::countedFinding(const FlaggedPair &flagged) const
{
    const GlobalPair &pair =
        *m_global.pairs.find(pairKey(flagged.idIndex, flagged.day));
    const std::uint32_t space = m_global.ids.space(flagged.idIndex);
    PairFinding finding;
    finding.kind = space == kUserSpace ? ShardKind::User : ShardKind::Group;
    finding.groupKey = m_keyOfSpace[space];
    finding.id = std::string(m_global.ids.text(flagged.idIndex));
    finding.day = flagged.day;
    finding.events = pair.events;
    finding.remediatedEvents =
        remediatedOf(pairKey(flagged.idIndex, flagged.day));
    finding.limit =
        space == kUserSpace ? m_settings.userLimit : m_settings.groupLimit;
    finding.overLimit = std::max<std::int64_t>(0, pair.events - finding.limit);
    finding.idFlags = m_global.idFlags[flagged.idIndex];
    finding.uniqueEvents = pair.events;
    return finding;
}

void ScanRun::buildFindings(bool withEvidence)
{
    const auto add = [this](PairFinding &&finding) {
        auto &list =
            finding.overLimit > 0 ? m_report.hotShards : m_report.nearLimit;
        list.push_back(std::move(finding));
    };
    for (std::size_t i = 0; i < m_flagged.size(); ++i) {
        PairFinding finding = countedFinding(m_flagged[i]);
        if (withEvidence) {
            if (i < m_evidence.size())
                applyEvidence(m_evidence[i], m_settings.topN, finding);
            explainLikelyCause(finding);
        } else {
            finding.uniqueEvents = PairFinding::kNotDetermined;
            finding.likelyCause = LikelyCause::Unknown;
            finding.likelyCauseText =
                "Not determined: the scan was cancelled while it collected "
                "the evidence. Run it again to the end for the cause.";
        }
        add(std::move(finding));
    }
    // Listed with their counts only. Their cause text stays empty, because
    // there may be millions of them; the report counts them instead.
    for (const FlaggedPair &flagged : m_flaggedWithoutEvidence) {
        PairFinding finding = countedFinding(flagged);
        finding.uniqueEvents = PairFinding::kNotDetermined;
        finding.likelyCause = LikelyCause::Unknown;
        add(std::move(finding));
    }
    m_report.pairsWithoutEvidence =
        static_cast<std::int64_t>(m_flaggedWithoutEvidence.size() +
                                  (withEvidence ? 0 : m_flagged.size()));
    const auto order = [](const PairFinding &a, const PairFinding &b) {
        if (a.kind != b.kind)
            return a.kind == ShardKind::User;
        if (a.events != b.events)
            return a.events > b.events;
        return a.day != b.day ? a.day < b.day : a.id < b.id;
    };
    std::sort(m_report.hotShards.begin(), m_report.hotShards.end(), order);
    std::sort(m_report.nearLimit.begin(), m_report.nearLimit.end(), order);
}

void ScanRun::buildVolumes()
{
    // Ids are dense indexes, so a counting sort groups the pairs by id in
    // linear time. A comparison sort of millions of pairs took most of the
    // time after the counting pass.
    const std::size_t idCount = m_global.ids.size();
    std::vector<std::uint32_t> firstOfId(idCount + 1, 0);
    m_global.pairs.forEach([&](std::uint64_t key, const GlobalPair &) {
        ++firstOfId[pairIdIndex(key) + 1];
    });
    for (std::size_t id = 0; id < idCount; ++id)
        firstOfId[id + 1] += firstOfId[id];
    m_report.idDays.resize(m_global.pairs.size());
    std::vector<std::uint32_t> next(firstOfId.begin(), firstOfId.end() - 1);
    m_global.pairs.forEach([&](std::uint64_t key, const GlobalPair &pair) {
        m_report.idDays[next[pairIdIndex(key)]++] = {pairDay(key), pair.events,
                                                     remediatedOf(key)};
    });

    // The pair table is the largest structure of the scan and is not needed
    // past this point, so it goes before the id table grows.
    releaseLater(std::exchange(m_global.pairs, {}));

    // Sorting compact keys instead of the volumes keeps the sort in cache.
    // Ties are ordered by the ids' hashes, so that the order is the same
    // however the input was split.
    struct SortKey {
        std::int64_t peakEvents;
        std::uint64_t hash;
        std::uint32_t id;
    };
    std::vector<SortKey> order(idCount);
    for (std::uint32_t id = 0; id < idCount; ++id) {
        order[id] = {peakEventsOf(firstOfId[id], firstOfId[id + 1]),
                     m_global.ids.hash(id), id};
    }
    std::sort(order.begin(), order.end(),
              [this](const SortKey &a, const SortKey &b) {
                  if (a.peakEvents != b.peakEvents)
                      return a.peakEvents > b.peakEvents;
                  if (a.hash != b.hash)
                      return a.hash < b.hash;
                  return m_global.ids.text(a.id) < m_global.ids.text(b.id);
              });
    // Volumes are built in id order, which reads the id and day tables
    // sequentially, and each goes to its place in the sorted list.
    std::vector<std::uint32_t> rankOfId(idCount);
    for (std::uint32_t rank = 0; rank < idCount; ++rank)
        rankOfId[order[rank].id] = rank;
    order = {};
    m_report.ids.resize(idCount);
    // Each thread writes its own ids' volumes and day ranges.
    forEachPart(m_threads, idCount,
                [&](std::size_t, std::size_t begin, std::size_t end) {
                    for (auto id = static_cast<std::uint32_t>(begin); id < end;
                         ++id) {
                        m_report.ids[rankOfId[id]] =
                            volumeOf(id, firstOfId[id], firstOfId[id + 1]);
                    }
                });
}

std::int64_t ScanRun::peakEventsOf(std::uint32_t first, std::uint32_t end) const
{
    std::int64_t peak = 0;
    for (std::uint32_t i = first; i < end; ++i)
        peak = std::max(peak, m_report.idDays[i].events);
    return peak;
}

IdVolume ScanRun::volumeOf(std::uint32_t id, std::uint32_t first,
                           std::uint32_t end)
{
    const auto days = m_report.idDays.begin();
    std::sort(
        days + first, days + end,
        [](const DayCount &a, const DayCount &b) { return a.day < b.day; });
    const std::uint32_t space = m_global.ids.space(id);
    IdVolume volume;
    volume.kind = space == kUserSpace ? ShardKind::User : ShardKind::Group;
    volume.groupKey = m_keyOfSpace[space];
    volume.id = std::string(m_global.ids.text(id));
    volume.idFlags = m_global.idFlags[id];
    volume.firstDay = first;
    volume.dayCount = end - first;
    for (std::uint32_t i = first; i < end; ++i) {
        const DayCount &day = m_report.idDays[i];
        volume.totalEvents += day.events;
        if (day.events > volume.peakEvents) {
            volume.peakEvents = day.events;
            volume.peakDay = day.day;
            volume.peakRemediatedEvents = day.remediatedEvents;
        }
    }
    return volume;
}

// Returns the events of each of `ids` over all dates. Most exports flag few
// ids, so their pairs are looked up date by date. Where that would cost more
// than reading the whole pair table (about 20 ms for the benchmark corpus's
// 1.8 million pairs), the table is read instead.
std::vector<std::int64_t>
ScanRun::eventsOfIds(const std::vector<std::uint32_t> &ids) const
{
    constexpr std::size_t kLookupsPerSlot = 8;
    std::vector<Day> days;
    m_global.days.forEach([&days](std::uint64_t, const DayTotal &total) {
        days.push_back(total.day);
    });
    std::vector<std::int64_t> totals(ids.size(), 0);
    if (ids.size() * days.size() * kLookupsPerSlot <
        m_global.pairs.slotCount()) {
        for (std::size_t i = 0; i < ids.size(); ++i) {
            for (const Day day : days) {
                if (const GlobalPair *pair =
                        m_global.pairs.find(pairKey(ids[i], day)))
                    totals[i] += pair->events;
            }
        }
        return totals;
    }
    constexpr std::uint32_t kNotListed = ~0u;
    std::vector<std::uint32_t> position(m_global.ids.size(), kNotListed);
    for (std::size_t i = 0; i < ids.size(); ++i)
        position[ids[i]] = static_cast<std::uint32_t>(i);
    m_global.pairs.forEach([&](std::uint64_t key, const GlobalPair &pair) {
        const std::uint32_t listed = position[pairIdIndex(key)];
        if (listed != kNotListed)
            totals[listed] += pair.events;
    });
    return totals;
}

void ScanRun::listIdProblems()
{
    std::vector<std::uint32_t> flagged;
    for (std::uint32_t id = 0; id < m_global.ids.size(); ++id) {
        if (m_global.idFlags[id] != IdFlagNone)
            flagged.push_back(id);
    }
    m_report.idProblemCount = static_cast<std::int64_t>(flagged.size());
    const std::vector<std::int64_t> totals = eventsOfIds(flagged);
    std::vector<std::uint32_t> order(flagged.size());
    std::iota(order.begin(), order.end(), 0);
    // NOTE: only the ids with the most events are listed, so that a project
    // whose ids are all numeric does not get a million entries.
    const auto moreEvents = [&](std::uint32_t a, std::uint32_t b) {
        if (totals[a] != totals[b])
            return totals[a] > totals[b];
        const auto keyOf = [&](std::uint32_t listed) {
            const std::uint32_t id = flagged[listed];
            const std::uint32_t space = m_global.ids.space(id);
            return std::make_tuple(space != kUserSpace,
                                   std::string_view(m_keyOfSpace[space]),
                                   m_global.ids.text(id));
        };
        return keyOf(a) < keyOf(b);
    };
    const std::size_t listed = std::min(order.size(), kMaxIdProblems);
    std::partial_sort(order.begin(), order.begin() + listed, order.end(),
                      moreEvents);
    for (std::size_t i = 0; i < listed; ++i) {
        const std::uint32_t id = flagged[order[i]];
        const std::uint32_t space = m_global.ids.space(id);
        m_report.idProblems.push_back(
            {space == kUserSpace ? ShardKind::User : ShardKind::Group,
             space == kUserSpace ? std::string() : m_keyOfSpace[space],
             std::string(m_global.ids.text(id)), m_global.idFlags[id],
             totals[order[i]]});
    }
}

// A $hotshard_record marks a crossing that Mixpanel saw. When the scan finds
// no hot shard for that id on the record's date, the usual causes are a
// time zone other than the project's, which moves events across midnight,
// or files that hold only part of the day. The record's line gets a
// warning naming both.
void ScanRun::checkRecordsAgainstFindings()
{
    std::set<std::tuple<std::string, std::string, Day>> hot;
    for (const PairFinding &finding : m_report.hotShards) {
        hot.emplace(finding.kind == ShardKind::User ? std::string()
                                                    : finding.groupKey,
                    finding.id, finding.day);
    }
    DayResolver days(m_settings.timeZone, m_settings.legacyProjectTime);
    for (const HotshardRecord &record : m_report.records) {
        const Day day = days.dayOf(record.timeMs);
        if (record.distinctId.empty() ||
            hot.count({record.groupKey, record.distinctId, day}) > 0)
            continue;
        const auto input =
            std::find_if(m_report.inputs.begin(), m_report.inputs.end(),
                         [&record](const InputReport &candidate) {
                             return candidate.path == record.path;
                         });
        if (input == m_report.inputs.end())
            continue;
        const std::string who =
            record.groupKey.empty()
                ? "user '" + record.distinctId + "'"
                : "group " + record.groupKey + "='" + record.distinctId + "'";
        ++input->problemCount;
        if (input->problems.size() >= kMaxProblemsPerFile)
            continue;
        input->problems.push_back(
            {Problem::Severity::Warning, record.line,
             "$hotshard_record for " + who + " on " + formatDay(day) +
                 ", but this scan finds no hot shard for it that day: check "
                 "that the time zone is the project's and that the files "
                 "hold the whole day"});
    }
}

// An empty export usually means a wrong date range or filter upstream,
// which the user should hear about rather than read as a quiet day.
void ScanRun::noteEmptyInputs()
{
    for (InputReport &input : m_report.inputs) {
        if (input.status != InputReport::Status::Ok || input.events > 0 ||
            input.problemCount > 0)
            continue;
        ++input.problemCount;
        input.problems.push_back(
            {Problem::Severity::Warning, 0,
             "the file holds no events; check the export's date range and "
             "filters"});
    }
}

void ScanRun::buildDays()
{
    m_global.days.forEach([&](std::uint64_t, const DayTotal &total) {
        m_report.days.push_back(total);
    });
    std::sort(
        m_report.days.begin(), m_report.days.end(),
        [](const DayTotal &a, const DayTotal &b) { return a.day < b.day; });
}

// Mixpanel remediates only events past the limit, in its own count of the
// day. When more events were remediated than this scan puts over the limit,
// the scan's days are not the project's: the usual causes are another time
// zone, which moves events across midnight, or files that lack part of the
// day.
void ScanRun::noteRemediatedBeyondLimit()
{
    const std::string zone =
        m_settings.legacyProjectTime
            ? std::string("legacy project time")
            : "the time zone " + (m_settings.timeZone.empty()
                                      ? std::string("UTC")
                                      : m_settings.timeZone);
    for (auto *list : {&m_report.hotShards, &m_report.nearLimit}) {
        for (PairFinding &finding : *list) {
            if (finding.remediatedEvents <= finding.overLimit)
                continue;
            const std::string over =
                finding.overLimit == 0
                    ? std::string("none is")
                    : "only " + formatCount(finding.overLimit) +
                          (finding.overLimit == 1 ? " is" : " are");
            finding.notes.push_back(
                "Mixpanel remediated " + formatCount(finding.remediatedEvents) +
                " of these events, but " + over +
                " over the limit in this scan, which used " + zone +
                ": check that this is the project's time zone and that the "
                "files hold the whole day.");
        }
    }
}

// A group key given with the scan's settings that no event carries is
// most often misspelled, and its groups would silently go unchecked.
void ScanRun::noteAbsentGroupKeys()
{
    if (m_configuredKeys == 0)
        return;
    std::vector<bool> seen = m_global.spacesSeen;
    seen.resize(m_keyOfSpace.size(), false);
    for (std::uint32_t id = 0; id < m_global.ids.size(); ++id)
        seen[m_global.ids.space(id)] = true;
    for (std::size_t space = 1; space <= m_configuredKeys; ++space) {
        if (seen[space])
            continue;
        m_report.inputNotes.push_back(
            "no event has the group key '" + m_keyOfSpace[space] +
            "', so no group of it was counted: check its spelling, which "
            "is case-sensitive");
    }
}

Report ScanRun::run(const std::vector<std::string> &paths)
{
    const std::int64_t startMs = nowMs();
    m_report.settings = m_settings;
    // A key given twice is counted once, so the report lists it once.
    m_report.settings.groupKeys.assign(
        m_keyOfSpace.begin() + 1,
        m_keyOfSpace.begin() + 1 +
            static_cast<std::ptrdiff_t>(m_configuredKeys));
    // Legacy project time ignores the time zone, so the report names none.
    if (m_settings.legacyProjectTime)
        m_report.settings.timeZone.clear();
    openInputs(paths);
    qCDebug(lcScan, "scan started: %zu files, %zu chunks, %d threads",
            m_files.size(), m_chunks.size(), m_threads);

    const CountingOptions firstOptions = firstPassOptions();
    m_tracking.user = firstOptions.userTrackFrom;
    m_tracking.group = firstOptions.groupTrackFrom;
    runCountingPass(firstOptions, true);
    // A cancel that came after the last line was read leaves the counts
    // whole. Otherwise files were read in part, and the total gives what
    // was read.
    const bool countingCut = cancelled() && markFilesCutShort();
    if (countingCut) {
        m_report.totals.bytes = 0;
        for (std::size_t file = 0; file < m_files.size(); ++file) {
            if (m_files[file].openError.empty())
                m_report.totals.bytes += m_report.inputs[file].bytes;
        }
    }
    qCDebug(lcScan,
            "counting pass done after %lld ms (%lld ms merging): %zu ids and "
            "%zu pairs merged%s",
            static_cast<long long>(nowMs() - startMs),
            static_cast<long long>(m_mergeMs), m_global.ids.size(),
            m_global.pairs.size(), memoryUse().c_str());
    const bool recordKeysCounted = countRecordGroupKeys();
    if (!countingCut && !recordKeysCounted)
        markRecordKeysCutShort();
    const bool countsComplete = !countingCut && recordKeysCounted;
    if (countsComplete) {
        flagPairs();
        qCDebug(lcScan, "pairs flagged after %lld ms",
                static_cast<long long>(nowMs() - startMs));
        if (!m_flagged.empty())
            runEvidencePass();
    }
    m_checkpoints = {};
    m_trackedPairs = {};
    m_blockEvidence = {};
    m_blockCoverage = {};
    qCDebug(lcScan, "evidence pass done after %lld ms: %zu flagged pairs%s",
            static_cast<long long>(nowMs() - startMs), m_flagged.size(),
            memoryUse().c_str());
    m_report.cancelled = cancelled();
    m_report.countsComplete = countsComplete;
    if (countsComplete)
        noteEmptyInputs();
    const Totals readTotals = m_report.totals;
    m_report.totals = m_global.totals;
    m_report.totals.bytes = readTotals.bytes;
    if (countsComplete) {
        // Evidence cut short by a cancel would misstate duplicates and
        // causes, so a cancelled scan lists its pairs without it.
        buildFindings(!m_report.cancelled);
        checkRecordsAgainstFindings();
        noteRemediatedBeyondLimit();
        noteAbsentGroupKeys();
    }
    listIdProblems();
    if (m_settings.listEveryId)
        buildVolumes();
    else
        releaseLater(std::exchange(m_global.pairs, {}));
    buildDays();
    m_report.groupKeys.assign(m_keyOfSpace.begin() + 1, m_keyOfSpace.end());
    qCDebug(lcScan, "report built after %lld ms%s",
            static_cast<long long>(nowMs() - startMs), memoryUse().c_str());
    m_report.elapsedSeconds = static_cast<double>(nowMs() - startMs) / 1000.0;
    qCDebug(lcScan, "scan finished: %lld events in %.2f s",
            static_cast<long long>(m_report.totals.events),
            m_report.elapsedSeconds);
    return std::move(m_report);
}

constexpr std::size_t kMaxNotesPerFolder = 10;

/// Returns the start of a file that begins with a JSON object, from its
/// first key on, or an empty text for any other file.
std::string objectStart(const std::filesystem::path &path)
{
    std::ifstream stream(path, std::ios::binary);
    char head[64] = {};
    stream.read(head, sizeof head);
    std::string_view text(head, static_cast<std::size_t>(stream.gcount()));
    const std::size_t start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || text[start] != '{')
        return {};
    text.remove_prefix(start + 1);
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    return first == std::string_view::npos ? std::string()
                                           : std::string(text.substr(first));
}

constexpr std::string_view kReportFirstKey = "\"schema_version\"";
/// The first key of each line of the rejects file of `hotshard fix`, which
/// it writes next to its output, by default as OUTPUT.rejects.ndjson.
constexpr std::string_view kRejectsFirstKey = "\"reason\"";

/// Whether the file starts like a JSON report of this program, which a
/// folder may hold when a report was saved next to the exports.
bool isScanReport(const std::filesystem::path &path)
{
    return objectStart(path).starts_with(kReportFirstKey);
}

/// Whether a .txt file starts like the summary that `hotshard scan` prints,
/// which a shell redirect may have saved next to the exports.
bool isScanSummary(const std::filesystem::path &path)
{
    if (lowercase(path.extension().string()) != ".txt")
        return false;
    std::ifstream stream(path, std::ios::binary);
    char head[16] = {};
    stream.read(head, sizeof head);
    return std::string_view(head, static_cast<std::size_t>(stream.gcount()))
        .starts_with("Scanned ");
}

/// Whether the file is output of this program rather than an export: a
/// report or summary of a scan, or a rejects file of a fix. The two JSON
/// kinds share one read of the file's start.
bool isSavedOutput(const std::filesystem::path &path)
{
    const std::string start = objectStart(path);
    return start.starts_with(kReportFirstKey) ||
           start.starts_with(kRejectsFirstKey) || isScanSummary(path);
}

/// Joins up to three names, then the number of names left out.
std::string someNames(const std::vector<std::string> &names)
{
    std::string text;
    for (std::size_t i = 0; i < names.size() && i < 3; ++i)
        text += (i == 0 ? "" : ", ") + names[i];
    if (names.size() > 3)
        text += " and " + std::to_string(names.size() - 3) + " more";
    return text;
}

/// The entries of one folder, sorted into what a scan reads and what it
/// leaves out.
struct FolderEntries {
    std::vector<std::string> exports;
    std::vector<std::string> subfolders;
    std::vector<std::string> hidden;
    std::vector<std::string> otherNames;
    std::vector<std::string> savedOutput;
    /// Pipes, sockets and devices, which are not opened.
    std::vector<std::string> special;
};

FolderEntries sortFolder(std::filesystem::directory_iterator entries)
{
    FolderEntries sorted;
    std::error_code error;
    for (const std::filesystem::directory_entry &entry : entries) {
        const std::string name = entry.path().filename().string();
        if (entry.is_directory(error))
            sorted.subfolders.push_back(entry.path().string());
        else if (!entry.is_regular_file(error) && entry.exists(error))
            sorted.special.push_back(name);
        else if (!entry.is_regular_file(error) || name == "manifest.json" ||
                 name == "job.json")
            continue;
        else if (!hasExportSuffix(name))
            sorted.otherNames.push_back(name);
        else if (name.starts_with('.'))
            sorted.hidden.push_back(name);
        else if (isSavedOutput(entry.path()))
            sorted.savedOutput.push_back(entry.path().string());
        else
            sorted.exports.push_back(entry.path().string());
    }
    for (auto *list :
         {&sorted.exports, &sorted.subfolders, &sorted.hidden,
          &sorted.otherNames, &sorted.savedOutput, &sorted.special})
        std::sort(list->begin(), list->end());
    return sorted;
}

/// Adds the export files directly in `folder` to `files`, sorted by name,
/// and notes what it leaves out. A folder that cannot be read goes to
/// `unreadable` with the reason.
void listFolder(const std::string &folder, std::vector<std::string> &files,
                std::vector<std::string> &notes,
                std::vector<std::pair<std::string, std::string>> &unreadable)
{
    std::error_code error;
    std::filesystem::directory_iterator entries(folder, error);
    if (error) {
        unreadable.emplace_back(folder, error.message());
        return;
    }
    const FolderEntries sorted = sortFolder(std::move(entries));
    files.insert(files.end(), sorted.exports.begin(), sorted.exports.end());
    for (const std::string &output : sorted.savedOutput)
        notes.push_back(output +
                        " is a report or summary of hotshard scan, or a "
                        "rejects file of hotshard fix, not an export, so it "
                        "was skipped");
    for (std::size_t i = 0; i < sorted.subfolders.size(); ++i) {
        if (i == kMaxNotesPerFolder) {
            notes.push_back("folder " + folder + " has " +
                            std::to_string(sorted.subfolders.size() - i) +
                            " more subfolders that were not read");
            break;
        }
        notes.push_back("subfolder " + sorted.subfolders[i] +
                        " was not read: name it as an input to scan it");
    }
    if (!sorted.hidden.empty())
        notes.push_back("folder " + folder + ": hidden files were skipped (" +
                        someNames(sorted.hidden) +
                        "): name them as inputs to scan them");
    if (!sorted.otherNames.empty())
        notes.push_back("folder " + folder +
                        ": files were skipped because "
                        "their names do not end in .json, .ndjson, .jsonl, "
                        ".gz or .txt (" +
                        someNames(sorted.otherNames) + ")");
    if (!sorted.special.empty())
        notes.push_back("folder " + folder +
                        ": pipes, sockets and devices were skipped (" +
                        someNames(sorted.special) +
                        "): save their data to a file to scan it");
    if (sorted.exports.empty() && sorted.hidden.empty())
        notes.push_back("folder " + folder +
                        " holds no export files (names ending in .json, "
                        ".ndjson, .jsonl, .gz or .txt)");
}

} // namespace

std::string inputListingError(const InputListing &listing)
{
    if (!listing.unreadableFolders.empty()) {
        const auto &[folder, reason] = listing.unreadableFolders.front();
        return "cannot read folder " + folder + ": " + reason +
               ". Check its permissions, or name its files instead.";
    }
    if (!listing.files.empty())
        return {};
    std::string message = "no export file to read";
    for (const std::string &note : listing.notes)
        message += (&note == &listing.notes.front() ? ": " : "; ") + note;
    return message + ". Name export files, or folders that contain them.";
}

std::optional<FileIdentity> fileIdentity(const std::string &path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        return std::nullopt;
    return FileIdentity(info.st_dev, info.st_ino);
}

InputListing listInputFiles(const std::vector<std::string> &paths)
{
    namespace fs = std::filesystem;
    InputListing listing;
    std::vector<std::string> named;
    for (const std::string &path : paths) {
        std::error_code error;
        if (fs::is_directory(path, error))
            listFolder(path, named, listing.notes, listing.unreadableFolders);
        // Opening a pipe to look at its start would wait for a writer, and
        // would take bytes from it, so only regular files are checked.
        else if (fs::is_regular_file(path, error) && isScanReport(path))
            listing.notes.push_back(path +
                                    " is a report of hotshard scan, not an "
                                    "export, so it was skipped");
        else
            named.push_back(path);
    }
    // Each file's place in the list, by identity.
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> seen;
    for (const std::string &path : named) {
        const auto identity = fileIdentity(path);
        const auto [earlier, added] =
            identity ? seen.emplace(*identity, listing.files.size())
                     : std::pair{seen.end(), true};
        if (added) {
            listing.files.push_back(path);
            continue;
        }
        std::string &readPath = listing.files[earlier->second];
        std::error_code error;
        // Crossings cite the path that was read, so a link gives way to the
        // file itself when both are named.
        std::string repeat = path;
        if (fs::is_symlink(readPath, error) && !fs::is_symlink(path, error))
            std::swap(readPath, repeat);
        listing.notes.push_back(
            repeat == readPath ? repeat + " is named twice, so it was read once"
                               : repeat + " is the same file as " + readPath +
                                     ", so it was read once");
    }
    return listing;
}

Report scan(const std::vector<std::string> &paths, const ScanSettings &settings,
            ScanControl *control)
{
    validateSettings(settings);
    ScanRun run(settings, control);
    return run.run(paths);
}

} // namespace hsi
