// End-to-end tests of `hotshard scan` and `hotshard generate`: the binary
// runs in a QProcess on a generated multi-day export whose hot and
// near-limit pairs the generator returns exactly.

#include "hotshard_process.h"
#include "hsi/civil_date.h"
#include "hsi/count_text.h"
#include "hsi/sample_generator.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTest>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

using namespace hsi;
using namespace hsi::test;
using nlohmann::json;

namespace {

// Divisor 200 gives a user limit of 1,000, a group limit of 5,000 and about
// 9,300 events (3 MB), so each scan takes well under a second.
constexpr int kScaleDivisor = 200;

const QString kHotshard = QStringLiteral(HSI_BINARY_DIR "/app/hotshard");

json readJson(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        return json();
    return json::parse(file.readAll().toStdString(), nullptr, false);
}

std::string readText(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

/// Identity of a pair in the report: kind, group key, id and date.
using PairKey = std::tuple<std::string, std::string, std::string, std::string>;

PairKey keyOf(const ExpectedPair &pair)
{
    return {pair.kind == ShardKind::User ? "user" : "group", pair.groupKey,
            pair.id, formatDay(pair.day)};
}

PairKey keyOf(const json &finding)
{
    return {finding.at("kind").get<std::string>(),
            finding.value("group_key", std::string()),
            finding.at("id").get<std::string>(),
            finding.at("date").get<std::string>()};
}

const json *findFinding(const json &list, const PairKey &key)
{
    for (const json &finding : list) {
        if (keyOf(finding) == key)
            return &finding;
    }
    return nullptr;
}

QStringList limitArguments(const GeneratorSummary &summary)
{
    return {QStringLiteral("--user-limit"), QString::number(summary.userLimit),
            QStringLiteral("--group-limit"),
            QString::number(summary.groupLimit)};
}

} // namespace

class TestScanCommand : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void expectedPairs_data();
    void expectedPairs();
    void jsonSchema();
    void numericIdsAndTimeZone_data();
    void numericIdsAndTimeZone();
    void generateMatchesLibrary();
    void exitCodes_data();
    void exitCodes();
    void timeZoneSpelledAsIana_data();
    void timeZoneSpelledAsIana();
    void failOnHot();
    void missingInput();
    void reportPathChecked();
    void reportOnInputRejected_data();
    void reportOnInputRejected();
    void reportReplacedWhole_data();
    void reportReplacedWhole();
    void reportPathCheckedFirst_data();
    void reportPathCheckedFirst();
    void inputsReadOnce();
    void folderNotes();
    void allIdsListed();
    void incompleteInput_data();
    void incompleteInput();
    void crossingTimeAsDated_data();
    void crossingTimeAsDated();
    void idProblemsByEvents();
    void idProblemCountBeyondList();
    void errorsListedFirst();
    void hotShardsBeyondEvidence();
    void summaryEscapesControls();
    void summaryCutsLongIds();
    void sizesInDecimalUnits_data();
    void sizesInDecimalUnits();
    void nonUtf8FileNames();
    void reportOnDevStdout();
    void summaryToFullDisk();
    void generateRejectsUnusedOptions();
    void progressFitsNarrowTerminal();
    void topCutsListsButHotShards();
    void streamInputRejected_data();
    void streamInputRejected();
    void nearLimitPercentPrecise();

private:
    FixtureDir m_dir;
    GeneratorSummary m_plain;
    GeneratorSummary m_gzip;
    std::string m_plainPath;
    std::string m_gzipPath;
};

void TestScanCommand::initTestCase()
{
    QVERIFY2(QFile::exists(kHotshard), qPrintable(kHotshard));
    GeneratorOptions options;
    options.scaleDivisor = kScaleDivisor;
    m_plainPath = m_dir.path("sample.json");
    m_plain = generateExport(options, m_plainPath);
    options.gzip = true;
    m_gzipPath = m_dir.path("sample.json.gz");
    m_gzip = generateExport(options, m_gzipPath);

    // The checks below compare against these pairs and records, so an
    // empty sample would let them pass without checking anything.
    QVERIFY(m_plain.pairs.size() >= 4);
    QCOMPARE(m_gzip.events, m_plain.events);
    QVERIFY(m_plain.records > 0);
}

void TestScanCommand::expectedPairs_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QStringList>("extra");
    QTest::addRow("plain, two threads")
        << false
        << QStringList{QStringLiteral("--threads"), QStringLiteral("2")};
    QTest::addRow("gzip, two threads")
        << true
        << QStringList{QStringLiteral("--threads"), QStringLiteral("2")};
    QTest::addRow("plain, one thread, group key given")
        << false
        << QStringList{QStringLiteral("--threads"), QStringLiteral("1"),
                       QStringLiteral("--group-key"),
                       QStringLiteral("company")};
}

