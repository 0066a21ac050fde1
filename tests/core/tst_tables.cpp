// The scan's own tables and search: the id interner, the hash set used for
// distinct counts and the line filter of the evidence pass. Each is checked
// against a plain standard-library equivalent on the same input.

#include "flat_map.h"
#include "input_source.h"
#include "text_search.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace hsi::detail;

class TestTables : public QObject {
    Q_OBJECT

private slots:
    void internerMatchesMap_data();
    void internerMatchesMap();
    void internerSpacesAreSeparate();
    void setMergeIsUnion_data();
    void setMergeIsUnion();
    void setSizeCountsRepeats();
    void searchMatchesFind_data();
    void searchMatchesFind();
    void searchNearMisses_data();
    void searchNearMisses();
    void searchFindsFirstOfSeveral_data();
    void searchFindsFirstOfSeveral();
    void matchingLinesOnly();
};

namespace {

/// Ids of many lengths, including empty, long and ones sharing prefixes, so
/// that records of every padding and several table growths are exercised.
std::vector<std::string> sampleIds(int count)
{
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
        std::string id = "u-" + std::to_string(i);
        if (i % 7 == 0)
            id.append(static_cast<std::size_t>(i % 300), 'x');
        ids.push_back(std::move(id));
    }
    ids.push_back("");
    return ids;
}

} // namespace

void TestTables::internerMatchesMap_data()
{
    QTest::addColumn<int>("reserved");
    QTest::addRow("growing") << 0;
    QTest::addRow("reserved up front") << 60'000;
    QTest::addRow("reserved too little") << 5'000;
}

void TestTables::internerMatchesMap()
{
    QFETCH(int, reserved);
    IdInterner interner;
    interner.reserve(static_cast<std::size_t>(reserved));
    std::map<std::string, std::uint32_t> expected;
    const std::vector<std::string> ids = sampleIds(50'000);
    // Each id is interned twice, interleaved with new ones, so lookups of
    // known ids run while the table grows.
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::uint32_t index = interner.intern(0, ids[i]);
        const auto [it, inserted] = expected.emplace(ids[i], index);
        QVERIFY2(inserted, ids[i].c_str());
        QCOMPARE(index, static_cast<std::uint32_t>(i));
        if (i >= 10)
            QCOMPARE(interner.intern(0, ids[i - 10]), expected[ids[i - 10]]);
    }
    QCOMPARE(interner.size(), ids.size());
    for (const auto &[id, index] : expected) {
        QCOMPARE(interner.find(0, id), index);
        QCOMPARE(interner.text(index), std::string_view(id));
        QCOMPARE(interner.space(index), 0u);
        QCOMPARE(interner.hash(index), IdInterner::hashOf(0, id));
    }
    QCOMPARE(interner.find(0, "never-added"), IdInterner::kNotFound);
}

void TestTables::internerSpacesAreSeparate()
{
    IdInterner interner;
    const std::uint32_t user = interner.intern(0, "acme");
    const std::uint32_t group = interner.intern(3, "acme");
    QVERIFY(user != group);
    QCOMPARE(interner.intern(3, "acme"), group);
    QCOMPARE(interner.space(group), 3u);
    QCOMPARE(interner.text(group), std::string_view("acme"));
    QCOMPARE(interner.find(1, "acme"), IdInterner::kNotFound);

    // Another interner fed the stored hash finds the same text.
    IdInterner other;
    const std::uint32_t copied =
        other.intern(3, interner.text(group), interner.hash(group));
    QCOMPARE(other.find(3, "acme"), copied);
}

void TestTables::setMergeIsUnion_data()
{
    QTest::addColumn<int>("left");
    QTest::addColumn<int>("right");
    QTest::addRow("into empty") << 0 << 5000;
    QTest::addRow("empty into full") << 5000 << 0;
    QTest::addRow("small into large") << 100 << 5000;
    QTest::addRow("large into small") << 5000 << 100;
}

