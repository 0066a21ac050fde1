// Reader rules: gzip by magic bytes, record splitting, JSON arrays, bad
// lines and unreadable files. Files are written into a temporary folder by
// each test; gzip members are made with zlib.

#include "hsi/record_reader.h"
#include "hsi/scanner.h"
#include "test_support.h"

#include <QTest>
#include <string>
#include <vector>

using namespace hsi;
using namespace hsi::test;

namespace {

const std::int64_t kNoon = utcSeconds(2024, 3, 6);

std::string threeEvents()
{
    return repeatedLines("alice", kNoon, 3);
}

/// Records and line numbers that readRecords passed to its sink.
struct Collected {
    ReadResult result;
    std::vector<std::string> records;
    std::vector<std::int64_t> lines;
};

Collected collect(const std::string &path)
{
    Collected collected;
    collected.result = readRecords(
        path, [&collected](std::string_view text, std::int64_t line) {
            collected.records.emplace_back(text);
            collected.lines.push_back(line);
        });
    return collected;
}

/// `member` with one bit of its CRC-32, the first 4 bytes of its 8-byte
/// trailer, flipped.
std::string withBadChecksum(std::string member)
{
    member[member.size() - 8] ^= 0x01;
    return member;
}

bool containsText(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

} // namespace

class TestRecordReader : public QObject {
    Q_OBJECT

private slots:
    void gzipMagic_data();
    void gzipMagic();
    void multiMemberGzip();
    void truncatedGzip_data();
    void truncatedGzip();
    void cutMemberAfterWholeOne_data();
    void cutMemberAfterWholeOne();
    void bytesAfterGzip_data();
    void bytesAfterGzip();
    void gzipChecksumMismatch_data();
    void gzipChecksumMismatch();
    void folderSortedByName();
    void lineSplitting_data();
    void lineSplitting();
    void lineSplittingInScan();
    void jsonArray_data();
    void jsonArray();
    void gzipLayoutAfterBlankText_data();
    void gzipLayoutAfterBlankText();
    void gzipLayoutOfBlankText();
    void textAfterArray();
    void extraBraceInArray();
    void unbalancedElementInArray_data();
    void unbalancedElementInArray();
    void commaFaultsInArray_data();
    void commaFaultsInArray();
    void unclosedArray_data();
    void unclosedArray();
    void badLineQuoteKeepsText();
    void twiceCompressedNamed();
    void otherFormatNamed_data();
    void otherFormatNamed();
    void badLineReported();
    void trailingCommaNamed();
    void notTextLineNamed();
    void missingFile();
};

void TestRecordReader::gzipMagic_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("compress");
    QTest::addRow("plain named .json.gz")
        << QStringLiteral("a.json.gz") << false;
    QTest::addRow("gzip named .json") << QStringLiteral("a.json") << true;
    QTest::addRow("gzip named .json.gz") << QStringLiteral("a.json.gz") << true;
    QTest::addRow("plain named .json") << QStringLiteral("a.json") << false;
}

void TestRecordReader::gzipMagic()
{
    QFETCH(QString, name);
    QFETCH(bool, compress);
    FixtureDir dir;
    const std::string text = threeEvents();
    const std::string path =
        dir.write(name.toStdString(), compress ? gzipMember(text) : text);

    FileFormat format;
    std::string error;
    QVERIFY(detectFileFormat(path, format, error));
    QCOMPARE(format.gzip, compress);
    QVERIFY(format.layout == RecordLayout::Lines);

    const Collected collected = collect(path);
    QCOMPARE(collected.result.error, std::string());
    QCOMPARE(collected.records.size(), std::size_t{3});

    const Report report = scanPaths({path});
    QCOMPARE(report.inputs.size(), std::size_t{1});
    QVERIFY(report.inputs[0].status == InputReport::Status::Ok);
    QCOMPARE(report.inputs[0].events, std::int64_t{3});
    QCOMPARE(report.totals.events, std::int64_t{3});
}

void TestRecordReader::multiMemberGzip()
{
    FixtureDir dir;
    const std::string first = repeatedLines("alice", kNoon, 2);
    const std::string second = repeatedLines("bob", kNoon, 3);
    const std::string path =
        dir.write("export.json.gz", gzipMember(first) + gzipMember(second));

    const Collected collected = collect(path);
    QCOMPARE(collected.result.error, std::string());
    QCOMPARE(collected.records.size(), std::size_t{5});
    QCOMPARE(collected.lines.back(), std::int64_t{5});

    const Report report = scanPaths({path});
    QVERIFY(report.inputs[0].status == InputReport::Status::Ok);
    QCOMPARE(report.totals.events, std::int64_t{5});
    QCOMPARE(idEventsOn(report, "alice", "2024-03-06"), std::int64_t{2});
    QCOMPARE(idEventsOn(report, "bob", "2024-03-06"), std::int64_t{3});
}

