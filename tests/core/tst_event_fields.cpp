// Field rules: distinct_id types, time units, group property values and
// JSON Pipelines rows, checked through a full scan of small files.

#include "hsi/scanner.h"
#include "test_support.h"

#include <QTest>
#include <string>
#include <vector>

using namespace hsi;
using namespace hsi::test;

namespace {

const std::string kDate = "2024-03-06";
const std::string kNoon = std::to_string(utcSeconds(2024, 3, 6));

Report scanText(const std::string &text, ScanSettings settings = {})
{
    FixtureDir dir;
    const std::string path = dir.write("events.json", text);
    return scanPaths({path}, settings);
}

std::string line(const std::string &id, const std::string &time = kNoon,
                 const std::string &extra = {})
{
    return eventLine("Page View", id, time, extra) + "\n";
}

} // namespace

class TestEventFields : public QObject {
    Q_OBJECT

private slots:
    void numericIdsExact();
    void numericFlagInEitherOrder();
    void numericGroupIdFlagged();
    void isoTimeOffsets();
    void unusableIds();
    void time_data();
    void time();
    void timeOutOfRange_data();
    void timeOutOfRange();
    void timeRangeEdgesInZones();
    void timeWarnings();
    void invalidTimeQuoted();
    void groupValues();
    void repeatedGroupKeyFirstValue();
    void topLevelFieldsIgnored();
    void topLevelKeysRepeated();
    void pipelinesRows_data();
    void pipelinesRows();
    void escapedGroupKeys();
    void loneSurrogateIds();
    void invalidEscapeRejected();
    void invalidJsonExplained();
    void skippedValuesChecked();
    void recordsHaveNoDistinctId();
};

void TestEventFields::numericIdsExact()
{
    // Both ids, 2^62 + 1 and 2^62, round to the same double.
    const Report report =
        scanText(line("4611686018427387905") + line("4611686018427387904") +
                 line("4611686018427387904") + line("\"alice\""));

    const IdVolume *odd = findId(report, "4611686018427387905");
    const IdVolume *even = findId(report, "4611686018427387904");
    QVERIFY(odd != nullptr);
    QVERIFY(even != nullptr);
    QCOMPARE(odd->totalEvents, std::int64_t{1});
    QCOMPARE(even->totalEvents, std::int64_t{2});
    QVERIFY(odd->idFlags & IdFlagNumeric);
    QVERIFY(even->idFlags & IdFlagNumeric);
    QVERIFY(!(findId(report, "alice")->idFlags & IdFlagNumeric));
    QCOMPARE(report.totals.events, std::int64_t{4});
}

void TestEventFields::numericFlagInEitherOrder()
{
    // The string comes first in the file. With two-line ranges, the number
    // is also the first form of the id in the second range.
    const std::string text =
        line("\"12345\"") + line("\"alice\"") + line("12345") + line("\"bob\"");
    FixtureDir dir;
    const std::string path = dir.write("events.json", text);
    const std::int64_t twoLines = static_cast<std::int64_t>(
        line("\"12345\"").size() + line("\"alice\"").size());
    for (const std::int64_t chunkBytes : {std::int64_t{0}, twoLines}) {
        const Report report = scanPaths({path}, {}, chunkBytes);
        const IdVolume *id = findId(report, "12345");
        QVERIFY(id != nullptr);
        QCOMPARE(id->totalEvents, std::int64_t{2});
        QVERIFY(id->idFlags & IdFlagNumeric);
        QVERIFY(!(findId(report, "bob")->idFlags & IdFlagNumeric));
    }
}

void TestEventFields::loneSurrogateIds()
{
    // JSON allows a \u escape of half a surrogate pair. The id still counts,
    // with U+FFFD in place of the half, and each line gets a warning.
    const Report report =
        scanText(line("\"cut\\ud83d\"") + line("\"cut\\ud83d\"") +
                 line("\"whole\\ud83d\\ude00\""));

    const IdVolume *cut = findId(report, "cut\xEF\xBF\xBD");
    QVERIFY(cut != nullptr);
    QCOMPARE(cut->totalEvents, std::int64_t{2});
    QVERIFY(findId(report, "whole\xF0\x9F\x98\x80") != nullptr);
    QCOMPARE(report.totals.nonAttributedEvents, std::int64_t{0});
    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.problemCount, std::int64_t{2});
    QCOMPARE(input.problems.at(0).line, std::int64_t{1});
    QVERIFY(input.problems.at(0).severity == Problem::Severity::Warning);
    QVERIFY2(input.problems.at(0).message.find("surrogate") !=
                 std::string::npos,
             input.problems.at(0).message.c_str());
}

