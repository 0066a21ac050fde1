// The scan's own tables, each checked against a plain standard-library
// equivalent on the same input.

#include "flat_map.h"

#include <QTest>
#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace hsi::detail;

class TestTables : public QObject {
    Q_OBJECT

private slots:
    void internerMatchesMap();
    void internerSpacesAreSeparate();
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

void TestTables::internerMatchesMap()
{
    IdInterner interner;
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

QTEST_APPLESS_MAIN(TestTables)
#include "tst_tables.moc"
