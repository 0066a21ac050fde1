// Checkpoints of the gzip inflater: an inflater that starts at a checkpoint
// must produce the same blocks, with the same numbers and compressed
// positions, as one that inflated the file from its start. The files are
// real gzip members written with zlib.

#include "gzip_reader.h"
#include "test_support.h"

#include <QTest>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace hsi::detail;
using hsi::test::FixtureDir;
using hsi::test::gzipMember;

class TestGzipCheckpoints : public QObject {
    Q_OBJECT

private slots:
    void resumeMatchesWholeRead();
    void resumeReportsTruncation();
    void resumeReportsBadChecksum();
    void memberEndsOneByteIntoRead();
    void readerThinsCheckpoints_data();
    void readerThinsCheckpoints();
    void readerSkipsLongCarries();
    void readerReadsToEnd();
    void readerStoppedNotReadToEnd();
    void readerTruncatedNotReadToEnd();
};

namespace {

struct Block {
    std::string text;
    std::int64_t compressedBytesDone = 0;
};

/// Lines of varied lengths, `bytes` in all.
std::string linesOf(std::size_t bytes, int seed)
{
    std::string text;
    for (int i = 0; text.size() < bytes; ++i) {
        text += "{\"event\":\"e" + std::to_string(seed) +
                "\",\"n\":" + std::to_string(i) + ",\"pad\":\"";
        text.append(static_cast<std::size_t>((i * 37 + seed) % 400), 'x');
        text += "\"}\n";
    }
    return text;
}

/// An open file descriptor, closed when it goes out of scope.
class OpenFile {
public:
    explicit OpenFile(const std::string &path)
        : m_fd(::open(path.c_str(), O_RDONLY))
    {
    }
    ~OpenFile() { ::close(m_fd); }
    int fd() const { return m_fd; }

private:
    int m_fd;
};

/// Reads the rest of the stream, saving a checkpoint before each block
/// when `checkpoints` is given.
std::vector<Block> readRest(GzipInflater &inflater,
                            std::vector<GzipCheckpoint> *checkpoints = nullptr)
{
    std::vector<Block> blocks;
    TextBlock block;
    for (;;) {
        if (checkpoints)
            checkpoints->push_back(inflater.checkpoint());
        if (!inflater.next(block))
            break;
        blocks.push_back({std::string(block.buffer.data(), block.size),
                          block.compressedBytesDone});
    }
    if (checkpoints)
        checkpoints->pop_back();
    return blocks;
}

/// Reads all blocks of the reader and returns how many there were.
std::size_t readAll(GzipBlockReader &reader)
{
    TextBlock block;
    std::size_t blocks = 0;
    while (reader.next(block)) {
        ++blocks;
        reader.recycle(std::move(block));
    }
    return blocks;
}

/// `count` lines of `length` bytes each, '\n' included.
std::string linesOfLength(int count, std::size_t length)
{
    std::string text;
    for (int i = 0; i < count; ++i) {
        std::string line = "{\"n\":" + std::to_string(i) + ",\"pad\":\"";
        line.append(length - line.size() - 3, 'z');
        text += line + "\"}\n";
    }
    return text;
}

void compareFrom(const std::string &path,
                 const std::vector<GzipCheckpoint> &checkpoints,
                 const std::vector<Block> &whole, const std::string &error)
{
    for (const GzipCheckpoint &checkpoint : checkpoints) {
        OpenFile file(path);
        GzipInflater resumed(file.fd(), &checkpoint);
        QCOMPARE(resumed.nextBlock(), checkpoint.block);
        const std::vector<Block> rest = readRest(resumed);
        QCOMPARE(rest.size(), whole.size() - checkpoint.block);
        for (std::size_t i = 0; i < rest.size(); ++i) {
            const Block &expected = whole[checkpoint.block + i];
            QVERIFY2(rest[i].text == expected.text,
                     qPrintable(QStringLiteral("block %1 from checkpoint %2")
                                    .arg(checkpoint.block + i)
                                    .arg(checkpoint.block)));
            QCOMPARE(rest[i].compressedBytesDone, expected.compressedBytesDone);
        }
        QCOMPARE(resumed.error(), error);
    }
}

} // namespace

