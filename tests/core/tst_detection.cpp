// Detection rules: limits, crossing points, duplicates, remediated events,
// group counting, event dates in a time zone, near-limit pairs, Mixpanel's
// `$hotshard_record` history, id flags, likely causes and cancelling.

#include "hsi/report_json.h"
#include "hsi/scanner.h"
#include "test_support.h"

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTest>
#include <algorithm>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace hsi;
using namespace hsi::test;

namespace {

const std::string kDate = "2024-03-06";
const std::int64_t kNoon = utcSeconds(2024, 3, 6);

ScanSettings withUserLimit(std::int64_t limit)
{
    ScanSettings settings;
    settings.userLimit = limit;
    return settings;
}

/// One event of `id` at `time` with a unique $insert_id.
std::string eventOf(const std::string &id, std::int64_t time,
                    const std::string &extra = {})
{
    static int counter = 0;
    std::string properties =
        "\"$insert_id\":\"ins-" + std::to_string(++counter) + "\"";
    if (!extra.empty())
        properties += "," + extra;
    return eventLine("Page View", "\"" + id + "\"", std::to_string(time),
                     properties) +
           "\n";
}

/// Returns `prefix` followed by `number`.
std::string numbered(std::string prefix, std::size_t number)
{
    // Appending avoids GCC 12's false -Wrestrict warning on
    // "literal" + std::to_string().
    prefix += std::to_string(number);
    return prefix;
}

/// `count` events at `time` of ids that occur nowhere else in the test.
std::string fillerAt(std::int64_t time, int count)
{
    static int counter = 0;
    std::string text;
    for (int i = 0; i < count; ++i)
        text += eventOf(numbered("dated-", ++counter), time);
    return text;
}

/// `count` events of ids that occur nowhere else in the test.
std::string filler(int count)
{
    static int counter = 0;
    std::string text;
    for (int i = 0; i < count; ++i)
        text += eventOf("tail-" + std::to_string(++counter), kNoon);
    return text;
}

/// 50 filler events, then 30 of "hot" on kDate: a hot shard for a user
/// limit of 20.
std::string fillerThenHot()
{
    std::string text = filler(50);
    for (int i = 0; i < 30; ++i)
        text += eventOf("hot", kNoon + i);
    return text;
}

} // namespace

class TestDetection : public QObject {
    Q_OBJECT

private slots:
    void limitBoundary();
    void crossingPoint_data();
    void crossingPoint();
    void crossingLargeFile_data();
    void crossingLargeFile();
    void mergeLargeChunks_data();
    void mergeLargeChunks();
    void evidenceSkipsOtherDates_data();
    void evidenceSkipsOtherDates();
    void evidenceStopsAfterFlaggedDates();
    void evidenceFromGzipCheckpoints();
    void earlyEvidenceMatchesGzip_data();
    void earlyEvidenceMatchesGzip();
    void earlyEvidenceInGzipBlocks();
    void evidenceRereadFailureReported_data();
    void evidenceRereadFailureReported();
    void groupKeyRereadFailureReported();
    void duplicatesCounted_data();
    void duplicatesCounted();
    void evidenceEscapedId();
    void duplicateKeysKeepFirst();
    void remediatedAttributed();
    void remediatedNumericOriginal();
    void remediatedWithoutOriginal();
    void emptyIdNeverHot();
    void groupCounting();
    void recordGroupKey_data();
    void recordGroupKey();
    void recordGroupKeyInGzipSegments();
    void eventDate_data();
    void eventDate();
    void eventDateBeyondTzifList_data();
    void eventDateBeyondTzifList();
    void nearLimit_data();
    void nearLimit();
    void hotshardRecords();
    void recordsCheckedAgainstFindings();
    void idFlags();
    void idProblemEvents_data();
    void idProblemEvents();
    void idProblemsBeyondList();
    void groupIdFlags();
    void groupKeysNamedLikeFields();
    void farTimeNamesItsDate();
    void likelyCause_data();
    void likelyCause();
    void remediatedBeyondLimitNoted();
    void absentGroupKeyNoted();
    void partialMergeMatchesFull();
    void cancelled();
    void cancelledDuringEvidence();
    void cancelAfterLastLineKeepsCounts();
    void cancelledGzipCountsBytesRead();
    void cancelDuringRecordKeysMarksInputs();
    void namedPipeIsAnError();
    void manyFlaggedPairs();
    void badLineLoggedWithFileLine();
    void progressCountsEventsOnce_data();
    void progressCountsEventsOnce();
};

void TestDetection::limitBoundary()
{
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < 5; ++i)
        text += eventOf("at-limit", kNoon + i);
    for (int i = 0; i < 6; ++i)
        text += eventOf("over-limit", kNoon + i);
    const std::string path = dir.write("events.json", text);
    const Report report = scanPaths({path}, withUserLimit(5));

    QCOMPARE(report.hotShards.size(), std::size_t{1});
    QVERIFY(findPair(report.hotShards, "at-limit", kDate) == nullptr);
    const PairFinding *over = findPair(report.hotShards, "over-limit", kDate);
    QVERIFY(over != nullptr);
    QCOMPARE(over->events, std::int64_t{6});
    QCOMPARE(over->overLimit, std::int64_t{1});
    QCOMPARE(over->limit, std::int64_t{5});
    QVERIFY(over->crossing.has_value());
    QCOMPARE(over->crossing->line, std::int64_t{11});
    QCOMPARE(over->crossing->timeMs, (kNoon + 5) * 1000);
    QCOMPARE(report.hotUserShards(), std::int64_t{1});

    const PairFinding *near = findPair(report.nearLimit, "at-limit", kDate);
    QVERIFY(near != nullptr);
    QCOMPARE(near->overLimit, std::int64_t{0});
    QVERIFY(!near->crossing.has_value());
}

void TestDetection::crossingPoint_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<qint64>("chunkBytes");
    QTest::addRow("one thread") << 1 << qint64{0};
    QTest::addRow("two threads, 200-byte chunks") << 2 << qint64{200};
    QTest::addRow("two threads, 1000-byte chunks") << 2 << qint64{1000};
}

void TestDetection::crossingPoint()
{
    QFETCH(int, threads);
    QFETCH(qint64, chunkBytes);
    // Limit 6: a.json holds carol's first 4 events, so her 7th event, on
    // line 14 of b.json, crosses. Times run backwards, so the crossing
    // follows input order, not time order.
    FixtureDir dir;
    std::string first;
    for (int i = 0; i < 4; ++i)
        first += filler(5) + eventOf("carol", kNoon + 100 - i);
    std::string second = filler(3);
    for (int i = 0; i < 5; ++i)
        second += eventOf("carol", kNoon + 50 - i) + filler(4);
    const std::string a = dir.write("a.json", first);
    const std::string b = dir.write("b.json", second);

    ScanSettings settings = withUserLimit(6);
    settings.threads = threads;
    settings.chunkBytes = chunkBytes;
    const Report report = scan({a, b}, settings);

    const PairFinding *carol = findPair(report.hotShards, "carol", kDate);
    QVERIFY(carol != nullptr);
    QCOMPARE(carol->events, std::int64_t{9});
    QCOMPARE(carol->overLimit, std::int64_t{3});
    QVERIFY(carol->crossing.has_value());
    QCOMPARE(carol->crossing->path, b);
    // b.json: 3 filler lines, then carol at 4, 9, 14, 19, 24.
    QCOMPARE(carol->crossing->line, std::int64_t{14});
    QCOMPARE(carol->crossing->timeMs, (kNoon + 48) * 1000);
    QCOMPARE(report.totals.events, std::int64_t{4 * 6 + 3 + 5 * 5});
    QCOMPARE(report.hotShards.size(), std::size_t{1});
}

void TestDetection::crossingLargeFile_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<int>("threads");
    QTest::addColumn<qint64>("chunkBytes");
    QTest::addRow("gzip, one thread") << true << 1 << qint64{0};
    QTest::addRow("gzip, two threads") << true << 2 << qint64{0};
    QTest::addRow("plain, two threads, 1 MiB chunks")
        << false << 2 << qint64{1 << 20};
}