void TestRecordReader::truncatedGzip_data()
{
    // Cutting only the 8-byte trailer (CRC-32 and size) leaves every record
    // readable; cutting half the member loses the later records too.
    QTest::addColumn<int>("cutBytes");
    QTest::addColumn<bool>("allRecordsBeforeCut");
    QTest::addRow("trailer cut") << 8 << true;
    QTest::addRow("half cut") << -2 << false;
}

void TestRecordReader::truncatedGzip()
{
    QFETCH(int, cutBytes);
    QFETCH(bool, allRecordsBeforeCut);
    FixtureDir dir;
    // Distinct ids make the deflate stream long enough to cut in half.
    std::string text;
    for (int i = 0; i < 400; ++i)
        text += repeatedLines("user-" + std::to_string(i * 7919), kNoon, 1);
    std::string member = gzipMember(text);
    const std::size_t cut =
        cutBytes > 0 ? static_cast<std::size_t>(cutBytes) : member.size() / 2;
    member.resize(member.size() - cut);
    const std::string path = dir.write("cut.json.gz", member);

    const Collected collected = collect(path);
    QVERIFY(!collected.result.error.empty());
    QVERIFY2(containsText(collected.result.error, "truncated"),
             collected.result.error.c_str());

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Error);
    QVERIFY(!input.problems.empty());
    QVERIFY(input.problems.back().severity == Problem::Severity::Error);
    QVERIFY(input.events > 0);
    if (allRecordsBeforeCut)
        QCOMPARE(input.events, std::int64_t{400});
    else
        QVERIFY(input.events < 400);
    QCOMPARE(report.totals.events, input.events);
}

void TestRecordReader::cutMemberAfterWholeOne_data()
{
    QTest::addColumn<bool>("array");
    QTest::addRow("lines") << false;
    QTest::addRow("array on one line") << true;
}

// A member that fails before giving any text cuts no line short, so the
// whole member before it counts, last line included, as gzip -d writes it.
void TestRecordReader::cutMemberAfterWholeOne()
{
    QFETCH(bool, array);
    // Ten events, the last without a line end after it.
    std::vector<std::string> events;
    for (int i = 0; i < 10; ++i)
        events.push_back(
            eventLine("A", "\"u" + std::to_string(i) + "\"", "1709726400"));
    std::string text;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i > 0)
            text += array ? "," : "\n";
        text += events[i];
    }
    if (array)
        text = "[" + text + "]";
    const std::string cut = gzipMember("{\"event\":\"B\"}\n").substr(0, 5);
    FixtureDir dir;
    const std::string path =
        dir.write("cut-member.json.gz", gzipMember(text) + cut);

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Error);
    QCOMPARE(input.events, std::int64_t{10});
    QCOMPARE(input.problems.size(), std::size_t{1});
    QVERIFY2(containsText(input.problems[0].message, "truncated"),
             input.problems[0].message.c_str());
    QVERIFY2(!containsText(input.problems[0].message, "cuts short"),
             input.problems[0].message.c_str());
}

void TestRecordReader::bytesAfterGzip_data()
{
    // NUL or whitespace padding after the last member is accepted, as gzip -d
    // does. Other trailing bytes are an error, but the events before them
    // still count.
    QTest::addColumn<QByteArray>("tail");
    QTest::addColumn<bool>("isError");
    QTest::addRow("newline") << QByteArray("\n") << false;
    QTest::addRow("NUL padding") << QByteArray(512, '\0') << false;
    QTest::addRow("text") << QByteArray("export terminated early") << true;
    QTest::addRow("NULs then text") << QByteArray("\0\0\0x", 4) << true;
}

void TestRecordReader::bytesAfterGzip()
{
    QFETCH(QByteArray, tail);
    QFETCH(bool, isError);
    FixtureDir dir;
    const std::string text =
        repeatedLines("alice", kNoon, 2) + repeatedLines("bob", kNoon, 3);
    const std::string path = dir.write(
        "padded.json.gz", gzipMember(repeatedLines("carol", kNoon, 1)) +
                              gzipMember(text) + tail.toStdString());

    const Collected collected = collect(path);
    QCOMPARE(collected.records.size(), std::size_t{6});
    QCOMPARE(collected.result.error.empty(), !isError);
    if (isError)
        QVERIFY2(containsText(collected.result.error, "after the end"),
                 collected.result.error.c_str());

    const Report report = scanPaths({path});
    QCOMPARE(report.inputs[0].status == InputReport::Status::Error, isError);
    QCOMPARE(report.totals.events, std::int64_t{6});
    QCOMPARE(idEventsOn(report, "bob", "2024-03-06"), std::int64_t{3});
}