void TestGzipCheckpoints::resumeMatchesWholeRead()
{
    // Two members; the first contains a 5 MiB line, which makes the inflater
    // double its block size before some of the checkpoints.
    const std::string first = linesOf(6 << 20, 1) + "{\"long\":\"" +
                              std::string(5 << 20, 'y') + "\"}\n" +
                              linesOf(3 << 20, 2);
    const std::string second = linesOf(9 << 20, 3);
    FixtureDir dir;
    const std::string path =
        dir.write("two.json.gz", gzipMember(first) + gzipMember(second));

    OpenFile file(path);
    GzipInflater inflater(file.fd());
    std::vector<GzipCheckpoint> checkpoints;
    const std::vector<Block> whole = readRest(inflater, &checkpoints);
    QVERIFY(inflater.error().empty());
    QVERIFY(whole.size() >= 5);
    std::string joined;
    for (const Block &block : whole)
        joined += block.text;
    QVERIFY(joined == first + second);

    compareFrom(path, checkpoints, whole, {});
}

void TestGzipCheckpoints::resumeReportsTruncation()
{
    const std::string compressed = gzipMember(linesOf(14 << 20, 4));
    FixtureDir dir;
    const std::string path =
        dir.write("cut.json.gz", compressed.substr(0, compressed.size() - 500));

    OpenFile file(path);
    GzipInflater inflater(file.fd());
    std::vector<GzipCheckpoint> checkpoints;
    const std::vector<Block> whole = readRest(inflater, &checkpoints);
    QVERIFY(inflater.error().starts_with("gzip stream is truncated"));
    QVERIFY2(inflater.error().ends_with("cuts short was not read"),
             inflater.error().c_str());
    QVERIFY(checkpoints.size() >= 3);
    // The line that the cut ends in is dropped, not passed on cut short.
    QVERIFY(whole.back().text.ends_with('\n'));

    compareFrom(path, checkpoints, whole, inflater.error());
}

void TestGzipCheckpoints::resumeReportsBadChecksum()
{
    // The second of three members fails its checksum. Its whole text comes
    // before the mismatch, and inflating stops there, from the start of the
    // file or from a checkpoint inside that member.
    const std::string firstText = linesOf(6 << 20, 7);
    const std::string first = gzipMember(firstText);
    const std::string secondText = linesOf(9 << 20, 8);
    std::string second = gzipMember(secondText);
    second[second.size() - 8] ^= 0x01;
    const std::string third = gzipMember(linesOf(1 << 20, 9));
    FixtureDir dir;
    const std::string path = dir.write("crc.json.gz", first + second + third);

    OpenFile file(path);
    GzipInflater inflater(file.fd());
    std::vector<GzipCheckpoint> checkpoints;
    const std::vector<Block> whole = readRest(inflater, &checkpoints);
    const std::string expected =
        "gzip checksum mismatch in member 2 (compressed bytes " +
        std::to_string(first.size()) + " to " +
        std::to_string(first.size() + second.size()) + ")";
    QVERIFY2(inflater.error().starts_with(expected), inflater.error().c_str());
    std::string joined;
    for (const Block &block : whole)
        joined += block.text;
    QVERIFY(joined == firstText + secondText);
    QVERIFY(checkpoints.size() >= 3);
    QCOMPARE(checkpoints.back().member, std::size_t{2});

    compareFrom(path, checkpoints, whole, inflater.error());

    // The evidence pass inflates its segments with inflateBlockRange().
    const GzipCheckpoint &inSecond = checkpoints.back();
    std::size_t blocks = 0;
    const BlockRangeRead read = inflateBlockRange(
        path, &inSecond, whole.size(),
        [&](std::size_t, const TextBlock &) { ++blocks; }, nullptr);
    QCOMPARE(blocks, whole.size() - inSecond.block);
    QCOMPARE(read.error, inflater.error());
}

