#include "hotshard_process.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <zlib.h>

using Json = nlohmann::ordered_json;

using namespace hsi::test;

namespace {

constexpr int kInputEvents = 28;
// 2024-03-01 12:00:00 UTC in milliseconds.
constexpr std::int64_t kNoonMs = 1709294400000;

std::string event(int seq, const std::string &name,
                  const std::string &properties)
{
    return R"({"event":")" + name + R"(","properties":{"seq":)" +
           std::to_string(seq) + R"(,"time":)" + std::to_string(kNoonMs + seq) +
           R"(,"$insert_id":"id-)" + std::to_string(seq) + "\"" + properties +
           "}}\n";
}

/// Writes the fixture: a user over a limit of 10 once its 5 remediated
/// events get their id back, a group in 4 events, 3 records that cannot be
/// transformed and 10 ordinary events. Every record has a unique "seq".
void writeFixture(const std::string &path)
{
    std::ofstream out(path);
    int seq = 0;
    for (int i = 0; i < 6; ++i)
        out << event(seq++, "Viewed", R"(,"distinct_id":"hot-user")");
    for (int i = 0; i < 5; ++i)
        out << event(
            seq++, "$hotshard_events",
            R"(,"distinct_id":"","mp_original_event_name":"Viewed","mp_original_distinct_id":"hot-user")");
    out << event(seq++, "Paid", R"(,"distinct_id":"g1","company_id":"acme")");
    out << event(seq++, "Paid",
                 R"(,"distinct_id":"g2","company_id":["acme","beta"])");
    out << event(seq++, "Paid", R"(,"distinct_id":"g3","company_id":"acme-2")");
    out << event(seq++, "Paid", R"(,"distinct_id":"g4","company_id":"acme")");
    out << event(seq++, "$hotshard_events",
                 R"(,"distinct_id":"","mp_original_distinct_id":"x")");
    out << event(
        seq++, "$hotshard_events",
        R"(,"distinct_id":"","mp_original_event_name":{"a":1},"mp_original_distinct_id":"x")");
    out << R"({"event":"Broken","properties":{"seq":)" << seq++ << ",\n";
    for (int i = 0; i < 10; ++i)
        out << event(seq++, "Opened",
                     ",\"distinct_id\":\"user-" + std::to_string(i) + "\"");
}

std::vector<std::string> readGzipLines(const std::string &path)
{
    std::vector<std::string> lines;
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file)
        return lines;
    std::string line;
    char buffer[4096];
    while (gzgets(file, buffer, sizeof buffer)) {
        line += buffer;
        if (line.back() == '\n') {
            line.pop_back();
            lines.push_back(line);
            line.clear();
        }
    }
    gzclose(file);
    return lines;
}

/// Returns the count printed after `label` in the fix summary, or -1.
int summaryCount(const QString &out, const QString &label)
{
    const QRegularExpression pattern(QLatin1String("^\\s*") +
                                         QRegularExpression::escape(label) +
                                         QLatin1String("\\s+(\\d+)$"),
                                     QRegularExpression::MultilineOption);
    const QRegularExpressionMatch match = pattern.match(out);
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

int seqOf(const std::string &text)
{
    static const QRegularExpression pattern(QStringLiteral("\"seq\":(\\d+)"));
    const QRegularExpressionMatch match =
        pattern.match(QString::fromStdString(text));
    return match.hasMatch() ? match.captured(1).toInt() : -1;
}

} // namespace

class TestCliRecovery : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void fixCounts();
    void summaryJson();
    void everyEventOnce();
    void fixedEvents();
    void verifyFindsUser();
    void verifyAfterKeep();
    void verifyFindsGroup();
    void verifyNamesBadLine();
    void verifyMissingFile();
    void verifyStatesScope();
    void verifyListsNearLimit();
    void verifySummaryUnwritable();
    void fixOutputIsInput();
    void fixRejectsIsOutput();
    void fixSummaryIsOtherFile();
    void fixOutputNotRegular();
    void folderReadAsScanReadsIt();
    void folderWithoutExports();
    void verifyJsonOnDevStdout();
    void verifyJsonIsInput();
    void fixWarnings();
    void fixUsageErrors();
    void selectorCommand();