void TestRecordReader::gzipChecksumMismatch_data()
{
    QTest::addColumn<QByteArray>("compressed");
    QTest::addColumn<bool>("isArray");
    QTest::addColumn<int>("events");
    QTest::addColumn<int>("badMember");

    const auto bytes = [](const std::string &s) {
        return QByteArray::fromStdString(s);
    };
    QTest::addRow("small") << bytes(withBadChecksum(gzipMember(
                                  repeatedLines("alice", kNoon, 30))))
                           << false << 30 << 1;
    // More than one 4 MiB block of text, so the mismatch comes while the
    // last block is inflated.
    std::string large;
    for (int i = 0; i < 47'000; ++i)
        large += repeatedLines("user-" + std::to_string(i % 5), kNoon + i, 1,
                               "\"pad\":\"" + std::string(i % 300, 'x') + "\"");
    QTest::addRow("large") << bytes(withBadChecksum(gzipMember(large, 1)))
                           << false << 47'000 << 1;
    // Reading stops at the bad member, as gzip -d does.
    QTest::addRow("middle member")
        << bytes(gzipMember(repeatedLines("alice", kNoon, 2)) +
                 withBadChecksum(gzipMember(repeatedLines("bob", kNoon, 3))) +
                 gzipMember(repeatedLines("carol", kNoon, 4)))
        << false << 5 << 2;
    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    QTest::addRow("JSON array")
        << bytes(withBadChecksum(gzipMember("[" + a + ",\n" + a + "]"))) << true
        << 2 << 1;
}

// A checksum mismatch comes after the member's whole text, so every line
// of it counts, and the file is an error that names the member.
void TestRecordReader::gzipChecksumMismatch()
{
    QFETCH(QByteArray, compressed);
    QFETCH(bool, isArray);
    QFETCH(int, events);
    QFETCH(int, badMember);
    FixtureDir dir;
    const std::string path = dir.write("crc.json.gz", compressed.toStdString());

    FileFormat format;
    std::string error;
    QVERIFY(detectFileFormat(path, format, error));
    QCOMPARE(format.layout == RecordLayout::JsonArray, isArray);

    const Collected collected = collect(path);
    QCOMPARE(static_cast<int>(collected.records.size()), events);
    const std::string member =
        "checksum mismatch in member " + std::to_string(badMember) + " (";
    QVERIFY2(containsText(collected.result.error, member),
             collected.result.error.c_str());

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Error);
    QCOMPARE(input.events, std::int64_t{events});
    QCOMPARE(report.totals.skippedLines, std::int64_t{0});
    // No line is reported as invalid JSON, only the mismatch.
    QCOMPARE(input.problems.size(), std::size_t{1});
    QVERIFY2(containsText(input.problems[0].message, member),
             input.problems[0].message.c_str());
    QCOMPARE(input.problems[0].line, collected.lines.back());
}

void TestRecordReader::folderSortedByName()
{
    FixtureDir dir;
    dir.write("b.json", repeatedLines("bob", kNoon, 2));
    dir.write("a.json.gz", gzipMember(repeatedLines("alice", kNoon, 1)));
    dir.write("c.ndjson", repeatedLines("carol", kNoon, 4));
    dir.write("manifest.json", "{\"files\":[\"a.json.gz\"]}\n");
    dir.write(".hidden.json", repeatedLines("hidden", kNoon, 5));

    const std::vector<std::string> expanded =
        listInputFiles({dir.folder()}).files;
    const std::vector<std::string> expected = {
        dir.path("a.json.gz"), dir.path("b.json"), dir.path("c.ndjson")};
    QCOMPARE(expanded, expected);

    const Report report = scanPaths({dir.folder()});
    QCOMPARE(report.inputs.size(), std::size_t{3});
    QCOMPARE(report.inputs[0].path, expected[0]);
    QCOMPARE(report.inputs[1].path, expected[1]);
    QCOMPARE(report.inputs[2].path, expected[2]);
    QCOMPARE(report.totals.events, std::int64_t{7});
    QCOMPARE(report.totals.skippedLines, std::int64_t{0});
    QVERIFY(findId(report, "hidden") == nullptr);
}

void TestRecordReader::lineSplitting_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("records");
    QTest::addColumn<int>("lastLine");

    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const std::string b = eventLine("B", "\"bob\"", "1709726400");
    const auto bytes = [](const std::string &s) {
        return QByteArray::fromStdString(s);
    };
    QTest::addRow("LF") << bytes(a + "\n" + b + "\n") << 2 << 2;
    QTest::addRow("CRLF") << bytes(a + "\r\n" + b + "\r\n") << 2 << 2;
    QTest::addRow("no final newline") << bytes(a + "\n" + b) << 2 << 2;
    QTest::addRow("CRLF, no final newline") << bytes(a + "\r\n" + b) << 2 << 2;
    QTest::addRow("blank lines")
        << bytes("\n" + a + "\n\n\r\n" + b + "\n\n") << 2 << 5;
    // U+2028 is E2 80 A8 and U+2029 is E2 80 A9 in UTF-8; U+0085 is C2 85.
    const std::string raw =
        eventLine("Line\xE2\x80\xA8Para\xE2\x80\xA9Next\xC2\x85",
                  "\"u\xE2\x80\xA8v\"", "1709726400");
    QTest::addRow("raw U+2028 and U+2029")
        << bytes(raw + "\n" + b + "\n") << 2 << 2;
    const std::string escaped =
        eventLine("Line\\u2028Para\\u2029", "\"u\\u2028v\"", "1709726400");
    QTest::addRow("escaped U+2028 and U+2029")
        << bytes(escaped + "\n" + b + "\n") << 2 << 2;
    const std::string escapedNewline =
        eventLine("Multi\\nLine\\r", "\"alice\"", "1709726400");
    QTest::addRow("escaped newline")
        << bytes(escapedNewline + "\n" + b + "\n") << 2 << 2;
    const std::string bom = "\xEF\xBB\xBF";
    QTest::addRow("byte order mark")
        << bytes(bom + a + "\n" + b + "\n") << 2 << 2;
    QTest::addRow("files joined, each with a byte order mark")
        << bytes(bom + a + "\r\n" + bom + b + "\r\n") << 2 << 2;
}

