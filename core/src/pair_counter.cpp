#include "pair_counter.h"

#include "evidence.h"
#include "hsi/printable.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <optional>
#include <simdjson.h>
#include <span>

namespace hsi::detail {

namespace {

constexpr std::size_t kSnippetLength = 80;

/// Returns the start of `text` for a message, cut before a whole UTF-8
/// sequence. Control characters are kept, so that the summary and the
/// desktop program escape them as they escape ids.
std::string snippetOf(std::string_view text)
{
    const std::string_view head = utf8Prefix(text, kSnippetLength);
    if (head.size() == text.size())
        return std::string(text);
    return std::string(head) + "...";
}

/// Describes a line that is not UTF-8 text, which no export contains, or
/// returns nothing. Quoting such a line would print noise.
std::optional<std::string> notTextReason(std::string_view text)
{
    // A file compressed twice inflates to a second gzip stream.
    if (text.starts_with("\x1f\x8b"))
        return "gzip data, not a line of text: the file is probably "
               "compressed twice; decompress it once (gunzip -c FILE > "
               "NEW.json.gz) and scan the result";
    if (text.find('\0') != std::string_view::npos)
        return "binary data, not a line of text: check that the file is a "
               "Mixpanel export";
    if (!simdjson::validate_utf8(text.data(), text.size()))
        return "the line is not UTF-8 text, which JSON requires: check the "
               "file's encoding";
    return std::nullopt;
}

/// True for times from 2000 to 2099. Mixpanel started in 2009, so a time
/// outside these years is almost always a wrong unit or a broken clock.
bool isPlausibleTime(std::int64_t ms)
{
    constexpr std::int64_t kStartOf2000 = 946'684'800'000LL;
    constexpr std::int64_t kStartOf2100 = 4'102'444'800'000LL;
    return ms >= kStartOf2000 && ms < kStartOf2100;
}

/// Mixpanel's Export API can end a body with this text instead of the rest of
/// the events when the export stops early.
constexpr std::string_view kCutShortText = "export terminated early";

bool isExportCutShort(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    if (text.size() < kCutShortText.size())
        return false;
    for (std::size_t i = 0; i < kCutShortText.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) !=
            kCutShortText[i])
            return false;
    }
    return true;
}

/// Formats the UTC date of a usable time, which the parser keeps within
/// the years 0001 to 9999.
std::string formatUtcDay(std::int64_t ms)
{
    constexpr std::int64_t kMsPerDay = 86'400'000LL;
    const std::int64_t days = ms / kMsPerDay - (ms % kMsPerDay < 0 ? 1 : 0);
    return formatDay(static_cast<Day>(days)) + " (UTC)";
}

/// Adds events to a chunk's id and pair tables in batches. With a million
/// ids, each addition waits on three cache misses in turn: the id's slot,
/// its record, then the pair's slot. Events are queued as they are parsed.
/// A full batch then takes each of these steps for all its events before
/// the next step, so the loads of one step are in flight together.
class PairPipeline {
public:
    explicit PairPipeline(ChunkCounts &counts) : m_counts(counts)
    {
        m_texts.reserve(kBatch * 64);
    }

    /// Tracks pairs that reach the given event numbers in `early`.
    void trackInto(EarlyEvidence *early, std::int64_t userFrom,
                   std::int64_t groupFrom)
    {
        m_early = early;
        m_userTrackFrom = userFrom;
        m_groupTrackFrom = groupFrom;
    }

    /// Queues the event and returns whether its pair may be tracked.
    bool add(std::uint32_t space, const IdValue &id, Day day, bool remediated)
    {
        Pending &pending = m_batch[m_queued++];
        pending.space = space;
        // The line the id points into may be reused before the batch is
        // added, so the pipeline keeps its own copy.
        pending.textBegin = static_cast<std::uint32_t>(m_texts.size());
        pending.textLength = static_cast<std::uint32_t>(id.text.size());
        m_texts.append(id.text);
        pending.numeric = id.kind == IdKind::Number;
        pending.day = day;
        pending.remediated = remediated;
        pending.hash = IdInterner::hashOf(space, id.text);
        m_counts.ids.prefetch(pending.hash);
        const bool mayTrack = m_early && m_early->mayTrack(pending.hash, day);
        if (m_queued == kBatch)
            flush();
        return mayTrack;
    }