private:
    std::string path(const char *name) const
    {
        return m_dir.filePath(QString::fromLatin1(name)).toStdString();
    }
    QString qpath(const char *name) const
    {
        return m_dir.filePath(QString::fromLatin1(name));
    }

    QTemporaryDir m_dir;
    HotshardRun m_fix;
};

void TestCliRecovery::initTestCase()
{
    QVERIFY(m_dir.isValid());
    writeFixture(path("input.ndjson"));
    m_fix = runHotshard(
        {QStringLiteral("fix"), QStringLiteral("--distinct-id"),
         QStringLiteral("original"), QStringLiteral("--blank-group"),
         QStringLiteral("company_id=acme"), QStringLiteral("--out"),
         qpath("fixed.ndjson.gz"), QStringLiteral("--summary-json"),
         qpath("summary.json"), qpath("input.ndjson")});
    QVERIFY2(m_fix.exitCode == 0, qPrintable(m_fix.err));
}

void TestCliRecovery::fixCounts()
{
    QVERIFY(m_fix.out.contains(QLatin1String("Read 28 events.")));
    QCOMPARE(
        summaryCount(m_fix.out, QStringLiteral("restored $hotshard_events:")),
        5);
    QCOMPARE(
        summaryCount(m_fix.out, QStringLiteral("with distinct_id restored:")),
        5);
    QCOMPARE(summaryCount(m_fix.out, QStringLiteral("other events changed:")),
             3);
    QCOMPARE(
        summaryCount(m_fix.out, QStringLiteral("passed through unchanged:")),
        17);
    QCOMPARE(summaryCount(m_fix.out,
                          QStringLiteral("events with a group id blanked:")),
             3);
    QCOMPARE(summaryCount(m_fix.out, QStringLiteral("set aside:")), 3);
    QCOMPARE(summaryCount(m_fix.out, QStringLiteral("invalid_json")), 1);
    QCOMPARE(
        summaryCount(m_fix.out, QStringLiteral("original_event_name_missing")),
        1);
    QCOMPARE(summaryCount(m_fix.out,
                          QStringLiteral("original_event_name_not_string")),
             1);
    QVERIFY(m_fix.out.contains(QLatin1String("Wrote 25 events to")));
}

void TestCliRecovery::summaryJson()
{
    QFile file(qpath("summary.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const Json summary = Json::parse(file.readAll().toStdString());
    QCOMPARE(summary["read"].get<int>(), kInputEvents);
    QCOMPARE(summary["written"].get<int>(), 25);
    QCOMPARE(summary["set_aside"].get<int>(), 3);
    QCOMPARE(summary["set_aside_by_reason"]["invalid_json"].get<int>(), 1);
    QCOMPARE(summary["ids_restored"].get<int>(), 5);
}

void TestCliRecovery::everyEventOnce()
{
    std::map<int, int> seen;
    const std::vector<std::string> output =
        readGzipLines(path("fixed.ndjson.gz"));
    QCOMPARE(output.size(), std::size_t(25));
    for (const std::string &line : output)
        ++seen[Json::parse(line)["properties"]["seq"].get<int>()];

    const std::vector<std::string> rejects =
        readGzipLines(path("fixed.ndjson.gz.rejects.ndjson"));
    QCOMPARE(rejects.size(), std::size_t(3));
    for (const std::string &line : rejects) {
        const Json reject = Json::parse(line);
        QVERIFY(reject.contains("reason"));
        const std::string original = reject.contains("event")
                                         ? reject["event"].dump()
                                         : reject["raw"].get<std::string>();
        ++seen[seqOf(original)];
    }

    QCOMPARE(seen.size(), std::size_t(kInputEvents));
    for (int seq = 0; seq < kInputEvents; ++seq)
        QCOMPARE(seen[seq], 1);
}

void TestCliRecovery::fixedEvents()
{
    const std::vector<std::string> output =
        readGzipLines(path("fixed.ndjson.gz"));
    QCOMPARE(output.size(), std::size_t(25));
    int hotUser = 0;
    for (const std::string &line : output) {
        const Json event = Json::parse(line);
        QVERIFY(event["event"] != "$hotshard_events");
        QVERIFY(!event["properties"].contains("mp_original_event_name"));
        if (event["properties"]["distinct_id"] == "hot-user")
            ++hotUser;
    }
    QCOMPARE(hotUser, 11);
    const Json group = Json::parse(output[12]);
    QCOMPARE(group["properties"]["company_id"].dump(),
             std::string(R"(["","beta"])"));
    const Json lookalike = Json::parse(output[13]);
    QCOMPARE(lookalike["properties"]["company_id"].get<std::string>(),
             std::string("acme-2"));
}

void TestCliRecovery::verifyJsonOnDevStdout()
{
    // /dev/stdout is the pipe of stdout, so the text goes to stderr and
    // stdout holds only the JSON, as with "-".
    const HotshardRun run =
        runHotshard({QStringLiteral("verify"), QStringLiteral("--user-limit"),
                     QStringLiteral("10"), QStringLiteral("--json"),
                     QStringLiteral("/dev/stdout"), qpath("fixed.ndjson.gz")});
    QCOMPARE(run.exitCode, 3);
    const Json result = Json::parse(run.out.toStdString(), nullptr, false);
    QVERIFY2(result.is_object(), qPrintable(run.out.left(400)));
    QVERIFY2(run.err.contains(QLatin1String("Would exceed a limit")),
             qPrintable(run.err));
}

void TestCliRecovery::verifyJsonIsInput()
{
    // The result would replace the export, so verify stops before reading.
    const QString victim = qpath("victim.ndjson");
    QVERIFY(QFile::copy(qpath("input.ndjson"), victim));
    const QByteArray before = readAll(victim);
    const HotshardRun run = runHotshard(
        {QStringLiteral("verify"), QStringLiteral("--json"), victim, victim});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("is the same file as the input")),
             qPrintable(run.err));
    QCOMPARE(readAll(victim), before);

    // A file found in an input folder is an input too.
    const HotshardRun inFolder =
        runHotshard({QStringLiteral("verify"), QStringLiteral("--json"), victim,
                     m_dir.path()});
    QCOMPARE(inFolder.exitCode, 2);
    QCOMPARE(readAll(victim), before);
}

