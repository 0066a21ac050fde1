#include "hsi/recovery/event_transform.h"
#include "hsi/recovery/insert_id.h"
#include "hsi/recovery/recovery_error.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <set>

using hsi::recovery::DistinctIdChoice;
using hsi::recovery::EventOutcome;
using hsi::recovery::EventTransformer;
using hsi::recovery::TransformOptions;
using Json = nlohmann::ordered_json;

Q_DECLARE_METATYPE(EventOutcome::Kind)

namespace {

const char *kindName(EventOutcome::Kind kind)
{
    switch (kind) {
    case EventOutcome::Kind::PassedThrough:
        return "passed";
    case EventOutcome::Kind::Restored:
        return "restored";
    case EventOutcome::Kind::Modified:
        return "modified";
    case EventOutcome::Kind::SetAside:
        return "set-aside";
    }
    return "?";
}

} // namespace

class TestEventTransform : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void rules_data();
    void rules();
    void blankGroup_data();
    void blankGroup();
    void bigIntegerExact();
    void keyOrderKept();
    void insertIdRegenerated();
    void insertIdStable();
    void insertIdsForUnkeyedDiffer();
    void repeatedKeysKeepFirst();
    void insertIdValidity_data();
    void insertIdValidity();
    void insertIdWarning();
    void restoredIdRejected_data();
    void restoredIdRejected();
    void choiceParse();
    void choiceInvalid();

private:
    QTemporaryDir m_dir;
    QString m_mapPath;
};

void TestEventTransform::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_mapPath = m_dir.filePath(QStringLiteral("map.csv"));
    std::ofstream map(m_mapPath.toStdString());
    map << "original_id,new_id\n"
           "device-1,user-1\n"
           "42,user-42\n";
}