void TestEventFields::invalidEscapeRejected()
{
    // "\q" is not a JSON escape, so the record is not valid JSON.
    const Report report = scanText(line("\"bad\\qx\"") + line("\"bob\""));

    QCOMPARE(report.totals.events, std::int64_t{1});
    QCOMPARE(report.totals.skippedLines, std::int64_t{1});
    QCOMPARE(report.totals.nonAttributedEvents, std::int64_t{0});
    const InputReport &input = report.inputs.at(0);
    QVERIFY(input.status == InputReport::Status::Incomplete);
    QCOMPARE(input.problems.at(0).line, std::int64_t{1});
    QVERIFY2(input.problems.at(0).message.find("escape") != std::string::npos,
             input.problems.at(0).message.c_str());
}

void TestEventFields::invalidJsonExplained()
{
    const Report report =
        scanText("not json\n" + line("\"bob\"") +
                 "{\"event\":\"a\",\"properties\":{\"x\":\"open\n");

    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.problemCount, std::int64_t{2});
    QVERIFY2(input.problems.at(0).message.find("bare word") !=
                 std::string::npos,
             input.problems.at(0).message.c_str());
    QVERIFY2(input.problems.at(1).message.find("no closing quote") !=
                 std::string::npos,
             input.problems.at(1).message.c_str());
}

void TestEventFields::skippedValuesChecked()
{
    // Each record has an escape, so simdjson reads it, and a property the
    // scan does not read. Broken JSON there rejects the record, while
    // numbers beyond 64 bits and lone surrogates, which are JSON, do not.
    const std::string escaped = R"("note":"a\"b",)";
    const std::vector<std::string> broken = {
        "bar",  "[1 2]", "{\"a\":1]", "nul",       "01",        "1.", "-",
        "0x1F", "1e",    "1.2.3",     R"("\x41")", R"("\u00")", "'s'"};
    std::string text;
    for (const std::string &value : broken)
        text += line("\"broken\"", kNoon, escaped + "\"x\":" + value);
    // Without an escape too, and in the id and the time themselves.
    text += line("\"plain\"", kNoon, "\"x\":01");
    text += line("01", kNoon);
    text += line("\"time\"", "-");
    const std::size_t rejected = broken.size() + 3;
    text += line("\"big\"", kNoon,
                 escaped + R"("x":123456789012345678901234567890)");
    text += line("\"surrogate\"", kNoon, escaped + R"("x":"\ud800")");
    text += line("\"numbers\"", kNoon, escaped + R"("x":[-0,1.5e-3,2E+7])");
    const Report report = scanText(text);

    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.events, std::int64_t{3});
    QCOMPARE(input.problemCount, static_cast<std::int64_t>(rejected));
    for (std::size_t i = 0; i < rejected; ++i) {
        QCOMPARE(input.problems.at(i).line, static_cast<std::int64_t>(i + 1));
        QVERIFY2(input.problems.at(i).message.starts_with("invalid JSON"),
                 input.problems.at(i).message.c_str());
    }
    QVERIFY(findId(report, "big") != nullptr);
    QVERIFY(findId(report, "surrogate") != nullptr);
    QVERIFY(findId(report, "numbers") != nullptr);
    QVERIFY(findId(report, "broken") == nullptr);
}

void TestEventFields::numericGroupIdFlagged()
{
    // A group id sent as a number is flagged like a numeric user id, and
    // the string form of the same digits is the same group.
    ScanSettings settings;
    settings.groupKeys = {"company"};
    const Report report =
        scanText(line("\"ann\"", kNoon, "\"company\":\"88\"") +
                     line("\"bob\"", kNoon, "\"company\":88") +
                     line("\"cy\"", kNoon, "\"company\":\"acme\""),
                 settings);

    const IdVolume *numeric = findId(report, "88", "company");
    QVERIFY(numeric != nullptr);
    QCOMPARE(numeric->totalEvents, std::int64_t{2});
    QVERIFY(numeric->idFlags & IdFlagNumeric);
    QVERIFY(!(findId(report, "acme", "company")->idFlags & IdFlagNumeric));
}