void TestRecordReader::lineSplitting()
{
    QFETCH(QByteArray, text);
    QFETCH(int, records);
    QFETCH(int, lastLine);
    FixtureDir dir;
    const std::string path = dir.write("lines.json", text.toStdString());

    const Collected collected = collect(path);
    QCOMPARE(collected.result.error, std::string());
    QCOMPARE(static_cast<int>(collected.records.size()), records);
    QCOMPARE(static_cast<int>(collected.lines.back()), lastLine);
    for (const std::string &record : collected.records) {
        QVERIFY2(!record.empty() && record.front() == '{', record.c_str());
        QVERIFY2(record.back() == '}', record.c_str());
        QVERIFY2(record.find('\r') == std::string::npos, record.c_str());
    }

    const Report report = scanPaths({path});
    QCOMPARE(report.totals.skippedLines, std::int64_t{0});
    QCOMPARE(report.totals.events, static_cast<std::int64_t>(records));
}

void TestRecordReader::lineSplittingInScan()
{
    // The same rules hold when the scan splits a plain file into byte ranges
    // and reads them on two threads.
    FixtureDir dir;
    std::string text;
    for (int i = 0; i < 30; ++i) {
        text += eventLine("E\xE2\x80\xA8" + std::to_string(i),
                          "\"id\\u2029" + std::to_string(i % 3) + "\"",
                          std::to_string(kNoon)) +
                (i % 2 ? "\r\n" : "\n");
        if (i % 5 == 0)
            text += "\r\n\n";
    }
    text += eventLine("last", "\"id-last\"", std::to_string(kNoon));
    const std::string path = dir.write("mixed.json", text);

    for (const std::int64_t chunkBytes : {std::int64_t{0}, std::int64_t{200}}) {
        const Report report = scanPaths({path}, {}, chunkBytes);
        QCOMPARE(report.totals.events, std::int64_t{31});
        QCOMPARE(report.totals.skippedLines, std::int64_t{0});
        QVERIFY(report.inputs[0].status == InputReport::Status::Ok);
        QCOMPARE(idEventsOn(report, "id-last", "2024-03-06"), std::int64_t{1});
        QCOMPARE(idEventsOn(report,
                            "id\xE2\x80\xA9"
                            "0",
                            "2024-03-06"),
                 std::int64_t{10});
    }
}

void TestRecordReader::jsonArray_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("compress");
    QTest::addColumn<int>("events");

    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const std::string b = eventLine("B", "\"bob\"", "1709726400");
    const auto bytes = [](const std::string &s) {
        return QByteArray::fromStdString(s);
    };
    QTest::addRow("one line") << bytes("[" + a + "," + b + "]") << false << 2;
    QTest::addRow("one line, gzip")
        << bytes("[" + a + "," + b + "]\n") << true << 2;
    QTest::addRow("element per line")
        << bytes("[\n  " + a + ",\n  " + b + "\n]\n") << false << 2;
    const std::string spread =
        "[\n{\n \"event\": \"A\",\n \"properties\": {\n  \"time\": "
        "1709726400,\n"
        "  \"distinct_id\": \"alice\"\n }\n},\r\n{\"event\":\"B\",\n"
        "\"properties\":{\"time\":1709726400,\"distinct_id\":\"bob\"}}\n]";
    QTest::addRow("elements span lines") << bytes(spread) << false << 2;
    QTest::addRow("elements span lines, gzip") << bytes(spread) << true << 2;
    const std::string brackets = eventLine("A]}[{", "\"al]ice\"", "1709726400",
                                           "\"note\":\"}],[{\\\"\"");
    QTest::addRow("brackets inside strings")
        << bytes("[" + brackets + ",\n" + b + "]") << false << 2;
    QTest::addRow("empty array") << bytes("[]\n") << false << 0;
    // Two exports joined with cat.
    QTest::addRow("arrays one after another")
        << bytes("[" + a + "]\n[\n" + b + "\n]\n") << false << 2;
    QTest::addRow("arrays one after another, gzip")
        << bytes("[" + a + "][" + b + "]") << true << 2;
    QTest::addRow("second array with a byte order mark")
        << bytes("[" + a + "]\n\xef\xbb\xbf[" + b + "]\n") << false << 2;
    // A blank file and a file with a byte order mark joined with cat.
    QTest::addRow("byte order mark after a blank line")
        << bytes("\n\xef\xbb\xbf[" + a + "," + b + "]\n") << false << 2;
    // More blank space than the first read of the file takes.
    QTest::addRow("after 100 KB of blanks")
        << bytes(std::string(100'000, ' ') + "\n[" + a + "," + b + "]") << false
        << 2;
}

void TestRecordReader::jsonArray()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, compress);
    QFETCH(int, events);
    FixtureDir dir;
    const std::string plain = text.toStdString();
    const std::string path =
        dir.write("array.json", compress ? gzipMember(plain) : plain);

    FileFormat format;
    std::string error;
    QVERIFY(detectFileFormat(path, format, error));
    QVERIFY(format.layout == RecordLayout::JsonArray);

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Ok);
    QCOMPARE(input.events, std::int64_t{events});
    QCOMPARE(report.totals.skippedLines, std::int64_t{0});
    // An empty array is valid, but it gets a warning that it is empty.
    QCOMPARE(input.problemCount, std::int64_t{events > 0 ? 0 : 1});
    if (events == 0)
        QVERIFY(input.problems[0].severity == Problem::Severity::Warning);
    if (events > 0)
        QCOMPARE(idEventsOn(report, "bob", "2024-03-06"), std::int64_t{1});
}

