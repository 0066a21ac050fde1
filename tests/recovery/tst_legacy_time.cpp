#include "hsi/recovery/event_transform.h"
#include "hsi/recovery/legacy_time.h"
#include "hsi/recovery/recovery_error.h"

#include <QDateTime>
#include <QTest>
#include <QTimeZone>
#include <limits>

using hsi::recovery::LegacyTimeConverter;

namespace {

/// Returns the wall-clock time "YYYY-MM-DD HH:MM:SS" as epoch seconds, as a
/// pre-2023 project stores it: the local time read as if it were UTC.
qint64 localSeconds(const char *text)
{
    const QDateTime time = QDateTime::fromString(
        QString::fromLatin1(text), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    return QDateTime(time.date(), time.time(), QTimeZone::utc())
        .toSecsSinceEpoch();
}

qint64 utcSeconds(const char *text)
{
    return localSeconds(text);
}

} // namespace

class TestLegacyTime : public QObject {
    Q_OBJECT

private slots:
    void convert_data();
    void convert();
    void unknownZone();
    void eventMilliseconds();
    void eventSecondsFloat();
    void eventTimeMissing();
};

void TestLegacyTime::convert_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<qint64>("local");
    QTest::addColumn<qint64>("expected");

    // America/Los_Angeles: clocks go forward at 2023-03-12 02:00 PST and
    // back at 2023-11-05 02:00 PDT.
    const QString la = QStringLiteral("America/Los_Angeles");
    QTest::addRow("winter") << la << localSeconds("2023-01-15 12:00:00")
                            << utcSeconds("2023-01-15 20:00:00");
    QTest::addRow("summer") << la << localSeconds("2023-07-15 12:00:00")
                            << utcSeconds("2023-07-15 19:00:00");
    QTest::addRow("before gap") << la << localSeconds("2023-03-12 01:59:59")
                                << utcSeconds("2023-03-12 09:59:59");
    QTest::addRow("in gap") << la << localSeconds("2023-03-12 02:30:00")
                            << utcSeconds("2023-03-12 10:30:00");
    QTest::addRow("after gap") << la << localSeconds("2023-03-12 03:00:00")
                               << utcSeconds("2023-03-12 10:00:00");
    QTest::addRow("repeat first") << la << localSeconds("2023-11-05 01:30:00")
                                  << utcSeconds("2023-11-05 08:30:00");
    QTest::addRow("after repeat") << la << localSeconds("2023-11-05 02:00:00")
                                  << utcSeconds("2023-11-05 10:00:00");
    // Europe/Berlin changes at 02:00 CET (forward) and 03:00 CEST (back).
    const QString berlin = QStringLiteral("Europe/Berlin");
    QTest::addRow("berlin gap") << berlin << localSeconds("2024-03-31 02:15:00")
                                << utcSeconds("2024-03-31 01:15:00");
    QTest::addRow("berlin repeat")
        << berlin << localSeconds("2024-10-27 02:15:00")
        << utcSeconds("2024-10-27 00:15:00");
    QTest::addRow("utc") << QStringLiteral("UTC")
                         << localSeconds("2024-10-27 02:15:00")
                         << utcSeconds("2024-10-27 02:15:00");
    QTest::addRow("kolkata")
        << QStringLiteral("Asia/Kolkata") << localSeconds("2020-01-01 05:30:00")
        << utcSeconds("2020-01-01 00:00:00");
}

void TestLegacyTime::convert()
{
    QFETCH(QString, zone);
    QFETCH(qint64, local);
    QFETCH(qint64, expected);
    LegacyTimeConverter converter(zone.toStdString());
    QCOMPARE(converter.toUtcSeconds(local), expected);
}

void TestLegacyTime::unknownZone()
{
    QVERIFY_THROWS_EXCEPTION(hsi::recovery::RecoveryError,
                             LegacyTimeConverter("Mars/Olympus_Mons"));
}

void TestLegacyTime::eventMilliseconds()
{
    hsi::recovery::TransformOptions options;
    options.legacyTimeZone = "America/Los_Angeles";
    hsi::recovery::EventTransformer transformer(options);

    const std::int64_t local = localSeconds("2023-07-15 12:00:00") * 1000 + 123;
    nlohmann::ordered_json event = {
        {"event", "A"},
        {"properties", {{"time", local}, {"$insert_id", "i-1"}}}};
    const auto outcome = transformer.transform(event);
    QVERIFY(outcome.timeConverted);
    QCOMPARE(outcome.kind, hsi::recovery::EventOutcome::Kind::Modified);
    QVERIFY(event["properties"]["time"].is_number_integer());
    QCOMPARE(event["properties"]["time"].get<std::int64_t>(),
             utcSeconds("2023-07-15 19:00:00") * 1000 + 123);
}

void TestLegacyTime::eventSecondsFloat()
{
    hsi::recovery::TransformOptions options;
    options.legacyTimeZone = "America/Los_Angeles";
    hsi::recovery::EventTransformer transformer(options);

    const double local =
        static_cast<double>(localSeconds("2023-01-15 12:00:00")) + 0.5;
    nlohmann::ordered_json event = {{"event", "A"},
                                    {"properties", {{"time", local}}}};
    QVERIFY(transformer.transform(event).timeConverted);
    QVERIFY(event["properties"]["time"].is_number_float());
    QCOMPARE(event["properties"]["time"].get<double>(),
             static_cast<double>(utcSeconds("2023-01-15 20:00:00")) + 0.5);
}

void TestLegacyTime::eventTimeMissing()
{
    hsi::recovery::TransformOptions options;
    options.legacyTimeZone = "UTC";
    hsi::recovery::EventTransformer transformer(options);

    nlohmann::ordered_json missing = {{"event", "A"},
                                      {"properties", {{"x", 1}}}};
    auto outcome = transformer.transform(missing);
    QCOMPARE(outcome.kind, hsi::recovery::EventOutcome::Kind::SetAside);
    QCOMPARE(outcome.reason, hsi::recovery::SetAsideReason::TimeInvalid);

    nlohmann::ordered_json text = {{"event", "A"},
                                   {"properties", {{"time", "noon"}}}};
    outcome = transformer.transform(text);
    QCOMPARE(outcome.reason, hsi::recovery::SetAsideReason::TimeInvalid);

    // Times beyond the years 0001 to 9999 have no offset to apply.
    for (const double time : {1e300, -1e300, 9.3e18, -9.3e18}) {
        nlohmann::ordered_json huge = {{"event", "A"},
                                       {"properties", {{"time", time}}}};
        outcome = transformer.transform(huge);
        QCOMPARE(outcome.kind, hsi::recovery::EventOutcome::Kind::SetAside);
        QCOMPARE(outcome.reason, hsi::recovery::SetAsideReason::TimeInvalid);
    }
    nlohmann::ordered_json largest = {
        {"event", "A"},
        {"properties", {{"time", std::numeric_limits<std::int64_t>::max()}}}};
    outcome = transformer.transform(largest);
    QCOMPARE(outcome.reason, hsi::recovery::SetAsideReason::TimeInvalid);
}

QTEST_GUILESS_MAIN(TestLegacyTime)
#include "tst_legacy_time.moc"