void TestEventFields::isoTimeOffsets()
{
    // 23:30 at +02:00 is 21:30 UTC on the same date; 23:30 at -05:00 is
    // 04:30 UTC on the next. An hour past 14 is no offset.
    const Report report =
        scanText(line("\"ann\"", "\"2024-03-06T23:30:00+02:00\"") +
                 line("\"bob\"", "\"2024-03-06T23:30:00-0500\"") +
                 line("\"cy\"", "\"2024-03-06T23:30:00+15:00\""));

    QCOMPARE(idEventsOn(report, "ann", "2024-03-06"), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "bob", "2024-03-07"), std::int64_t{1});
    QCOMPARE(report.totals.undatedEvents, std::int64_t{1});
}

void TestEventFields::unusableIds()
{
    const Report report =
        scanText(line("null") + line({}) + line({}) + line("{\"a\":1}") +
                 line("[\"x\"]") + line("[]") + line("\"\"") + line("\"bob\""));

    QCOMPARE(report.totals.events, std::int64_t{8});
    QCOMPARE(report.totals.nullIds, std::int64_t{1});
    QCOMPARE(report.totals.missingIds, std::int64_t{2});
    QCOMPARE(report.totals.structuredIds, std::int64_t{3});
    QCOMPARE(report.totals.nonAttributedEvents, std::int64_t{1});
    QCOMPARE(report.ids.size(), std::size_t{1});
    QCOMPARE(report.ids[0].id, std::string("bob"));
    QVERIFY(findId(report, "null") == nullptr);
    QVERIFY(findId(report, "[]") == nullptr);
    QVERIFY(findId(report, "") == nullptr);
}

void TestEventFields::time_data()
{
    QTest::addColumn<QString>("time");
    QTest::addColumn<QString>("date");
    QTest::addRow("seconds")
        << QStringLiteral("1709726400") << QStringLiteral("2024-03-06");
    QTest::addRow("milliseconds")
        << QStringLiteral("1709769599999") << QStringLiteral("2024-03-06");
    QTest::addRow("fractional seconds")
        << QStringLiteral("1709769599.75") << QStringLiteral("2024-03-06");
    QTest::addRow("last second of day")
        << QStringLiteral("1709769599") << QStringLiteral("2024-03-06");
    QTest::addRow("midnight")
        << QStringLiteral("1709769600") << QStringLiteral("2024-03-07");
    // 1e11 is the first value read as milliseconds: 1973-03-03 09:46:40 UTC.
    QTest::addRow("1e11 is milliseconds")
        << QStringLiteral("100000000000") << QStringLiteral("1973-03-03");
    QTest::addRow("below 1e11 is seconds")
        << QStringLiteral("99999999999") << QStringLiteral("5138-11-16");
    QTest::addRow("numeric string")
        << QStringLiteral("\"1709726400\"") << QStringLiteral("2024-03-06");
    QTest::addRow("first time in range")
        << QStringLiteral("-62135510400000") << QStringLiteral("0001-01-02");
    QTest::addRow("last time in range")
        << QStringLiteral("253402214399999") << QStringLiteral("9999-12-30");
    QTest::addRow("last time in range, fractional")
        << QStringLiteral("253402214399999.5") << QStringLiteral("9999-12-30");
}

void TestEventFields::timeOutOfRange_data()
{
    QTest::addColumn<QString>("time");
    QTest::addRow("microseconds") << QStringLiteral("1709683200000000");
    QTest::addRow("microseconds as text")
        << QStringLiteral("\"1709683200000000\"");
    QTest::addRow("nanoseconds") << QStringLiteral("1709683200000000000");
    QTest::addRow("largest 64-bit integer")
        << QStringLiteral("9223372036854775807");
    QTest::addRow("smallest 64-bit integer")
        << QStringLiteral("-9223372036854775808");
    QTest::addRow("past 64 bits") << QStringLiteral("9223372036854775808");
    QTest::addRow("huge double") << QStringLiteral("1e300");
    QTest::addRow("negative seconds") << QStringLiteral("-99999999999");
    QTest::addRow("first time past the range")
        << QStringLiteral("253402214400000");
    QTest::addRow("last time before the range")
        << QStringLiteral("-62135510400001");
    QTest::addRow("date and time text past the range")
        << QStringLiteral("\"9999-12-31T00:00:00Z\"");
}