void TestCliRecovery::fixOutputIsInput()
{
    // Writing over an input is a usage error, caught before reading.
    const QString input = qpath("fixed.ndjson.gz");
    const HotshardRun run = runHotshard(
        {QStringLiteral("fix"), QStringLiteral("--out"), input, input});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("both an input and an output")),
             qPrintable(run.err));
}

void TestCliRecovery::fixRejectsIsOutput()
{
    // Both names resolve to one file in the working folder.
    const QStringList sameFile = {
        QStringLiteral("fix"),        QStringLiteral("--rejects"),
        QStringLiteral("./y.ndjson"), QStringLiteral("--out"),
        QStringLiteral("y.ndjson"),   qpath("input.ndjson")};
    const HotshardRun run = runHotshard(
        sameFile, QProcessEnvironment::systemEnvironment(), m_dir.path());
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("is the same file as --out")),
             qPrintable(run.err));
    QVERIFY(!QFile::exists(qpath("y.ndjson")));
    QVERIFY(!QFile::exists(qpath("y.ndjson.partial")));

    const QString input = qpath("input.ndjson");
    const QByteArray before = readAll(input);
    const HotshardRun rejectsIsInput =
        runHotshard({QStringLiteral("fix"), QStringLiteral("--rejects"), input,
                     QStringLiteral("--out"), qpath("never.ndjson"), input});
    QCOMPARE(rejectsIsInput.exitCode, 2);
    QVERIFY2(rejectsIsInput.err.contains(
                 QLatin1String("both an input and an output")),
             qPrintable(rejectsIsInput.err));
    QCOMPARE(readAll(input), before);
    QVERIFY(!QFile::exists(qpath("never.ndjson")));
}

// The JSON summary is written last, so a path it shares with an input or
// an output would replace that file after the run.
void TestCliRecovery::fixSummaryIsOtherFile()
{
    const QString input = qpath("input.ndjson");
    const QByteArray before = readAll(input);
    const QString output = qpath("summary-out.ndjson");
    const QString folder = qpath("summary-folder");
    QVERIFY(QDir().mkpath(folder));
    const std::vector<std::pair<QString, QString>> cases = {
        {input, QStringLiteral("both an input and an output")},
        {output, QStringLiteral("is the same file as the output")},
        {output + QStringLiteral(".rejects.ndjson"),
         QStringLiteral("is the same file as the output")},
        {folder, QStringLiteral("is a folder")}};
    for (const auto &[summary, message] : cases) {
        const HotshardRun run = runHotshard(
            {QStringLiteral("fix"), QStringLiteral("--summary-json"), summary,
             QStringLiteral("--out"), output, input});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(message), qPrintable(run.err));
        QVERIFY(!QFile::exists(output));
    }
    QCOMPARE(readAll(input), before);
}