void TestScanCommand::expectedPairs()
{
    QFETCH(bool, gzip);
    QFETCH(QStringList, extra);
    const GeneratorSummary &summary = gzip ? m_gzip : m_plain;
    const std::string input = gzip ? m_gzipPath : m_plainPath;
    const std::string output = m_dir.path("report.json");

    const HotshardRun run = runHotshard(
        QStringList{QStringLiteral("scan")} + limitArguments(summary) + extra +
        QStringList{QStringLiteral("--json"), QString::fromStdString(output),
                    QString::fromStdString(input)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const json report = readJson(output);
    QVERIFY(report.is_object());

    QCOMPARE(report["totals"]["events"].get<std::int64_t>(), summary.events);
    QCOMPARE(report["totals"]["remediated_events"].get<std::int64_t>(),
             summary.remediatedEvents);
    QCOMPARE(report["totals"]["skipped_lines"].get<std::int64_t>(),
             std::int64_t{0});
    QCOMPARE(report["records"].size(),
             static_cast<std::size_t>(summary.records));
    QCOMPARE(report["inputs"][0]["status"].get<std::string>(),
             std::string("ok"));

    std::set<PairKey> expectedHot;
    std::set<PairKey> expectedNear;
    for (const ExpectedPair &pair : summary.pairs) {
        const std::int64_t limit = pair.kind == ShardKind::User
                                       ? summary.userLimit
                                       : summary.groupLimit;
        const PairKey key = keyOf(pair);
        const auto nearThreshold = static_cast<std::int64_t>(
            std::ceil(0.5 * static_cast<double>(limit)));
        if (pair.events > limit)
            expectedHot.insert(key);
        else if (pair.events >= nearThreshold)
            expectedNear.insert(key);

        const json *finding = findFinding(report["hot_shards"], key);
        if (!finding)
            finding = findFinding(report["near_limit"], key);
        if (pair.events < nearThreshold) {
            QVERIFY2(finding == nullptr, pair.id.c_str());
            continue;
        }
        QVERIFY2(finding != nullptr, pair.id.c_str());
        QCOMPARE((*finding)["events"].get<std::int64_t>(), pair.events);
        QCOMPARE((*finding)["remediated_events"].get<std::int64_t>(),
                 pair.remediatedEvents);
        QCOMPARE((*finding)["unique_events"].get<std::int64_t>(),
                 pair.events - pair.duplicates);
        QCOMPARE((*finding)["over_limit"].get<std::int64_t>(),
                 std::max<std::int64_t>(0, pair.events - limit));
    }
    QVERIFY(!expectedHot.empty());
    QVERIFY(!expectedNear.empty());

    std::set<PairKey> actualHot;
    for (const json &finding : report["hot_shards"])
        actualHot.insert(keyOf(finding));
    std::set<PairKey> actualNear;
    for (const json &finding : report["near_limit"])
        actualNear.insert(keyOf(finding));
    QVERIFY(actualHot == expectedHot);
    for (const PairKey &key : expectedNear)
        QVERIFY2(actualNear.count(key) == 1, std::get<2>(key).c_str());
    for (const PairKey &key : actualNear)
        QVERIFY2(expectedNear.count(key) == 1, std::get<2>(key).c_str());
}

void TestScanCommand::jsonSchema()
{
    const HotshardRun run = runHotshard(
        QStringList{QStringLiteral("scan")} + limitArguments(m_plain) +
        QStringList{QStringLiteral("--json"), QStringLiteral("-"),
                    QString::fromStdString(m_plainPath)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const json report = json::parse(run.out.toStdString(), nullptr, false);
    QVERIFY(report.is_object());

    const json &totals = report["totals"];
    QVERIFY(totals["events"].is_number_integer());
    QVERIFY(totals["remediated_events"].is_number_integer());
    QVERIFY(totals["skipped_lines"].is_number_integer());

    QCOMPARE(report["inputs"].size(), std::size_t{1});
    const json &input = report["inputs"][0];
    QCOMPARE(input["path"].get<std::string>(), m_plainPath);
    QVERIFY(input["events"].is_number_integer());
    QVERIFY(input["status"].is_string());
    QVERIFY(input["problems"].is_array());

    QVERIFY(report["days"].size() >= 5);
    for (const json &day : report["days"]) {
        QVERIFY(parseDay(day["date"].get<std::string>()).has_value());
        QVERIFY(day["events"].is_number_integer());
        QVERIFY(day["remediated_events"].is_number_integer());
    }

    QVERIFY(report["hot_shards"].size() >= 2);
    for (const json &finding : report["hot_shards"]) {
        const std::string kind = finding["kind"].get<std::string>();
        QVERIFY(kind == "user" || kind == "group");
        QCOMPARE(finding.contains("group_key"), kind == "group");
        QVERIFY(finding["id"].is_string());
        QVERIFY(parseDay(finding["date"].get<std::string>()).has_value());
        QVERIFY(finding["events"].is_number_integer());
        QVERIFY(finding["unique_events"].is_number_integer());
        QVERIFY(finding["remediated_events"].is_number_integer());
        QVERIFY(finding["over_limit"].get<std::int64_t>() > 0);
        const json &crossing = finding["crossing"];
        QCOMPARE(crossing["file"].get<std::string>(), m_plainPath);
        QVERIFY(crossing["line"].get<std::int64_t>() > 0);
        QVERIFY(crossing["time_ms"].is_number_integer());
        QVERIFY(finding["unique_events"].get<std::int64_t>() <=
                finding["events"].get<std::int64_t>());
        const std::set<std::string> causes = {
            "static_id_many_devices", "automation_few_devices",
            "server_side_one_id", "duplicate_storm", "unknown"};
        QCOMPARE(causes.count(finding["likely_cause"].get<std::string>()),
                 std::size_t{1});
        QVERIFY(!finding["likely_cause_text"].get<std::string>().empty());
        QVERIFY(finding["id_flags"].is_array());
        QCOMPARE(finding["evidence"]["events_per_hour"].size(),
                 std::size_t{24});
        QVERIFY(finding["evidence"]["top_events"].is_array());
    }
    for (const json &finding : report["near_limit"]) {
        QVERIFY(finding["id"].is_string());
        QCOMPARE(finding["over_limit"].get<std::int64_t>(), std::int64_t{0});
        QVERIFY(finding["crossing"].is_null());
    }

    QVERIFY(!report["records"].empty());
    for (const json &record : report["records"]) {
        QVERIFY(record["time_ms"].is_number_integer());
        QVERIFY(record["hotshard_distinct_id"].is_string());
        QVERIFY(record["hotshard_group_key"].is_string());
        QVERIFY(record["hotshard_group_display_name"].is_string());
    }
    QVERIFY(report["id_problems"].is_array());
    for (const json &problem : report["id_problems"]) {
        QVERIFY(problem["id"].is_string());
        QVERIFY(problem["flags"].is_array());
    }
}

void TestScanCommand::numericIdsAndTimeZone_data()
{
    QTest::addColumn<QString>("timeZone");
    QTest::addColumn<QStringList>("hotDates");
    QTest::addColumn<std::int64_t>("eventsPerDate");
    // The events are one second before and at 08:00:00 UTC on 2024-03-10,
    // which is midnight in Los Angeles (PST).
    QTest::addRow("UTC") << QStringLiteral("UTC")
                         << QStringList{QStringLiteral("2024-03-10")}
                         << std::int64_t{4};
    QTest::addRow("Los Angeles") << QStringLiteral("America/Los_Angeles")
                                 << QStringList{QStringLiteral("2024-03-09"),
                                                QStringLiteral("2024-03-10")}
                                 << std::int64_t{2};
}

void TestScanCommand::numericIdsAndTimeZone()
{
    QFETCH(QString, timeZone);
    QFETCH(QStringList, hotDates);
    QFETCH(std::int64_t, eventsPerDate);
    const std::int64_t midnight = utcSeconds(2024, 3, 10, 8);
    std::string text;
    for (const std::int64_t time :
         {midnight - 1, midnight - 1, midnight, midnight})
        text +=
            eventLine("Login", "4611686018427387905", std::to_string(time)) +
            "\n";
    text +=
        eventLine("Login", "4611686018427387904", std::to_string(midnight)) +
        "\n";
    const std::string input = m_dir.write("numeric.json", text);
    const std::string output = m_dir.path("numeric-report.json");

    const HotshardRun run = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--user-limit"),
         QStringLiteral("1"), QStringLiteral("--timezone"), timeZone,
         QStringLiteral("--json"), QString::fromStdString(output),
         QString::fromStdString(input)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    // Progress goes to stderr only when it is a terminal, which a QProcess
    // pipe is not.
    QVERIFY2(run.err.isEmpty(), qPrintable(run.err));
    const json report = readJson(output);
    QCOMPARE(report["settings"]["timezone"].get<std::string>(),
             timeZone.toStdString());

    const json &hot = report["hot_shards"];
    QCOMPARE(hot.size(), static_cast<std::size_t>(hotDates.size()));
    for (const QString &date : hotDates) {
        const json *finding = findFinding(
            hot, {"user", "", "4611686018427387905", date.toStdString()});
        QVERIFY2(finding != nullptr, qPrintable(date));
        QVERIFY((*finding)["id"].is_string());
        QCOMPARE((*finding)["events"].get<std::int64_t>(), eventsPerDate);
    }
    const json *near =
        findFinding(report["near_limit"],
                    {"user", "", "4611686018427387904", "2024-03-10"});
    QVERIFY(near != nullptr);
    QCOMPARE((*near)["events"].get<std::int64_t>(), std::int64_t{1});
}

void TestScanCommand::generateMatchesLibrary()
{
    const std::string output = m_dir.path("generated.json");
    const HotshardRun run = runHotshard(
        {QStringLiteral("generate"), QStringLiteral("--preset"),
         QStringLiteral("sample"), QStringLiteral("--scale-divisor"),
         QString::number(kScaleDivisor), QStringLiteral("--out"),
         QString::fromStdString(output)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));

    QFile generated(QString::fromStdString(output));
    QFile library(QString::fromStdString(m_plainPath));
    QVERIFY(generated.open(QIODevice::ReadOnly));
    QVERIFY(library.open(QIODevice::ReadOnly));
    QCOMPARE(generated.size(), library.size());
    QVERIFY(generated.readAll() == library.readAll());
}

void TestScanCommand::progressFitsNarrowTerminal()
{
    // script(1) runs the command on a pseudo-terminal 40 columns wide, so
    // that the progress line is drawn.
    if (!QFileInfo::exists(QStringLiteral("/usr/bin/script")))
        QSKIP("script(1) from util-linux is not installed");
    QProcess process;
    process.start(QStringLiteral("/usr/bin/script"),
                  {QStringLiteral("-qc"),
                   QStringLiteral("stty cols 40; '" HSI_BINARY_DIR
                                  "/app/hotshard' scan --json /dev/null '%1'")
                       .arg(QString::fromStdString(m_plainPath)),
                   QStringLiteral("/dev/null")});
    QVERIFY(process.waitForFinished(60'000));
    const QString output = QString::fromUtf8(process.readAllStandardOutput());
    // A progress line is a pass's name and a percentage, after the escape
    // that clears the row.
    const QRegularExpression progressLine(
        QStringLiteral("^\x1b\\[K([a-z]+ +[0-9.]+%[^\r\n]*)"));
    int drawn = 0;
    for (const QString &piece : output.split(QLatin1Char('\r'))) {
        const QRegularExpressionMatch match = progressLine.match(piece);
        if (!match.hasMatch())
            continue;
        ++drawn;
        QVERIFY2(match.captured(1).size() < 40, qPrintable(match.captured(1)));
    }
    QVERIFY2(drawn > 0, qPrintable(output.left(400)));
}

void TestScanCommand::generateRejectsUnusedOptions()
{
    // The sample has a fixed size, and "-" would be taken for a file name.
    const QString output = QString::fromStdString(m_dir.path("unused.json"));
    const HotshardRun sized =
        runHotshard({QStringLiteral("generate"), QStringLiteral("--preset"),
                     QStringLiteral("sample"), QStringLiteral("--size-mb"),
                     QStringLiteral("5"), QStringLiteral("--out"), output});
    QCOMPARE(sized.exitCode, 2);
    QVERIFY2(sized.err.contains(QStringLiteral("--size-mb applies to")),
             qPrintable(sized.err));
    QVERIFY(!QFile::exists(output));
    const HotshardRun dash =
        runHotshard({QStringLiteral("generate"), QStringLiteral("--preset"),
                     QStringLiteral("benchmark"), QStringLiteral("--out"),
                     QStringLiteral("-")});
    QCOMPARE(dash.exitCode, 2);

    // A .gz name is compressed without --gzip.
    const QString gz = QString::fromStdString(m_dir.path("named.json.gz"));
    const HotshardRun named =
        runHotshard({QStringLiteral("generate"), QStringLiteral("--preset"),
                     QStringLiteral("benchmark"), QStringLiteral("--size-mb"),
                     QStringLiteral("1"), QStringLiteral("--out"), gz});
    QVERIFY2(named.exitCode == 0, qPrintable(named.err));
    QFile file(gz);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.read(2), QByteArray("\x1f\x8b"));

    // A bad number names its option and value.
    const HotshardRun zero =
        runHotshard({QStringLiteral("generate"), QStringLiteral("--preset"),
                     QStringLiteral("benchmark"), QStringLiteral("--size-mb"),
                     QStringLiteral("0"), QStringLiteral("--out"), output});
    QCOMPARE(zero.exitCode, 2);
    QVERIFY2(zero.err.contains(QStringLiteral("invalid --size-mb value '0'")),
             qPrintable(zero.err));

    // Scaled limits are given as the options that scan the fixture.
    const QString scaled = QString::fromStdString(m_dir.path("scaled.json"));
    const HotshardRun divided = runHotshard(
        {QStringLiteral("generate"), QStringLiteral("--scale-divisor"),
         QStringLiteral("100"), QStringLiteral("--out"), scaled});
    QVERIFY2(divided.exitCode == 0, qPrintable(divided.err));
    QVERIFY2(divided.err.contains(QStringLiteral(
                 "scan it with --user-limit 2000 --group-limit 10000")),
             qPrintable(divided.err));
}

void TestScanCommand::exitCodes_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::addRow("hot without --fail-on-hot")
        << QStringList{QStringLiteral("--user-limit"), QStringLiteral("1000")}
        << 0 << QString();
    QTest::addRow("non-numeric user limit")
        << QStringList{QStringLiteral("--user-limit"), QStringLiteral("many")}
        << 2 << QStringLiteral("--user-limit value 'many'");
    QTest::addRow("user limit past the maximum")
        << QStringList{QStringLiteral("--user-limit"),
                       QStringLiteral("99999999999999999999")}
        << 2
        << QStringLiteral("'99999999999999999999': use a whole number from 1 "
                          "to 9223372036854775807");
    QTest::addRow("zero group limit")
        << QStringList{QStringLiteral("--group-limit"), QStringLiteral("0")}
        << 2 << QStringLiteral("--group-limit value '0'");
    QTest::addRow("near-limit above 1")
        << QStringList{QStringLiteral("--near-limit"), QStringLiteral("1.5")}
        << 2 << QStringLiteral("--near-limit value '1.5'");
    QTest::addRow("unknown time zone")
        << QStringList{QStringLiteral("--timezone"),
                       QStringLiteral("Mars/Olympus")}
        << 2 << QStringLiteral("Mars/Olympus");
    // Qt reads UTC+1 as one hour east, POSIX TZ as one hour west.
    QTest::addRow("offset of two readings")
        << QStringList{QStringLiteral("--timezone"), QStringLiteral("UTC+1")}
        << 2 << QStringLiteral("unknown time zone 'UTC+1'");
    QTest::addRow("unknown option")
        << QStringList{QStringLiteral("--no-such-option")} << 2
        << QStringLiteral("Run 'hotshard scan --help' for the options.");
    QTest::addRow("empty group key")
        << QStringList{QStringLiteral("--group-key"), QString()} << 2
        << QStringLiteral("invalid --group-key ''");
    QTest::addRow("near-limit NaN")
        << QStringList{QStringLiteral("--near-limit"), QStringLiteral("nan")}
        << 2 << QStringLiteral("--near-limit value 'nan'");
    QTest::addRow("empty time zone")
        << QStringList{QStringLiteral("--timezone"), QString()} << 2
        << QStringLiteral("unknown time zone ''");
    QTest::addRow("empty report path")
        << QStringList{QStringLiteral("--json"), QString()} << 2
        << QStringLiteral("--json needs a file name");
    QTest::addRow("option taken for the report path")
        << QStringList{QStringLiteral("--json"), QStringLiteral("--")} << 2
        << QStringLiteral("got '--'. Write ./--");
    QTest::addRow("time zone with legacy project time")
        << QStringList{QStringLiteral("--legacy-project-time"),
                       QStringLiteral("--timezone"),
                       QStringLiteral("Europe/Paris")}
        << 2 << QStringLiteral("no time zone applies");
}

void TestScanCommand::exitCodes()
{
    QFETCH(QStringList, options);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const HotshardRun run =
        runHotshard(QStringList{QStringLiteral("scan")} + options +
                    QStringList{QString::fromStdString(m_plainPath)});
    QCOMPARE(run.exitCode, exitCode);
    if (!message.isEmpty())
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
}

void TestScanCommand::timeZoneSpelledAsIana_data()
{
    QTest::addColumn<QString>("given");
    QTest::addColumn<QString>("reported");
    QTest::addRow("utc") << "utc"
                         << "UTC";
    QTest::addRow("lower case") << "america/new_york"
                                << "America/New_York";
    QTest::addRow("as written") << "Europe/Paris"
                                << "Europe/Paris";
    QTest::addRow("offset") << "UTC+01:00"
                            << "UTC+01:00";
    QTest::addRow("link to a zone") << "Etc/UTC"
                                    << "Etc/UTC";
}

// Time zone names match IANA's but for case, and the report spells them as
// IANA does.
void TestScanCommand::timeZoneSpelledAsIana()
{
    QFETCH(QString, given);
    QFETCH(QString, reported);
    const HotshardRun run =
        runHotshard({QStringLiteral("scan"), QStringLiteral("--timezone"),
                     given, QStringLiteral("--json"), QStringLiteral("-"),
                     QString::fromStdString(m_plainPath)});
    QCOMPARE(run.exitCode, 0);
    const json report = json::parse(run.out.toStdString());
    QCOMPARE(report["settings"]["timezone"].get<std::string>(),
             reported.toStdString());
}

void TestScanCommand::failOnHot()
{
    const QString input = QString::fromStdString(m_plainPath);
    const HotshardRun hot = runHotshard(
        QStringList{QStringLiteral("scan")} + limitArguments(m_plain) +
        QStringList{QStringLiteral("--fail-on-hot"), input});
    QCOMPARE(hot.exitCode, 3);

    const HotshardRun cold = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--fail-on-hot"), input});
    QVERIFY2(cold.exitCode == 0, qPrintable(cold.err));
}

void TestScanCommand::missingInput()
{
    const QString missing = QString::fromStdString(m_dir.path("missing.json"));
    const HotshardRun run = runHotshard({QStringLiteral("scan"), missing});
    QCOMPARE(run.exitCode, 2);
    const QString messages = run.out + run.err;
    QVERIFY2(messages.contains(missing), qPrintable(messages));

    // A summary of nothing would read as "no hot shards".
    QVERIFY2(!messages.contains(QStringLiteral("Hot shards")),
             qPrintable(messages));

    const HotshardRun none = runHotshard({QStringLiteral("scan")});
    QCOMPARE(none.exitCode, 2);

    const QString emptyFolder = QString::fromStdString(m_dir.path("empty"));
    QVERIFY(QDir().mkpath(emptyFolder));
    const HotshardRun folder =
        runHotshard({QStringLiteral("scan"), emptyFolder});
    QCOMPARE(folder.exitCode, 2);
    QVERIFY2(folder.err.contains(QStringLiteral("folder ") + emptyFolder +
                                 QStringLiteral(" holds no export files")),
             qPrintable(folder.err));

    // One readable input is enough for a report. The missing one is an error
    // input there, and exit code 4 reports that the counts may be short.
    const std::string output = m_dir.path("partial.json");
    const HotshardRun partial =
        runHotshard({QStringLiteral("scan"), QStringLiteral("--json"),
                     QString::fromStdString(output), missing,
                     QString::fromStdString(m_plainPath)});
    QCOMPARE(partial.exitCode, 4);
    const json report = readJson(output);
    QCOMPARE(report["inputs"].size(), std::size_t{2});
    QCOMPARE(report["inputs"][0]["status"].get<std::string>(),
             std::string("error"));
    QCOMPARE(report["inputs"][0]["path"].get<std::string>(),
             missing.toStdString());
    QCOMPARE(report["inputs"][1]["status"].get<std::string>(),
             std::string("ok"));
    QCOMPARE(report["inputs"][0]["bytes"].get<std::int64_t>(), std::int64_t{0});
    QCOMPARE(report["totals"]["bytes"].get<std::int64_t>(),
             report["inputs"][1]["bytes"].get<std::int64_t>());
    // The first line of the summary counts the inputs that were not read.
    QVERIFY2(partial.out.startsWith(QStringLiteral(
                 "Scanned 2 files (1 could not be read; see the end)")),
             qPrintable(partial.out));
    QVERIFY2(partial.out.contains(
                 QStringLiteral("No event could be read. Check the path")),
             qPrintable(partial.out));

    // A file in another format names its own conversion, so the advice
    // about paths and permissions is left out.
    const QString bzip2 = QString::fromStdString(m_dir.path("export.json.bz2"));
    QFile file(bzip2);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("BZh91AY&SY");
    file.close();
    const HotshardRun other = runHotshard(
        {QStringLiteral("scan"), bzip2, QString::fromStdString(m_plainPath)});
    QCOMPARE(other.exitCode, 4);
    QVERIFY2(other.out.contains(QStringLiteral("bunzip2 -k FILE")),
             qPrintable(other.out));
    QVERIFY2(other.out.contains(QStringLiteral("No event could be read.\n")),
             qPrintable(other.out));
    QVERIFY2(!other.out.contains(QStringLiteral("Check the path")),
             qPrintable(other.out));
}

void TestScanCommand::reportPathChecked()
{
    const QString input = QString::fromStdString(
        m_dir.write("keep.json", repeatedLines("alice", 1709726400, 3)));
    const qint64 size = QFileInfo(input).size();

    const HotshardRun onInput = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--json"), input, input});
    QCOMPARE(onInput.exitCode, 2);
    QVERIFY2(onInput.err.contains(QStringLiteral("overwrite")),
             qPrintable(onInput.err));
    QCOMPARE(QFileInfo(input).size(), size);

    if (!QFileInfo::exists(QStringLiteral("/dev/full")))
        QSKIP("this system has no /dev/full to fill");
    const HotshardRun full =
        runHotshard({QStringLiteral("scan"), QStringLiteral("--json"),
                     QStringLiteral("/dev/full"), input});
    QCOMPARE(full.exitCode, 1);
    QVERIFY2(full.err.contains(QStringLiteral("cannot write report")),
             qPrintable(full.err));
}

void TestScanCommand::reportOnInputRejected_data()
{
    QTest::addColumn<QString>("link");
    QTest::addColumn<bool>("inputFolder");
    // "none" passes the input's own path as the report path.
    QTest::addRow("same path") << QStringLiteral("none") << false;
    QTest::addRow("symbolic link") << QStringLiteral("symbolic") << false;
    QTest::addRow("hard link") << QStringLiteral("hard") << false;
    QTest::addRow("hard link into an input folder")
        << QStringLiteral("hard") << true;
}

void TestScanCommand::reportOnInputRejected()
{
    QFETCH(QString, link);
    QFETCH(bool, inputFolder);
    FixtureDir inputs;
    const std::string text = repeatedLines("alice", 1709726400, 3);
    const std::string input = inputs.write("export.ndjson", text);
    FixtureDir reports;
    std::string report = input;
    if (link == QLatin1String("symbolic")) {
        report = reports.path("report.json");
        QVERIFY(QFile::link(QString::fromStdString(input),
                            QString::fromStdString(report)));
    } else if (link == QLatin1String("hard")) {
        report = reports.path("report.json");
        QCOMPARE(::link(input.c_str(), report.c_str()), 0);
    }

    const std::string named = inputFolder ? inputs.folder() : input;
    const HotshardRun run = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--json"),
         QString::fromStdString(report), QString::fromStdString(named)});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("would overwrite it")),
             qPrintable(run.err));
    QVERIFY2(run.err.contains(QString::fromStdString(input)),
             qPrintable(run.err));
    QFile kept(QString::fromStdString(input));
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll().toStdString(), text);
}