void TestEventTransform::rules_data()
{
    QTest::addColumn<QString>("choice");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("kind");
    // Output event text for written events, reason name for set-aside ones.
    QTest::addColumn<QByteArray>("expected");

    const QByteArray hot =
        R"({"event":"$hotshard_events","properties":{"time":1700000000,"distinct_id":"","mp_original_event_name":"Viewed","mp_original_distinct_id":"device-1","$user_id":"u-9","$insert_id":"id-1"}})";
    QTest::addRow("keep")
        << "keep" << hot << "restored"
        << QByteArray(
               R"({"event":"Viewed","properties":{"time":1700000000,"distinct_id":"","$user_id":"u-9","$insert_id":"id-1"}})");
    QTest::addRow("original")
        << "original" << hot << "restored"
        << QByteArray(
               R"({"event":"Viewed","properties":{"time":1700000000,"distinct_id":"device-1","$user_id":"u-9","$insert_id":"id-1"}})");
    QTest::addRow("property")
        << "property:$user_id" << hot << "restored"
        << QByteArray(
               R"({"event":"Viewed","properties":{"time":1700000000,"distinct_id":"u-9","$user_id":"u-9","$insert_id":"id-1"}})");
    QTest::addRow("map")
        << "map" << hot << "restored"
        << QByteArray(
               R"({"event":"Viewed","properties":{"time":1700000000,"distinct_id":"user-1","$user_id":"u-9","$insert_id":"id-1"}})");

    const QByteArray numericId =
        R"({"event":"$hotshard_events","properties":{"distinct_id":"","mp_original_event_name":"A","mp_original_distinct_id":42,"$insert_id":"id-2"}})";
    QTest::addRow("original numeric")
        << "original" << numericId << "restored"
        << QByteArray(
               R"({"event":"A","properties":{"distinct_id":42,"$insert_id":"id-2"}})");
    QTest::addRow("map numeric")
        << "map" << numericId << "restored"
        << QByteArray(
               R"({"event":"A","properties":{"distinct_id":"user-42","$insert_id":"id-2"}})");

    // No distinct_id at all, so restoring it adds the property at the end.
    const QByteArray noId =
        R"({"event":"$hotshard_events","properties":{"mp_original_event_name":"A","mp_original_distinct_id":"d","$user_id":"u"}})";
    QTest::addRow("property adds id")
        << "property:$user_id" << noId << "restored"
        << QByteArray(
               R"({"event":"A","properties":{"$user_id":"u","distinct_id":"u"}})");
    QTest::addRow("original adds id")
        << "original" << noId << "restored"
        << QByteArray(
               R"({"event":"A","properties":{"$user_id":"u","distinct_id":"d"}})");

    QTest::addRow("name missing")
        << "original"
        << QByteArray(
               R"({"event":"$hotshard_events","properties":{"distinct_id":"","mp_original_distinct_id":"d"}})")
        << "set-aside" << QByteArray("original_event_name_missing");
    QTest::addRow("name number")
        << "keep"
        << QByteArray(
               R"({"event":"$hotshard_events","properties":{"mp_original_event_name":7}})")
        << "set-aside" << QByteArray("original_event_name_not_string");
    QTest::addRow("name null")
        << "keep"
        << QByteArray(
               R"({"event":"$hotshard_events","properties":{"mp_original_event_name":null}})")
        << "set-aside" << QByteArray("original_event_name_not_string");
    QTest::addRow("original id missing")
        << "original"
        << QByteArray(
               R"({"event":"$hotshard_events","properties":{"mp_original_event_name":"A"}})")
        << "set-aside" << QByteArray("original_distinct_id_missing");
    QTest::addRow("property missing")
        << "property:$user_id"
        << QByteArray(
               R"({"event":"$hotshard_events","properties":{"mp_original_event_name":"A","mp_original_distinct_id":"d"}})")
        << "set-aside" << QByteArray("distinct_id_property_missing");
    QTest::addRow("property object")
        << "property:$user_id"
        << QByteArray(
               R"({"event":"$hotshard_events","properties":{"mp_original_event_name":"A","$user_id":{"a":1}}})")
        << "set-aside" << QByteArray("distinct_id_property_invalid");
    QTest::addRow("map miss")
        << "map"
        << QByteArray(
               R"({"event":"$hotshard_events","properties":{"mp_original_event_name":"A","mp_original_distinct_id":"other"}})")
        << "set-aside" << QByteArray("distinct_id_not_in_map");
    QTest::addRow("not object") << "keep" << QByteArray("\"text\"")
                                << "set-aside" << QByteArray("not_an_object");
    QTest::addRow("no properties")
        << "keep" << QByteArray(R"({"event":"A"})") << "set-aside"
        << QByteArray("properties_not_an_object");
    QTest::addRow("hotshard record")
        << "original"
        << QByteArray(
               R"({"event":"$hotshard_record","properties":{"time":1700000000000,"hotshard_distinct_id":"user_id","hotshard_group_key":""}})")
        << "set-aside" << QByteArray("hotshard_record");

    const QByteArray other =
        R"({"event":"Viewed","properties":{"distinct_id":"d","mp_original_event_name":"X","$insert_id":"i-1"}})";
    QTest::addRow("other passes") << "original" << other << "passed" << other;
}

void TestEventTransform::rules()
{
    QFETCH(QString, choice);
    QFETCH(QByteArray, input);
    QFETCH(QString, kind);
    QFETCH(QByteArray, expected);

    TransformOptions options;
    const std::string choiceText = choice == QLatin1String("map")
                                       ? "map:" + m_mapPath.toStdString()
                                       : choice.toStdString();
    options.distinctId = DistinctIdChoice::parse(choiceText);
    EventTransformer transformer(options);

    Json event = Json::parse(input.toStdString());
    const EventOutcome outcome = transformer.transform(event);
    QCOMPARE(QString::fromLatin1(kindName(outcome.kind)), kind);
    if (outcome.kind == EventOutcome::Kind::SetAside) {
        QCOMPARE(QByteArray(hsi::recovery::setAsideReasonName(outcome.reason)),
                 expected);
        QVERIFY(!outcome.detail.empty());
    } else if (outcome.kind != EventOutcome::Kind::PassedThrough) {
        QCOMPARE(QByteArray::fromStdString(event.dump()), expected);
    }
}