// A time whose date would not fit YYYY-MM-DD is rejected, with a hint at
// the unit, as both the line scanner and the full parser read it.
void TestEventFields::timeOutOfRange()
{
    QFETCH(QString, time);
    const Report report =
        scanText(line("\"alice\"", time.toStdString()) + line("\"alice\""));

    QCOMPARE(report.totals.events, std::int64_t{2});
    QCOMPARE(report.totals.undatedEvents, std::int64_t{1});
    QCOMPARE(report.days.size(), std::size_t{1});
    QCOMPARE(formatDay(report.days[0].day), kDate);
    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.problems.size(), std::size_t{1});
    const Problem &problem = input.problems[0];
    QVERIFY(problem.severity == Problem::Severity::Warning);
    QCOMPARE(problem.line, std::int64_t{1});
    QVERIFY2(problem.message.find("value " + time.toStdString() + ":") !=
                 std::string::npos,
             problem.message.c_str());
    QVERIFY2(problem.message.find("microseconds") != std::string::npos,
             problem.message.c_str());
}

// The first and last accepted times keep a four-digit year in zones far
// from UTC too.
void TestEventFields::timeRangeEdgesInZones()
{
    const std::string text = line("\"first\"", "-62135510400000") +
                             line("\"last\"", "253402214399999");
    for (const char *zone : {"Pacific/Kiritimati", "America/Adak", "UTC"}) {
        ScanSettings settings;
        settings.timeZone = zone;
        const Report report = scanText(text, settings);
        QCOMPARE(report.totals.undatedEvents, std::int64_t{0});
        QCOMPARE(report.days.size(), std::size_t{2});
        for (const DayTotal &day : report.days) {
            const std::string date = formatDay(day.day);
            const std::string where = zone + (" " + date);
            QVERIFY2(parseDay(date) == day.day, where.c_str());
            QVERIFY2(date >= "0001-01-01", where.c_str());
            QVERIFY2(date <= "9999-12-31", where.c_str());
        }
    }
}

void TestEventFields::time()
{
    QFETCH(QString, time);
    QFETCH(QString, date);
    const Report report = scanText(line("\"alice\"", time.toStdString()));

    QCOMPARE(report.totals.events, std::int64_t{1});
    QCOMPARE(report.totals.undatedEvents, std::int64_t{0});
    QCOMPARE(report.days.size(), std::size_t{1});
    QCOMPARE(QString::fromStdString(formatDay(report.days[0].day)), date);
    QCOMPARE(idEventsOn(report, "alice", date.toStdString()), std::int64_t{1});
}

void TestEventFields::invalidTimeQuoted()
{
    // A string reads apart from the literal, and an hour past 23 is no
    // time of day.
    const Report report =
        scanText(line("\"alice\"", "\"true\"") + line("\"alice\"", "\"\"") +
                 line("\"alice\"", "\"2024-03-06T25:00:00Z\"") +
                 line("\"alice\"", "\"2024-03-06T23:59:60Z\""));

    const InputReport &input = report.inputs.at(0);
    QCOMPARE(report.totals.undatedEvents, std::int64_t{3});
    QCOMPARE(input.problems.size(), std::size_t{4});
    const std::vector<std::string> quoted = {
        R"(value "true":)", R"(value "":)", R"(value "2024-03-06T25:00:00Z":)"};
    for (std::size_t i = 0; i < quoted.size(); ++i)
        QVERIFY2(input.problems[i].message.find(quoted[i]) != std::string::npos,
                 input.problems[i].message.c_str());
    // The leap second is read, with the warning for date and time text.
    QVERIFY(input.problems[3].severity == Problem::Severity::Warning);
}