void TestScanCommand::reportReplacedWhole_data()
{
    // A file size limit makes the write fail after 512 bytes: the kernel
    // returns an error when SIGXFSZ is ignored, and kills the process with
    // SIGXFSZ otherwise.
    QTest::addColumn<bool>("sizeLimited");
    QTest::addColumn<bool>("killed");
    QTest::addRow("written") << false << false;
    QTest::addRow("write fails") << true << false;
    QTest::addRow("killed while writing") << true << true;
}

void TestScanCommand::reportReplacedWhole()
{
    QFETCH(bool, sizeLimited);
    QFETCH(bool, killed);
    FixtureDir inputs;
    const QString input = QString::fromStdString(
        inputs.write("export.ndjson", repeatedLines("alice", 1709726400, 30)));
    FixtureDir reports;
    const std::string oldText = "{\"old\": true}\n";
    const QString report =
        QString::fromStdString(reports.write("report.json", oldText));
    QCOMPARE(::chmod(report.toStdString().c_str(), 0640), 0);
    // A second name for the old report shows whether the report replaced
    // the file or wrote into it.
    const std::string oldName = reports.path("old.json");
    QCOMPARE(::link(report.toStdString().c_str(), oldName.c_str()), 0);

    QProcess process;
    if (sizeLimited) {
        process.setChildProcessModifier([killed] {
            const rlimit limit{512, 512};
            ::setrlimit(RLIMIT_FSIZE, &limit);
            if (!killed)
                std::signal(SIGXFSZ, SIG_IGN);
        });
    }
    // A hot shard with its evidence makes a report of several kilobytes.
    process.start(kHotshard,
                  {QStringLiteral("scan"), QStringLiteral("--user-limit"),
                   QStringLiteral("10"), QStringLiteral("--json"), report,
                   input});
    QVERIFY(process.waitForFinished(60'000));
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QCOMPARE(readText(QString::fromStdString(oldName)), oldText);
    const QStringList names =
        QDir(QString::fromStdString(reports.folder()))
            .entryList(QDir::Files | QDir::Hidden, QDir::Name);

    if (killed) {
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
        QCOMPARE(readText(report), oldText);
        return;
    }
    QCOMPARE(names, (QStringList{QStringLiteral("old.json"),
                                 QStringLiteral("report.json")}));
    if (sizeLimited) {
        QCOMPARE(process.exitCode(), 1);
        QVERIFY2(err.contains(QStringLiteral("cannot write report to ") +
                              report + QLatin1Char(':')),
                 qPrintable(err));
        QCOMPARE(readText(report), oldText);
        return;
    }
    QVERIFY2(process.exitCode() == 0, qPrintable(err));
    QCOMPARE(readJson(report.toStdString())["totals"]["events"].get<int>(), 30);
    struct stat info {};
    QCOMPARE(::stat(report.toStdString().c_str(), &info), 0);
    QCOMPARE(info.st_mode & 0777, 0640u);
}

void TestScanCommand::reportPathCheckedFirst_data()
{
    QTest::addColumn<QString>("report");
    QTest::addColumn<QString>("message");
    // Paths under the fixture folder, which contains the file input.json.
    QTest::addRow("missing folder")
        << QStringLiteral("missing/report.json")
        << QStringLiteral("folder %1/missing does not exist. Create the "
                          "folder or choose another --json path.");
    QTest::addRow("folder") << QString()
                            << QStringLiteral("is a folder: give a file name, "
                                              "such as %1/report.json");
    QTest::addRow("file as folder")
        << QStringLiteral("input.json/report.json")
        << QStringLiteral("in folder %1/input.json: Not a directory");
}

void TestScanCommand::reportPathCheckedFirst()
{
    QFETCH(QString, report);
    QFETCH(QString, message);
    FixtureDir dir;
    const QString folder = QString::fromStdString(dir.folder());
    const QString input = QString::fromStdString(
        dir.write("input.json", repeatedLines("alice", 1709726400, 3)));
    const QString reportPath = QDir(folder).filePath(report);

    const HotshardRun run = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--json"), reportPath, input});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(reportPath), qPrintable(run.err));
    QVERIFY2(run.err.contains(message.arg(folder)), qPrintable(run.err));
    // The summary follows the scan, so its absence shows that the check
    // came first.
    QVERIFY2(run.out.isEmpty(), qPrintable(run.out));
}

void TestScanCommand::inputsReadOnce()
{
    // One file named as itself, through the folder it is in, and through a
    // link. Reading it three times would triple its events and make up a
    // hot shard of duplicates.
    FixtureDir dir;
    const std::string path =
        dir.write("alice.json", repeatedLines("alice", 1709726400, 12));
    const std::string link = dir.path("link.json");
    QVERIFY(QFile::link(QString::fromStdString(path),
                        QString::fromStdString(link)));
    const std::string output = m_dir.path("once.json");
    const HotshardRun run = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--user-limit"),
         QStringLiteral("10"), QStringLiteral("--json"),
         QString::fromStdString(output), QString::fromStdString(path),
         QString::fromStdString(dir.folder()), QString::fromStdString(path)});
    QCOMPARE(run.exitCode, 0);
    const json report = readJson(output);
    QCOMPARE(report["totals"]["events"].get<std::int64_t>(), std::int64_t{12});
    QCOMPARE(report["inputs"].size(), std::size_t{1});
    QCOMPARE(report["hot_shards"][0]["over_limit"].get<std::int64_t>(),
             std::int64_t{2});
    // The folder lists the file and the link, and the file is named again.
    const std::vector<std::string> notes = report["input_notes"];
    const std::string twice = path + " is named twice, so it was read once";
    const std::vector<std::string> expected = {
        twice, link + " is the same file as " + path + ", so it was read once",
        twice};
    QCOMPARE(notes, expected);
    QVERIFY2(run.out.contains(QStringLiteral("note: ") +
                              QString::fromStdString(twice)),
             qPrintable(run.out));

    // A link that sorts before its file gives way to the file, which the
    // crossing then cites.
    FixtureDir linked;
    const std::string file =
        linked.write("b.json", repeatedLines("alice", 1709726400, 12));
    const std::string first = linked.path("a-link.json");
    QVERIFY(QFile::link(QString::fromStdString(file),
                        QString::fromStdString(first)));
    const std::string linkedOutput = m_dir.path("link-first.json");
    QCOMPARE(
        runHotshard({QStringLiteral("scan"), QStringLiteral("--user-limit"),
                     QStringLiteral("10"), QStringLiteral("--json"),
                     QString::fromStdString(linkedOutput),
                     QString::fromStdString(linked.folder())})
            .exitCode,
        0);
    const json linkedReport = readJson(linkedOutput);
    QCOMPARE(linkedReport["inputs"][0]["path"].get<std::string>(), file);
    QCOMPARE(
        linkedReport["hot_shards"][0]["crossing"]["file"].get<std::string>(),
        file);
    QCOMPARE(linkedReport["input_notes"][0].get<std::string>(),
             first + " is the same file as " + file + ", so it was read once");
}