void TestCliRecovery::fixOutputNotRegular()
{
    // Renaming the finished file over a pipe would replace the pipe, so fix
    // stops before reading. No program opens the pipe, and opening it to
    // write would wait for a reader, so the check must not open it.
    const QString pipe = qpath("out-pipe");
    QCOMPARE(::mkfifo(QFile::encodeName(pipe).constData(), 0600), 0);
    const HotshardRun run =
        runHotshard({QStringLiteral("fix"), QStringLiteral("--out"), pipe,
                     qpath("input.ndjson")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("is a pipe, not a regular file")),
             qPrintable(run.err));
    struct stat info {};
    QCOMPARE(::stat(QFile::encodeName(pipe).constData(), &info), 0);
    QVERIFY(S_ISFIFO(info.st_mode));

    const HotshardRun rejects =
        runHotshard({QStringLiteral("fix"), QStringLiteral("--rejects"), pipe,
                     QStringLiteral("--out"), qpath("never.ndjson"),
                     qpath("input.ndjson")});
    QCOMPARE(rejects.exitCode, 2);
    QVERIFY2(rejects.err.contains(QLatin1String("--rejects")),
             qPrintable(rejects.err));
    QVERIFY(!QFile::exists(qpath("never.ndjson")));

    const HotshardRun folder =
        runHotshard({QStringLiteral("fix"), QStringLiteral("--out"),
                     m_dir.path(), qpath("input.ndjson")});
    QCOMPARE(folder.exitCode, 2);
    QVERIFY2(folder.err.contains(QLatin1String("is a folder")),
             qPrintable(folder.err));
}

void TestCliRecovery::folderReadAsScanReadsIt()
{
    // A saved scan report is skipped and a link to a file of the same
    // folder is read once, as the scan does, by every command.
    const QString folder = qpath("listed");
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(QFile::copy(qpath("input.ndjson"),
                        folder + QLatin1String("/a.ndjson")));
    QVERIFY(QFile::link(folder + QLatin1String("/a.ndjson"),
                        folder + QLatin1String("/b.json")));
    {
        QFile report(folder + QLatin1String("/report.json"));
        QVERIFY(report.open(QIODevice::WriteOnly));
        report.write("{\"schema_version\": 3, \"inputs\": []}\n");
    }

    const HotshardRun fix =
        runHotshard({QStringLiteral("fix"), QStringLiteral("--out"),
                     qpath("listed-fixed.ndjson"), folder});
    QVERIFY2(fix.exitCode == 0, qPrintable(fix.err));
    QVERIFY2(fix.out.contains(QLatin1String("Read 28 events.")),
             qPrintable(fix.out));
    QVERIFY2(fix.out.contains(QLatin1String("report.json is a report")),
             qPrintable(fix.out));
    QVERIFY2(fix.out.contains(QLatin1String("b.json is the same file as")),
             qPrintable(fix.out));

    const HotshardRun import =
        runHotshard({QStringLiteral("import"), QStringLiteral("--dry-run"),
                     QStringLiteral("--job"), qpath("listed-job"), folder});
    QVERIFY2(import.out.contains(QLatin1String("28 events read")),
             qPrintable(import.out + import.err));
    QVERIFY2(import.err.contains(QLatin1String("report.json is a report")),
             qPrintable(import.err));
}

void TestCliRecovery::folderWithoutExports()
{
    const QString folder = qpath("no-exports");
    QVERIFY(QDir().mkpath(folder));
    const HotshardRun fix =
        runHotshard({QStringLiteral("fix"), QStringLiteral("--out"),
                     qpath("never.ndjson"), folder});
    QCOMPARE(fix.exitCode, 2);
    QVERIFY2(fix.err.contains(QLatin1String("holds no export files")),
             qPrintable(fix.err));
    QVERIFY(!QFile::exists(qpath("never.ndjson")));
    QVERIFY(!QFile::exists(qpath("never.ndjson.rejects.ndjson")));

    const HotshardRun verify = runHotshard({QStringLiteral("verify"), folder});
    QCOMPARE(verify.exitCode, 2);
    QVERIFY2(verify.err.contains(QLatin1String("holds no export files")),
             qPrintable(verify.err));
}