void TestRecordReader::gzipLayoutAfterBlankText_data()
{
    QTest::addColumn<QByteArray>("compressed");
    QTest::addColumn<bool>("isArray");

    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const std::string b = eventLine("B", "\"bob\"", "1709726400");
    const std::string array = "[" + a + "," + b + "]";
    const auto bytes = [](const std::string &s) {
        return QByteArray::fromStdString(s);
    };
    // An empty file compressed, then an export: `cat empty.gz day.gz`.
    QTest::addRow("empty first member")
        << bytes(gzipMember("") + gzipMember(array)) << true;
    QTest::addRow("first member a newline")
        << bytes(gzipMember("\n") + gzipMember(array)) << true;
    QTest::addRow("three empty members")
        << bytes(gzipMember("") + gzipMember("") + gzipMember(" \r\n") +
                 gzipMember(array))
        << true;
    // More blank text than one look at the start inflates.
    QTest::addRow("70,000 spaces first")
        << bytes(gzipMember(std::string(70'000, ' ') + "\n" + array)) << true;
    QTest::addRow("byte order mark after a blank member")
        << bytes(gzipMember("\n") + gzipMember("\xef\xbb\xbf" + array)) << true;
    QTest::addRow("lines after an empty member")
        << bytes(gzipMember("") + gzipMember(a + "\n" + b + "\n")) << false;
}

// The layout of a gzip file is that of its first text that is not blank,
// whichever member it is in.
void TestRecordReader::gzipLayoutAfterBlankText()
{
    QFETCH(QByteArray, compressed);
    QFETCH(bool, isArray);
    FixtureDir dir;
    const std::string path =
        dir.write("joined.json.gz", compressed.toStdString());

    FileFormat format;
    std::string error;
    QVERIFY(detectFileFormat(path, format, error));
    QVERIFY(format.gzip);
    QCOMPARE(format.layout == RecordLayout::JsonArray, isArray);

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Ok);
    QCOMPARE(input.events, std::int64_t{2});
    QCOMPARE(input.problemCount, std::int64_t{0});
    QCOMPARE(idEventsOn(report, "bob", "2024-03-06"), std::int64_t{1});
}

// Past 256 MiB of blank text the layout is given up on, and the file is
// reported unread rather than read in a layout that may be wrong.
void TestRecordReader::gzipLayoutOfBlankText()
{
    const std::string blankMember = gzipMember(std::string(1 << 20, ' '));
    std::string compressed;
    for (int i = 0; i < 257; ++i)
        compressed += blankMember;
    std::string array = eventLine("A", "\"alice\"", "1709726400");
    array.insert(0, 1, '[');
    array.push_back(']');
    compressed += gzipMember(array);
    FixtureDir dir;
    const std::string path = dir.write("blank.json.gz", compressed);

    FileFormat format;
    std::string error;
    QVERIFY(!detectFileFormat(path, format, error));
    QVERIFY2(containsText(error, "256 MiB of its text are blank"),
             error.c_str());

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Error);
    QCOMPARE(input.events, std::int64_t{0});
    QCOMPARE(input.problems.size(), std::size_t{1});
    QVERIFY2(containsText(input.problems[0].message, "JSON array or one event"),
             input.problems[0].message.c_str());

    // Blank text that ends the stream before the limit is an empty file.
    const std::string empty =
        dir.write("empty.json.gz", blankMember + gzipMember("\n"));
    QVERIFY(detectFileFormat(empty, format, error));
    QVERIFY(format.layout == RecordLayout::Lines);
}

void TestRecordReader::textAfterArray()
{
    FixtureDir dir;
    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const std::string path =
        dir.write("tail.json", "[\n" + a + ",\n" + a + "\n]\n\n  oops\n");

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Error);
    QCOMPARE(input.events, std::int64_t{2});
    QCOMPARE(input.problems.size(), std::size_t{1});
    QCOMPARE(input.problems[0].line, std::int64_t{6});
    QVERIFY2(containsText(input.problems[0].message,
                          "after the end of the JSON array: \"oops\""),
             input.problems[0].message.c_str());
    QVERIFY2(containsText(input.problems[0].message, "not read"),
             input.problems[0].message.c_str());

    // A long text is quoted in part, and never within a character.
    std::string array = "[" + a + "]";
    array.append(39, 'x');
    array += "\xc3\xa9yyyy";
    const std::string cut = dir.write("cut.json", array);
    const Report cutReport = scanPaths({cut});
    const std::string &message = cutReport.inputs[0].problems.at(0).message;
    std::string quoted(1, '"');
    quoted.append(39, 'x');
    quoted += "\";";
    QVERIFY2(containsText(message, quoted), message.c_str());
}