void TestEventTransform::blankGroup_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<bool>("changed");

    const auto row = [](const char *tag, const char *value, const char *id,
                        const char *expected, bool changed) {
        QTest::addRow("%s", tag) << QByteArray(value) << QByteArray(id)
                                 << QByteArray(expected) << changed;
    };
    row("equal string", R"("acme")", "acme", R"("")", true);
    row("longer string", R"("acme-2")", "acme", R"("acme-2")", false);
    row("prefix string", R"("xacme")", "acme", R"("xacme")", false);
    row("other case", R"("ACME")", "acme", R"("ACME")", false);
    row("list", R"(["a","acme","b"])", "acme", R"(["a","","b"])", true);
    row("nested list", R"([["acme",["acme"]],"c"])", "acme",
        R"([["",[""]],"c"])", true);
    row("list no match", R"(["a","b"])", "acme", R"(["a","b"])", false);
    row("number", "123", "123", "123", false);
    row("number in list", R"([123,"123"])", "123", R"([123,""])", true);
    row("object", R"({"id":"acme"})", "acme", R"({"id":"acme"})", false);
    row("null", "null", "acme", "null", false);
    row("quote id", R"(["a\"b","a"])", "a\"b", R"(["","a"])", true);
}

void TestEventTransform::blankGroup()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, id);
    QFETCH(QByteArray, expected);
    QFETCH(bool, changed);

    Json json = Json::parse(value.toStdString());
    QCOMPARE(hsi::recovery::blankGroupId(json, id.toStdString()), changed);
    QCOMPARE(QByteArray::fromStdString(json.dump()), expected);
}

void TestEventTransform::bigIntegerExact()
{
    TransformOptions options;
    options.distinctId = DistinctIdChoice::parse("original");
    options.blankGroups.push_back({"company", "acme"});
    EventTransformer transformer(options);

    Json event = Json::parse(
        R"({"event":"$hotshard_events","properties":{"company":"acme","n":4611686018427387905,"u":18446744073709551615,"neg":-9223372036854775808,"mp_original_event_name":"A","mp_original_distinct_id":4611686018427387905}})");
    QCOMPARE(transformer.transform(event).kind, EventOutcome::Kind::Restored);
    const std::string text = event.dump();
    QVERIFY(text.find(R"("n":4611686018427387905)") != std::string::npos);
    QVERIFY(text.find(R"("u":18446744073709551615)") != std::string::npos);
    QVERIFY(text.find(R"("neg":-9223372036854775808)") != std::string::npos);
    QVERIFY(text.find(R"("distinct_id":4611686018427387905)") !=
            std::string::npos);
}

void TestEventTransform::keyOrderKept()
{
    EventTransformer transformer(TransformOptions{});
    Json event = Json::parse(
        R"({"properties":{"z":1,"mp_original_event_name":"A","a":2,"m":[3,{"y":1,"b":2}]},"event":"$hotshard_events"})");
    QCOMPARE(transformer.transform(event).kind, EventOutcome::Kind::Restored);
    QCOMPARE(
        QByteArray::fromStdString(event.dump()),
        QByteArray(
            R"({"properties":{"z":1,"a":2,"m":[3,{"y":1,"b":2}]},"event":"A"})"));
}