    /// Adds the queued events; call before reading the counts.
    void flush()
    {
        const std::span<Pending> batch(m_batch.data(), m_queued);
        for (const Pending &pending : batch)
            m_counts.ids.prefetchRecord(pending.hash);
        for (Pending &pending : batch)
            intern(pending);
        for (const Pending &pending : batch)
            count(pending);
        m_queued = 0;
        m_texts.clear();
    }

private:
    struct Pending {
        std::uint64_t hash = 0;
        std::uint64_t pairKey = 0;
        std::uint32_t textBegin = 0;
        std::uint32_t textLength = 0;
        std::uint32_t space = 0;
        Day day = 0;
        bool numeric = false;
        bool remediated = false;
    };
    /// Events per batch. A core keeps roughly ten to twenty loads from memory
    /// in flight, so a larger batch gains nothing: 16, 32 and 64 measured
    /// the same on the benchmark corpus.
    static constexpr std::size_t kBatch = 32;

    std::string_view textOf(const Pending &pending) const
    {
        return std::string_view(m_texts).substr(pending.textBegin,
                                                pending.textLength);
    }

    void intern(Pending &pending)
    {
        const std::size_t before = m_counts.ids.size();
        const std::uint32_t index =
            m_counts.ids.intern(pending.space, textOf(pending), pending.hash);
        if (m_counts.ids.size() != before)
            m_counts.numericIds.push_back(pending.numeric ? 1 : 0);
        else if (pending.numeric)
            m_counts.numericIds[index] = 1;
        pending.pairKey = pairKey(index, pending.day);
        m_counts.pairs.prefetch(pending.pairKey);
    }

    void count(const Pending &pending)
    {
        GlobalPair &pair = m_counts.pairs[pending.pairKey];
        ++pair.events;
        if (pending.remediated)
            ++m_counts.remediated[pending.pairKey];
        if (m_early &&
            pair.events == (pending.space == kUserSpace ? m_userTrackFrom
                                                        : m_groupTrackFrom))
            m_early->track(pending.space, textOf(pending), pending.hash,
                           pending.day);
    }

    ChunkCounts &m_counts;
    EarlyEvidence *m_early = nullptr;
    std::int64_t m_userTrackFrom = 0;
    std::int64_t m_groupTrackFrom = 0;
    std::array<Pending, kBatch> m_batch;
    std::size_t m_queued = 0;
    /// The texts of the queued ids, one after another.
    std::string m_texts;
};

/// Counts one chunk's events; one instance per chunk and thread.
class ChunkCounter {
public:
    ChunkCounter(const InputFile &file, const CountingOptions &options,
                 ChunkCounts &counts)
        : m_file(file), m_options(options), m_counts(counts),
          m_parser(ParseOptions{options.groupKeys, false}),
          m_days(options.timeZone, options.legacyProjectTime),
          m_keyFilter(options.groupKeys), m_pairs(counts)
    {
    }

    /// Adds the events still in flight; call before reading the counts.
    void finish() { m_pairs.flush(); }

    /// Collects the evidence of `tracked` in this block; tracks no other.
    void trackInBlock(const std::vector<TrackedKey> &tracked)
    {
        m_counts.early =
            std::make_shared<EarlyEvidence>(m_file, m_options, tracked);
        m_pairs.trackInto(m_counts.early.get(), 0, 0);
    }

    void startStep(std::int64_t begin, std::int64_t end,
                   std::int64_t linesBefore)
    {
        if (m_counts.steps.size() == 1)
            growForChunk(begin);
        // Only plain ranges have steps, so a range starts tracking here.
        // Gzip blocks get their pairs from trackInBlock() instead.
        if (m_counts.steps.empty() && m_options.userTrackFrom > 0 &&
            m_options.earlyBudget) {
            m_counts.early = std::make_shared<EarlyEvidence>(m_file, m_options);
            m_pairs.trackInto(m_counts.early.get(), m_options.userTrackFrom,
                              m_options.groupTrackFrom);
        }
        m_counts.steps.push_back({begin, end, linesBefore});
    }

    /// Sets where the bytes end whose ids the tables should fit, and the
    /// maximum entries that the prediction after the first step reserves.
    void predictTables(std::int64_t end, std::size_t maxEntries)
    {
        m_predictEnd = end;
        m_maxPredictedEntries = maxEntries;
    }

