// Evidence that the counting pass collects for pairs that grow large in a
// range of a plain file: where collection begins, what it collects, and the
// shared budget that bounds it.

#include "evidence.h"
#include "pair_counter.h"
#include "test_support.h"

#include <QTest>
#include <numeric>
#include <string>
#include <vector>

using namespace hsi;
using namespace hsi::detail;
using namespace hsi::test;

namespace {

const std::int64_t kNoon = utcSeconds(2024, 3, 6);

/// Counts the whole file as one range, tracking pairs from their third
/// event, in steps of 1 KiB.
ChunkCounts countTracked(const std::string &path, std::int64_t budget)
{
    const InputFile file = probeInputFile(path);
    CountingOptions options;
    options.timeZone = "UTC";
    options.userTrackFrom = 3;
    options.groupTrackFrom = 3;
    options.stepBytes = 1 << 10;
    options.earlyBudget = std::make_shared<std::atomic<std::int64_t>>(budget);
    ChunkCounts counts;
    countChunk(file, {0, 0, file.size, 0}, options, counts, nullptr, {});
    return counts;
}

/// Lines of "hot": two, then one every fourth line among others.
std::string hotAmongOthers(std::vector<std::int64_t> &hotLines)
{
    std::string text;
    std::int64_t line = 0;
    const auto add = [&](const std::string &id, int second) {
        text +=
            eventLine("Sync", "\"" + id + "\"", std::to_string(kNoon + second),
                      "\"$insert_id\":\"i-" + std::to_string(line) +
                          "\",\"$device_id\":\"" + id + "-device\"") +
            "\n";
        ++line;
        if (id == "hot")
            hotLines.push_back(line);
    };
    add("hot", 0);
    add("hot", 1);
    for (int i = 0; i < 60; ++i) {
        for (int other = 0; other < 3; ++other)
            add("other-" + std::to_string(i * 3 + other), i);
        add("hot", i);
    }
    return text;
}

} // namespace

class TestEarlyEvidence : public QObject {
    Q_OBJECT

private slots:
    void collectsAfterTrackingBegins();
    void spentBudgetDropsCollection();
};

void TestEarlyEvidence::collectsAfterTrackingBegins()
{
    std::vector<std::int64_t> hotLines;
    FixtureDir dir;
    const std::string path = dir.write("events.json", hotAmongOthers(hotLines));
    ChunkCounts counts = countTracked(path, EarlyEvidence::kScanBudget);
    QVERIFY(counts.steps.size() > 5);
    QVERIFY(counts.early != nullptr);

    const std::vector<TrackedPair> pairs = counts.early->takePairs();
    QCOMPARE(pairs.size(), std::size_t{1});
    const TrackedPair &hot = pairs.front();
    QCOMPARE(hot.id, std::string("hot"));
    QCOMPARE(hot.space, kUserSpace);
    // Collection begins once the third event is counted, which is at that
    // event's line or a few lines later, and covers every later event.
    QVERIFY(hot.lastLineLeft >= hotLines[2]);
    const auto later = std::count_if(
        hotLines.begin(), hotLines.end(),
        [&hot](std::int64_t line) { return line > hot.lastLineLeft; });
    QVERIFY(later > 50);
    QCOMPARE(hot.evidence.events, std::int64_t{later});
    QCOMPARE(hot.evidence.devices.size(), std::size_t{1});
    QCOMPARE(std::accumulate(hot.eventsByStep.begin(), hot.eventsByStep.end(),
                             std::int64_t{0}),
             std::int64_t{later});
    const StepDays &first = counts.steps[hot.firstStep];
    const StepDays &next = counts.steps[hot.firstStep + 1];
    QVERIFY(hot.lastLineLeft > first.linesBefore);
    QVERIFY(hot.lastLineLeft <= next.linesBefore);
}

void TestEarlyEvidence::spentBudgetDropsCollection()
{
    // Ten records of budget run out long before "hot" ends. The range then
    // keeps nothing, so that the evidence pass collects all of "hot".
    std::vector<std::int64_t> hotLines;
    FixtureDir dir;
    const std::string path = dir.write("events.json", hotAmongOthers(hotLines));
    ChunkCounts counts = countTracked(path, 10);
    QVERIFY(counts.early != nullptr);
    QVERIFY(counts.early->takePairs().empty());
    QVERIFY(counts.early->full());
    QCOMPARE(counts.totals.events, std::int64_t{242});
}

QTEST_GUILESS_MAIN(TestEarlyEvidence)
#include "tst_early_evidence.moc"