void TestEventTransform::insertIdRegenerated()
{
    TransformOptions options;
    options.regenerateInsertId = true;
    EventTransformer transformer(options);

    Json event = Json::parse(
        R"({"event":"A","properties":{"distinct_id":"d","time":1,"$insert_id":"old"}})");
    const EventOutcome outcome = transformer.transform(event);
    QCOMPARE(outcome.kind, EventOutcome::Kind::Modified);
    QVERIFY(outcome.insertIdRegenerated);
    const std::string id = event["properties"]["$insert_id"].get<std::string>();
    QCOMPARE(id.size(), std::size_t(36));
    QVERIFY(hsi::recovery::isValidInsertId(id));
    QCOMPARE(id, hsi::recovery::regenerateInsertId(R"("A")", R"("d")", "1",
                                                   R"("old")"));
}

void TestEventTransform::insertIdStable()
{
    const std::string first =
        hsi::recovery::regenerateInsertId("a", "b", "c", "d");
    QCOMPARE(hsi::recovery::regenerateInsertId("a", "b", "c", "d"), first);
    QVERIFY(hsi::recovery::regenerateInsertId("a", "b", "c", "e") != first);
    QVERIFY(hsi::recovery::regenerateInsertId("ab", "", "c", "d") !=
            hsi::recovery::regenerateInsertId("a", "b", "c", "d"));
    QCOMPARE(first[8], '-');
    QCOMPARE(first[23], '-');
}

void TestEventTransform::insertIdsForUnkeyedDiffer()
{
    // Events without an $insert_id that share name, id and time must not
    // share a new one, or Mixpanel would keep only one of them. Two runs
    // over the same events give the same ids.
    const std::vector<std::string> lines = {
        R"({"event":"A","properties":{"distinct_id":"d","time":1,"b":"x"}})",
        R"({"event":"A","properties":{"distinct_id":"d","time":1,"b":"y"}})",
        R"({"event":"A","properties":{"distinct_id":"d","time":1,"b":"y"}})",
        R"({"event":"A","properties":{"distinct_id":"d","time":1,"b":"y","$insert_id":""}})"};
    const auto run = [&lines] {
        TransformOptions options;
        options.regenerateInsertId = true;
        EventTransformer transformer(options);
        std::vector<std::string> ids;
        for (const std::string &line : lines) {
            Json event = Json::parse(line);
            transformer.transform(event);
            ids.push_back(event["properties"]["$insert_id"].get<std::string>());
        }
        return ids;
    };
    const std::vector<std::string> first = run();
    const std::set<std::string> distinct(first.begin(), first.end());
    QCOMPARE(distinct.size(), lines.size());
    for (const std::string &id : first)
        QVERIFY2(hsi::recovery::isValidInsertId(id), id.c_str());
    QCOMPARE(run(), first);
}

void TestEventTransform::repeatedKeysKeepFirst()
{
    // The scan counts the first value of a key given twice, so the
    // transform restores the first original id and name, at every depth.
    Json event = hsi::recovery::parseEvent(
        R"({"event":"$hotshard_events","properties":{"distinct_id":"",)"
        R"("mp_original_distinct_id":"o1","mp_original_distinct_id":"o2",)"
        R"("mp_original_event_name":"E1","mp_original_event_name":"E2",)"
        R"("time":1,"$insert_id":"i","o":{"k":1,"k":2}}})");
    QCOMPARE(event["properties"]["o"]["k"].get<int>(), 1);
    TransformOptions options;
    options.distinctId.mode = DistinctIdChoice::Mode::Original;
    EventTransformer transformer(options);
    transformer.transform(event);
    QCOMPARE(event["event"].get<std::string>(), std::string("E1"));
    QCOMPARE(event["properties"]["distinct_id"].get<std::string>(),
             std::string("o1"));
}

void TestEventTransform::insertIdValidity_data()
{
    QTest::addColumn<QByteArray>("id");
    QTest::addColumn<bool>("valid");
    QTest::addRow("uuid") << QByteArray("36a92782-cd7d-41a0-93af-8c23ec6c4191")
                          << true;
    QTest::addRow("37 bytes")
        << QByteArray("36a92782-cd7d-41a0-93af-8c23ec6c41912") << false;
    QTest::addRow("underscore") << QByteArray("a_b") << false;
    QTest::addRow("empty") << QByteArray("") << false;
    QTest::addRow("null") << QByteArray("NULL") << false;
    QTest::addRow("zero") << QByteArray("0") << false;
    QTest::addRow("short") << QByteArray("x1") << true;
}