// A closing brace too many after one element costs that brace, reported
// with its line, and not the elements after it.
void TestRecordReader::extraBraceInArray()
{
    FixtureDir dir;
    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const std::string b = eventLine("B", "\"bob\"", "1709726400");
    const std::string path =
        dir.write("brace.json", "[\n" + a + "},\n" + b + ",\n" + b + "\n]\n");

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QCOMPARE(input.events, std::int64_t{3});
    QVERIFY(input.status == InputReport::Status::Incomplete);
    QCOMPARE(report.totals.skippedLines, std::int64_t{1});
    QCOMPARE(input.problems.size(), std::size_t{1});
    QCOMPARE(input.problems[0].line, std::int64_t{2});
}

void TestRecordReader::unbalancedElementInArray_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("compress");
    QTest::addColumn<QList<qint64>>("badLines");

    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const std::string b = eventLine("B", "\"bob\"", "1709726400");
    const std::string noBrace = a.substr(0, a.size() - 1);
    const std::string wrongBracket =
        eventLine("A", "\"alice\"", "1709726400", "\"list\":[1,2}");
    // A quote too many leaves the line's last string open.
    const std::string openString = eventLine("A\"", "\"alice\"", "1709726400");
    const auto bytes = [](const std::string &s) {
        return QByteArray::fromStdString(s);
    };
    const auto array = [&](const std::string &broken) {
        return bytes("[\n" + a + ",\n" + broken + ",\n" + b + ",\n" + a +
                     "\n]\n");
    };
    QTest::addRow("closing brace missing")
        << array(noBrace) << false << QList<qint64>{3};
    QTest::addRow("closing brace missing, gzip")
        << array(noBrace) << true << QList<qint64>{3};
    QTest::addRow("wrong closing bracket")
        << array(wrongBracket) << false << QList<qint64>{3};
    QTest::addRow("string not closed")
        << array(openString) << false << QList<qint64>{3};
    QTest::addRow("string not closed, gzip")
        << array(openString) << true << QList<qint64>{3};
    QTest::addRow("last element lacks its brace")
        << bytes("[" + a + ",\n" + b + ",\n" + a + ",\n" + noBrace + "]\n")
        << false << QList<qint64>{4};

    // An indented array: the broken element's lines are skipped up to the
    // brace that closes it, at the column where it started.
    const std::string indented =
        "[\n  {\n    \"event\": \"A\",\n    \"properties\": {\n"
        "      \"distinct_id\": \"alice\",\n      \"time\": 1709726400\n"
        "    }\n  },\n  {\n    \"event\": \"A,\n    \"properties\": {\n"
        "      \"distinct_id\": \"alice\",\n      \"time\": 1709726400\n"
        "    }\n  },\n  " +
        b + ",\n  " + a + "\n]\n";
    QTest::addRow("string not closed, indented")
        << bytes(indented) << false << QList<qint64>{9};
}

// An element that leaves a bracket or a string open is reported on its
// line, and the elements after it are still read.
void TestRecordReader::unbalancedElementInArray()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, compress);
    QFETCH(QList<qint64>, badLines);
    FixtureDir dir;
    const std::string plain = text.toStdString();
    const std::string path =
        dir.write("broken.json", compress ? gzipMember(plain) : plain);

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QCOMPARE(input.events, std::int64_t{3});
    QVERIFY(input.status == InputReport::Status::Incomplete);
    QCOMPARE(report.totals.skippedLines, std::int64_t{badLines.size()});
    QCOMPARE(input.problems.size(), std::size_t(badLines.size()));
    for (qsizetype i = 0; i < badLines.size(); ++i) {
        QCOMPARE(input.problems[i].line, badLines[i]);
        QVERIFY(input.problems[i].severity == Problem::Severity::Error);
    }
    QCOMPARE(idEventsOn(report, "bob", "2024-03-06"), std::int64_t{1});
}

void TestRecordReader::commaFaultsInArray_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addRow("plain") << false;
    QTest::addRow("gzip") << true;
}