    void count(std::string_view text, std::int64_t line)
    {
        if (!m_options.countEverything && !m_keyFilter.mayHoldKey(text))
            return;
        if (!m_parser.parse(text, m_event, m_error)) {
            if (m_options.countEverything)
                rejectLine(text, line);
            return;
        }
        if (m_options.countEverything && !m_event.replacedSurrogateText.empty())
            addProblem(line, Problem::Severity::Warning,
                       "the string \"" +
                           snippetOf(m_event.replacedSurrogateText) +
                           "\" has half of a UTF-16 surrogate pair, which "
                           "is read as U+FFFD; a client probably cut the "
                           "text inside an emoji");
        if (m_options.countEverything &&
            (m_event.ignoredTopLevelId || m_event.ignoredTopLevelTime ||
             m_event.ignoredEventName || !m_event.repeatedTopLevelKey.empty()))
            warnTopLevelFields(line);
        Day day = 0;
        const bool dated = resolveDay(line, day);
        if (dated && !m_counts.steps.empty()) {
            StepDays &step = m_counts.steps.back();
            step.first = std::min(step.first, day);
            step.last = std::max(step.last, day);
        }
        EarlyEvidence *early = m_counts.early.get();
        if (early)
            early->setPosition(
                m_counts.steps.empty() ? 0 : m_counts.steps.size() - 1, line);
        m_mayTrack = false;
        if (m_options.countEverything) {
            ++m_counts.totals.events;
            if (m_event.isRecord)
                addRecord(line);
            countUser(dated, day, line);
        }
        if (dated)
            countGroups(day);
        if (m_mayTrack)
            early->collect(text);
    }

private:
    // Grows the tables once, to the size the first step predicts for the
    // whole range. Growing them as they fill cost about a tenth of the
    // counting time on a range of half a million ids.
    void growForChunk(std::int64_t firstStepEnd)
    {
        const std::int64_t firstStepBegin = m_counts.steps.front().begin;
        if (firstStepEnd <= firstStepBegin || m_predictEnd <= firstStepEnd)
            return;
        const double scale =
            static_cast<double>(m_predictEnd - firstStepBegin) /
            static_cast<double>(firstStepEnd - firstStepBegin);
        growTables(m_counts.ids, m_counts.pairs, scale, m_maxPredictedEntries);
    }

    void addProblem(std::int64_t line, Problem::Severity severity,
                    std::string message)
    {
        ++m_counts.problemCount;
        keepProblem(m_counts.problems, {severity, line, std::move(message)});
    }

    void warnTopLevelFields(std::int64_t line)
    {
        if (!m_event.repeatedTopLevelKey.empty())
            addProblem(line, Problem::Severity::Warning,
                       "the key \"" + std::string(m_event.repeatedTopLevelKey) +
                           "\" appears twice in the record; the first value "
                           "was read: remove the other");
        if (m_event.ignoredEventName)
            addProblem(line, Problem::Severity::Warning,
                       "\"event_name\" beside \"event\" is ignored: the "
                       "record is read as an export record, not a JSON "
                       "Pipelines row, so \"distinct_id\" and \"time\" "
                       "come from \"properties\"");
        if (!m_event.ignoredTopLevelId && !m_event.ignoredTopLevelTime)
            return;
        const char *fields = !m_event.ignoredTopLevelTime ? "\"distinct_id\" is"
                             : !m_event.ignoredTopLevelId
                                 ? "\"time\" is"
                                 : "\"distinct_id\" and \"time\" are";
        addProblem(line, Problem::Severity::Warning,
                   std::string(fields) +
                       " outside \"properties\" and ignored, since "
                       "Mixpanel's Import API reads them only from "
                       "\"properties\"");
    }

    void rejectLine(std::string_view text, std::int64_t line)
    {
        ++m_counts.totals.skippedLines;
        m_counts.badLines = true;
        // The marker line speaks for itself, so it is not quoted, and bytes
        // that are not text would print as noise.
        std::string message;
        if (isExportCutShort(text))
            message = kExportCutShort;
        else if (const auto reason = notTextReason(text))
            message = *reason;
        else
            message = m_error + ": \"" + snippetOf(text) + '"';
        addProblem(line, Problem::Severity::Error, message);
    }