void TestGzipCheckpoints::memberEndsOneByteIntoRead()
{
    // The inflater reads 1 MiB at a time. A stored first member of 1 MiB
    // minus one byte leaves the first byte of the second member's magic in
    // the first read and the second byte in the next one.
    constexpr std::size_t kRead = 1 << 20;
    std::string first = linesOf(kRead - 20'000, 5);
    std::string stored = gzipMember(first, 0);
    for (int attempt = 0; attempt < 8 && stored.size() != kRead - 1;
         ++attempt) {
        const auto missing = static_cast<std::ptrdiff_t>(kRead - 1) -
                             static_cast<std::ptrdiff_t>(stored.size());
        first.resize(static_cast<std::size_t>(
                         static_cast<std::ptrdiff_t>(first.size()) + missing),
                     'x');
        first.back() = '\n';
        stored = gzipMember(first, 0);
    }
    QCOMPARE(stored.size(), kRead - 1);
    const std::string second = linesOf(2 << 20, 6);
    FixtureDir dir;
    const std::string path =
        dir.write("split-magic.json.gz", stored + gzipMember(second));

    OpenFile file(path);
    GzipInflater inflater(file.fd());
    const std::vector<Block> blocks = readRest(inflater);
    QCOMPARE(inflater.error(), std::string());
    std::string joined;
    for (const Block &block : blocks)
        joined += block.text;
    QCOMPARE(joined.size(), first.size() + second.size());
    QVERIFY(joined == first + second);
}

void TestGzipCheckpoints::readerThinsCheckpoints_data()
{
    QTest::addColumn<int>("budget");
    QTest::addColumn<std::vector<std::size_t>>("kept");
    QTest::addColumn<int>("budgetLeft");
    // Blocks 1 to 6 can hold a checkpoint. With room for two per file:
    // {1, 2}, then {2} and every 2nd block, {2, 4}, then {4} and every 4th.
    QTest::addRow("room for two") << 100 << std::vector<std::size_t>{4} << 99;
    QTest::addRow("budget of one") << 1 << std::vector<std::size_t>{1} << 0;
}

void TestGzipCheckpoints::readerThinsCheckpoints()
{
    QFETCH(int, budget);
    QFETCH(std::vector<std::size_t>, kept);
    QFETCH(int, budgetLeft);
    // Lines of 100 bytes: each 4 MiB block contains 41,943 of them, so 290,000
    // lines make blocks 0 to 6.
    FixtureDir dir;
    const std::string path =
        dir.write("even.json.gz", gzipMember(linesOfLength(290'000, 100)));

    std::atomic<int> left = budget;
    GzipBlockReader reader(path, CheckpointPlan{&left, 1, 2});
    const std::size_t blocks = readAll(reader);
    QCOMPARE(blocks, std::size_t{7});
    std::vector<std::size_t> saved;
    for (const GzipCheckpoint &checkpoint : reader.takeCheckpoints())
        saved.push_back(checkpoint.block);
    QCOMPARE(saved, kept);
    QCOMPARE(left.load(), budgetLeft);
}

void TestGzipCheckpoints::readerSkipsLongCarries()
{
    // Lines of 1.5 MiB: each 4 MiB block ends two lines in, so every block
    // after the first starts with 1 MiB of a line. A checkpoint would copy
    // it, so the reader saves none.
    FixtureDir dir;
    const std::string path =
        dir.write("wide.json.gz", gzipMember(linesOfLength(10, 3 << 19)));

    std::atomic<int> left = 100;
    GzipBlockReader reader(path, CheckpointPlan{&left, 1, 32});
    const std::size_t blocks = readAll(reader);
    QCOMPARE(blocks, std::size_t{5});
    QVERIFY(reader.takeCheckpoints().empty());
    QCOMPARE(left.load(), 100);
}

void TestGzipCheckpoints::readerReadsToEnd()
{
    FixtureDir dir;
    const std::string path =
        dir.write("even.json.gz", gzipMember(linesOfLength(290'000, 100)));
    GzipBlockReader reader(path);
    QCOMPARE(readAll(reader), std::size_t{7});
    QVERIFY(reader.readToEnd());
    QVERIFY(reader.error().empty());
}

void TestGzipCheckpoints::readerStoppedNotReadToEnd()
{
    // The reader inflates at most five blocks ahead of the one handed out,
    // so a stop after the first of seven leaves the last one uninflated.
    FixtureDir dir;
    const std::string path =
        dir.write("even.json.gz", gzipMember(linesOfLength(290'000, 100)));
    GzipBlockReader reader(path);
    TextBlock block;
    QVERIFY(reader.next(block));
    reader.stop();
    reader.recycle(std::move(block));
    const std::size_t rest = readAll(reader);
    QVERIFY2(rest < 6, qPrintable(QString::number(rest)));
    QVERIFY(!reader.readToEnd());
}

void TestGzipCheckpoints::readerTruncatedNotReadToEnd()
{
    std::string member = gzipMember(linesOfLength(290'000, 100));
    member.resize(member.size() / 2);
    FixtureDir dir;
    const std::string path = dir.write("cut.json.gz", member);
    GzipBlockReader reader(path);
    readAll(reader);
    QVERIFY(!reader.error().empty());
    QVERIFY(!reader.readToEnd());
}

QTEST_APPLESS_MAIN(TestGzipCheckpoints)
#include "tst_gzip_checkpoints.moc"