void TestRecordReader::commaFaultsInArray()
{
    // Commas missing, doubled and before ']' break JSON, but each element
    // is whole, so all are counted and each kind of fault is named once.
    QFETCH(bool, gzip);
    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const std::string b = eventLine("B", "\"bob\"", "1709726400");
    const std::string c = eventLine("C", "\"carol\"", "1709726400");
    const std::string text =
        "[\n" + a + "\n" + b + ",\n,\n" + c + ",\n" + b + "\n" + a + ",\n]\n";
    FixtureDir dir;
    const std::string path = gzip
                                 ? dir.write("commas.json.gz", gzipMember(text))
                                 : dir.write("commas.json", text);

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QCOMPARE(input.events, std::int64_t{5});
    QVERIFY(input.status == InputReport::Status::Ok);
    QCOMPARE(input.problemCount, std::int64_t{3});
    QCOMPARE(input.problems.size(), std::size_t{3});
    for (const Problem &problem : input.problems)
        QVERIFY(problem.severity == Problem::Severity::Warning);
    QCOMPARE(input.problems[0].line, std::int64_t{3});
    QVERIFY2(containsText(input.problems[0].message, "comma is missing"),
             input.problems[0].message.c_str());
    QVERIFY2(containsText(input.problems[0].message, "2 times"),
             input.problems[0].message.c_str());
    QCOMPARE(input.problems[1].line, std::int64_t{4});
    QVERIFY2(containsText(input.problems[1].message, "no element before"),
             input.problems[1].message.c_str());
    // The comma ends line 7, and the ']' after it is on line 8.
    QCOMPARE(input.problems[2].line, std::int64_t{7});
    QVERIFY2(containsText(input.problems[2].message, "before ']'"),
             input.problems[2].message.c_str());
}

void TestRecordReader::unclosedArray_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("compress");
    QTest::addColumn<int>("errorLine");

    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const auto bytes = [](const std::string &s) {
        return QByteArray::fromStdString(s);
    };
    // The error names the last line, where the file ends.
    QTest::addRow("element per line")
        << bytes("[\n" + a + ",\n" + a + "\n") << false << 3;
    QTest::addRow("one line") << bytes("[" + a + "," + a) << false << 1;
    QTest::addRow("one line, gzip") << bytes("[" + a + "," + a) << true << 1;
    QTest::addRow("last line without a newline")
        << bytes("[\n" + a + ",\n" + a) << false << 3;
}

void TestRecordReader::unclosedArray()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, compress);
    QFETCH(int, errorLine);
    FixtureDir dir;
    const std::string plain = text.toStdString();
    const std::string path =
        dir.write("open.json", compress ? gzipMember(plain) : plain);

    const Collected collected = collect(path);
    QVERIFY(!collected.result.error.empty());
    QCOMPARE(collected.result.lines, std::int64_t{errorLine});

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Error);
    QCOMPARE(input.events, std::int64_t{2});
    QVERIFY(!input.problems.empty());
    QVERIFY2(containsText(input.problems.back().message, "not closed"),
             input.problems.back().message.c_str());
    QCOMPARE(input.problems.back().line, std::int64_t{errorLine});
}

void TestRecordReader::notTextLineNamed()
{
    // A line with a NUL byte and a line in Latin-1 get a reason instead of
    // a quote of their bytes, which would print as noise.
    FixtureDir dir;
    const std::string path = dir.write(
        "mixed.json",
        repeatedLines("alice", kNoon, 1) +
            std::string("\x7f"
                        "ELF\0\0\x01",
                        7) +
            "\n" + "{\"event\":\"a\",\"properties\":{\"time\":1709726400," +
            "\"distinct_id\":\"caf\xe9\"}}\n");
    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QCOMPARE(input.events, std::int64_t{1});
    QCOMPARE(input.problems.size(), std::size_t{2});
    QCOMPARE(input.problems[0].line, std::int64_t{2});
    QVERIFY2(containsText(input.problems[0].message, "binary data"),
             input.problems[0].message.c_str());
    QCOMPARE(input.problems[1].line, std::int64_t{3});
    QVERIFY2(containsText(input.problems[1].message, "not UTF-8 text"),
             input.problems[1].message.c_str());
}

void TestRecordReader::twiceCompressedNamed()
{
    // The outer gzip stream inflates to the inner one, whose first bytes
    // are gzip's magic number.
    FixtureDir dir;
    const std::string path =
        dir.write("twice.json.gz",
                  gzipMember(gzipMember(repeatedLines("alice", kNoon, 3))));
    const Report report = scanPaths({path});
    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.events, std::int64_t{0});
    QVERIFY(!input.problems.empty());
    QCOMPARE(input.problems[0].line, std::int64_t{1});
    QVERIFY2(containsText(input.problems[0].message, "compressed twice"),
             input.problems[0].message.c_str());
}

void TestRecordReader::otherFormatNamed_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<QString>("expected");
    QTest::addRow("bzip2") << QByteArray("BZh91AY&SY") << "bunzip2";
    QTest::addRow("xz") << QByteArray("\xFD"
                                      "7zXZ\0\0\x04",
                                      9)
                        << "unxz";
    QTest::addRow("zstd") << QByteArray("\x28\xB5\x2F\xFD\x04") << "unzstd";
    QTest::addRow("zip") << QByteArray("PK\x03\x04\x14\0", 6) << "unzip";
    QTest::addRow("UTF-16")
        << QByteArray("\xFF\xFE{\0\"\0", 6) << "iconv -f UTF-16";
}