void TestScanCommand::folderNotes()
{
    // A folder with two exports (one named in capitals), a subfolder with
    // another, a hidden export, a file of another kind, a report and a
    // summary saved by an earlier scan, and the rejects file of a fix. Only
    // the two exports are read, and each of the others gets a note.
    FixtureDir dir;
    dir.write("a.json", repeatedLines("alice", 1709726400, 3));
    dir.write("B.JSON", repeatedLines("bob", 1709726400, 2));
    QVERIFY(QDir().mkpath(QString::fromStdString(dir.path("day2"))));
    dir.write("day2/c.json", repeatedLines("carol", 1709726400, 5));
    dir.write(".hidden.json", repeatedLines("dave", 1709726400, 7));
    dir.write("notes.csv", "id,count\n");
    // Opening a pipe would wait for a writer that never comes.
    QCOMPARE(::mkfifo(dir.path("pipe.json").c_str(), 0600), 0);
    const std::string folder = dir.folder();
    const std::string saved = dir.path("report.json");
    const HotshardRun first = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--json"),
         QString::fromStdString(saved), QString::fromStdString(folder)});
    QCOMPARE(first.exitCode, 0);
    const std::string summary =
        dir.write("summary.txt", first.out.toStdString());
    const std::string rejects =
        dir.write("fixed.ndjson.rejects.ndjson",
                  "{\"reason\":\"hotshard_record\",\"detail\":\"d\",\"file\":"
                  "\"a.json\",\"line\":1,\"event\":{}}\n");

    const std::string output = m_dir.path("folder-notes.json");
    const HotshardRun again = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--json"),
         QString::fromStdString(output), QString::fromStdString(folder)});
    QCOMPARE(again.exitCode, 0);
    const json report = readJson(output);
    QCOMPARE(report["totals"]["events"].get<std::int64_t>(), std::int64_t{5});
    QCOMPARE(report["inputs"].size(), std::size_t{2});
    const std::vector<std::string> notes = report["input_notes"];
    const std::string notExport =
        " is a report or summary of hotshard scan, or a rejects file of "
        "hotshard fix, not an export, so it was skipped";
    const std::vector<std::string> expected = {
        rejects + notExport,
        saved + notExport,
        summary + notExport,
        "subfolder " + dir.path("day2") +
            " was not read: name it as an input to scan it",
        "folder " + folder +
            ": hidden files were skipped (.hidden.json): name them as "
            "inputs to scan them",
        "folder " + folder +
            ": files were skipped because their names do not end in .json, "
            ".ndjson, .jsonl, .gz or .txt (notes.csv)",
        "folder " + folder +
            ": pipes, sockets and devices were skipped (pipe.json): save "
            "their data to a file to scan it"};
    QCOMPARE(notes, expected);

    // A saved report named on its own is skipped the same way.
    const HotshardRun named =
        runHotshard({QStringLiteral("scan"), QString::fromStdString(saved)});
    QCOMPARE(named.exitCode, 2);
    QVERIFY2(named.err.contains(QStringLiteral("is a report of hotshard scan")),
             qPrintable(named.err));
}