void TestEventTransform::insertIdValidity()
{
    QFETCH(QByteArray, id);
    QFETCH(bool, valid);
    QCOMPARE(hsi::recovery::isValidInsertId(id.toStdString()), valid);
}

void TestEventTransform::insertIdWarning()
{
    EventTransformer transformer(TransformOptions{});
    Json bad =
        Json::parse(R"({"event":"A","properties":{"$insert_id":"a.b"}})");
    QVERIFY(transformer.transform(bad).insertIdInvalid);
    Json missing = Json::parse(R"({"event":"A","properties":{}})");
    QVERIFY(transformer.transform(missing).insertIdInvalid);
    Json good =
        Json::parse(R"({"event":"A","properties":{"$insert_id":"a-b"}})");
    const EventOutcome outcome = transformer.transform(good);
    QVERIFY(!outcome.insertIdInvalid);
    QCOMPARE(outcome.kind, EventOutcome::Kind::PassedThrough);
}

void TestEventTransform::restoredIdRejected_data()
{
    QTest::addColumn<QByteArray>("originalId");
    QTest::addColumn<bool>("rejected");
    QTest::addRow("null text") << QByteArray(R"("null")") << true;
    QTest::addRow("undefined upper") << QByteArray(R"("UNDEFINED")") << true;
    QTest::addRow("zero number") << QByteArray("0") << true;
    QTest::addRow("minus one") << QByteArray("-1") << true;
    QTest::addRow("real id") << QByteArray(R"("user-7")") << false;
    QTest::addRow("null prefix") << QByteArray(R"("nullable")") << false;
}

void TestEventTransform::restoredIdRejected()
{
    QFETCH(QByteArray, originalId);
    QFETCH(bool, rejected);

    TransformOptions options;
    options.distinctId = DistinctIdChoice::parse("original");
    EventTransformer transformer(options);
    Json event = Json::parse(
        R"({"event":"$hotshard_events","properties":{"mp_original_event_name":"A","mp_original_distinct_id":)" +
        originalId.toStdString() + "}}");
    const EventOutcome outcome = transformer.transform(event);
    QCOMPARE(outcome.kind, EventOutcome::Kind::Restored);
    QCOMPARE(outcome.restoredIdRejected, rejected);
}

void TestEventTransform::choiceParse()
{
    QCOMPARE(DistinctIdChoice::parse("keep").mode,
             DistinctIdChoice::Mode::Keep);
    QCOMPARE(DistinctIdChoice::parse("original").mode,
             DistinctIdChoice::Mode::Original);
    const DistinctIdChoice property =
        DistinctIdChoice::parse("property:$user_id");
    QCOMPARE(property.mode, DistinctIdChoice::Mode::Property);
    QCOMPARE(property.argument, std::string("$user_id"));
    QCOMPARE(property.toString(), std::string("property:$user_id"));
    const DistinctIdChoice map = DistinctIdChoice::parse("map:/x/y.csv");
    QCOMPARE(map.mode, DistinctIdChoice::Mode::Map);
    QCOMPARE(map.argument, std::string("/x/y.csv"));
}

void TestEventTransform::choiceInvalid()
{
    QVERIFY_THROWS_EXCEPTION(hsi::recovery::RecoveryError,
                             DistinctIdChoice::parse("property:"));
    QVERIFY_THROWS_EXCEPTION(hsi::recovery::RecoveryError,
                             DistinctIdChoice::parse("restore"));
    QVERIFY_THROWS_EXCEPTION(hsi::recovery::RecoveryError,
                             DistinctIdChoice::parse("map:"));
}

QTEST_GUILESS_MAIN(TestEventTransform)
#include "tst_event_transform.moc"