void TestDetection::crossingLargeFile()
{
    QFETCH(bool, gzip);
    QFETCH(int, threads);
    QFETCH(qint64, chunkBytes);
    // About 12 MB of text: several 4 MiB inflate blocks or 1 MiB byte
    // ranges, in two gzip members. Line numbers of the crossing, the bad
    // line and the record must not depend on how the file was split.
    constexpr int kLines = 90'000;
    std::string first;
    std::string second;
    for (int line = 1; line <= kLines; ++line) {
        std::string &text = line <= kLines / 2 ? first : second;
        if (line % 10'000 == 0)
            text += eventOf("zed", kNoon + line / 100);
        else if (line == 75'000)
            text += "export terminated early\n";
        else if (line == 85'000)
            text +=
                "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":" +
                std::to_string(kNoon) + ",\"hotshard_distinct_id\":\"zed\"}}\n";
        else
            text += filler(1);
    }
    FixtureDir dir;
    const std::string path =
        gzip
            ? dir.write("large.json.gz", gzipMember(first) + gzipMember(second))
            : dir.write("large.json", first + second);

    ScanSettings settings = withUserLimit(5);
    settings.threads = threads;
    settings.chunkBytes = chunkBytes;
    const Report report = scan({path}, settings);

    QCOMPARE(report.totals.events, std::int64_t{kLines - 1});
    QCOMPARE(report.totals.skippedLines, std::int64_t{1});
    const PairFinding *zed = findPair(report.hotShards, "zed", kDate);
    QVERIFY(zed != nullptr);
    QCOMPARE(zed->events, std::int64_t{9});
    QVERIFY(zed->crossing.has_value());
    QCOMPARE(zed->crossing->line, std::int64_t{60'000});
    QCOMPARE(zed->crossing->timeMs, (kNoon + 600) * 1000);
    QCOMPARE(report.hotShards.size(), std::size_t{1});

    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Incomplete);
    QCOMPARE(input.problems.size(), std::size_t{1});
    QCOMPARE(input.problems[0].line, std::int64_t{75'000});
    QCOMPARE(report.records.size(), std::size_t{1});
    QCOMPARE(report.records[0].line, std::int64_t{85'000});
}

void TestDetection::mergeLargeChunks_data()
{
    QTest::addColumn<int>("threads");
    QTest::addRow("one thread") << 1;
    QTest::addRow("two threads, ranges of the first part's size") << 2;
}

void TestDetection::mergeLargeChunks()
{
    QFETCH(int, threads);
    // Two ranges with enough ids and pairs that the second is merged on
    // several threads. Ids m-45000 to m-89999 are in both. m-90000 to
    // m-159999 and two flagged ids are new in the second, where m-0 to
    // m-9999 also come back on the next day. zed has five events in each
    // range, so its second one in the second range crosses limit 6.
    const std::int64_t nextDay = kNoon + 86'400;
    std::string first;
    for (int i = 0; i < 90'000; ++i) {
        first += eventOf(numbered("m-", i), kNoon);
        if (i % 20'000 == 0)
            first += eventOf("zed", kNoon);
    }
    std::int64_t line = 90'000 + 5;
    std::int64_t crossingLine = 0;
    std::string second;
    for (int i = 45'000; i < 160'000; ++i) {
        second += eventOf(numbered("m-", i), kNoon);
        ++line;
        if (i % 20'000 != 0)
            continue;
        second += eventOf("zed", kNoon + i / 100);
        ++line;
        if (i == 80'000)
            crossingLine = line;
    }
    for (int i = 0; i < 10'000; ++i)
        second += eventOf(numbered("m-", i), nextDay);
    second += eventOf("undefined", kNoon);
    second +=
        eventLine("Page View", "4611686018427387905", std::to_string(kNoon)) +
        "\n";
    FixtureDir dir;
    const std::string path = dir.write("two-ranges.json", first + second);

    ScanSettings settings = withUserLimit(6);
    settings.threads = threads;
    settings.chunkBytes = static_cast<std::int64_t>(first.size());
    const Report report = scan({path}, settings);

    QCOMPARE(report.totals.events,
             std::int64_t{90'000 + 5 + 115'000 + 5 + 10'000 + 2});
    QCOMPARE(report.ids.size(), std::size_t{160'000 + 3});
    std::int64_t attributed = 0;
    for (const IdVolume &volume : report.ids) {
        attributed += volume.totalEvents;
        if (volume.id.rfind("m-", 0) != 0)
            continue;
        const int i = std::stoi(volume.id.substr(2));
        const bool inBoth = i >= 45'000 && i < 90'000;
        const bool nextDayToo = i < 10'000;
        QCOMPARE(volume.totalEvents,
                 std::int64_t{inBoth || nextDayToo ? 2 : 1});
        QCOMPARE(volume.dayCount, nextDayToo ? 2u : 1u);
    }
    QCOMPARE(attributed, report.totals.events);
    QCOMPARE(findId(report, "undefined")->idFlags,
             std::uint32_t{IdFlagPlaceholder});
    QCOMPARE(findId(report, "4611686018427387905")->idFlags,
             std::uint32_t{IdFlagNumeric});
    QCOMPARE(findId(report, "m-90000")->idFlags, std::uint32_t{IdFlagNone});

    QCOMPARE(report.hotShards.size(), std::size_t{1});
    const PairFinding *zed = findPair(report.hotShards, "zed", kDate);
    QVERIFY(zed != nullptr);
    QCOMPARE(zed->events, std::int64_t{10});
    QVERIFY(zed->crossing.has_value());
    QCOMPARE(zed->crossing->line, crossingLine);
    QCOMPARE(zed->crossing->timeMs, (kNoon + 800) * 1000);
}

void TestDetection::evidenceSkipsOtherDates_data()
{
    QTest::addColumn<int>("threads");
    QTest::addRow("one thread") << 1;
    QTest::addRow("two threads") << 2;
}

void TestDetection::evidenceSkipsOtherDates()
{
    QFETCH(int, threads);
    // About 36 MB in date order: 3 MB of the first day with "near", 24 MB
    // of the second with neither flagged id, 9 MB of the third with "hot".
    // The evidence pass reads only the 8 MiB steps of the flagged dates, so
    // hot's crossing lies several skipped steps into the file, and its
    // events fall in more than one step.
    const std::int64_t day1 = kNoon - 86'400;
    const std::int64_t day3 = kNoon + 86'400;
    std::string text;
    std::int64_t line = 0;
    for (int i = 0; i < 6; ++i) {
        text += fillerAt(day1, 4'000) + eventOf("near", day1 + i);
        line += 4'001;
    }
    text += fillerAt(kNoon, 240'000);
    line += 240'000;
    std::int64_t crossingLine = 0;
    for (int i = 0; i < 12; ++i) {
        text += fillerAt(day3, 7'500);
        // Two of hot's events repeat the one before them, as retries do.
        const int insert = i == 4 || i == 9 ? i - 1 : i;
        text += eventLine("Sync", "\"hot\"", std::to_string(day3 + insert),
                          "\"$insert_id\":\"hot-" + std::to_string(insert) +
                              "\",\"$device_id\":\"d" + std::to_string(i % 3) +
                              "\"") +
                "\n";
        line += 7'501;
        if (i == 10)
            crossingLine = line;
    }
    FixtureDir dir;
    const std::string path = dir.write("by-date.json", text);

    ScanSettings settings = withUserLimit(10);
    settings.threads = threads;
    const Report report = scan({path}, settings);

    const PairFinding *hot = findPair(report.hotShards, "hot", "2024-03-07");
    QVERIFY(hot != nullptr);
    QCOMPARE(hot->events, std::int64_t{12});
    QCOMPARE(hot->uniqueEvents, std::int64_t{10});
    QCOMPARE(hot->evidence.distinctDevices, std::int64_t{3});
    QVERIFY(hot->crossing.has_value());
    QCOMPARE(hot->crossing->line, crossingLine);
    QCOMPARE(hot->crossing->timeMs, (day3 + 10) * 1000);

    const PairFinding *near = findPair(report.nearLimit, "near", "2024-03-05");
    QVERIFY(near != nullptr);
    QCOMPARE(near->events, std::int64_t{6});
    QCOMPARE(near->uniqueEvents, std::int64_t{6});
    QVERIFY(!near->crossing.has_value());
    QCOMPARE(report.totals.events, line);
}

void TestDetection::evidenceStopsAfterFlaggedDates()
{
    // Two gzip files in date order. The first has "early" on its first
    // date, then about 20 MB of later dates, so the evidence pass stops
    // inflating it after a few 4 MiB blocks. The second file's units must
    // keep their numbers from the counting pass, or "late"'s crossing
    // would be placed on the wrong line.
    std::string first;
    std::int64_t earlyCrossing = 0;
    std::int64_t line = 0;
    for (int i = 0; i < 8; ++i) {
        first += filler(2'000) + eventOf("early", kNoon + i);
        line += 2'001;
        if (i == 6)
            earlyCrossing = line;
    }
    for (int i = 0; i < 200'000; ++i)
        first += eventOf(numbered("later-", i), kNoon + 86'400 + i % 80'000);
    std::string second = filler(300);
    for (int i = 0; i < 7; ++i)
        second += filler(10) + eventOf("late", kNoon + 86'400 * 3 + i);
    FixtureDir dir;
    const std::string a = dir.write("a.json.gz", gzipMember(first));
    const std::string b = dir.write("b.json.gz", gzipMember(second));

    ScanSettings settings = withUserLimit(6);
    settings.threads = 2;
    const Report report = scan({a, b}, settings);

    QCOMPARE(report.hotShards.size(), std::size_t{2});
    const PairFinding *early = findPair(report.hotShards, "early", kDate);
    QVERIFY(early != nullptr);
    QCOMPARE(early->events, std::int64_t{8});
    QCOMPARE(early->uniqueEvents, std::int64_t{8});
    QVERIFY(early->crossing.has_value());
    QCOMPARE(early->crossing->path, a);
    QCOMPARE(early->crossing->line, earlyCrossing);
    const PairFinding *late = findPair(report.hotShards, "late", "2024-03-09");
    QVERIFY(late != nullptr);
    QCOMPARE(late->events, std::int64_t{7});
    QVERIFY(late->crossing.has_value());
    QCOMPARE(late->crossing->path, b);
    QCOMPARE(late->crossing->line, std::int64_t{300 + 7 * 11});
    QCOMPARE(report.totals.events, line + 200'000 + 300 + 7 * 11);
}

void TestDetection::evidenceFromGzipCheckpoints()
{
    // About 45 MB in date order, in two gzip members, so that the counting
    // pass saves checkpoints every 32 MiB and the evidence pass inflates
    // segments of the file on both threads. "nearby" has events on the first
    // date only. The second date, with neither flagged id, fills the middle.
    // "hot-sync" has events all through the third date. Both ids are long
    // enough for the evidence pass to search blocks for them instead of
    // splitting every line. The gzip report must match the report on the
    // same text uncompressed.
    const std::int64_t day1 = kNoon - 86'400;
    const std::int64_t day3 = kNoon + 86'400;
    std::string first;
    for (int i = 0; i < 6; ++i)
        first += fillerAt(day1, 9'000) + eventOf("nearby", day1 + i);
    first += fillerAt(kNoon, 100'000);
    std::string second = fillerAt(kNoon, 60'000);
    for (int i = 0; i < 12; ++i) {
        second += fillerAt(day3, 20'000) +
                  eventLine("Sync", "\"hot-sync\"", std::to_string(day3 + i),
                            "\"$insert_id\":\"hot-" + std::to_string(i % 9) +
                                "\",\"$device_id\":\"d" +
                                std::to_string(i % 4) + "\"") +
                  "\n";
    }
    QVERIFY(first.size() + second.size() > std::size_t{40} << 20);
    FixtureDir dir;
    const std::string plain = dir.write("by-date.json", first + second);
    const std::string gzip =
        dir.write("by-date.json.gz", gzipMember(first) + gzipMember(second));

    ScanSettings settings = withUserLimit(10);
    settings.threads = 2;
    const Report plainReport = scan({plain}, settings);
    const Report gzipReport = scan({gzip}, settings);

    const PairFinding *hot =
        findPair(gzipReport.hotShards, "hot-sync", "2024-03-07");
    const PairFinding *plainHot =
        findPair(plainReport.hotShards, "hot-sync", "2024-03-07");
    QVERIFY(hot != nullptr && plainHot != nullptr);
    QCOMPARE(hot->events, std::int64_t{12});
    QCOMPARE(hot->uniqueEvents, std::int64_t{12});
    QCOMPARE(hot->evidence.distinctDevices, std::int64_t{4});
    QCOMPARE(hot->evidence.topEvents.size(), std::size_t{1});
    QCOMPARE(hot->evidence.topEvents[0].name, std::string("Sync"));
    QVERIFY(hot->crossing.has_value() && plainHot->crossing.has_value());
    const std::int64_t firstLines = 6 * 9'001 + 100'000;
    QCOMPARE(hot->crossing->line, firstLines + 60'000 + 11 * 20'001);
    QCOMPARE(hot->crossing->line, plainHot->crossing->line);
    QCOMPARE(hot->crossing->timeMs, (day3 + 10) * 1000);
    QCOMPARE(hot->evidence.eventsPerMinute, plainHot->evidence.eventsPerMinute);

    const PairFinding *near =
        findPair(gzipReport.nearLimit, "nearby", "2024-03-05");
    QVERIFY(near != nullptr);
    QCOMPARE(near->events, std::int64_t{6});
    QCOMPARE(near->uniqueEvents, std::int64_t{6});
    QCOMPARE(gzipReport.totals.events, plainReport.totals.events);
}

namespace {

/// Debug messages of the scan, kept while an instance exists.
class ScanLog {
public:
    ScanLog()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("hsi.scan.debug=true"));
        s_messages.clear();
        m_previous = qInstallMessageHandler(&ScanLog::keep);
    }
    ~ScanLog()
    {
        qInstallMessageHandler(m_previous);
        QLoggingCategory::setFilterRules(QString());
    }

    /// Returns the first number captured by `pattern` in any message, or -1.
    static std::int64_t number(const QString &pattern, int group = 1)
    {
        const std::lock_guard lock(s_mutex);
        const QRegularExpression expression(pattern);
        for (const QString &message : s_messages) {
            const QRegularExpressionMatch match = expression.match(message);
            if (match.hasMatch())
                return match.captured(group).toLongLong();
        }
        return -1;
    }

private:
    static void keep(QtMsgType, const QMessageLogContext &,
                     const QString &message)
    {
        const std::lock_guard lock(s_mutex);
        s_messages.push_back(message);
    }

    static inline std::mutex s_mutex;
    static inline QStringList s_messages;
    QtMessageHandler m_previous = nullptr;
};

/// Scans `path` and sets `collected` to the number of flagged pairs whose
/// evidence the counting pass collected, from the debug log.
Report scanCountingEarly(const std::string &path, const ScanSettings &settings,
                         std::int64_t &collected)
{
    const ScanLog log;
    Report report = scan({path}, settings);
    collected = ScanLog::number(
        QStringLiteral("collected evidence for (\\d+) flagged"));
    return report;
}

/// The findings of a report as JSON text, with `path` replaced so that
/// reports of two files compare equal.
std::string findingsText(const Report &report, const std::string &path)
{
    const nlohmann::ordered_json json = reportToJson(report);
    std::string text = json["hot_shards"].dump() + json["near_limit"].dump();
    for (std::size_t at = text.find(path); at != std::string::npos;
         at = text.find(path, at))
        text.replace(at, path.size(), "FILE");
    return text;
}

} // namespace

void TestDetection::earlyEvidenceMatchesGzip_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("busyIds");
    // Flagged pairs collected early, counted once per range. One range
    // collects "late", "hot", "nearly" and both groups. Of two ranges, the
    // first collects all five and the second four, or only the second's
    // four when the first range's tracking is full.
    QTest::addColumn<int>("collectedEarly");
    QTest::addRow("one thread") << 1 << 0 << 5;
    QTest::addRow("two threads") << 2 << 0 << 9;
    QTest::addRow("two threads, tracking full") << 2 << 40 << 4;
}

void TestDetection::earlyEvidenceMatchesGzip()
{
    QFETCH(int, threads);
    QFETCH(int, busyIds);
    QFETCH(int, collectedEarly);
    // A plain file read in 16 KiB steps and 100 KB ranges, so that the
    // counting pass collects the evidence of large pairs from some line on
    // and the evidence pass reads only the steps before that line. A gzip
    // file of the same text is collected early block by block instead, a
    // separate path that earlyEvidenceInGzipBlocks checks against a file
    // read without any, so equal reports check both. With busy ids, each with
    // enough events to be tracked but too few to be flagged, the first range's
    // tracking is full before "late" grows large, so its evidence there comes
    // from the evidence pass alone.
    const std::int64_t day1 = kNoon - 86'400;
    std::string text;
    for (int round = 0; round < 8; ++round) {
        for (int busy = 0; busy < busyIds; ++busy)
            text += eventOf(numbered("busy-", busy), day1 + round);
    }
    for (int i = 0; i < 130; ++i)
        text += fillerAt(day1, 3) + eventOf("late", day1 + 100 + i);
    for (int staff = 0; staff < 20; ++staff)
        text += eventOf(numbered("staff-", staff), kNoon,
                        "\"company\":\"initech\"");
    for (int i = 0; i < 160; ++i) {
        text += fillerAt(kNoon, 4);
        // Every fifth event repeats the one before it, as a retry does,
        // and every seventh is already remediated.
        const int insert = i % 5 == 4 ? i - 1 : i;
        const std::string properties =
            "\"$insert_id\":\"hot-" + std::to_string(insert) +
            "\",\"$device_id\":\"d" + std::to_string(i % 6) +
            "\",\"mp_lib\":\"" + (i % 3 == 0 ? "python" : "web") +
            "\",\"company\":" +
            (i % 4 == 0 ? "[\"acme\",\"acme\"]" : "\"acme\"");
        text += i % 7 == 6
                    ? eventLine("$hotshard_events", "\"\"",
                                std::to_string(kNoon + insert),
                                properties +
                                    ",\"mp_original_distinct_id\":\"hot\","
                                    "\"mp_original_event_name\":\"Sync\"") +
                          "\n"
                    : eventLine("Sync", "\"hot\"",
                                std::to_string(kNoon + insert), properties) +
                          "\n";
        // "nearly" comes in runs of five lines in group "initech", which is
        // tracked first. Its collection then begins on a line of its own,
        // which the counting pass parses for the group, and that line must
        // still reach the evidence once.
        if (i % 10 == 0) {
            for (int run = 0; run < 5; ++run)
                text += eventOf("nearly", kNoon + i + run,
                                "\"company\":\"initech\"");
        }
    }
    FixtureDir plainDir;
    FixtureDir gzipDir;
    const std::string plain = plainDir.write("events.json", text);
    const std::string gzip = gzipDir.write("events.json", gzipMember(text));

    ScanSettings settings = withUserLimit(100);
    settings.groupLimit = 200;
    settings.groupKeys = {"company"};
    settings.threads = threads;
    settings.chunkBytes = threads > 1 ? 100'000 : 0;
    settings.stepBytes = 16 << 10;
    Report plainReport;
    {
        const ScanLog log;
        plainReport = scan({plain}, settings);
        QCOMPARE(ScanLog::number(
                     QStringLiteral("collected evidence for (\\d+) flagged")),
                 std::int64_t{collectedEarly});
        const std::int64_t read =
            ScanLog::number(QStringLiteral("reads (\\d+) of (\\d+) steps"), 1);
        const std::int64_t steps =
            ScanLog::number(QStringLiteral("reads (\\d+) of (\\d+) steps"), 2);
        QVERIFY(read >= 1);
        QVERIFY(read < steps);
    }
    const Report gzipReport = scan({gzip}, settings);

    const PairFinding *hot = findPair(plainReport.hotShards, "hot", kDate);
    QVERIFY(hot != nullptr);
    QCOMPARE(hot->events, std::int64_t{160});
    QCOMPARE(hot->uniqueEvents, std::int64_t{128});
    QCOMPARE(hot->evidence.distinctDevices, std::int64_t{6});
    QVERIFY(hot->crossing.has_value());
    QVERIFY(findPair(plainReport.hotShards, "late", "2024-03-05") != nullptr);
    QVERIFY(findPair(plainReport.nearLimit, "nearly", kDate) != nullptr);
    QCOMPARE(plainReport.hotShards.size(), std::size_t{2});
    QCOMPARE(plainReport.nearLimit.size(), std::size_t{3});
    QCOMPARE(findingsText(plainReport, plain), findingsText(gzipReport, gzip));
    for (std::size_t i = 0; i < plainReport.hotShards.size(); ++i)
        QCOMPARE(plainReport.hotShards[i].evidence.eventsPerMinute,
                 gzipReport.hotShards[i].evidence.eventsPerMinute);
}

void TestDetection::earlyEvidenceInGzipBlocks()
{
    // About 36 MB of text, so about nine 4 MiB gzip blocks. "hot" reaches
    // its tracking threshold in the first block, so the blocks counted
    // after that block's merge collect its evidence, and the evidence pass
    // reads "hot" only in the first few and in the block of its crossing.
    // The same events as a JSON array are read whole, without tracking, and
    // are the reference. Their lines are one later, after the "[" line.
    std::vector<std::string> lines;
    const auto addLines = [&lines](const std::string &text) {
        for (std::size_t start = 0; start < text.size();) {
            const std::size_t end = text.find('\n', start);
            lines.push_back(text.substr(start, end - start));
            start = end + 1;
        }
    };
    for (int i = 0; i < 300; ++i) {
        addLines(fillerAt(kNoon, 1'100));
        const int insert = i % 5 == 4 ? i - 1 : i;
        addLines(eventLine("Sync", "\"hot\"", std::to_string(kNoon + insert),
                           "\"$insert_id\":\"hot-" + std::to_string(insert) +
                               "\",\"$device_id\":\"d" + std::to_string(i % 7) +
                               "\",\"company\":\"acme\"") +
                 "\n");
        if (i % 3 == 0)
            addLines(eventOf("warm", kNoon + i));
    }
    std::string ndjson;
    std::string array = "[\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        ndjson += lines[i] + "\n";
        array += lines[i] + (i + 1 < lines.size() ? ",\n" : "\n");
    }
    array += "]\n";
    QVERIFY(ndjson.size() > std::size_t{32} << 20);
    FixtureDir dir;
    const std::string blocks = dir.write("blocks.json.gz", gzipMember(ndjson));
    const std::string whole = dir.write("whole.json.gz", gzipMember(array));

    ScanSettings settings = withUserLimit(200);
    settings.groupLimit = 600;
    settings.groupKeys = {"company"};
    settings.threads = 2;
    std::int64_t collected = -1;
    const Report blockReport = scanCountingEarly(blocks, settings, collected);
    // "hot", "warm" and the group, each counted once for the file.
    QCOMPARE(collected, std::int64_t{3});
    const Report wholeReport = scanCountingEarly(whole, settings, collected);
    QCOMPARE(collected, std::int64_t{0});

    const PairFinding *hot = findPair(blockReport.hotShards, "hot", kDate);
    QVERIFY(hot != nullptr);
    QCOMPARE(hot->events, std::int64_t{300});
    QCOMPARE(hot->uniqueEvents, std::int64_t{240});
    QCOMPARE(hot->evidence.distinctDevices, std::int64_t{7});
    QVERIFY(hot->crossing.has_value());
    QCOMPARE(blockReport.hotShards.size(), std::size_t{1});
    QCOMPARE(blockReport.nearLimit.size(), std::size_t{2});
    QCOMPARE(wholeReport.hotShards.size(), std::size_t{1});
    const PairFinding *wholeHot = findPair(wholeReport.hotShards, "hot", kDate);
    QVERIFY(wholeHot != nullptr && wholeHot->crossing.has_value());
    QCOMPARE(hot->crossing->line + 1, wholeHot->crossing->line);
    QCOMPARE(hot->crossing->timeMs, wholeHot->crossing->timeMs);
    for (const auto &[found, reference] :
         {std::pair{&blockReport.hotShards, &wholeReport.hotShards},
          std::pair{&blockReport.nearLimit, &wholeReport.nearLimit}}) {
        QCOMPARE(found->size(), reference->size());
        for (std::size_t i = 0; i < found->size(); ++i) {
            const PairFinding &a = (*found)[i];
            const PairFinding &b = (*reference)[i];
            QCOMPARE(a.id, b.id);
            QCOMPARE(a.events, b.events);
            QCOMPARE(a.uniqueEvents, b.uniqueEvents);
            QCOMPARE(a.evidence.distinctDevices, b.evidence.distinctDevices);
            QCOMPARE(a.evidence.distinctUsers, b.evidence.distinctUsers);
            QCOMPARE(a.evidence.duplicates, b.evidence.duplicates);
            QCOMPARE(a.evidence.eventsPerMinute, b.evidence.eventsPerMinute);
            QCOMPARE(a.likelyCauseText, b.likelyCauseText);
        }
    }
}

void TestDetection::evidenceRereadFailureReported_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QString>("reason");
    QTest::addRow("gzip") << true << QStringLiteral("truncated");
    QTest::addRow("plain") << false << QStringLiteral("changed size");
}

void TestDetection::evidenceRereadFailureReported()
{
    QFETCH(bool, gzip);
    QFETCH(QString, reason);
    // The file is cut short after the counting pass, before the evidence
    // pass reads it again. The counts stand, and a problem of the file
    // reports that the evidence is incomplete.
    std::string text = filler(5'000);
    for (int i = 0; i < 4; ++i)
        text += eventOf("changing", kNoon + i) + filler(5'000);
    FixtureDir dir;
    const std::string bytes = gzip ? gzipMember(text) : text;
    const std::string path = dir.write("changing.json", bytes);

    ScanControl control;
    control.onProgress = [&](const ScanProgress &progress) {
        if (progress.pass == 2)
            dir.write("changing.json", bytes.substr(0, 1000));
    };
    // Two ranges of the plain file each read a piece again, and both
    // failures must give one problem.
    ScanSettings settings = withUserLimit(3);
    settings.threads = 2;
    settings.chunkBytes = static_cast<std::int64_t>(bytes.size() / 2);
    const Report report = scan({path}, settings, &control);

    const PairFinding *changing = findPair(report.hotShards, "changing", kDate);
    QVERIFY(changing != nullptr);
    QCOMPARE(changing->events, std::int64_t{4});
    const InputReport &input = report.inputs[0];
    QCOMPARE(input.events, std::int64_t{25'004});
    QCOMPARE(input.problems.size(), std::size_t{1});
    QVERIFY(input.problems[0].message.find("evidence") != std::string::npos);
    QVERIFY2(input.problems[0].message.find(reason.toStdString()) !=
                 std::string::npos,
             input.problems[0].message.c_str());
}

void TestDetection::groupKeyRereadFailureReported()
{
    // A record names the group key "squad", so a second pass reads the file
    // again to count it. The file is cut short as that pass starts: the
    // first pass's counts stand, and a problem of the file reports that the
    // group key's count is incomplete.
    std::string text;
    for (int i = 0; i < 4; ++i)
        text += filler(5'000) +
                eventOf(numbered("s", i), kNoon + i, "\"squad\":\"blue\"");
    text += "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":" +
            std::to_string(kNoon) +
            ",\"hotshard_distinct_id\":\"blue\",\"hotshard_group_key\":"
            "\"squad\"}}\n";
    FixtureDir dir;
    const std::string compressed = gzipMember(text);
    const std::string path = dir.write("squads.json.gz", compressed);

    ScanControl control;
    control.onProgress = [&](const ScanProgress &progress) {
        // The extra pass over group keys starts with no bytes read.
        if (progress.pass == 3 && progress.bytesDone == 0)
            dir.write("squads.json.gz", compressed.substr(0, 1000));
    };
    const Report report = scan({path}, ScanSettings{}, &control);

    const InputReport &input = report.inputs[0];
    QCOMPARE(input.events, std::int64_t{20'005});
    // The other problem is the record's: no hot shard for 'blue' that day.
    QCOMPARE(input.problems.size(), std::size_t{2});
    const auto reread = std::find_if(
        input.problems.begin(), input.problems.end(), [](const Problem &p) {
            return p.message.find("group keys named by") != std::string::npos;
        });
    QVERIFY(reread != input.problems.end());
    QVERIFY(reread->message.find("truncated") != std::string::npos);
}

void TestDetection::duplicatesCounted_data()
{
    QTest::addColumn<qint64>("chunkBytes");
    QTest::addRow("one thread") << qint64{0};
    QTest::addRow("two threads, 200-byte chunks") << qint64{200};
}

void TestDetection::duplicatesCounted()
{
    QFETCH(qint64, chunkBytes);
    // Six copies of one event and four distinct events: 10 events, 5 unique.
    FixtureDir dir;
    const std::string copy =
        eventLine("Purchase", "\"dave\"", std::to_string(kNoon),
                  "\"$insert_id\":\"same\"") +
        "\n";
    std::string text;
    for (int i = 0; i < 6; ++i)
        text += copy + filler(1);
    text += eventOf("dave", kNoon) + eventOf("dave", kNoon);
    // Same $insert_id and time, but another event name or time: not copies.
    text += eventLine("Refund", "\"dave\"", std::to_string(kNoon),
                      "\"$insert_id\":\"same\"") +
            "\n";
    text += eventLine("Purchase", "\"dave\"", std::to_string(kNoon + 1),
                      "\"$insert_id\":\"same\"") +
            "\n";
    const std::string path = dir.write("events.json", text);
    const Report report = scanPaths({path}, withUserLimit(4), chunkBytes);

    const PairFinding *dave = findPair(report.hotShards, "dave", kDate);
    QVERIFY(dave != nullptr);
    QCOMPARE(dave->events, std::int64_t{10});
    QCOMPARE(dave->uniqueEvents, std::int64_t{5});
    QCOMPARE(dave->evidence.duplicates, std::int64_t{5});
    QCOMPARE(dave->overLimit, std::int64_t{6});
    QCOMPARE(dave->crossing->line, std::int64_t{9});
}

void TestDetection::evidenceEscapedId()
{
    // "al\u0069ce-long" and "alice-long" are the same JSON string, so all
    // five events, each from its own device, belong to one hot pair.
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < 5; ++i) {
        const std::string id =
            i % 2 ? "\"al\\u0069ce-long\"" : "\"alice-long\"";
        text +=
            eventLine("Page View", id, std::to_string(kNoon),
                      "\"$insert_id\":\"x" + std::to_string(i) +
                          "\",\"$device_id\":\"d" + std::to_string(i) + "\"") +
            "\n";
    }
    const std::string path = dir.write("events.json", text);
    const Report report = scanPaths({path}, withUserLimit(3));

    const PairFinding *alice = findPair(report.hotShards, "alice-long", kDate);
    QVERIFY(alice != nullptr);
    QCOMPARE(alice->events, std::int64_t{5});
    QCOMPARE(alice->evidence.duplicates, std::int64_t{0});
    QCOMPARE(alice->uniqueEvents, std::int64_t{5});
    QCOMPARE(alice->evidence.distinctDevices, std::int64_t{5});
    std::int64_t perMinute = 0;
    for (const std::int32_t count : alice->evidence.eventsPerMinute)
        perMinute += count;
    QCOMPARE(perMinute, std::int64_t{5});
}

void TestDetection::duplicateKeysKeepFirst()
{
    // Events that give `distinct_id` or `time` twice, before and after the
    // other key. Lines with "$hotshard_" text are parsed key by key in the
    // counting pass, and the others by a search for the two keys. The
    // evidence pass always goes key by key. Each must keep the first value,
    // or the evidence would miss events that the counts attribute to
    // "alpha".
    const std::string later = std::to_string(kNoon + 86'400);
    const std::vector<std::string> shapes = {
        "\"time\":" + std::to_string(kNoon) +
            ",\"distinct_id\":\"alpha\",\"distinct_id\":\"bravo\"",
        "\"distinct_id\":\"alpha\",\"time\":" + std::to_string(kNoon) +
            ",\"distinct_id\":\"bravo\"",
        "\"distinct_id\":\"alpha\",\"time\":" + std::to_string(kNoon) +
            ",\"time\":" + later,
    };
    std::string text;
    int insert = 0;
    for (const std::string &shape : shapes) {
        for (const char *note : {"plain", "$hotshard_note"}) {
            text += "{\"event\":\"Open\",\"properties\":{" + shape +
                    ",\"$insert_id\":\"k" + std::to_string(++insert) +
                    "\",\"note\":\"" + note + "\"}}\n";
        }
    }
    FixtureDir dir;
    const std::string path = dir.write("twice.json", text);
    const Report report = scanPaths({path}, withUserLimit(5));

    QCOMPARE(report.hotShards.size(), std::size_t{1});
    const PairFinding *alpha = findPair(report.hotShards, "alpha", kDate);
    QVERIFY(alpha != nullptr);
    QCOMPARE(alpha->events, std::int64_t{6});
    QCOMPARE(alpha->uniqueEvents, std::int64_t{6});
    QVERIFY(alpha->crossing.has_value());
    QCOMPARE(alpha->crossing->line, std::int64_t{6});
    QCOMPARE(alpha->evidence.topEvents.size(), std::size_t{1});
    QCOMPARE(alpha->evidence.topEvents[0].count, std::int64_t{6});
}

void TestDetection::remediatedAttributed()
{
    // Mixpanel blanks distinct_id on renamed events. Exports show it as "",
    // as a number or leave it out.
    const std::string props = ",\"mp_original_distinct_id\":\"eve\","
                              "\"mp_original_event_name\":\"Page View\"";
    const std::string time = std::to_string(kNoon);
    FixtureDir dir;
    const std::string text =
        eventOf("eve", kNoon) + eventOf("eve", kNoon + 1) +
        "{\"event\":\"$hotshard_events\",\"properties\":{\"time\":" + time +
        ",\"distinct_id\":\"\",\"$insert_id\":\"r1\"" + props + "}}\n" +
        "{\"event\":\"$hotshard_events\",\"properties\":{\"time\":" + time +
        ",\"distinct_id\":7,\"$insert_id\":\"r2\"" + props + "}}\n" +
        "{\"event\":\"$hotshard_events\",\"properties\":{\"time\":" + time +
        ",\"$insert_id\":\"r3\"" + props + "}}\n";
    const std::string path = dir.write("events.json", text);
    const Report report = scanPaths({path}, withUserLimit(4));

    const PairFinding *eve = findPair(report.hotShards, "eve", kDate);
    QVERIFY(eve != nullptr);
    QCOMPARE(eve->events, std::int64_t{5});
    QCOMPARE(eve->remediatedEvents, std::int64_t{3});
    QCOMPARE(eve->crossing->line, std::int64_t{5});
    QCOMPARE(report.totals.events, std::int64_t{5});
    QCOMPARE(report.totals.remediatedEvents, std::int64_t{3});
    QCOMPARE(report.totals.nonAttributedEvents, std::int64_t{0});
    QCOMPARE(report.totals.missingIds, std::int64_t{0});
    QCOMPARE(report.days[0].remediatedEvents, std::int64_t{3});
    QVERIFY(findId(report, "7") == nullptr);
    QVERIFY(findId(report, "") == nullptr);
    QCOMPARE(report.inputs[0].problemCount, std::int64_t{0});
}

void TestDetection::remediatedWithoutOriginal()
{
    // Without mp_original_distinct_id the event stays non-attributed, and
    // the line gets a warning, because a repair cannot restore its user.
    const std::string time = std::to_string(kNoon);
    const std::string text =
        "{\"event\":\"$hotshard_events\",\"properties\":{\"time\":" + time +
        ",\"distinct_id\":\"\"}}\n" +
        "{\"event\":\"$hotshard_events\",\"properties\":{\"time\":" + time +
        ",\"distinct_id\":\"\",\"mp_original_distinct_id\":null}}\n";
    FixtureDir dir;
    const Report report = scanPaths({dir.write("events.json", text)});

    QCOMPARE(report.totals.remediatedEvents, std::int64_t{2});
    QCOMPARE(report.totals.nonAttributedEvents, std::int64_t{2});
    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.problemCount, std::int64_t{2});
    QVERIFY(input.problems.at(0).severity == Problem::Severity::Warning);
    QVERIFY2(input.problems.at(0).message.find("missing") != std::string::npos,
             input.problems.at(0).message.c_str());
    QVERIFY2(input.problems.at(1).message.find("null") != std::string::npos,
             input.problems.at(1).message.c_str());
}

void TestDetection::remediatedNumericOriginal()
{
    // A numeric original id keeps its exact digits and its numeric flag.
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < 3; ++i) {
        text += "{\"event\":\"$hotshard_events\",\"properties\":{\"time\":" +
                std::to_string(kNoon) +
                ",\"distinct_id\":\"\",\"mp_original_distinct_id\":"
                "4611686018427387905,\"mp_original_event_name\":\"Login\","
                "\"$insert_id\":\"r" +
                std::to_string(i) + "\"}}\n";
    }
    const std::string path = dir.write("events.json", text);
    const Report report = scanPaths({path}, withUserLimit(2));

    const PairFinding *numeric =
        findPair(report.hotShards, "4611686018427387905", kDate);
    QVERIFY(numeric != nullptr);
    QCOMPARE(numeric->events, std::int64_t{3});
    QCOMPARE(numeric->remediatedEvents, std::int64_t{3});
    QVERIFY(numeric->idFlags & IdFlagNumeric);
    QCOMPARE(report.totals.nonAttributedEvents, std::int64_t{0});
}

void TestDetection::emptyIdNeverHot()
{
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < 6; ++i)
        text +=
            eventLine("Server Job", "\"\"", std::to_string(kNoon + i)) + "\n";
    const std::string path = dir.write("events.json", text);
    const Report report = scanPaths({path}, withUserLimit(2));

    QVERIFY(report.hotShards.empty());
    QVERIFY(report.nearLimit.empty());
    QCOMPARE(report.totals.nonAttributedEvents, std::int64_t{6});
    QCOMPARE(report.days[0].nonAttributedEvents, std::int64_t{6});
    QCOMPARE(report.days[0].events, std::int64_t{6});
    QVERIFY(findId(report, "") == nullptr);
}

void TestDetection::groupCounting()
{
    // Limit 3 per (key, group id, date): acme is hot on the 6th only, and
    // the same id under another key is counted apart.
    FixtureDir dir;
    const std::int64_t nextDay = kNoon + 86400;
    std::string text;
    for (int i = 0; i < 4; ++i)
        text += eventOf(numbered("u", i), kNoon, "\"company\":\"acme\"");
    for (int i = 0; i < 3; ++i)
        text += eventOf(numbered("u", i), nextDay, "\"company\":\"acme\"");
    for (int i = 0; i < 4; ++i)
        text += eventOf(numbered("v", i), kNoon, "\"team\":\"acme\"");
    const std::string path = dir.write("events.json", text);
    ScanSettings settings;
    settings.groupKeys = {"company", "team"};
    settings.groupLimit = 3;
    const Report report = scanPaths({path}, settings);

    QCOMPARE(report.hotGroupShards(), std::int64_t{2});
    const PairFinding *company =
        findPair(report.hotShards, "acme", kDate, "company");
    QVERIFY(company != nullptr);
    QCOMPARE(company->events, std::int64_t{4});
    QCOMPARE(company->overLimit, std::int64_t{1});
    QCOMPARE(company->crossing->line, std::int64_t{4});
    QCOMPARE(company->evidence.distinctUsers, std::int64_t{4});
    QVERIFY(findPair(report.hotShards, "acme", "2024-03-07", "company") ==
            nullptr);
    QVERIFY(findPair(report.hotShards, "acme", kDate, "team") != nullptr);
    QCOMPARE(report.hotUserShards(), std::int64_t{0});
}

void TestDetection::recordGroupKey_data()
{
    QTest::addColumn<bool>("recordInLaterFile");
    QTest::addRow("record after the events") << false;
    QTest::addRow("record in a later file") << true;
}

void TestDetection::recordGroupKey()
{
    QFETCH(bool, recordInLaterFile);
    // "team" is not configured, but a `$hotshard_record` after the events
    // names it, so its values must be counted all the same.
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < 5; ++i)
        text += eventOf(numbered("u", i), kNoon, "\"team\":[\"red\"]");
    const std::string record =
        "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":" +
        std::to_string(kNoon) +
        ",\"hotshard_distinct_id\":\"red\",\"hotshard_group_key\":"
        "\"team\",\"hotshard_group_display_name\":\"Team\"}}\n";
    std::vector<std::string> paths;
    if (recordInLaterFile) {
        paths = {dir.write("a.json", text), dir.write("b.json", record)};
    } else {
        paths = {dir.write("a.json", text + record)};
    }
    ScanSettings settings;
    settings.groupLimit = 4;
    const Report report = scanPaths(paths, settings);

    QVERIFY(std::find(report.groupKeys.begin(), report.groupKeys.end(),
                      "team") != report.groupKeys.end());
    const PairFinding *red = findPair(report.hotShards, "red", kDate, "team");
    QVERIFY(red != nullptr);
    QCOMPARE(red->events, std::int64_t{5});
    QCOMPARE(red->crossing->path, paths[0]);
    QCOMPARE(red->crossing->line, std::int64_t{5});
    QCOMPARE(report.records.size(), std::size_t{1});
    QCOMPARE(report.records[0].path, paths.back());
}

void TestDetection::recordGroupKeyInGzipSegments()
{
    // About 40 MB of gzip, so that the pass over the group key named by the
    // record inflates segments from checkpoints on both threads. "blue" has
    // one event every 20,000 lines, in every segment, and crosses its limit
    // of 17 after the first checkpoint, 32 MiB into the text.
    std::string text;
    std::int64_t line = 0;
    std::int64_t crossingLine = 0;
    for (int i = 0; i < 20; ++i) {
        text += filler(19'999) +
                eventOf(numbered("m", i), kNoon + i, "\"squad\":\"blue\"");
        line += 20'000;
        if (i == 17)
            crossingLine = line;
    }
    text += "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":" +
            std::to_string(kNoon) +
            ",\"hotshard_distinct_id\":\"blue\",\"hotshard_group_key\":"
            "\"squad\"}}\n";
    QVERIFY(text.size() > std::size_t{36} << 20);
    FixtureDir dir;
    const std::string plain = dir.write("squads.json", text);
    const std::string gzip = dir.write("squads.json.gz", gzipMember(text));

    QVERIFY(text.size() / 20 * 17 > std::size_t{32} << 20);
    ScanSettings settings;
    settings.groupLimit = 17;
    settings.threads = 2;
    for (const std::string &path : {plain, gzip}) {
        const Report report = scan({path}, settings);
        const PairFinding *blue =
            findPair(report.hotShards, "blue", kDate, "squad");
        QVERIFY2(blue != nullptr, path.c_str());
        QCOMPARE(blue->events, std::int64_t{20});
        QVERIFY(blue->crossing.has_value());
        QCOMPARE(blue->crossing->line, crossingLine);
        QCOMPARE(blue->crossing->timeMs, (kNoon + 17) * 1000);
        QCOMPARE(report.inputs[0].problemCount, std::int64_t{0});
    }
}

void TestDetection::eventDate_data()
{
    QTest::addColumn<QString>("timeZone");
    QTest::addColumn<bool>("legacy");
    QTest::addColumn<QStringList>("dates");
    // The instants are 07:59:59 and 08:00:00 UTC on 2024-03-10 (midnight
    // PST) and 06:59:59 and 07:00:00 UTC on 2024-03-11 (midnight PDT). US
    // clocks moved from 02:00 PST to 03:00 PDT on 2024-03-10.
    QTest::addRow("UTC") << QStringLiteral("UTC") << false
                         << QStringList{QStringLiteral("2024-03-10"),
                                        QStringLiteral("2024-03-10"),
                                        QStringLiteral("2024-03-11"),
                                        QStringLiteral("2024-03-11")};
    QTest::addRow("Los Angeles across DST")
        << QStringLiteral("America/Los_Angeles") << false
        << QStringList{
               QStringLiteral("2024-03-09"), QStringLiteral("2024-03-10"),
               QStringLiteral("2024-03-10"), QStringLiteral("2024-03-11")};
    QTest::addRow("legacy project time")
        << QStringLiteral("America/Los_Angeles") << true
        << QStringList{
               QStringLiteral("2024-03-10"), QStringLiteral("2024-03-10"),
               QStringLiteral("2024-03-11"), QStringLiteral("2024-03-11")};
}

void TestDetection::eventDate()
{
    QFETCH(QString, timeZone);
    QFETCH(bool, legacy);
    QFETCH(QStringList, dates);
    const std::vector<std::int64_t> times = {
        utcSeconds(2024, 3, 10, 7, 59, 59), utcSeconds(2024, 3, 10, 8),
        utcSeconds(2024, 3, 11, 6, 59, 59), utcSeconds(2024, 3, 11, 7)};
    FixtureDir dir;
    std::string text;
    for (std::size_t i = 0; i < times.size(); ++i)
        text += eventOf(numbered("id", i), times[i]);
    const std::string path = dir.write("events.json", text);
    ScanSettings settings;
    settings.timeZone = timeZone.toStdString();
    settings.legacyProjectTime = legacy;
    const Report report = scanPaths({path}, settings);

    for (std::size_t i = 0; i < times.size(); ++i) {
        const std::string id = numbered("id", i);
        const QString date = dates[static_cast<int>(i)];
        QVERIFY2(idEventsOn(report, id, date.toStdString()) == 1,
                 qPrintable(QString::fromStdString(id) +
                            QStringLiteral(" on ") + date));
    }
    // Legacy project time ignores the zone, so the report names none.
    const std::string reportedZone = legacy ? "" : timeZone.toStdString();
    QCOMPARE(report.settings.timeZone, reportedZone);
}

void TestDetection::eventDateBeyondTzifList_data()
{
    // TZif files list transitions up to 2037 and give a rule for later
    // years. Each time is half an hour or less from local midnight, so its
    // date shows whether the zone was on daylight saving time.
    QTest::addColumn<QString>("timeZone");
    QTest::addColumn<QList<qint64>>("times");
    QTest::addColumn<QStringList>("dates");
    // US clocks move forward on 2040-03-11 and back on 2040-11-04.
    QTest::addRow("New York")
        << QStringLiteral("America/New_York")
        << QList<qint64>{utcSeconds(2037, 7, 1, 4, 30),
                         utcSeconds(2038, 7, 1, 4, 30),
                         utcSeconds(2040, 3, 11, 4, 30),
                         utcSeconds(2040, 3, 12, 4, 30),
                         utcSeconds(2040, 11, 4, 4, 30),
                         utcSeconds(2040, 11, 5, 4, 30)}
        << QStringList{
               QStringLiteral("2037-07-01"), QStringLiteral("2038-07-01"),
               QStringLiteral("2040-03-10"), QStringLiteral("2040-03-12"),
               QStringLiteral("2040-11-04"), QStringLiteral("2040-11-04")};
    // Lord Howe Island moves half an hour: from +11:00 to +10:30 on
    // 2041-04-07 and back on 2041-10-06.
    QTest::addRow("Lord Howe") << QStringLiteral("Australia/Lord_Howe")
                               << QList<qint64>{utcSeconds(2041, 4, 6, 13, 15),
                                                utcSeconds(2041, 4, 7, 13, 15),
                                                utcSeconds(2041, 10, 5, 13, 15),
                                                utcSeconds(2041, 10, 6, 13, 15)}
                               << QStringList{QStringLiteral("2041-04-07"),
                                              QStringLiteral("2041-04-07"),
                                              QStringLiteral("2041-10-05"),
                                              QStringLiteral("2041-10-07")};
    // Sydney moves from +11:00 to +10:00 on 2042-04-06 and back on
    // 2042-10-05.
    QTest::addRow("Sydney") << QStringLiteral("Australia/Sydney")
                            << QList<qint64>{utcSeconds(2042, 4, 5, 13, 30),
                                             utcSeconds(2042, 4, 6, 13, 30),
                                             utcSeconds(2042, 10, 4, 13, 30),
                                             utcSeconds(2042, 10, 5, 13, 30)}
                            << QStringList{QStringLiteral("2042-04-06"),
                                           QStringLiteral("2042-04-06"),
                                           QStringLiteral("2042-10-04"),
                                           QStringLiteral("2042-10-06")};
    QTest::addRow("Tokyo, without DST")
        << QStringLiteral("Asia/Tokyo")
        << QList<qint64>{utcSeconds(2045, 6, 30, 14, 30),
                         utcSeconds(2045, 6, 30, 15)}
        << QStringList{QStringLiteral("2045-06-30"),
                       QStringLiteral("2045-07-01")};
    // Times outside 1970 to 2100 take their offsets from the zone too.
    QTest::addRow("New York before 1970 and after 2100")
        << QStringLiteral("America/New_York")
        << QList<qint64>{utcSeconds(1969, 7, 1, 4, 30),
                         utcSeconds(2150, 7, 1, 4, 30),
                         utcSeconds(2150, 12, 1, 4, 30)}
        << QStringList{QStringLiteral("1969-07-01"),
                       QStringLiteral("2150-07-01"),
                       QStringLiteral("2150-11-30")};
}

void TestDetection::eventDateBeyondTzifList()
{
    QFETCH(QString, timeZone);
    QFETCH(QList<qint64>, times);
    QFETCH(QStringList, dates);
    FixtureDir dir;
    std::string text;
    for (qsizetype i = 0; i < times.size(); ++i)
        text += eventOf(numbered("id", static_cast<std::size_t>(i)), times[i]);
    const std::string path = dir.write("events.json", text);
    ScanSettings settings;
    settings.timeZone = timeZone.toStdString();
    const Report report = scanPaths({path}, settings);

    for (qsizetype i = 0; i < times.size(); ++i) {
        const std::string id = numbered("id", static_cast<std::size_t>(i));
        const QString &date = dates[i];
        QVERIFY2(idEventsOn(report, id, date.toStdString()) == 1,
                 qPrintable(QString::fromStdString(id) +
                            QStringLiteral(" on ") + date));
    }
}

void TestDetection::nearLimit_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<double>("fraction");
    QTest::addColumn<int>("events");
    QTest::addColumn<bool>("near");
    QTest::addRow("6 of 10 at 0.5") << 10 << 0.5 << 6 << true;
    QTest::addRow("4 of 10 at 0.5") << 10 << 0.5 << 4 << false;
    QTest::addRow("9 of 10 at 0.8") << 10 << 0.8 << 9 << true;
    QTest::addRow("7 of 10 at 0.8") << 10 << 0.8 << 7 << false;
    QTest::addRow("10 of 10 at 0.8") << 10 << 0.8 << 10 << true;
    QTest::addRow("11 of 10 is hot, not near") << 10 << 0.8 << 11 << false;
    // 0.07 * 100 is 7.000000000000001 in binary floating point.
    QTest::addRow("7 of 100 at 0.07") << 100 << 0.07 << 7 << true;
    QTest::addRow("6 of 100 at 0.07") << 100 << 0.07 << 6 << false;
}

void TestDetection::nearLimit()
{
    QFETCH(int, limit);
    QFETCH(double, fraction);
    QFETCH(int, events);
    QFETCH(bool, near);
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < events; ++i)
        text += eventOf("frank", kNoon + i);
    const std::string path = dir.write("events.json", text);
    ScanSettings settings = withUserLimit(limit);
    settings.nearLimitFraction = fraction;
    const Report report = scanPaths({path}, settings);

    const PairFinding *finding = findPair(report.nearLimit, "frank", kDate);
    QCOMPARE(finding != nullptr, near);
    if (finding) {
        QCOMPARE(finding->events, std::int64_t{events});
        QCOMPARE(finding->overLimit, std::int64_t{0});
    }
    QCOMPARE(findPair(report.hotShards, "frank", kDate) != nullptr,
             events > limit);
}

void TestDetection::hotshardRecords()
{
    FixtureDir dir;
    const std::string text =
        filler(2) +
        "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":1709726400,"
        "\"distinct_id\":\"\",\"hotshard_distinct_id\":\"static-id\"}}\n" +
        "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":"
        "1709812800123,\"hotshard_distinct_id\":\"acme\",\"hotshard_group_"
        "key\":"
        "\"company\",\"hotshard_group_display_name\":\"Company\"}}\n" +
        // Misspelt with a $, so the record names no id.
        "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":1709726400,"
        "\"$hotshard_distinct_id\":\"u1\"}}\n";
    const std::string path = dir.write("events.json", text);
    const Report report = scanPaths({path});

    QCOMPARE(report.records.size(), std::size_t{3});
    QCOMPARE(report.records[2].distinctId, std::string());
    const std::vector<Problem> &problems = report.inputs.at(0).problems;
    const auto noId =
        std::find_if(problems.begin(), problems.end(),
                     [](const Problem &problem) { return problem.line == 5; });
    QVERIFY(noId != problems.end());
    QVERIFY(noId->severity == Problem::Severity::Warning);
    QVERIFY2(noId->message.find("without hotshard_distinct_id") !=
                 std::string::npos,
             noId->message.c_str());
    const HotshardRecord &user = report.records[0];
    QCOMPARE(user.timeMs, std::int64_t{1709726400000});
    QCOMPARE(user.distinctId, std::string("static-id"));
    QCOMPARE(user.groupKey, std::string());
    QCOMPARE(user.path, path);
    QCOMPARE(user.line, std::int64_t{3});
    const HotshardRecord &group = report.records[1];
    QCOMPARE(group.timeMs, std::int64_t{1709812800123});
    QCOMPARE(group.distinctId, std::string("acme"));
    QCOMPARE(group.groupKey, std::string("company"));
    QCOMPARE(group.groupDisplayName, std::string("Company"));
    QCOMPARE(group.line, std::int64_t{4});
}

void TestDetection::recordsCheckedAgainstFindings()
{
    // Mixpanel crossed the limit of 2 for 'kiosk' at 12:00 UTC on
    // 2024-03-06. In UTC the scan agrees. In Los Angeles the two events at
    // 06:00 UTC fall on the day before, so the record finds no hot shard on
    // its date and the record's line gets a warning.
    FixtureDir dir;
    const std::int64_t early = utcSeconds(2024, 3, 6, 6);
    const std::int64_t noon = utcSeconds(2024, 3, 6, 12);
    const std::string record =
        "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":" +
        std::to_string(noon * 1000) +
        ",\"hotshard_distinct_id\":\"kiosk\",\"hotshard_group_key\":\"\"}}\n";
    const std::string text = repeatedLines("kiosk", early, 2) +
                             repeatedLines("kiosk", noon, 1) + record;
    const std::string path = dir.write("events.json", text);

    const Report utc = scanPaths({path}, withUserLimit(2));
    QCOMPARE(utc.hotShards.size(), std::size_t{1});
    QCOMPARE(utc.inputs[0].problemCount, std::int64_t{0});

    ScanSettings losAngeles = withUserLimit(2);
    losAngeles.timeZone = "America/Los_Angeles";
    const Report shifted = scanPaths({path}, losAngeles);
    QVERIFY(shifted.hotShards.empty());
    const InputReport &input = shifted.inputs[0];
    QCOMPARE(input.problemCount, std::int64_t{1});
    QVERIFY(input.problems[0].severity == Problem::Severity::Warning);
    QCOMPARE(input.problems[0].line, std::int64_t{4});
    QVERIFY2(input.problems[0].message.find("time zone") != std::string::npos,
             input.problems[0].message.c_str());
    // A warning does not make the file incomplete.
    QVERIFY(input.status == InputReport::Status::Ok);
}

void TestDetection::idFlags()
{
    struct Case {
        std::string json;
        std::string id;
        std::uint32_t flags;
    };
    const std::vector<Case> cases = {
        {"\"UNDEFINED\"", "UNDEFINED", IdFlagPlaceholder},
        {"\"None\"", "None", IdFlagPlaceholder},
        {"\"Anonymous\"", "Anonymous", IdFlagPlaceholder},
        {"\"[]\"", "[]", IdFlagPlaceholder},
        {"\"-1\"", "-1", IdFlagPlaceholder},
        {"\"NaN\"", "NaN", IdFlagPlaceholder},
        {"\"[object Object]\"", "[object Object]", IdFlagPlaceholder},
        {"0", "0", IdFlagPlaceholder | IdFlagNumeric},
        {"\"00000000-0000-0000-0000-000000000000\"",
         "00000000-0000-0000-0000-000000000000", IdFlagPlaceholder},
        {"\"user_id\"", "user_id", IdFlagLiteralName},
        {"\"Distinct_ID\"", "Distinct_ID", IdFlagLiteralName},
        // Names that share a length with other listed names.
        {"\"Group_Id\"", "Group_Id", IdFlagLiteralName},
        {"\"$user_id\"", "$user_id", IdFlagLiteralName},
        {"\"<NIL>\"", "<NIL>", IdFlagPlaceholder},
        {"\"EMAIL\"", "EMAIL", IdFlagLiteralName},
        {"\"00000000-0000-0000-0000-0000000000000\"",
         "00000000-0000-0000-0000-0000000000000", IdFlagNone},
        {"12345", "12345", IdFlagNumeric},
        {"\"alice\"", "alice", IdFlagNone},
        {"\"undefined-user\"", "undefined-user", IdFlagNone},
    };
    FixtureDir dir;
    std::string text;
    for (const Case &c : cases)
        text += eventLine("Page View", c.json, std::to_string(kNoon)) + "\n";
    const std::string path = dir.write("events.json", text);
    const Report report = scanPaths({path});

    for (const Case &c : cases) {
        const IdVolume *volume = findId(report, c.id);
        QVERIFY2(volume != nullptr, c.id.c_str());
        QVERIFY2(volume->idFlags == c.flags, c.id.c_str());
        const auto problem =
            std::find_if(report.idProblems.begin(), report.idProblems.end(),
                         [&c](const IdProblem &p) { return p.id == c.id; });
        QVERIFY2((problem != report.idProblems.end()) ==
                     (c.flags != IdFlagNone),
                 c.id.c_str());
    }

    // Without the full id list the same problems are found, in the same
    // order, from the count tables.
    ScanSettings findingsOnly;
    findingsOnly.listEveryId = false;
    const Report lean = scanPaths({path}, findingsOnly);
    QVERIFY(lean.ids.empty());
    QVERIFY(lean.idDays.empty());
    QCOMPARE(lean.idProblems.size(), report.idProblems.size());
    for (std::size_t i = 0; i < lean.idProblems.size(); ++i) {
        QCOMPARE(lean.idProblems[i].id, report.idProblems[i].id);
        QCOMPARE(lean.idProblems[i].idFlags, report.idProblems[i].idFlags);
        QCOMPARE(lean.idProblems[i].events, report.idProblems[i].events);
    }
}

void TestDetection::idProblemEvents_data()
{
    QTest::addColumn<int>("flaggedIds");
    QTest::addColumn<int>("plainIds");
    // The events of one flagged id among many pairs are summed by looking
    // up its pairs. Those of many flagged ids are summed by reading the
    // whole pair table.
    QTest::addRow("few flagged") << 1 << 200;
    QTest::addRow("many flagged") << 60 << 0;
}

void TestDetection::idProblemEvents()
{
    QFETCH(int, flaggedIds);
    QFETCH(int, plainIds);
    // Numeric id kFirstId + n sends n events on the first day, n + 1 on
    // the second and n + 2 on the third.
    constexpr int kFirstId = 1000;
    std::string text;
    for (int day = 0; day < 3; ++day) {
        const std::int64_t time = kNoon + day * 86'400;
        for (int n = 1; n <= flaggedIds; ++n) {
            for (int event = 0; event < n + day; ++event)
                text += eventLine("Page View", std::to_string(kFirstId + n),
                                  std::to_string(time)) +
                        "\n";
        }
        for (int n = 1; n <= plainIds; ++n)
            text += eventOf(numbered("plain-", n), time);
    }
    FixtureDir dir;
    ScanSettings settings;
    settings.listEveryId = false;
    const Report report = scanPaths({dir.write("events.json", text)}, settings);

    QCOMPARE(report.idProblems.size(), static_cast<std::size_t>(flaggedIds));
    QCOMPARE(report.idProblemCount, std::int64_t{flaggedIds});
    for (const IdProblem &problem : report.idProblems) {
        const int n = std::stoi(problem.id) - kFirstId;
        QCOMPARE(problem.idFlags, std::uint32_t{IdFlagNumeric});
        QCOMPARE(problem.events, std::int64_t{3 * n + 3});
    }
}

void TestDetection::idProblemsBeyondList()
{
    // One more numeric id than the list takes: the count still has it.
    std::string text;
    for (int n = 0; n < 1001; ++n)
        text += eventLine("Page View", std::to_string(5000 + n),
                          std::to_string(kNoon)) +
                "\n";
    FixtureDir dir;
    const Report report = scanPaths({dir.write("events.json", text)});

    QCOMPARE(report.idProblems.size(), std::size_t{1000});
    QCOMPARE(report.idProblemCount, std::int64_t{1001});
}

void TestDetection::groupIdFlags()
{
    // A group id equal to its own key name means set_group() got the key
    // instead of a value.
    FixtureDir dir;
    const std::string path = dir.write(
        "events.json", eventOf("u1", kNoon, "\"company\":\"Company\"") +
                           eventOf("u2", kNoon, "\"company\":\"undefined\"") +
                           eventOf("u3", kNoon, "\"company\":\"acme\""));
    ScanSettings settings;
    settings.groupKeys = {"company"};
    const Report report = scanPaths({path}, settings);

    QVERIFY(findId(report, "Company", "company") != nullptr);
    QCOMPARE(findId(report, "Company", "company")->idFlags,
             std::uint32_t{IdFlagLiteralName});
    QCOMPARE(findId(report, "undefined", "company")->idFlags,
             std::uint32_t{IdFlagPlaceholder});
    QCOMPARE(findId(report, "acme", "company")->idFlags,
             std::uint32_t{IdFlagNone});
    std::int64_t groupProblems = 0;
    for (const IdProblem &problem : report.idProblems) {
        if (problem.kind == ShardKind::Group) {
            ++groupProblems;
            QCOMPARE(problem.groupKey, std::string("company"));
            QCOMPARE(problem.events, std::int64_t{1});
        }
    }
    QCOMPARE(groupProblems, std::int64_t{2});
}

// A property the scan reads for itself, such as $device_id, can be a group
// key too: it is then counted both ways.
void TestDetection::groupKeysNamedLikeFields()
{
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < 3; ++i)
        text += eventOf("u1", kNoon,
                        "\"$device_id\":\"dev1\",\"mp_lib\":\"web\","
                        "\"event\":\"e\",\"company\":\"acme\"");
    const std::string path = dir.write("events.json", text);
    ScanSettings settings;
    settings.groupKeys = {"$device_id", "mp_lib", "event", "company"};
    settings.groupLimit = 2;
    settings.userLimit = 2;
    const Report report = scanPaths({path}, settings);

    for (const auto &[key, id] :
         std::vector<std::pair<std::string, std::string>>{
             {"$device_id", "dev1"},
             {"mp_lib", "web"},
             {"event", "e"},
             {"company", "acme"}}) {
        const PairFinding *group = findPair(report.hotShards, id, kDate, key);
        QVERIFY2(group != nullptr, key.c_str());
        QCOMPARE(group->events, std::int64_t{3});
    }
    const PairFinding *user = findPair(report.hotShards, "u1", kDate);
    QVERIFY(user != nullptr);
    QCOMPARE(user->events, std::int64_t{3});
    // The device id still counts as the user's device.
    QCOMPARE(user->evidence.distinctDevices, std::int64_t{1});
}

// 99999999999 is below the millisecond threshold, so it reads as seconds:
// a date in the year 5138, which the warning names.
void TestDetection::farTimeNamesItsDate()
{
    FixtureDir dir;
    const std::string path =
        dir.write("events.json", eventLine("A", "\"u\"", "99999999999") + "\n");
    const Report report = scanPaths({path});

    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.problems.size(), std::size_t{1});
    QVERIFY(input.problems[0].severity == Problem::Severity::Warning);
    QVERIFY2(input.problems[0].message.find("5138-11-16 (UTC), outside 2000 "
                                            "to 2099") != std::string::npos,
             input.problems[0].message.c_str());
}

void TestDetection::likelyCause_data()
{
    // `devices` fills %1 with the event number modulo it; `text` is part of
    // the explanation and `action` part of the step it gives the owner.
    QTest::addColumn<QString>("properties");
    QTest::addColumn<int>("devices");
    QTest::addColumn<bool>("sameInsertId");
    QTest::addColumn<int>("cause");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("action");
    const QString device =
        QStringLiteral("\"$device_id\":\"dev-%1\",\"mp_lib\":\"web\"");
    QTest::addRow("static id, many devices")
        << device << 20 << false
        << static_cast<int>(LikelyCause::StaticIdManyDevices)
        << QStringLiteral("20 devices sent")
        << QStringLiteral("Pass each user's own id to identify()");
    QTest::addRow("automation, one device")
        << device << 1 << false
        << static_cast<int>(LikelyCause::AutomationFewDevices)
        << QStringLiteral("from 1 device at")
        << QStringLiteral("Stop or throttle it");
    QTest::addRow("automation, three devices")
        << device << 3 << false
        << static_cast<int>(LikelyCause::AutomationFewDevices)
        << QStringLiteral("from 3 devices at")
        << QStringLiteral("Stop or throttle it");
    QTest::addRow("server side, no device")
        << QStringLiteral("\"mp_lib\":\"python\"") << 0 << false
        << static_cast<int>(LikelyCause::ServerSideOneId)
        << QStringLiteral("server-side")
        << QStringLiteral("with distinct_id \"\"");
    // A client library without $device_id gives no count of devices.
    QTest::addRow("client library, no device")
        << QStringLiteral("\"mp_lib\":\"web\"") << 0 << false
        << static_cast<int>(LikelyCause::Unknown)
        << QStringLiteral("cannot be counted")
        << QStringLiteral("Compare the events per minute");
    QTest::addRow("duplicate storm")
        << device << 20 << true << static_cast<int>(LikelyCause::DuplicateStorm)
        << QStringLiteral("repeat an earlier event")
        << QStringLiteral("sends them again and stop it");
}

void TestDetection::likelyCause()
{
    QFETCH(QString, properties);
    QFETCH(int, devices);
    QFETCH(bool, sameInsertId);
    QFETCH(int, cause);
    QFETCH(QString, text);
    QFETCH(QString, action);
    FixtureDir dir;
    std::string lines;
    for (int i = 0; i < 20; ++i) {
        const QString filled =
            devices > 0 ? properties.arg(i % devices) : properties;
        const std::string extra =
            filled.toStdString() + ",\"$insert_id\":\"" +
            (sameInsertId ? std::string("x") : std::to_string(i)) + "\"";
        lines += eventLine("Page View", "\"grace\"",
                           std::to_string(kNoon + i % 2), extra) +
                 "\n";
    }
    const std::string path = dir.write("events.json", lines);
    const Report report = scanPaths({path}, withUserLimit(10));

    const PairFinding *grace = findPair(report.hotShards, "grace", kDate);
    QVERIFY(grace != nullptr);
    QCOMPARE(static_cast<int>(grace->likelyCause), cause);
    QVERIFY2(grace->likelyCauseText.find(text.toStdString()) !=
                 std::string::npos,
             grace->likelyCauseText.c_str());
    QVERIFY2(grace->likelyCauseText.find(action.toStdString()) !=
                 std::string::npos,
             grace->likelyCauseText.c_str());

    // What to do comes last, after what an id flag adds.
    std::string flagged;
    for (int i = 0; i < 20; ++i) {
        const QString filled =
            devices > 0 ? properties.arg(i % devices) : properties;
        flagged +=
            eventLine(
                "Page View", "\"user_id\"", std::to_string(kNoon + i % 2),
                filled.toStdString() + ",\"$insert_id\":\"" +
                    (sameInsertId ? std::string("x") : std::to_string(i)) +
                    "\"") +
            "\n";
    }
    const Report flaggedReport =
        scanPaths({dir.write("flagged.json", flagged)}, withUserLimit(10));
    const PairFinding *literal =
        findPair(flaggedReport.hotShards, "user_id", kDate);
    QVERIFY(literal != nullptr);
    const std::string &explanation = literal->likelyCauseText;
    QVERIFY2(explanation.find("looks like a property name") <
                 explanation.find(action.toStdString()),
             explanation.c_str());
}

// Mixpanel remediates only events past the limit, so more remediated events
// than events over the limit mean that the scan's days are not Mixpanel's.
void TestDetection::remediatedBeyondLimitNoted()
{
    FixtureDir dir;
    std::string lines;
    for (int i = 0; i < 2; ++i)
        lines += eventOf("ivan", kNoon + i);
    for (int i = 0; i < 3; ++i)
        lines += eventLine("$hotshard_events", "\"\"", std::to_string(kNoon),
                           "\"mp_original_distinct_id\":\"ivan\","
                           "\"mp_original_event_name\":\"A\"") +
                 "\n";
    for (int i = 0; i < 5; ++i)
        lines += eventOf("judy", kNoon + i);
    const std::string path = dir.write("events.json", lines);
    ScanSettings settings = withUserLimit(4);
    settings.timeZone = "Europe/Berlin";
    const Report report = scanPaths({path}, settings);

    const PairFinding *ivan = findPair(report.hotShards, "ivan", kDate);
    QVERIFY(ivan != nullptr);
    QCOMPARE(ivan->remediatedEvents, std::int64_t{3});
    QCOMPARE(ivan->overLimit, std::int64_t{1});
    QCOMPARE(ivan->notes.size(), std::size_t{1});
    QVERIFY2(ivan->notes[0].find("remediated 3 of these events, but only 1 "
                                 "is over the limit") != std::string::npos,
             ivan->notes[0].c_str());
    QVERIFY2(ivan->notes[0].find("Europe/Berlin") != std::string::npos,
             ivan->notes[0].c_str());

    // A pair whose remediated events fit within its excess gets no note.
    const PairFinding *judy = findPair(report.hotShards, "judy", kDate);
    QVERIFY(judy != nullptr);
    QVERIFY(judy->notes.empty());
}

// A group key that no event carries is most often misspelled, so the scan
// adds a note instead of listing no groups for it.
void TestDetection::absentGroupKeyNoted()
{
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < 3; ++i)
        text += eventOf(numbered("u", i), kNoon, "\"company\":\"acme\"");
    const std::string path = dir.write("events.json", text);
    ScanSettings settings;
    settings.groupKeys = {"company", "Company"};
    const Report report = scanPaths({path}, settings);

    QCOMPARE(report.inputNotes.size(), std::size_t{1});
    QVERIFY2(report.inputNotes[0].find("group key 'Company'") !=
                 std::string::npos,
             report.inputNotes[0].c_str());
}

// Without every id's volume, the last range of a file is merged only for
// the ids that a report can list. The listed counts must equal those of a
// full merge, including pairs split across the ranges, flags seen in one
// range only and a group key found only in the last range.
void TestDetection::partialMergeMatchesFull()
{
    std::string first;
    std::string last;
    for (int i = 0; i < 3; ++i) {
        first += eventOf("split", kNoon + i);
        last += eventOf("split", kNoon + 10 + i);
    }
    for (int i = 0; i < 12; ++i)
        last += eventOf("late-hot", kNoon + i);
    first += eventOf("undefined", kNoon);
    last += eventOf("undefined", kNoon) + eventOf("undefined", kNoon + 1);
    for (int i = 0; i < 2; ++i) {
        first += eventOf("small", kNoon + i);
        last += eventOf("small", kNoon + 10 + i);
    }
    first += eventOf("4242", kNoon);
    last += eventLine("Page View", "4242", std::to_string(kNoon)) + "\n";
    last += eventOf("u-team", kNoon, "\"team\":\"t1\"");
    FixtureDir dir;
    const std::string path = dir.write("events.json", first + last);

    ScanSettings settings = withUserLimit(10);
    settings.groupKeys = {"team"};
    settings.threads = 2;
    settings.chunkBytes = static_cast<std::int64_t>(first.size());
    settings.listEveryId = false;
    const Report partial = scanPaths({path}, settings);
    settings.listEveryId = true;
    const Report full = scanPaths({path}, settings);

    const PairFinding *split = findPair(partial.nearLimit, "split", kDate);
    QVERIFY(split != nullptr);
    QCOMPARE(split->events, std::int64_t{6});
    QVERIFY(findPair(partial.nearLimit, "small", kDate) == nullptr);
    const PairFinding *hot = findPair(partial.hotShards, "late-hot", kDate);
    QVERIFY(hot != nullptr);
    QVERIFY(hot->crossing.has_value());
    QCOMPARE(hot->crossing->line, full.hotShards.at(0).crossing->line);
    QCOMPARE(partial.idProblemCount, full.idProblemCount);
    QCOMPARE(partial.idProblems.size(), full.idProblems.size());
    for (std::size_t i = 0; i < full.idProblems.size(); ++i) {
        QCOMPARE(partial.idProblems[i].id, full.idProblems[i].id);
        QCOMPARE(partial.idProblems[i].idFlags, full.idProblems[i].idFlags);
        QCOMPARE(partial.idProblems[i].events, full.idProblems[i].events);
    }
    QCOMPARE(partial.nearLimit.size(), full.nearLimit.size());
    QCOMPARE(partial.hotShards.size(), full.hotShards.size());
    QVERIFY(partial.inputNotes.empty());
}

void TestDetection::cancelled()
{
    FixtureDir dir;
    const std::string path = dir.write("events.json", filler(50));
    ScanControl control;
    control.cancelRequested = true;
    const Report report = scan({path}, ScanSettings{}, &control);

    QVERIFY(report.cancelled);
    // A scan cancelled before it started reads nothing.
    QCOMPARE(report.totals.events, std::int64_t{0});
    QCOMPARE(report.totals.bytes, std::int64_t{0});
    QVERIFY(!report.countsComplete);
    // The file was not read to its end, so its counts are partial.
    QCOMPARE(report.inputs.size(), std::size_t{1});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Incomplete);
    QCOMPARE(input.problems.size(), std::size_t{1});
    QVERIFY2(input.problems[0].message.find("cancelled") != std::string::npos,
             input.problems[0].message.c_str());
}

void TestDetection::badLineLoggedWithFileLine()
{
    // The bad line is in the second of two ranges, which number their lines
    // from their own start while counting.
    std::string text = filler(40);
    const auto half = static_cast<std::int64_t>(text.size());
    text += "[1,2]\n" + filler(40);
    FixtureDir dir;
    const std::string path = dir.write("events.json", text);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral(
                                           ":41: not a Mixpanel event")));
    const Report report = scanPaths({path}, ScanSettings{}, half);

    QCOMPARE(report.inputs.at(0).problems.at(0).line, std::int64_t{41});
}

void TestDetection::manyFlaggedPairs()
{
    // With a near-limit fraction this low every pair is flagged: 3 hot
    // ids, 20 ids with 2 events and 10,050 with 1.
    std::string text;
    for (int n = 0; n < 3; ++n)
        text += repeatedLines(numbered("hot-", n), kNoon, 12);
    for (int n = 0; n < 20; ++n)
        text += repeatedLines(numbered("two-", n), kNoon, 2);
    for (int n = 0; n < 10'050; ++n)
        text += repeatedLines(numbered("one-", n), kNoon, 1);
    FixtureDir dir;
    ScanSettings settings = withUserLimit(10);
    settings.nearLimitFraction = 0.01;
    const Report report = scanPaths({dir.write("events.json", text)}, settings);

    // Every hot pair is listed, with its evidence.
    QCOMPARE(report.hotShards.size(), std::size_t{3});
    for (const PairFinding &hot : report.hotShards)
        QCOMPARE(hot.uniqueEvents, std::int64_t{12});
    // The near-limit list keeps the pairs with the most events.
    QCOMPARE(report.nearLimitCount, std::int64_t{10'070});
    QCOMPARE(report.nearLimit.size(), std::size_t{10'000});
    QCOMPARE(report.nearLimit.front().events, std::int64_t{2});
    QVERIFY(findPair(report.nearLimit, "two-19", kDate) != nullptr);
    // Evidence goes to the first 10,000 listed pairs; the last three are
    // listed with their counts only.
    QCOMPARE(report.pairsWithoutEvidence, std::int64_t{3});
    const auto noEvidence = std::count_if(
        report.nearLimit.begin(), report.nearLimit.end(),
        [](const PairFinding &finding) {
            return finding.uniqueEvents == PairFinding::kNotDetermined;
        });
    QCOMPARE(noEvidence, std::ptrdiff_t{3});
}

void TestDetection::namedPipeIsAnError()
{
    // Nothing writes to the pipe, so opening it to read would wait forever.
    FixtureDir dir;
    const std::string pipe = dir.path("export.json");
    QCOMPARE(::mkfifo(pipe.c_str(), 0600), 0);
    const Report report = scanPaths({pipe});

    QCOMPARE(report.inputs.size(), std::size_t{1});
    QVERIFY(report.inputs[0].status == InputReport::Status::Error);
    QCOMPARE(report.totals.events, std::int64_t{0});
}

void TestDetection::cancelledDuringEvidence()
{
    FixtureDir dir;
    const std::string path = dir.write("events.json", fillerThenHot());
    ScanControl control;
    control.onProgress = [&control](const ScanProgress &progress) {
        if (progress.pass == 2)
            control.cancelRequested = true;
    };
    const Report report = scan({path}, withUserLimit(20), &control);

    // Every input was counted, so the pairs are listed, without the
    // evidence that the cancel cut short.
    QVERIFY(report.cancelled);
    QVERIFY(report.countsComplete);
    const PairFinding *hot = findPair(report.hotShards, "hot", kDate);
    QVERIFY(hot != nullptr);
    QCOMPARE(hot->events, std::int64_t{30});
    QCOMPARE(hot->overLimit, std::int64_t{10});
    QVERIFY(hot->likelyCause == LikelyCause::Unknown);
    // Duplicates were not counted, so the unique count is not known.
    QCOMPARE(hot->uniqueEvents, PairFinding::kNotDetermined);
    QVERIFY2(hot->likelyCauseText.find("cancelled") != std::string::npos,
             hot->likelyCauseText.c_str());
    // The report writes no cause and no evidence, whose zeros would read
    // as measured.
    QCOMPARE(report.pairsWithoutEvidence, std::int64_t{1});
    const nlohmann::ordered_json json = reportToJson(report);
    const auto &finding = json["hot_shards"][0];
    QVERIFY(finding["unique_events"].is_null());
    QVERIFY(finding["likely_cause"].is_null());
    QVERIFY(finding["evidence"].is_null());
    QVERIFY(finding["likely_cause_text"].is_string());
}

void TestDetection::cancelAfterLastLineKeepsCounts()
{
    // The file is one range read in one step, so the first progress report
    // comes once its last line is read, before its counts are merged.
    const std::string text = fillerThenHot();
    FixtureDir dir;
    const std::string path = dir.write("events.json", text);
    ScanControl control;
    std::int64_t bytesAtCancel = -1;
    control.onProgress = [&](const ScanProgress &progress) {
        if (progress.pass == 1 && bytesAtCancel < 0) {
            bytesAtCancel = progress.bytesDone;
            control.cancelRequested = true;
        }
    };
    const Report report = scan({path}, withUserLimit(20), &control);

    QCOMPARE(bytesAtCancel, static_cast<std::int64_t>(text.size()));
    QVERIFY(report.cancelled);
    QVERIFY(report.countsComplete);
    QCOMPARE(report.totals.bytes, static_cast<std::int64_t>(text.size()));
    const InputReport &input = report.inputs.at(0);
    QVERIFY(input.status == InputReport::Status::Ok);
    QVERIFY(input.problems.empty());
    const PairFinding *hot = findPair(report.hotShards, "hot", kDate);
    QVERIFY(hot != nullptr);
    QCOMPARE(hot->events, std::int64_t{30});
}

void TestDetection::cancelledGzipCountsBytesRead()
{
    // About 50 MB of text in 4 MiB blocks. The cancel comes as the first
    // block is handed out, so no block is counted, and the reader stops a
    // few blocks later.
    std::string text;
    for (std::uint64_t i = 0; i < 300'000; ++i) {
        const std::uint64_t mixed = i * 0x9E3779B97F4A7C15ULL;
        text += eventLine("Page View",
                          "\"u-" + std::to_string(mixed % 99'991) + "\"",
                          std::to_string(kNoon + static_cast<int>(i % 1000)),
                          "\"$insert_id\":\"" + std::to_string(mixed) + "\"") +
                "\n";
    }
    FixtureDir dir;
    const std::string path = dir.write("events.json.gz", gzipMember(text));
    ScanControl control;
    control.onProgress = [&control](const ScanProgress &) {
        control.cancelRequested = true;
    };
    const Report report = scan({path}, ScanSettings{}, &control);

    QVERIFY(report.cancelled);
    QVERIFY(!report.countsComplete);
    const InputReport &input = report.inputs.at(0);
    QVERIFY(input.status == InputReport::Status::Incomplete);
    QCOMPARE(report.totals.events, std::int64_t{0});
    QCOMPARE(input.bytes, std::int64_t{0});
    QCOMPARE(report.totals.bytes, input.bytes);
}

void TestDetection::cancelDuringRecordKeysMarksInputs()
{
    // A record names the group key "squad", so a third pass counts it. A
    // cancel as that pass starts leaves the key's counts partial.
    std::string text = filler(20);
    for (int i = 0; i < 3; ++i)
        text += eventOf(numbered("s", i), kNoon + i, "\"squad\":\"blue\"");
    text += "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":" +
            std::to_string(kNoon) +
            ",\"hotshard_distinct_id\":\"blue\",\"hotshard_group_key\":"
            "\"squad\"}}\n";
    FixtureDir dir;
    const std::string path = dir.write("squads.json", text);
    ScanControl control;
    control.onProgress = [&control](const ScanProgress &progress) {
        if (progress.pass == 3)
            control.cancelRequested = true;
    };
    const Report report = scan({path}, ScanSettings{}, &control);

    QVERIFY(report.cancelled);
    QVERIFY(!report.countsComplete);
    const InputReport &input = report.inputs.at(0);
    QVERIFY(input.status == InputReport::Status::Incomplete);
    QCOMPARE(input.problems.size(), std::size_t{1});
    QCOMPARE(input.problems[0].message,
             std::string(kScanCancelledInRecordKeys));
}

void TestDetection::progressCountsEventsOnce_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addRow("plain, two ranges") << false;
    QTest::addRow("gzip, several blocks") << true;
}

void TestDetection::progressCountsEventsOnce()
{
    QFETCH(bool, gzip);
    // Workers report events while they count, so the merge must not report
    // them again. The evidence pass starts with a report of the counting
    // pass's final total.
    std::string text = filler(60'000);
    for (int i = 0; i < 6; ++i)
        text += eventOf("busy", kNoon + i) + filler(10'000);
    FixtureDir dir;
    const std::string path = gzip
                                 ? dir.write("events.json.gz", gzipMember(text))
                                 : dir.write("events.json", text);

    ScanSettings settings = withUserLimit(5);
    settings.threads = 2;
    ScanControl control;
    std::mutex mutex;
    std::vector<ScanProgress> reports;
    control.onProgress = [&](const ScanProgress &progress) {
        std::lock_guard lock(mutex);
        reports.push_back(progress);
    };
    const Report report = scan({path}, settings, &control);

    QCOMPARE(report.hotShards.size(), std::size_t{1});
    const auto evidenceStart =
        std::find_if(reports.begin(), reports.end(),
                     [](const ScanProgress &p) { return p.pass == 2; });
    QVERIFY(evidenceStart != reports.end());
    QCOMPARE(evidenceStart->events, report.totals.events);
    for (std::size_t i = 0; i < reports.size(); ++i) {
        QVERIFY(reports[i].events <= report.totals.events);
        if (i > 0)
            QVERIFY(reports[i].events >= reports[i - 1].events);
    }
}

QTEST_GUILESS_MAIN(TestDetection)
#include "tst_detection.moc"