void TestEventFields::timeWarnings()
{
    const Report report = scanText(
        line("\"alice\"", "\"1709726400\"") + line("\"alice\"", "\"soon\"") +
        line("\"alice\"", "true") + line("\"alice\"", "1") +
        "{\"event\":\"No time\",\"properties\":"
        "{\"distinct_id\":\"alice\"}}\n" +
        line("\"alice\"", "\"2024-03-06T10:00:00Z\""));

    const InputReport &input = report.inputs[0];
    QCOMPARE(report.totals.events, std::int64_t{6});
    QCOMPARE(report.totals.undatedEvents, std::int64_t{3});
    QCOMPARE(report.totals.skippedLines, std::int64_t{0});
    // Mixpanel rejects events without a time, so they leave no count
    // short and the file is whole.
    QVERIFY(input.status == InputReport::Status::Ok);
    QCOMPARE(input.problemCount, std::int64_t{6});
    QCOMPARE(input.problems.size(), std::size_t{6});

    QVERIFY(input.problems[0].severity == Problem::Severity::Warning);
    QCOMPARE(input.problems[0].line, std::int64_t{1});
    QVERIFY(input.problems[1].severity == Problem::Severity::Warning);
    QCOMPARE(input.problems[1].line, std::int64_t{2});
    QVERIFY2(input.problems[1].message.find("soon") != std::string::npos,
             input.problems[1].message.c_str());
    QVERIFY(input.problems[2].severity == Problem::Severity::Warning);
    QCOMPARE(input.problems[2].line, std::int64_t{3});
    QVERIFY2(input.problems[2].message.find("value true:") != std::string::npos,
             input.problems[2].message.c_str());
    // time 1 is 1970-01-01: counted on that date, with a warning that the
    // unit may be wrong.
    QVERIFY(input.problems[3].severity == Problem::Severity::Warning);
    QCOMPARE(input.problems[3].line, std::int64_t{4});
    QVERIFY2(input.problems[3].message.find("1970-01-01") != std::string::npos,
             input.problems[3].message.c_str());
    QVERIFY(input.problems[4].severity == Problem::Severity::Warning);
    QCOMPARE(input.problems[4].line, std::int64_t{5});
    // Date and time text in an export is read as UTC, with a warning.
    QVERIFY(input.problems[5].severity == Problem::Severity::Warning);
    QCOMPARE(input.problems[5].line, std::int64_t{6});
    QVERIFY2(input.problems[5].message.find("as UTC") != std::string::npos,
             input.problems[5].message.c_str());

    QCOMPARE(dayEvents(report, "2024-03-06"), std::int64_t{2});
    QCOMPARE(dayEvents(report, "1970-01-01"), std::int64_t{1});
}

void TestEventFields::groupValues()
{
    const std::string text =
        line("\"u1\"", kNoon, "\"company\":\"acme\"") +
        line("\"u2\"", kNoon, "\"company\":42") +
        line("\"u3\"", kNoon, "\"company\":[\"acme\",\"beta\"]") +
        line("\"u4\"", kNoon,
             "\"company\":[[\"gamma\"],[\"acme\",[\"zeta\"]]]") +
        line("\"u5\"", kNoon, "\"company\":[\"delta\",\"delta\",\"\"]") +
        line("\"u6\"", kNoon, "\"company\":\"\"") +
        line("\"u7\"", kNoon, "\"company\":[]") +
        line("\"u8\"", kNoon, "\"team\":\"acme\"");
    ScanSettings settings;
    settings.groupKeys = {"company"};
    const Report report = scanText(text, settings);

    QCOMPARE(idEventsOn(report, "acme", kDate, "company"), std::int64_t{3});
    QCOMPARE(idEventsOn(report, "42", kDate, "company"), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "beta", kDate, "company"), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "gamma", kDate, "company"), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "zeta", kDate, "company"), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "delta", kDate, "company"), std::int64_t{1});
    QVERIFY(findId(report, "", "company") == nullptr);
    QVERIFY(findId(report, "acme", "team") == nullptr);
    QCOMPARE(report.totals.events, std::int64_t{8});
}