void TestScanCommand::allIdsListed()
{
    // The list is written one id at a time after the rest of the report,
    // so the file must still parse, with every id once.
    const std::string output = m_dir.path("all-ids.json");
    const HotshardRun run = runHotshard(
        QStringList{QStringLiteral("scan")} + limitArguments(m_plain) +
        QStringList{QStringLiteral("--all-ids"), QStringLiteral("--json"),
                    QString::fromStdString(output),
                    QString::fromStdString(m_plainPath)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const json report = readJson(output);
    QVERIFY(report.is_object());
    const Report library = scanPaths({m_plainPath});
    QCOMPARE(report["ids"].size(), library.ids.size());
    QVERIFY(!library.ids.empty());
    const json &first = report["ids"][0];
    QCOMPARE(first["id"].get<std::string>(), library.ids[0].id);
    QCOMPARE(first["peak_events"].get<std::int64_t>(),
             library.ids[0].peakEvents);

    // A file whose events have no usable id gives an empty list.
    const QString noIds = QString::fromStdString(m_dir.write(
        "no-ids.json", eventLine("Page View", "\"\"", "1709726400") + "\n"));
    const HotshardRun empty =
        runHotshard({QStringLiteral("scan"), QStringLiteral("--all-ids"),
                     QStringLiteral("--json"), QStringLiteral("-"), noIds});
    QVERIFY2(empty.exitCode == 0, qPrintable(empty.err));
    const json emptyReport =
        json::parse(empty.out.toStdString(), nullptr, false);
    QVERIFY(emptyReport.is_object());
    QVERIFY(emptyReport["ids"].is_array());
    QCOMPARE(emptyReport["ids"].size(), std::size_t{0});
}

void TestScanCommand::incompleteInput_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("problem");

    const QByteArray events = QByteArray::fromStdString(
        repeatedLines("kiosk", utcSeconds(2024, 3, 6), 3));
    const QStringList hot{QStringLiteral("--user-limit"), QStringLiteral("2"),
                          QStringLiteral("--fail-on-hot")};
    QTest::addRow("complete") << events << false << QStringList{} << 0
                              << QStringLiteral("ok") << QString();
    QTest::addRow("export cut short")
        << events + "export terminated early\n"
        << false << QStringList{} << 4 << QStringLiteral("incomplete")
        << QStringLiteral("line 4: Mixpanel's export stopped early here");
    QTest::addRow("line cut mid-value")
        << events + "{\"event\":\"a\",\"properties\":{\"time\":17\n"
        << false << QStringList{} << 4 << QStringLiteral("incomplete")
        << QStringLiteral("line 4: invalid JSON: ");
    QTest::addRow("cut gzip")
        << events << true << QStringList{} << 4 << QStringLiteral("error")
        << QStringLiteral("truncated");
    QTest::addRow("hot shard in partial input")
        << events + "{\"event\":\n"
        << false << hot << 3 << QStringLiteral("incomplete")
        << QStringLiteral("line 4");
    QTest::addRow("empty file")
        << QByteArray() << false << QStringList{} << 0 << QStringLiteral("ok")
        << QStringLiteral("no line: the file holds no events");
}

void TestScanCommand::incompleteInput()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, gzip);
    QFETCH(QStringList, options);
    QFETCH(int, exitCode);
    QFETCH(QString, status);
    QFETCH(QString, problem);
    std::string bytes = text.toStdString();
    if (gzip) {
        bytes = gzipMember(bytes);
        bytes.resize(bytes.size() - 12);
    }
    const QString input =
        QString::fromStdString(m_dir.write("partial-input.json", bytes));

    const HotshardRun run = runHotshard(
        QStringList{QStringLiteral("scan")} + options +
        QStringList{QStringLiteral("--json"), QStringLiteral("-"), input});
    QCOMPARE(run.exitCode, exitCode);
    const json report = json::parse(run.out.toStdString(), nullptr, false);
    QVERIFY(report.is_object());
    const json &read = report["inputs"][0];
    QCOMPARE(QString::fromStdString(read["status"].get<std::string>()), status);
    QString messages;
    for (const json &entry : read["problems"]) {
        // A problem with the whole file has a null line.
        const QString line = entry["line"].is_null()
                                 ? QStringLiteral("no line")
                                 : QStringLiteral("line %1").arg(
                                       entry["line"].get<std::int64_t>());
        messages +=
            line + QStringLiteral(": ") +
            QString::fromStdString(entry["message"].get<std::string>()) +
            QLatin1Char('\n');
    }
    if (problem.isEmpty())
        QVERIFY2(messages.isEmpty(), qPrintable(messages));
    else
        QVERIFY2(messages.contains(problem), qPrintable(messages));

    // The summary explains the status and what to do next.
    if (problem.contains(QLatin1String("stopped early")))
        QVERIFY2(run.err.contains(QStringLiteral("Mixpanel stopped this "
                                                 "export early")),
                 qPrintable(run.err));
    if (status == QLatin1String("incomplete"))
        QVERIFY2(run.err.contains(QStringLiteral("export those days again")),
                 qPrintable(run.err));
    if (status == QLatin1String("error"))
        QVERIFY2(run.err.contains(QStringLiteral("could not be read")),
                 qPrintable(run.err));
}