    bool resolveDay(std::int64_t line, Day &day)
    {
        const TimeValue &time = m_event.time;
        if (time.usable()) {
            if (time.status == TimeStatus::ValidFromString &&
                m_options.countEverything)
                addProblem(line, Problem::Severity::Warning,
                           "\"time\" is a string (\"" +
                               snippetOf(time.rawText) +
                               "\"); accepted as a number");
            if (time.status == TimeStatus::ValidFromIsoText &&
                m_options.countEverything)
                addProblem(line, Problem::Severity::Warning,
                           "\"time\" is a date and time as text (\"" +
                               snippetOf(time.rawText) +
                               "\"); read with its UTC offset, or as UTC "
                               "without one, while exports give seconds "
                               "since the epoch");
            if (m_options.countEverything && !isPlausibleTime(time.ms))
                addProblem(line, Problem::Severity::Warning,
                           "\"time\" gives " + formatUtcDay(time.ms) +
                               ", outside 2000 to 2099: check that the "
                               "field holds seconds or milliseconds since "
                               "the epoch");
            day = m_days.dayOf(time.ms);
            return true;
        }
        // Exports always carry a valid time, and Mixpanel's Import API
        // rejects an event without one, so such an event counts toward none
        // of Mixpanel's limits. Leaving it out of every day's count loses
        // nothing, which makes it a warning.
        if (m_options.countEverything) {
            ++m_counts.totals.undatedEvents;
            addProblem(line, Problem::Severity::Warning, undatedMessage(time));
        }
        return false;
    }

    static std::string undatedMessage(const TimeValue &time)
    {
        switch (time.status) {
        case TimeStatus::Missing:
            return "missing \"time\"; the event is counted but belongs to "
                   "no date, and Mixpanel's Import API rejects it";
        case TimeStatus::OutOfRange:
            return "invalid \"time\" value " + snippetOf(time.rawText) +
                   ": its date is outside the years 0001 to 9999; if "
                   "the value is in microseconds or nanoseconds, convert it "
                   "to milliseconds. The event belongs to no date, and "
                   "Mixpanel's Import API rejects it";
        default:
            return "invalid \"time\" value " + snippetOf(time.rawText) +
                   ": expected seconds or milliseconds since the epoch, or "
                   "an ISO 8601 date and time; the event belongs to no date, "
                   "and Mixpanel's Import API rejects it";
        }
    }

    void addRecord(std::int64_t line)
    {
        HotshardRecord record;
        record.timeMs = m_event.time.ms;
        record.distinctId = std::string(m_event.recordDistinctId);
        record.groupKey = std::string(m_event.recordGroupKey);
        record.groupDisplayName = std::string(m_event.recordGroupDisplayName);
        record.path = m_file.path;
        record.line = line;
        if (record.distinctId.empty())
            addProblem(line, Problem::Severity::Warning,
                       "a $hotshard_record event without "
                       "hotshard_distinct_id: it is listed, but names no "
                       "id; check how the export was made");
        m_counts.records.push_back(std::move(record));
    }

    void countUser(bool dated, Day day, std::int64_t line)
    {
        Totals &totals = m_counts.totals;
        IdValue id = m_event.distinctId;
        const bool remediated = m_event.isRemediated;
        if (remediated) {
            ++totals.remediatedEvents;
            const IdValue &original = m_event.originalDistinctId;
            if (original.kind == IdKind::String ||
                original.kind == IdKind::Number)
                id = original;
            else
                warnNoOriginalId(line, original.kind);
        }
        DayTotal *dayTotal = nullptr;
        if (dated) {
            dayTotal = &m_counts.days[static_cast<std::uint32_t>(day)];
            dayTotal->day = day;
            ++dayTotal->events;
            dayTotal->remediatedEvents += remediated ? 1 : 0;
        }
        // Mixpanel writes $hotshard_record without a distinct_id, so a
        // missing id there is not an id problem.
        if (m_event.isRecord && id.kind == IdKind::Missing)
            return;
        switch (id.kind) {
        case IdKind::Missing:
            ++totals.missingIds;
            return;
        case IdKind::Null:
            ++totals.nullIds;
            return;
        case IdKind::Structured:
            ++totals.structuredIds;
            return;
        default:
            break;
        }
        if (id.kind == IdKind::String && id.text.empty()) {
            ++totals.nonAttributedEvents;
            if (dayTotal)
                ++dayTotal->nonAttributedEvents;
            return;
        }
        if (dated)
            addToPair(kUserSpace, id, day, remediated);
    }