// A file in another compression format or encoding gets one error that
// names it and how to convert it, not an error for every line.
void TestRecordReader::otherFormatNamed()
{
    QFETCH(QByteArray, head);
    QFETCH(QString, expected);
    FixtureDir dir;
    std::string text = head.toStdString();
    text.append(4'000, '\x01');
    text += "\n\x02\x03\n";
    const std::string path = dir.write("export.dat", text);

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Error);
    QCOMPARE(input.problemCount, std::int64_t{1});
    QVERIFY2(containsText(input.problems[0].message, expected.toStdString()),
             input.problems[0].message.c_str());
    QCOMPARE(report.totals.skippedLines, std::int64_t{0});
}

void TestRecordReader::badLineQuoteKeepsText()
{
    // The quote keeps a control character for the display to escape, and
    // stops before a character that would cross its length limit.
    const std::string escape = "not json \x1b[31m red";
    std::string accents(79, 'a');
    accents += "\xc3\xa9tail";
    FixtureDir dir;
    const std::string path =
        dir.write("quoted.json", repeatedLines("alice", kNoon, 1) + escape +
                                     "\n" + accents + "\n");
    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QCOMPARE(input.problems.size(), std::size_t{2});
    QVERIFY2(containsText(input.problems[0].message, "\"" + escape + "\""),
             input.problems[0].message.c_str());
    std::string cut(1, '"');
    cut.append(79, 'a');
    cut += "...\"";
    QVERIFY2(containsText(input.problems[1].message, cut),
             input.problems[1].message.c_str());
}

void TestRecordReader::badLineReported()
{
    FixtureDir dir;
    const std::string bad =
        dir.write("a.json", repeatedLines("alice", kNoon, 2) +
                                "export terminated early\n" + "[1,2]\n" +
                                "{\"event\":\"no properties\"}\n" +
                                repeatedLines("alice", kNoon + 1, 1));
    const std::string good =
        dir.write("b.json", repeatedLines("bob", kNoon, 3));

    const Report report = scanPaths({bad, good});
    QCOMPARE(report.inputs.size(), std::size_t{2});
    const InputReport &input = report.inputs[0];
    QVERIFY(input.status == InputReport::Status::Incomplete);
    QCOMPARE(input.path, bad);
    QCOMPARE(input.events, std::int64_t{3});
    QCOMPARE(input.problemCount, std::int64_t{3});
    QCOMPARE(input.problems.size(), std::size_t{3});
    QCOMPARE(input.problems[0].line, std::int64_t{3});
    QCOMPARE(input.problems[1].line, std::int64_t{4});
    QCOMPARE(input.problems[2].line, std::int64_t{5});
    QCOMPARE(input.problems[0].message, std::string(kExportCutShort));
    for (const Problem &problem : input.problems)
        QVERIFY(problem.severity == Problem::Severity::Error);
    QCOMPARE(report.totals.skippedLines, std::int64_t{3});

    QVERIFY(report.inputs[1].status == InputReport::Status::Ok);
    QCOMPARE(report.inputs[1].events, std::int64_t{3});
    QCOMPARE(report.totals.events, std::int64_t{6});
}

// Lines cut from a JSON array keep their commas, and the message names the
// comma and how to mend the file.
void TestRecordReader::trailingCommaNamed()
{
    FixtureDir dir;
    const std::string a = eventLine("A", "\"alice\"", "1709726400");
    const std::string path =
        dir.write("commas.ndjson", a + ",\n" + a + " ,  \n" + a + "\n");

    const Report report = scanPaths({path});
    const InputReport &input = report.inputs[0];
    QCOMPARE(input.events, std::int64_t{1});
    QCOMPARE(input.problems.size(), std::size_t{2});
    for (const Problem &problem : input.problems)
        QVERIFY2(containsText(problem.message, "a comma after the JSON value"),
                 problem.message.c_str());
}

void TestRecordReader::missingFile()
{
    FixtureDir dir;
    const std::string missing = dir.path("missing.json");
    const std::string good = dir.write("good.json", threeEvents());

    const Collected collected = collect(missing);
    QVERIFY(!collected.result.error.empty());

    const Report report = scanPaths({missing, good});
    QCOMPARE(report.inputs.size(), std::size_t{2});
    const InputReport &input = report.inputs[0];
    QCOMPARE(input.path, missing);
    QVERIFY(input.status == InputReport::Status::Error);
    QCOMPARE(input.events, std::int64_t{0});
    QVERIFY(!input.problems.empty());
    QVERIFY2(containsText(input.problems[0].message, "No such file"),
             input.problems[0].message.c_str());
    QVERIFY(!report.noInputRead());
    QCOMPARE(report.totals.events, std::int64_t{3});

    const Report none = scanPaths({missing});
    QVERIFY(none.noInputRead());
}

QTEST_GUILESS_MAIN(TestRecordReader)
#include "tst_record_reader.moc"