void TestScanCommand::crossingTimeAsDated_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<qint64>("crossingTime");
    QTest::addColumn<QString>("crossing");
    // The third event, at `crossingTime`, crosses a limit of 2.
    const qint64 noon = utcSeconds(2024, 3, 6, 12, 0, 2);
    const QStringList newYork{QStringLiteral("--timezone"),
                              QStringLiteral("America/New_York")};
    QTest::addRow("UTC") << QStringList{} << noon
                         << QStringLiteral("2024-03-06 12:00:02 UTC");
    QTest::addRow("New York")
        << newYork << noon
        << QStringLiteral("2024-03-06 07:00:02 -05:00 America/New_York");
    // US clocks went back from 02:00 EDT to 01:00 EST on 2024-11-03, so
    // 01:10 happened at 05:10 and at 06:10 UTC.
    QTest::addRow("New York, first 01:10 of the fall-back day")
        << newYork << qint64{utcSeconds(2024, 11, 3, 5, 10)}
        << QStringLiteral("2024-11-03 01:10:00 -04:00 America/New_York");
    QTest::addRow("New York, second 01:10 of the fall-back day")
        << newYork << qint64{utcSeconds(2024, 11, 3, 6, 10)}
        << QStringLiteral("2024-11-03 01:10:00 -05:00 America/New_York");
    QTest::addRow("Lord Howe, half-hour offset")
        << QStringList{QStringLiteral("--timezone"),
                       QStringLiteral("Australia/Lord_Howe")}
        << noon
        << QStringLiteral("2024-03-06 23:00:02 +11:00 Australia/Lord_Howe");
    QTest::addRow("legacy project time")
        << QStringList{QStringLiteral("--legacy-project-time")} << noon
        << QStringLiteral("2024-03-06 12:00:02 project time");
}

void TestScanCommand::crossingTimeAsDated()
{
    QFETCH(QStringList, options);
    QFETCH(qint64, crossingTime);
    QFETCH(QString, crossing);
    std::string text;
    for (int i = 0; i < 4; ++i)
        text += eventLine("Login", "\"kiosk\"",
                          std::to_string(crossingTime - 2 + i)) +
                "\n";
    const QString input =
        QString::fromStdString(m_dir.write("crossing.json", text));

    const HotshardRun run = runHotshard(
        QStringList{QStringLiteral("scan"), QStringLiteral("--user-limit"),
                    QStringLiteral("2")} +
        options + QStringList{input});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("crossing.json:3 (") + crossing +
                              QLatin1Char(')')),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("4 events (")),
             qPrintable(run.out));
}

void TestScanCommand::idProblemsByEvents()
{
    // 'null' has the higher peak day but 'undefined' has more events in all,
    // and the list is ordered by those totals.
    std::string text = repeatedLines("null", utcSeconds(2024, 3, 6), 5);
    for (unsigned day = 1; day <= 4; ++day)
        text += repeatedLines("undefined", utcSeconds(2024, 3, day), 2);
    const std::string input = m_dir.write("placeholders.json", text);
    const std::string output = m_dir.path("placeholders-report.json");

    const HotshardRun run = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--json"),
         QString::fromStdString(output), QString::fromStdString(input)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const json problems = readJson(output)["id_problems"];
    QCOMPARE(problems.size(), std::size_t{2});
    QCOMPARE(problems[0]["id"].get<std::string>(), std::string("undefined"));
    QCOMPARE(problems[0]["events"].get<std::int64_t>(), std::int64_t{8});
    QCOMPARE(problems[1]["id"].get<std::string>(), std::string("null"));
    QCOMPARE(problems[1]["events"].get<std::int64_t>(), std::int64_t{5});
}