    // Without its original id, a remediated event counts under its own
    // distinct_id, usually "", and a repair cannot give it back its user.
    void warnNoOriginalId(std::int64_t line, IdKind kind)
    {
        const char *value = kind == IdKind::Missing ? "missing"
                            : kind == IdKind::Null  ? "null"
                                                    : "not a string or number";
        addProblem(line, Problem::Severity::Warning,
                   std::string("$hotshard_events with mp_original_distinct_id "
                               "") +
                       value +
                       ": counted under its distinct_id, and a repair "
                       "cannot restore its user");
    }

    void countGroups(Day day)
    {
        const auto &values = m_event.groupValues;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const GroupValue &value = values[i];
            if (value.id.empty())
                continue;
            // A list naming the same group twice still counts one event.
            const bool repeated =
                std::any_of(values.begin(), values.begin() + i,
                            [&value](const GroupValue &earlier) {
                                return earlier.keyIndex == value.keyIndex &&
                                       earlier.id == value.id;
                            });
            if (repeated)
                continue;
            const std::uint32_t space = m_options.groupSpaces[value.keyIndex];
            addToPair(
                space,
                {value.numeric ? IdKind::Number : IdKind::String, value.id},
                day, m_event.isRemediated);
        }
    }

    void addToPair(std::uint32_t space, const IdValue &id, Day day,
                   bool remediated)
    {
        m_mayTrack |= m_pairs.add(space, id, day, remediated);
    }

    const InputFile &m_file;
    const CountingOptions &m_options;
    ChunkCounts &m_counts;
    EventParser m_parser;
    DayResolver m_days;
    ParsedEvent m_event;
    std::string m_error;
    /// In a pass over only some group keys, skips lines without them.
    GroupKeyFilter m_keyFilter;
    PairPipeline m_pairs;
    /// Whether a pair of the record being counted may be tracked.
    bool m_mayTrack = false;
    std::int64_t m_predictEnd = 0;
    std::size_t m_maxPredictedEntries = 0;
};

/// The maximum entries a prediction reserves for one range of a plain file.
/// Ids repeat, so the first step can overstate a range's ids many times
/// over. This cap keeps a wrong guess to about 50 MB of slots per range.
constexpr std::size_t kMaxPredictedRangeEntries = std::size_t{1} << 20;

} // namespace

void countChunk(const InputFile &file, const Chunk &chunk,
                const CountingOptions &options, ChunkCounts &counts,
                const std::atomic<bool> *cancel, const ByteProgress &progress)
{
    ChunkCounter counter(file, options, counts);
    // The scan's first range becomes the merged table, so it is sized for
    // its whole file. Growing it during the merge of the next range moved
    // every pair while the merge waited.
    const bool becomesMerged =
        options.countEverything && chunk.fileIndex == 0 && chunk.part == 0;
    if (becomesMerged)
        counter.predictTables(file.size, kMaxPredictedMergedEntries);
    else
        counter.predictTables(chunk.end, kMaxPredictedRangeEntries);
    const RecordSink sink = [&counter](std::string_view text,
                                       std::int64_t line) {
        counter.count(text, line);
    };
    const StepStart onStep = [&counter](std::int64_t begin, std::int64_t end,
                                        std::int64_t linesBefore) {
        counter.startStep(begin, end, linesBefore);
    };
    counts.read = readChunk(file, chunk, sink, cancel, progress, onStep,
                            options.stepBytes);
    counter.finish();
}

void countBlock(const InputFile &file, const char *data, std::size_t size,
                const char *readableEnd, const CountingOptions &options,
                ChunkCounts &counts, const std::atomic<bool> *cancel,
                const std::vector<TrackedKey> *tracked)
{
    ChunkCounter counter(file, options, counts);
    if (tracked && !tracked->empty() && options.earlyBudget)
        counter.trackInBlock(*tracked);
    const RecordSink sink = [&counter](std::string_view text,
                                       std::int64_t line) {
        counter.count(text, line);
    };
    counts.read = readBlock(data, size, readableEnd, sink, cancel);
    counter.finish();
}

} // namespace hsi::detail