void TestTables::setMergeIsUnion()
{
    QFETCH(int, left);
    QFETCH(int, right);
    U64Set a;
    U64Set b;
    std::set<std::uint64_t> expected;
    // The ranges overlap by half of the smaller one, and 0, which the set
    // tracks apart from its slots, is in the right-hand set.
    for (int i = 0; i < left; ++i) {
        a.insert(static_cast<std::uint64_t>(i) + 1);
        expected.insert(static_cast<std::uint64_t>(i) + 1);
    }
    const int start = std::min(left, right) / 2;
    for (int i = start; i < start + right; ++i) {
        const std::uint64_t value =
            i == start ? 0 : static_cast<std::uint64_t>(i);
        b.insert(value);
        expected.insert(value);
    }
    a.merge(std::move(b));
    QCOMPARE(a.size(), expected.size());
    for (std::uint64_t value : expected) {
        const std::size_t before = a.size();
        a.insert(value);
        QCOMPARE(a.size(), before);
    }
}

void TestTables::setSizeCountsRepeats()
{
    // Five values in turn, so that repeats meet both values already added
    // and values still waiting in the same batch.
    U64Set set;
    for (std::size_t n = 1; n <= 40; ++n) {
        set.insert(n % 5 + 1);
        QCOMPARE(set.size(), std::min<std::size_t>(n, 5));
        U64Set copy;
        copy.merge(static_cast<const U64Set &>(set));
        QCOMPARE(copy.size(), set.size());
    }
}

namespace {

const std::pair<TextSearch::Method, const char *> kSearchMethods[] = {
    {TextSearch::Method::Plain, "plain"},
    {TextSearch::Method::Avx2, "avx2"},
    {TextSearch::Method::Avx512, "avx512"},
};

void addSearchMethodColumn()
{
    QTest::addColumn<int>("method");
}

/// The method of the current row, or a skip when this CPU cannot run it.
#define FETCH_SEARCH_METHOD(name)                                              \
    QFETCH(int, method);                                                       \
    const auto name = static_cast<TextSearch::Method>(method);                 \
    if (!TextSearch::supports(name))                                           \
        QSKIP("this CPU cannot run the search method of this row");

} // namespace

void TestTables::searchMatchesFind_data()
{
    QTest::addColumn<QString>("needle");
    addSearchMethodColumn();
    const std::pair<const char *, QString> needles[] = {
        {"escape", QStringLiteral("\\u")},
        {"three bytes", QStringLiteral("abc")},
        {"id", QStringLiteral("backend-sync")},
        {"long id",
         QStringLiteral("0123456789abcdef0123456789abcdef0123456789")},
    };
    for (const auto &[method, methodName] : kSearchMethods) {
        for (const auto &[needleName, needle] : needles)
            QTest::addRow("%s, %s", methodName, needleName)
                << needle << static_cast<int>(method);
    }
}

void TestTables::searchMatchesFind()
{
    QFETCH(QString, needle);
    FETCH_SEARCH_METHOD(wanted);
    const std::string pattern = needle.toStdString();
    const TextSearch search({pattern}, wanted);
    QCOMPARE(search.method(), wanted);
    // The needle at every offset of texts of every length up to three
    // widths of the widest vector, so each block edge and the scalar tail
    // are covered.
    for (std::size_t length = 0; length <= 200; ++length) {
        const std::string background(length, 'a');
        QCOMPARE(search.foundIn(background),
                 background.find(pattern) != std::string::npos);
        for (std::size_t at = 0; at + pattern.size() <= length; ++at) {
            std::string text = background;
            text.replace(at, pattern.size(), pattern);
            QVERIFY2(search.foundIn(text),
                     qPrintable(QStringLiteral("length %1, offset %2")
                                    .arg(length)
                                    .arg(at)));
        }
    }
}

void TestTables::searchNearMisses_data()
{
    addSearchMethodColumn();
    for (const auto &[method, name] : kSearchMethods)
        QTest::addRow("%s", name) << static_cast<int>(method);
}