void TestScanCommand::summaryEscapesControls()
{
    // Each id is JSON text as the export has it, then as the summary must
    // print it. Three events with a limit of 2 make each one a hot shard,
    // and all the events together make their group one.
    const std::vector<std::pair<std::string, QString>> ids = {
        {R"(esc\u001b[31mRED)", QStringLiteral(R"('esc\x1b[31mRED')")},
        {R"(nl\nnewline)", QStringLiteral(R"('nl\nnewline')")},
        {R"(nul\u0000x)", QStringLiteral(R"('nul\x00x')")},
        {R"(tab\tx)", QStringLiteral(R"('tab\tx')")},
        {R"(cr\rx)", QStringLiteral(R"('cr\rx')")},
        {R"(del\u007fx)", QStringLiteral(R"('del\x7fx')")},
        {R"(next line\u0085x)", QStringLiteral(R"('next line\u0085x')")},
        {R"(csi\u009b2J)", QStringLiteral(R"('csi\u009b2J')")},
        {R"(emoji\ud83d\ude00 é)", QStringLiteral("'emoji\U0001F600 \u00e9'")},
        // Characters that reorder or hide text could make one id pass for
        // another.
        {R"(bidi\u202eevil)", QStringLiteral(R"('bidi\u202eevil')")},
        {R"(zero\u200bwidth)", QStringLiteral(R"('zero\u200bwidth')")},
        {R"(line\u2028sep)", QStringLiteral(R"('line\u2028sep')")},
        {R"(soft\u00adhyphen)", QStringLiteral(R"('soft\u00adhyphen')")},
        {R"(tag\udb40\udc41x)", QStringLiteral(R"('tag\U000e0041x')")},
        {R"(selector\ufe0fx)", QStringLiteral(R"('selector\ufe0fx')")},
        {R"(filler\u3164x)", QStringLiteral(R"('filler\u3164x')")},
        {R"(nbsp\u00a0x)", QStringLiteral(R"('nbsp\u00a0x')")},
        {R"(wide\u3000x)", QStringLiteral(R"('wide\u3000x')")},
        {R"(private\ue000x)", QStringLiteral(R"('private\ue000x')")},
        {R"(nonchar\uffffx)", QStringLiteral(R"('nonchar\uffffx')")},
        // A quote inside the quoted id is escaped, so the id ends only at
        // the last quote.
        {"quote'q", QStringLiteral(R"('quote\'q')")},
        // A literal backslash is doubled, so that this id does not read
        // like the one with a newline above.
        {R"(nl\\nnewline)", QStringLiteral(R"('nl\\nnewline')")},
    };
    std::string text;
    for (const auto &[id, printed] : ids) {
        for (int i = 0; i < 3; ++i)
            text += eventLine("Login", "\"" + id + "\"",
                              std::to_string(utcSeconds(2024, 3, 6, 12, 0, i)),
                              R"("company":"acme\u001b[2J")") +
                    "\n";
    }
    // A rejected line's quote keeps its control character for the summary
    // to escape.
    text += "oops \x1b[5m\n";
    FixtureDir dir;
    const std::string input = dir.write("ids\x1b[1m.json", text);

    const HotshardRun run =
        runHotshard({QStringLiteral("scan"), QStringLiteral("--user-limit"),
                     QStringLiteral("2"), QStringLiteral("--group-limit"),
                     QStringLiteral("20"), QStringLiteral("--group-key"),
                     QStringLiteral("company"), QString::fromStdString(input)});
    // The rejected line makes the input incomplete.
    QVERIFY2(run.exitCode == 4, qPrintable(run.err));
    for (const auto &[id, printed] : ids)
        QVERIFY2(run.out.contains(QStringLiteral("user  ") + printed),
                 qPrintable(printed));
    QVERIFY2(run.out.contains(QStringLiteral(R"(group company='acme\x1b[2J')")),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral(R"(ids\x1b[1m.json:3 ()")),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral(R"("oops \x1b[5m")")),
             qPrintable(run.out));
    for (const QChar character : run.out) {
        const char16_t code = character.unicode();
        const bool control = (code < 0x20 && code != u'\n') || code == 0x7F ||
                             (code >= 0x80 && code <= 0x9F);
        QVERIFY2(!control, qPrintable(QString::number(code, 16)));
    }
}

void TestScanCommand::summaryCutsLongIds()
{
    // The summary shows the start of a long id and its length; the report
    // keeps it whole. The cut falls inside the two-byte é at bytes 120-121.
    const std::string id =
        std::string(119, 'a') + "\xc3\xa9" + std::string(879, 'b');
    std::string text;
    for (int i = 0; i < 2; ++i)
        text += eventLine("Login", "\"" + id + "\"",
                          std::to_string(utcSeconds(2024, 3, 6, 12, 0, i))) +
                "\n";
    FixtureDir dir;
    const std::string input = dir.write("long.json", text);
    const std::string output = dir.path("long-report.json");

    const HotshardRun run = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--user-limit"),
         QStringLiteral("1"), QStringLiteral("--json"),
         QString::fromStdString(output), QString::fromStdString(input)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QString start = QStringLiteral("user  '") +
                          QString(119, QLatin1Char('a')) +
                          QStringLiteral("...' (1,000 bytes)");
    QVERIFY2(run.out.contains(start), qPrintable(run.out));
    const json report = readJson(output);
    QCOMPARE(report["hot_shards"][0]["id"].get<std::string>(), id);
}

void TestScanCommand::sizesInDecimalUnits_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::addRow("bytes") << qint64{999} << QStringLiteral("999 B");
    QTest::addRow("kilobytes") << qint64{3'600} << QStringLiteral("3.6 kB");
    QTest::addRow("megabytes")
        << qint64{135'072'949} << QStringLiteral("135.1 MB");
    QTest::addRow("gigabytes")
        << qint64{1'029'267'890} << QStringLiteral("1.03 GB");
}

void TestScanCommand::sizesInDecimalUnits()
{
    // The summary and the desktop program share this format.
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(formatBytes(bytes)), text);
}

void TestScanCommand::reportOnDevStdout()
{
    // /dev/stdout names the same pipe as stdout, so the summary goes to
    // stderr, as with "-", and stdout holds only the report.
    const HotshardRun run = runHotshard(
        QStringList{QStringLiteral("scan")} + limitArguments(m_plain) +
        QStringList{QStringLiteral("--json"), QStringLiteral("/dev/stdout"),
                    QString::fromStdString(m_plainPath)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const json report = json::parse(run.out.toStdString(), nullptr, false);
    QVERIFY2(report.is_object(), qPrintable(run.out.left(500)));
    QVERIFY2(run.err.contains(QStringLiteral("Hot shards:")),
             qPrintable(run.err));
}

void TestScanCommand::summaryToFullDisk()
{
    // /dev/full refuses every write, as a full disk would.
    QProcess process;
    process.setStandardOutputFile(QStringLiteral("/dev/full"));
    process.start(
        QStringLiteral(HSI_BINARY_DIR "/app/hotshard"),
        {QStringLiteral("scan"), QString::fromStdString(m_plainPath)});
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 1);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("cannot write the summary")),
             qPrintable(err));
}