void TestCliRecovery::verifyStatesScope()
{
    // fix sets aside the $hotshard_record events that name the group keys,
    // so verify states when it counted no group.
    const HotshardRun noKeys =
        runHotshard({QStringLiteral("verify"), qpath("fixed.ndjson.gz")});
    QCOMPARE(noKeys.exitCode, 0);
    QVERIFY2(noKeys.out.contains(QLatin1String(
                 "Group keys counted: none, so no group was checked")),
             qPrintable(noKeys.out));
    QVERIFY2(
        noKeys.out.contains(QLatin1String("Only these events were counted")),
        qPrintable(noKeys.out));

    const HotshardRun withKey =
        runHotshard({QStringLiteral("verify"), QStringLiteral("--group-key"),
                     QStringLiteral("company_id"), qpath("fixed.ndjson.gz")});
    QCOMPARE(withKey.exitCode, 0);
    QVERIFY2(
        withKey.out.contains(QLatin1String("Group keys counted: company_id")),
        qPrintable(withKey.out));
}

void TestCliRecovery::verifyListsNearLimit()
{
    // hot-user has 11 events, 55% of a limit of 20.
    const HotshardRun run =
        runHotshard({QStringLiteral("verify"), QStringLiteral("--user-limit"),
                     QStringLiteral("20"), qpath("fixed.ndjson.gz")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("Near the limit (50% of it or "
                                            "more): 1")),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QLatin1String("'hot-user' on 2024-03-01: 11 "
                                            "events")),
             qPrintable(run.out));
}

void TestCliRecovery::verifySummaryUnwritable()
{
    QProcess process;
    process.setStandardOutputFile(QStringLiteral("/dev/full"));
    process.start(QStringLiteral(HSI_BINARY_DIR "/app/hotshard"),
                  {QStringLiteral("verify"), qpath("fixed.ndjson.gz")});
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 1);
    const QString err = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(err.contains(QLatin1String("cannot write the result")),
             qPrintable(err));
}

