#include "export_writers.h"
#include "hsi/report_json.h"
#include "report_fixture.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace hsi;
using namespace hsi::ui;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class UiExportsTest : public QObject {
    Q_OBJECT
private slots:
    void csvFieldQuoting_data();
    void csvFieldQuoting();
    void jsonMatchesCore();
    void csvTables();
    void htmlSummary();
    void fileProblemWithoutLine();
    void exportUnwritable();
};

void UiExportsTest::csvFieldQuoting_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::addRow("plain") << QStringLiteral("alice")
                           << QStringLiteral("alice");
    QTest::addRow("comma") << QStringLiteral("a,b")
                           << QStringLiteral("\"a,b\"");
    QTest::addRow("quote") << QStringLiteral("say \"hi\"")
                           << QStringLiteral("\"say \"\"hi\"\"\"");
    QTest::addRow("newline")
        << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
    QTest::addRow("empty") << QString() << QString();
}

void UiExportsTest::csvFieldQuoting()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(csvField(text), expected);
}

void UiExportsTest::jsonMatchesCore()
{
    QTemporaryDir dir;
    const auto report = test::makeSmallReport();
    const QString path = dir.filePath(QStringLiteral("report.json"));
    QCOMPARE(writeJsonExport(*report, path, false), QString());
    const auto written =
        nlohmann::ordered_json::parse(readAll(path).toStdString());
    QVERIFY(written == reportToJson(*report));
    QVERIFY(!written.contains("ids"));

    QCOMPARE(writeJsonExport(*report, path, true), QString());
    const auto withIds =
        nlohmann::ordered_json::parse(readAll(path).toStdString());
    QCOMPARE(std::size_t(withIds["ids"].size()), report->ids.size());
}

void UiExportsTest::csvTables()
{
    QTemporaryDir dir;
    QStringList written;
    QCOMPARE(writeCsvTables(*test::makeSmallReport(), dir.path(), &written),
             QString());
    QCOMPARE(written.size(), 6);

    const QList<QByteArray> hot =
        readAll(dir.filePath(QStringLiteral("hot_shards.csv"))).split('\n');
    // Header, two rows, and the empty text after the last line break.
    QCOMPARE(hot.size(), 4);
    QVERIFY(hot[0].startsWith("kind,group_key,id,date,events"));
    QVERIFY(hot[1].startsWith(
        "user,,alice,2024-03-06,150,120,30,100,50,/data/export.json,101,"));
    QVERIFY(hot[2].startsWith("group,company,Acme,2024-03-06,600"));

    const QList<QByteArray> ids =
        readAll(dir.filePath(QStringLiteral("ids.csv"))).split('\n');
    QCOMPARE(ids.size(), 8);
    const QByteArray problems =
        readAll(dir.filePath(QStringLiteral("problems.csv")));
    QVERIFY(problems.contains(
        "/data/export.json,7,error,invalid JSON: missing '}'\r\n"));
}

void UiExportsTest::htmlSummary()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("summary.html"));
    const QByteArray png = QByteArrayLiteral("\x89PNG\r\n\x1a\nfake");
    QCOMPARE(writeHtmlSummary(*test::makeSmallReport(),
                              {{QStringLiteral("Events per day"), png}}, path),
             QString());
    const QByteArray html = readAll(path);
    QVERIFY(html.startsWith("<!DOCTYPE html>"));
    const QByteArray image =
        QByteArray("src=\"data:image/png;base64,") + png.toBase64() + '"';
    QVERIFY(html.contains(image));
    QVERIFY(html.contains("<td>alice</td><td>2024-03-06</td><td>150</td>"));
    QVERIFY(html.contains("company = Acme"));
    // All near-limit pairs are counted, beyond those the report lists.
    Report many = *test::makeSmallReport();
    many.nearLimitCount = 25'000;
    QCOMPARE(writeHtmlSummary(many, {}, path), QString());
    QVERIFY(readAll(path).contains("25,000"));
    QVERIFY(html.contains("invalid JSON: missing &#x27;}&#x27;") ||
            html.contains("invalid JSON: missing '}'"));
    // Self-contained: nothing is loaded from another file or host.
    QVERIFY(!html.contains("src=\"http"));
    QVERIFY(!html.contains("<link"));
}

// Line 0 marks a problem with the whole file, which every export shows
// without a line.
void UiExportsTest::fileProblemWithoutLine()
{
    Report report = *test::makeSmallReport();
    report.inputs[0].problems.insert(
        report.inputs[0].problems.begin(),
        {Problem::Severity::Error, 0, "cannot read file: Permission denied"});
    ++report.inputs[0].problemCount;
    QTemporaryDir dir;

    QCOMPARE(writeCsvTables(report, dir.path(), nullptr), QString());
    const QByteArray csv =
        readAll(dir.filePath(QStringLiteral("problems.csv")));
    QVERIFY2(csv.contains("/data/export.json,,error,cannot read file: "
                          "Permission denied\r\n"),
             csv.constData());

    const QString htmlPath = dir.filePath(QStringLiteral("summary.html"));
    QCOMPARE(writeHtmlSummary(report, {}, htmlPath), QString());
    const QByteArray html = readAll(htmlPath);
    QVERIFY2(html.contains("<td>export.json</td><td></td><td>error</td>"),
             html.constData());

    const QString jsonPath = dir.filePath(QStringLiteral("report.json"));
    QCOMPARE(writeJsonExport(report, jsonPath, false), QString());
    const auto json =
        nlohmann::ordered_json::parse(readAll(jsonPath).toStdString());
    const auto &problems = json["inputs"][0]["problems"];
    QVERIFY(problems[0]["line"].is_null());
    QCOMPARE(problems[1]["line"].get<std::int64_t>(), std::int64_t{7});
}

void UiExportsTest::exportUnwritable()
{
    QTemporaryDir dir;
    const QString path =
        dir.filePath(QStringLiteral("no/such/folder/summary.html"));
    const QString error = writeHtmlSummary(*test::makeSmallReport(), {}, path);
    QVERIFY(error.contains(path));
    QVERIFY(!writeJsonExport(*test::makeSmallReport(), path, false).isEmpty());
}

QTEST_MAIN(UiExportsTest)
#include "tst_ui_exports.moc"