void TestEventFields::repeatedGroupKeyFirstValue()
{
    // A key given twice counts its first value only, as `time` and
    // `distinct_id` do. The escape sends the second record to simdjson,
    // and `$device_id` as a group key takes the walk for shadowed keys.
    const std::string text =
        line("\"u1\"", kNoon, R"("company":"c1","company":"c2")") +
        line("\"u2\"", kNoon, R"("note":"\"","company":"c3","company":"c4")") +
        line("\"u3\"", kNoon,
             R"("company":null,"company":"c5","$device_id":"d1",)"
             R"("$device_id":"d2")");
    ScanSettings settings;
    settings.groupKeys = {"company", "$device_id"};
    const Report report = scanText(text, settings);

    QCOMPARE(report.totals.events, std::int64_t{3});
    QCOMPARE(idEventsOn(report, "c1", kDate, "company"), std::int64_t{1});
    QVERIFY(findId(report, "c2", "company") == nullptr);
    QCOMPARE(idEventsOn(report, "c3", kDate, "company"), std::int64_t{1});
    QVERIFY(findId(report, "c4", "company") == nullptr);
    QVERIFY(findId(report, "c5", "company") == nullptr);
    QCOMPARE(idEventsOn(report, "d1", kDate, "$device_id"), std::int64_t{1});
    QVERIFY(findId(report, "d2", "$device_id") == nullptr);
}

void TestEventFields::topLevelFieldsIgnored()
{
    // An export record takes `distinct_id` and `time` from `properties`,
    // before or after a top-level copy, and warns. A Pipelines row takes
    // them from the top level.
    const std::string text =
        R"({"distinct_id":"top","event":"A","properties":{"distinct_id":"ann","time":1709726400}})"
        "\n"
        R"({"event":"A","properties":{"distinct_id":"bob","time":1709726400},"distinct_id":"top","time":1})"
        "\n"
        R"({"event_name":"A","properties":{"distinct_id":"inner"},"distinct_id":"cy","time":1709726400})"
        "\n";
    const Report report = scanText(text);

    QCOMPARE(idEventsOn(report, "ann", kDate), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "bob", kDate), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "cy", kDate), std::int64_t{1});
    QVERIFY(findId(report, "top") == nullptr);
    QVERIFY(findId(report, "inner") == nullptr);
    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.problems.size(), std::size_t{2});
    const std::vector<std::string> named = {"\"distinct_id\" is outside",
                                            "\"distinct_id\" and \"time\" are"};
    for (std::size_t i = 0; i < 2; ++i) {
        QCOMPARE(input.problems[i].line, static_cast<std::int64_t>(i + 1));
        QVERIFY2(input.problems[i].message.find(named[i]) != std::string::npos,
                 input.problems[i].message.c_str());
    }
}

void TestEventFields::topLevelKeysRepeated()
{
    // The first of a repeated key is read, as inside `properties`, and a
    // record with `event` is an export record even beside `event_name`.
    const std::string text =
        R"({"event":"A","properties":{"distinct_id":"p1","time":1709726400},"properties":{"distinct_id":"p2","time":1709726400}})"
        "\n"
        R"({"event":"A","event":"B","properties":{"distinct_id":"ed","time":1709726400}})"
        "\n"
        R"({"event_name":"Y","event":"A","properties":{"distinct_id":"inside","time":1709726400},"distinct_id":"outside"})"
        "\n";
    const Report report = scanText(text);

    QCOMPARE(idEventsOn(report, "p1", kDate), std::int64_t{1});
    QVERIFY(findId(report, "p2") == nullptr);
    QCOMPARE(idEventsOn(report, "ed", kDate), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "inside", kDate), std::int64_t{1});
    QVERIFY(findId(report, "outside") == nullptr);
    const InputReport &input = report.inputs.at(0);
    QCOMPARE(input.problems.size(), std::size_t{4});
    const std::vector<std::pair<std::int64_t, std::string>> expected = {
        {1, "the key \"properties\" appears twice"},
        {2, "the key \"event\" appears twice"},
        {3, "\"event_name\" beside \"event\" is ignored"},
        {3, "\"distinct_id\" is outside"}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(input.problems[i].line, expected[i].first);
        QVERIFY2(input.problems[i].message.find(expected[i].second) !=
                     std::string::npos,
                 input.problems[i].message.c_str());
    }
}