void TestCliRecovery::verifyMissingFile()
{
    // Nothing was read, so no "Verified 1 file: 0 events" precedes the
    // error.
    const HotshardRun run =
        runHotshard({QStringLiteral("verify"), qpath("no-such-file.ndjson")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(!run.out.contains(QLatin1String("Verified")), qPrintable(run.out));
    QVERIFY2(run.err.contains(QLatin1String("cannot read file")),
             qPrintable(run.err));
}

void TestCliRecovery::verifyFindsUser()
{
    const HotshardRun run =
        runHotshard({QStringLiteral("verify"), QStringLiteral("--user-limit"),
                     QStringLiteral("10"), QStringLiteral("--json"),
                     qpath("verify.json"), qpath("fixed.ndjson.gz")});
    QCOMPARE(run.exitCode, 3);
    QVERIFY2(run.out.contains(QLatin1String(
                 "user 'hot-user' on 2024-03-01: 11 events, limit 10")),
             qPrintable(run.out));
    QVERIFY(run.out.contains(QLatin1String("Would exceed a limit: 1 pair\n")));
    QVERIFY2(run.out.contains(QLatin1String("another --distinct-id")),
             qPrintable(run.out));
    QVERIFY2(!run.out.contains(QLatin1String("--blank-group")),
             qPrintable(run.out));

    QFile file(qpath("verify.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const Json result = Json::parse(file.readAll().toStdString());
    QCOMPARE(result["passed"].get<bool>(), false);
    QCOMPARE(result["offending"].size(), std::size_t(1));
    const Json &pair = result["offending"][0];
    QCOMPARE(pair["id"].get<std::string>(), std::string("hot-user"));
    QCOMPARE(pair["date"].get<std::string>(), std::string("2024-03-01"));
    QCOMPARE(pair["events"].get<int>(), 11);

    // With "-" the JSON goes to stdout alone and the text to stderr.
    const HotshardRun toStdout =
        runHotshard({QStringLiteral("verify"), QStringLiteral("--user-limit"),
                     QStringLiteral("10"), QStringLiteral("--json"),
                     QStringLiteral("-"), qpath("fixed.ndjson.gz")});
    QCOMPARE(toStdout.exitCode, 3);
    const Json printed =
        Json::parse(toStdout.out.toStdString(), nullptr, false);
    QVERIFY2(!printed.is_discarded(), qPrintable(toStdout.out));
    QCOMPARE(printed["offending"].size(), std::size_t(1));
    QVERIFY2(toStdout.err.contains(QLatin1String("Would exceed a limit")),
             qPrintable(toStdout.err));
    QVERIFY(!QFile::exists(QStringLiteral("-")));
}

void TestCliRecovery::verifyAfterKeep()
{
    const HotshardRun fix =
        runHotshard({QStringLiteral("fix"), QStringLiteral("--distinct-id"),
                     QStringLiteral("keep"), QStringLiteral("--out"),
                     qpath("kept.ndjson"), qpath("input.ndjson")});
    QCOMPARE(fix.exitCode, 0);
    QCOMPARE(
        summaryCount(fix.out, QStringLiteral("with distinct_id restored:")), 0);

    const HotshardRun run =
        runHotshard({QStringLiteral("verify"), QStringLiteral("--user-limit"),
                     QStringLiteral("10"), qpath("kept.ndjson")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(
        QLatin1String("No id or group would exceed its limit.")));
}

void TestCliRecovery::verifyFindsGroup()
{
    const QStringList options = {
        QStringLiteral("verify"), QStringLiteral("--group-key"),
        QStringLiteral("company_id"), QStringLiteral("--group-limit"),
        QStringLiteral("2")};
    const HotshardRun before =
        runHotshard(options + QStringList{qpath("input.ndjson")});
    QCOMPARE(before.exitCode, 3);
    QVERIFY2(before.out.contains(QLatin1String(
                 "group company_id='acme' on 2024-03-01: 3 events, limit 2")),
             qPrintable(before.out));
    QVERIFY2(before.out.contains(QLatin1String("--blank-group KEY=ID")),
             qPrintable(before.out));

    const HotshardRun after =
        runHotshard(options + QStringList{qpath("fixed.ndjson.gz")});
    QCOMPARE(after.exitCode, 0);
}

void TestCliRecovery::verifyNamesBadLine()
{
    std::ofstream(path("bad-line.ndjson"))
        << "{\"event\":\"a\",\"properties\":{\"time\":1709251200,"
           "\"distinct_id\":\"u1\"}}\n"
        << "export terminated early\n";
    const HotshardRun run =
        runHotshard({QStringLiteral("verify"), QStringLiteral("--json"),
                     qpath("bad-line.json"), qpath("bad-line.ndjson")});
    QCOMPARE(run.exitCode, 1);
    // The message names the file and line, so the user can find the line.
    QVERIFY2(
        run.err.contains(qpath("bad-line.ndjson") +
                         QStringLiteral(":2: Mixpanel's export stopped early")),
        qPrintable(run.err));
    // The result's first line counts the file too, since the errors go to
    // stderr.
    QVERIFY2(run.out.startsWith(
                 QStringLiteral("Verified 1 file (1 file not read to the end")),
             qPrintable(run.out));

    QFile file(qpath("bad-line.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const Json result = Json::parse(file.readAll().toStdString());
    QCOMPARE(result["input_errors"].size(), std::size_t(1));
    QCOMPARE(result["passed"].get<bool>(), false);
}

void TestCliRecovery::fixWarnings()
{
    std::ofstream(path("warn.ndjson"))
        << R"({"event":"$hotshard_events","properties":{"distinct_id":"","mp_original_event_name":"A","mp_original_distinct_id":"null","$insert_id":"a_b"}})"
        << "\n"
        << R"({"event":"B","properties":{"distinct_id":"u","ratio":1.50,"$insert_id":"ok-1","company_id":"acme"}})"
        << "\n"
        << R"({"event":"C","properties":{"distinct_id":"undefined","$insert_id":"ok-2"}})"
        << "\n";
    const HotshardRun run = runHotshard(
        {QStringLiteral("fix"), QStringLiteral("--distinct-id"),
         QStringLiteral("original"), QStringLiteral("--blank-group"),
         QStringLiteral("company_id=acme"), QStringLiteral("--out"),
         qpath("warn-out.ndjson"), qpath("warn.ndjson")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.err.contains(
                 QLatin1String("warning: 1 restored event got a distinct_id")),
             qPrintable(run.err));
    QVERIFY(run.err.contains(
        QLatin1String("warning: 1 changed event contains numbers")));
    QVERIFY(run.err.contains(
        QLatin1String("warning: 1 written event has a missing $insert_id")));
    // The restored placeholder is named above; the passed-through one here.
    QVERIFY2(run.err.contains(QLatin1String(
                 "warning: 1 other written event has a distinct_id that the "
                 "Import API rejects")),
             qPrintable(run.err));
    QVERIFY(!run.out.contains(QLatin1String("warning")));
}

void TestCliRecovery::fixUsageErrors()
{
    const HotshardRun noOut =
        runHotshard({QStringLiteral("fix"), qpath("input.ndjson")});
    QCOMPARE(noOut.exitCode, 2);
    QVERIFY(noOut.err.contains(QLatin1String("missing --out")));

    const QString missingMap = qpath("absent.csv");
    const HotshardRun badMap = runHotshard(
        {QStringLiteral("fix"), QStringLiteral("--distinct-id"),
         QStringLiteral("map:") + missingMap, QStringLiteral("--out"),
         qpath("never.ndjson"), qpath("input.ndjson")});
    QCOMPARE(badMap.exitCode, 2);
    QVERIFY(badMap.err.contains(missingMap));
    QVERIFY(!QFile::exists(qpath("never.ndjson")));

    const HotshardRun noZone = runHotshard(
        {QStringLiteral("fix"), QStringLiteral("--legacy-project-time"),
         QStringLiteral("--out"), qpath("never.ndjson"),
         qpath("input.ndjson")});
    QCOMPARE(noZone.exitCode, 2);
    QVERIFY(noZone.err.contains(QLatin1String("--timezone")));

    // A zone name matches but for case, as in scan and verify.
    const HotshardRun lowerCaseZone = runHotshard(
        {QStringLiteral("fix"), QStringLiteral("--legacy-project-time"),
         QStringLiteral("--timezone"), QStringLiteral("america/los_angeles"),
         QStringLiteral("--out"), qpath("zone-out.ndjson"),
         qpath("input.ndjson")});
    QVERIFY2(lowerCaseZone.exitCode == 0, qPrintable(lowerCaseZone.err));

    const HotshardRun missingInput =
        runHotshard({QStringLiteral("fix"), QStringLiteral("--out"),
                     qpath("never.ndjson"), qpath("absent.ndjson")});
    QCOMPARE(missingInput.exitCode, 1);
    QVERIFY(missingInput.err.contains(qpath("absent.ndjson")));
    // No line of a file that does not exist was read.
    QVERIFY2(!missingInput.err.contains(qpath("absent.ndjson") +
                                        QLatin1String(":1")),
             qPrintable(missingInput.err));
    QVERIFY(!QFile::exists(qpath("never.ndjson")));
}

void TestCliRecovery::selectorCommand()
{
    const HotshardRun run = runHotshard(
        {QStringLiteral("selector"), QStringLiteral("--group"),
         QStringLiteral("company_id=ac\"me"), QStringLiteral("--before"),
         QStringLiteral("1700000000000")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.startsWith(
        QLatin1String("(((defined(properties[\"company_id\"]))")));
    QVERIFY(run.out.contains(QLatin1String("X == \"ac\\\"me\"")));
    QVERIFY(run.out.endsWith(
        QLatin1String(" AND (number(properties[\"mp_processing_time_ms\"]) < "
                      "1700000000000)\n")));

    const HotshardRun noBefore =
        runHotshard({QStringLiteral("selector"), QStringLiteral("--group"),
                     QStringLiteral("k=v")});
    QCOMPARE(noBefore.exitCode, 2);
    const HotshardRun noGroup =
        runHotshard({QStringLiteral("selector"), QStringLiteral("--before"),
                     QStringLiteral("5")});
    QCOMPARE(noGroup.exitCode, 2);

    const HotshardRun seconds =
        runHotshard({QStringLiteral("selector"), QStringLiteral("--group"),
                     QStringLiteral("k=v"), QStringLiteral("--before"),
                     QStringLiteral("1700000000")});
    QCOMPARE(seconds.exitCode, 2);
    QVERIFY2(seconds.err.contains(QLatin1String("give 1700000000000")),
             qPrintable(seconds.err));
}

QTEST_GUILESS_MAIN(TestCliRecovery)
#include "tst_cli_recovery.moc"