void TestScanCommand::nonUtf8FileNames()
{
    // A name in Latin-1 ("caf\xe9") is not UTF-8. Qt's arguments replace
    // its byte, so the command must open the name by its bytes as given.
    // QProcess would encode the arguments too, so a shell passes them.
    FixtureDir dir;
    const std::string plain = dir.write(
        "plain.json", eventLine("Login", "\"ann\"", "1709726400") + "\n");
    const std::string folder = plain.substr(0, plain.size() - 10);
    std::filesystem::rename(plain, folder + "caf\xe9.json");

    QProcess shell;
    shell.setWorkingDirectory(QString::fromStdString(folder));
    shell.start(
        QStringLiteral("/bin/sh"),
        {QStringLiteral("-c"),
         QStringLiteral("exec \"$0\" scan --json \"$(printf 'r\\351.json')\" "
                        "\"$(printf 'caf\\351.json')\""),
         QStringLiteral(HSI_BINARY_DIR "/app/hotshard")});
    QVERIFY(shell.waitForFinished(60'000));
    QVERIFY2(shell.exitCode() == 0, shell.readAllStandardError().constData());
    std::ifstream stream(folder + "r\xe9.json");
    QVERIFY(stream.good());
    const json report = json::parse(stream, nullptr, false);
    QCOMPARE(report["totals"]["events"].get<std::int64_t>(), std::int64_t{1});
    // JSON text is UTF-8, so the report shows the byte as U+FFFD.
    QCOMPARE(report["inputs"][0]["path"].get<std::string>(),
             std::string("caf\xef\xbf\xbd.json"));
}

void TestScanCommand::topCutsListsButHotShards()
{
    const std::string output = m_dir.path("top-one.json");
    const QStringList scan =
        QStringList{QStringLiteral("scan")} + limitArguments(m_plain) +
        QStringList{QStringLiteral("--top"), QStringLiteral("1")};
    const HotshardRun run =
        runHotshard(scan + QStringList{QStringLiteral("--json"),
                                       QString::fromStdString(output),
                                       QString::fromStdString(m_plainPath)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const json report = readJson(output);
    const std::size_t hot = report["hot_shards"].size();
    const std::size_t near = report["near_limit"].size();
    const std::size_t records = report["records"].size();
    // Each list must be longer than --top for the cut to show.
    QVERIFY(hot >= 2);
    QVERIFY(near >= 2);
    QVERIFY(records >= 2);

    // Every hot shard is printed, each with its crossing.
    for (const json &finding : report["hot_shards"]) {
        const std::string id = finding["id"].get<std::string>();
        QVERIFY2(
            run.out.contains(QString::fromStdString(
                "='" + id + "' on " + finding["date"].get<std::string>())) ||
                run.out.contains(
                    QString::fromStdString("user  '" + id + "' on " +
                                           finding["date"].get<std::string>())),
            id.c_str());
    }
    QCOMPARE(run.out.count(QStringLiteral("crossed the limit at")),
             static_cast<qsizetype>(hot));

    const auto omitted = [](std::size_t count, const char *noun) {
        return QString::fromStdString(
            "  ... and " + countOf(static_cast<std::int64_t>(count) - 1, noun) +
            ": ");
    };
    const QString inReport = QStringLiteral("the JSON report lists them all\n");
    QVERIFY2(run.out.contains(omitted(near, "more near-limit pair") + inReport),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(omitted(records, "more record") + inReport),
             qPrintable(run.out));

    // Without --json the line names the option that writes the full lists.
    const HotshardRun plain =
        runHotshard(scan + QStringList{QString::fromStdString(m_plainPath)});
    QVERIFY2(plain.exitCode == 0, qPrintable(plain.err));
    QVERIFY2(plain.out.contains(omitted(near, "more near-limit pair") +
                                QStringLiteral("write them all with --json "
                                               "FILE\n")),
             qPrintable(plain.out));
}

void TestScanCommand::streamInputRejected_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("kind");
    // "fifo" is a named pipe that the test creates and nothing writes to.
    QTest::addRow("standard input")
        << QStringLiteral("-") << QStringLiteral("standard input");
    QTest::addRow("named pipe")
        << QStringLiteral("fifo") << QStringLiteral("a pipe");
    QTest::addRow("device")
        << QStringLiteral("/dev/null") << QStringLiteral("a device");
}

void TestScanCommand::streamInputRejected()
{
    QFETCH(QString, input);
    QFETCH(QString, kind);
    FixtureDir dir;
    if (input == QLatin1String("fifo")) {
        input = QString::fromStdString(dir.path("export.json"));
        QCOMPARE(::mkfifo(input.toStdString().c_str(), 0600), 0);
    }
    const QString file = QString::fromStdString(dir.write(
        "file.json", eventLine("Login", "\"alice\"", "1709726400") + "\n"));

    // A regular input next to the stream does not make the stream readable.
    const HotshardRun run =
        runHotshard({QStringLiteral("scan"), file, input},
                    QProcessEnvironment::systemEnvironment(),
                    QString::fromStdString(dir.folder()));
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("input %1 is %2, not a regular "
                                             "file")
                                  .arg(input, kind)),
             qPrintable(run.err));
    QVERIFY2(run.err.contains(QStringLiteral("save it to a file first")),
             qPrintable(run.err));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.out));
}

void TestScanCommand::nearLimitPercentPrecise()
{
    // One event of a limit of 200 is 0.5%, above a near-limit of 0.1%.
    FixtureDir dir;
    const QString input = QString::fromStdString(dir.write(
        "one.json", eventLine("Login", "\"alice\"", "1709726400") + "\n"));
    const HotshardRun run =
        runHotshard({QStringLiteral("scan"), QStringLiteral("--user-limit"),
                     QStringLiteral("200"), QStringLiteral("--near-limit"),
                     QStringLiteral("0.001"), input});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(
                 QStringLiteral("Near the limit (0.1% of it or more): 1\n")),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("1 event (0.5% of 200)")),
             qPrintable(run.out));
}

void TestScanCommand::idProblemCountBeyondList()
{
    // 1,001 numeric ids: one more than the JSON report lists.
    std::string text;
    for (int n = 0; n < 1001; ++n)
        text += eventLine("Page View", std::to_string(70000 + n),
                          std::to_string(utcSeconds(2024, 3, 6))) +
                "\n";
    const std::string input = m_dir.write("numeric-ids.json", text);

    const HotshardRun run =
        runHotshard({QStringLiteral("scan"), QString::fromStdString(input)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("Ids that look wrong: 1,001")),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral(
                 "... and 991 more ids; the JSON report lists the 1,000")),
             qPrintable(run.out));
}

void TestScanCommand::errorsListedFirst()
{
    // 150 warnings, then the error that makes the file incomplete: the
    // summary and the report both show the error.
    std::string text;
    for (int n = 0; n < 150; ++n)
        text += eventLine("Page View", "\"ann\"", "\"1709726400\"") + "\n";
    text += "{\"event\":\"cut\",\"properties\":{\"time\":17\n";
    const std::string input = m_dir.write("warnings-then-error.json", text);
    const std::string output = m_dir.path("warnings-then-error-report.json");

    const HotshardRun run = runHotshard(
        {QStringLiteral("scan"), QStringLiteral("--json"),
         QString::fromStdString(output), QString::fromStdString(input)});
    QCOMPARE(run.exitCode, 4);
    const QString listed = run.out.section(QStringLiteral("INCOMPLETE"), 1);
    QVERIFY2(listed.section(QLatin1Char('\n'), 1, 1)
                 .startsWith(QStringLiteral("  line 151: invalid JSON")),
             qPrintable(run.out));
    QVERIFY2(listed.contains(QStringLiteral(
                 "... 141 more (the JSON report lists 100 of the file's 151 "
                 "problems)")),
             qPrintable(listed.right(600)));
    const json problems = readJson(output)["inputs"][0]["problems"];
    QCOMPARE(problems.size(), std::size_t{100});
    QCOMPARE(problems.back()["line"].get<std::int64_t>(), std::int64_t{151});
    QCOMPARE(problems.back()["severity"].get<std::string>(),
             std::string("error"));
}

void TestScanCommand::hotShardsBeyondEvidence()
{
    // 10,005 hot ids: evidence goes to 10,000, and the rest print their
    // counts without an empty cause line.
    std::string text;
    for (int n = 0; n < 10'005; ++n)
        text +=
            repeatedLines("id-" + std::to_string(n), utcSeconds(2024, 3, 6), 2);
    const std::string input = m_dir.write("many-hot.json", text);

    const HotshardRun run =
        runHotshard({QStringLiteral("scan"), QStringLiteral("--user-limit"),
                     QStringLiteral("1"), QString::fromStdString(input)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("the other 5 are listed with "
                                             "their counts only")),
             qPrintable(run.out.right(2000)));
    QVERIFY(!run.out.contains(QStringLiteral("likely cause (unknown): \n")));
}

QTEST_GUILESS_MAIN(TestScanCommand)
#include "tst_scan_command.moc"