void TestEventFields::pipelinesRows_data()
{
    QTest::addColumn<QByteArray>("row");
    QTest::addColumn<QString>("id");
    const QByteArray time = QByteArray::fromStdString(kNoon);
    QTest::addRow("properties as object")
        << "{\"event_name\":\"Sign Up\",\"distinct_id\":\"p1\",\"time\":" +
               time +
               ",\"insert_id\":\"i1\",\"properties\":{\"company\":\"acme\"}}"
        << QStringLiteral("p1");
    QTest::addRow("properties as JSON string")
        << "{\"event_name\":\"Sign Up\",\"distinct_id\":\"p2\",\"time\":" +
               time +
               ",\"insert_id\":\"i2\",\"properties\":\"{\\\"company\\\":"
               "\\\"acme\\\",\\\"$device_id\\\":\\\"d1\\\"}\"}"
        << QStringLiteral("p2");
    QTest::addRow("numeric distinct_id")
        << "{\"event_name\":\"Sign Up\",\"distinct_id\":98765,\"time\":" +
               time +
               ",\"insert_id\":\"i3\",\"properties\":{\"company\":\"acme\"}}"
        << QStringLiteral("98765");
    // A TIMESTAMP column written as text needs no warning.
    QTest::addRow("time as ISO text")
        << QByteArray("{\"event_name\":\"Sign Up\",\"distinct_id\":\"p4\","
                      "\"time\":\"2024-03-06T10:00:00Z\",\"insert_id\":\"i4\","
                      "\"properties\":{\"company\":\"acme\"}}")
        << QStringLiteral("p4");
}

void TestEventFields::pipelinesRows()
{
    QFETCH(QByteArray, row);
    QFETCH(QString, id);
    ScanSettings settings;
    settings.groupKeys = {"company"};
    const Report report = scanText(row.toStdString() + "\n", settings);

    QCOMPARE(report.totals.skippedLines, std::int64_t{0});
    QCOMPARE(report.inputs[0].problemCount, std::int64_t{0});
    QCOMPARE(report.totals.events, std::int64_t{1});
    QCOMPARE(idEventsOn(report, id.toStdString(), kDate), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "acme", kDate, "company"), std::int64_t{1});
}

void TestEventFields::escapedGroupKeys()
{
    // JSON may spell a key with escapes, and the group value still counts.
    const std::string text =
        line("\"u1\"", kNoon, "\"compan\\u0079\":\"acme\"") +
        line("\"u2\"", kNoon, "\"org\\/unit\":\"east\"") +
        line("\"u3\"", kNoon, "\"org/unit\":\"east\"") +
        line("\"u4\"", kNoon, "\"say \\\"hi\\\"\":\"west\"");
    ScanSettings settings;
    settings.groupKeys = {"company", "org/unit", "say \"hi\""};
    const Report report = scanText(text, settings);

    QCOMPARE(report.totals.skippedLines, std::int64_t{0});
    QCOMPARE(idEventsOn(report, "acme", kDate, "company"), std::int64_t{1});
    QCOMPARE(idEventsOn(report, "east", kDate, "org/unit"), std::int64_t{2});
    QCOMPARE(idEventsOn(report, "west", kDate, "say \"hi\""), std::int64_t{1});
}

void TestEventFields::recordsHaveNoDistinctId()
{
    // Mixpanel writes $hotshard_record without a distinct_id. Only other
    // events without one count as missing.
    const std::string record =
        "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":" + kNoon +
        "000,\"hotshard_distinct_id\":\"user_id\","
        "\"hotshard_group_key\":\"\",\"hotshard_group_display_name\":\"\"}}"
        "\n";
    const std::string missing =
        "{\"event\":\"Page View\",\"properties\":{\"time\":" + kNoon + "}}\n";
    const Report report = scanText(record + record + missing);

    QCOMPARE(report.totals.events, std::int64_t{3});
    QCOMPARE(report.records.size(), std::size_t{2});
    QCOMPARE(report.totals.missingIds, std::int64_t{1});
    QCOMPARE(dayEvents(report, kDate), std::int64_t{3});
}

QTEST_GUILESS_MAIN(TestEventFields)
#include "tst_event_fields.moc"