void TestTables::searchNearMisses()
{
    FETCH_SEARCH_METHOD(wanted);
    const std::string id = "user-12345";
    const TextSearch search({"\\u", id}, wanted);
    QCOMPARE(search.method(), wanted);
    // First and last bytes match, the middle does not.
    std::string text(200, ' ');
    text.replace(40, id.size(), "user-12X45");
    text.replace(150, id.size(), "uxxxxxxxx5");
    QVERIFY(!search.foundIn(text));
    // One byte short at the very end of the text.
    QVERIFY(!search.foundIn(text + id.substr(0, id.size() - 1)));
    QVERIFY(search.foundIn(text + id));
    QVERIFY(search.foundIn("{\"distinct_id\":\"\\u0075ser-12345\"}"));
    // A near miss and a match among the same starting positions of one
    // vector, for both vector widths.
    QVERIFY(
        TextSearch({"abc"}, wanted).foundIn("aXcabc" + std::string(80, ' ')));
    QVERIFY(!TextSearch({}).foundIn(text));
    QVERIFY(TextSearch({}).empty());
}

void TestTables::searchFindsFirstOfSeveral_data()
{
    searchNearMisses_data();
}

void TestTables::searchFindsFirstOfSeveral()
{
    FETCH_SEARCH_METHOD(wanted);
    // Needles of different lengths, where one needle is a part of another,
    // placed at varied offsets of varied texts. find() must return the
    // earliest start of any needle, as the minimum over std::string::find.
    const std::vector<std::string> needles = {"\\u", "user_id", "user",
                                              "backend-sync", "ync\""};
    const TextSearch search(needles, wanted);
    QCOMPARE(search.method(), wanted);
    std::uint32_t random = 12345;
    const auto next = [&random](std::uint32_t below) {
        random = random * 1103515245u + 12345u;
        return (random >> 16) % below;
    };
    for (int round = 0; round < 2000; ++round) {
        std::string text(next(200), '.');
        for (std::uint32_t placed = next(4); placed > 0; --placed) {
            const std::string &needle = needles[next(needles.size())];
            if (needle.size() <= text.size())
                text.replace(next(text.size() - needle.size() + 1),
                             needle.size(), needle);
        }
        std::size_t expected = std::string::npos;
        for (const std::string &needle : needles)
            expected = std::min(expected, text.find(needle));
        QVERIFY2(search.find(text) == expected, text.c_str());
    }
}

void TestTables::matchingLinesOnly()
{
    // Matches on the first line after a byte order mark, on lines ending in
    // \r\n, twice on one line, on adjacent lines, and on a last line without
    // '\n'. Each matching line reaches the sink once, in order, as the line
    // splitter would pass it.
    const std::string text = "\xEF\xBB\xBF{\"id\":\"user_id\"}\r\n"
                             "{\"id\":\"other\"}\r\n"
                             "{\"a\":\"user_id\",\"b\":\"backend-sync\"}\n"
                             "{\"id\":\"backend-sync\"}\n"
                             "{\"id\":\"other\"}\n"
                             "{\"id\":\"user_id\"}";
    QTemporaryDir dir;
    const std::string path =
        dir.filePath(QStringLiteral("lines.json")).toStdString();
    std::ofstream(path, std::ios::binary) << text;
    const InputFile file = probeInputFile(path);
    const TextSearch filter({"user_id", "backend-sync"});

    std::vector<std::string> lines;
    const hsi::RecordSink sink = [&lines](std::string_view line, std::int64_t) {
        lines.emplace_back(line);
    };
    const Chunk whole{0, 0, file.size, 0};
    const hsi::ReadResult result =
        readMatchingLines(file, whole, filter, sink, nullptr);

    const std::vector<std::string> expected = {
        "{\"id\":\"user_id\"}", "{\"a\":\"user_id\",\"b\":\"backend-sync\"}",
        "{\"id\":\"backend-sync\"}", "{\"id\":\"user_id\"}"};
    QCOMPARE(lines, expected);
    QCOMPARE(result.records, std::int64_t{4});
    QVERIFY(result.error.empty());
}

QTEST_APPLESS_MAIN(TestTables)
#include "tst_tables.moc"
