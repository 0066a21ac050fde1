#include "hsi/recovery/file_transform.h"
#include "hsi/recovery/preview.h"
#include "hsi/recovery/recovery_error.h"
#include "hsi/scanner.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <zlib.h>

using hsi::recovery::EventTransformer;
using hsi::recovery::TransformOptions;
using hsi::recovery::TransformPaths;
using hsi::recovery::TransformStats;
using Json = nlohmann::ordered_json;

namespace {

const char *const kEvents[] = {
    R"({"event":"A","properties":{"distinct_id":"u1","time":1,"$insert_id":"i1","price":1.50}})",
    R"({"event":"$hotshard_events","properties":{"distinct_id":"","time":2,"mp_original_event_name":"B","mp_original_distinct_id":"u2","$insert_id":"i2"}})",
    R"({"event":"$hotshard_events","properties":{"distinct_id":"","time":3,"$insert_id":"i3"}})",
    R"({"event":"C","properties":{"distinct_id":"u3","time":4,"company":["acme","x"],"$insert_id":"i4","ratio":1e3,"exact":2.5}})",
};

std::vector<std::string> readLines(const std::string &path)
{
    std::vector<std::string> lines;
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file)
        return lines;
    std::string line;
    char buffer[4096];
    while (gzgets(file, buffer, sizeof buffer)) {
        line += buffer;
        if (!line.empty() && line.back() == '\n') {
            line.pop_back();
            lines.push_back(line);
            line.clear();
        }
    }
    gzclose(file);
    return lines;
}

void writeGzip(const std::string &path, const std::string &text)
{
    gzFile file = gzopen(path.c_str(), "wb");
    gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
    gzclose(file);
}

std::string ndjson()
{
    std::string text;
    for (const char *event : kEvents)
        text += std::string(event) + "\n";
    return text;
}

} // namespace

class TestFileTransform : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void ndjsonToGzip();
    void jsonArrayInput();
    void gzipInput();
    void rejectsFile();
    void invalidUtf8Raw();
    void truncatedGzip();
    void inputIsOutput();
    void inputGivenTwiceReadOnce();
    void rejectedDistinctIdsCounted();
    void progressAndCancel();
    void previewSamples();
    void previewLimit();

private:
    std::string path(const char *name) const
    {
        return m_dir.filePath(QString::fromLatin1(name)).toStdString();
    }
    TransformStats run(const std::string &input, const std::string &output)
    {
        TransformOptions options;
        options.distinctId.mode =
            hsi::recovery::DistinctIdChoice::Mode::Original;
        options.blankGroups.push_back({"company", "acme"});
        EventTransformer transformer(options);
        return hsi::recovery::transformFiles({{input}, output, {}, {}},
                                             transformer);
    }

    QTemporaryDir m_dir;
};

// Events that the Import API will reject for their distinct_id are written
// as they are, and counted, so that fix can warn before an import.
void TestFileTransform::rejectedDistinctIdsCounted()
{
    const std::string input = path("ids.ndjson");
    std::ofstream(input)
        << R"({"event":"A","properties":{"distinct_id":"u1","time":1}})"
           "\n"
        << R"({"event":"A","properties":{"time":1}})"
           "\n"
        << R"({"event":"A","properties":{"distinct_id":null,"time":1}})"
           "\n"
        << R"({"event":"A","properties":{"distinct_id":"Undefined","time":1}})"
           "\n"
        << R"({"event":"A","properties":{"distinct_id":0,"time":1}})"
           "\n"
        << R"({"event":"A","properties":{"distinct_id":"","time":1}})"
           "\n";
    const TransformStats stats = run(input, path("ids-out.ndjson"));

    QCOMPARE(stats.read, 6);
    QCOMPARE(stats.written(), 6);
    QCOMPARE(stats.rejectedDistinctIds, 4);
    QCOMPARE(hsi::recovery::transformStatsToJson(stats)["rejected_distinct_ids"]
                 .get<std::int64_t>(),
             std::int64_t{4});
}

void TestFileTransform::ndjsonToGzip()
{
    const std::string input = path("in.ndjson");
    std::ofstream(input) << ndjson();
    const std::string output = path("out.ndjson.gz");
    const TransformStats stats = run(input, output);

    QCOMPARE(stats.read, 4);
    QCOMPARE(stats.passedThrough, 1);
    QCOMPARE(stats.restored, 1);
    QCOMPARE(stats.modified, 1);
    QCOMPARE(stats.setAside, 1);
    QCOMPARE(stats.idsRestored, 1);
    QCOMPARE(stats.groupBlanked, 1);
    QCOMPARE(stats.setAsideByReason.at("original_event_name_missing"), 1);

    QFile raw(QString::fromStdString(output));
    QVERIFY(raw.open(QIODevice::ReadOnly));
    QCOMPARE(raw.read(2), QByteArray("\x1f\x8b"));

    const std::vector<std::string> lines = readLines(output);
    QCOMPARE(lines.size(), std::size_t(3));
    // The passed-through event keeps its bytes, including "1.50".
    QCOMPARE(lines[0], std::string(kEvents[0]));
    QCOMPARE(
        lines[1],
        std::string(
            R"({"event":"B","properties":{"distinct_id":"u2","time":2,"$insert_id":"i2"}})"));
    QCOMPARE(
        lines[2],
        std::string(
            R"({"event":"C","properties":{"distinct_id":"u3","time":4,"company":["","x"],"$insert_id":"i4","ratio":1000.0,"exact":2.5}})"));
    QCOMPARE(stats.numbersReformatted, 1);
    QVERIFY(!QFile::exists(QString::fromStdString(output + ".partial")));
}

void TestFileTransform::jsonArrayInput()
{
    const std::string input = path("array.json");
    std::ofstream(input) << "[\n"
                         << kEvents[0] << ",\n"
                         << kEvents[1] << "\n]\n";
    const std::string output = path("array-out.ndjson");
    const TransformStats stats = run(input, output);
    QCOMPARE(stats.read, 2);
    QCOMPARE(stats.written(), 2);
    QCOMPARE(readLines(output).size(), std::size_t(2));
}

void TestFileTransform::gzipInput()
{
    const std::string input = path("in.json.gz");
    writeGzip(input, ndjson());
    const std::string output = path("gz-out.ndjson");
    const TransformStats stats = run(input, output);
    QCOMPARE(stats.read, 4);
    QCOMPARE(stats.written(), 3);
    QCOMPARE(readLines(output).size(), std::size_t(3));
}

void TestFileTransform::rejectsFile()
{
    const std::string input = path("rejects-in.ndjson");
    std::ofstream(input) << ndjson() << "{\"event\":\n";
    const std::string output = path("rejects-out.ndjson");
    run(input, output);

    const std::vector<std::string> rejects =
        readLines(output + ".rejects.ndjson");
    QCOMPARE(rejects.size(), std::size_t(2));
    const Json first = Json::parse(rejects[0]);
    QCOMPARE(first["reason"].get<std::string>(),
             std::string("original_event_name_missing"));
    QCOMPARE(first["line"].get<int>(), 3);
    QCOMPARE(first["file"].get<std::string>(), input);
    QCOMPARE(first["event"].dump(), Json::parse(kEvents[2]).dump());
    const Json second = Json::parse(rejects[1]);
    QCOMPARE(second["reason"].get<std::string>(), std::string("invalid_json"));
    QCOMPARE(second["raw"].get<std::string>(), std::string("{\"event\":"));
    QCOMPARE(second["line"].get<int>(), 5);
    // The scan's words, not the JSON library's.
    QCOMPARE(second["detail"].get<std::string>(),
             std::string("braces, brackets, commas or quotes are out of "
                         "place, or the record is cut off"));
}

void TestFileTransform::invalidUtf8Raw()
{
    const std::string input = path("latin1.ndjson");
    std::ofstream(input, std::ios::binary)
        << "{\"event\":\"caf\xe9\",\"properties\":{}}\n";
    const std::string output = path("latin1-out.ndjson");
    const TransformStats stats = run(input, output);
    QCOMPARE(stats.setAside, 1);

    const std::vector<std::string> rejects =
        readLines(output + ".rejects.ndjson");
    QCOMPARE(rejects.size(), std::size_t(1));
    const Json reject = Json::parse(rejects[0]);
    QVERIFY(reject.contains("raw_base64"));
    const QByteArray bytes = QByteArray::fromBase64(
        QByteArray::fromStdString(reject["raw_base64"].get<std::string>()));
    QCOMPARE(bytes, QByteArray("{\"event\":\"caf\xe9\",\"properties\":{}}"));
}

void TestFileTransform::truncatedGzip()
{
    const std::string whole = path("whole.gz");
    std::string text;
    for (int i = 0; i < 2000; ++i)
        text += std::string(kEvents[0]) + "\n";
    writeGzip(whole, text);
    QFile file(QString::fromStdString(whole));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    const std::string cut = path("cut.gz");
    std::ofstream(cut, std::ios::binary)
        .write(bytes.constData(), bytes.size() / 2);

    const std::string output = path("cut-out.ndjson");
    std::string message;
    try {
        run(cut, output);
    } catch (const hsi::recovery::RecoveryError &error) {
        message = error.what();
    }
    // The message names the file, the last line read, as the scan does,
    // and why reading stopped.
    QVERIFY2(message.find(cut + ":") == 0, message.c_str());
    QVERIFY2(message.find("truncated") != std::string::npos, message.c_str());
    const hsi::Report report = hsi::scan({cut}, hsi::ScanSettings{});
    std::int64_t line = -1;
    for (const hsi::Problem &problem : report.inputs.at(0).problems) {
        if (problem.severity == hsi::Problem::Severity::Error)
            line = problem.line;
    }
    QVERIFY2(message.find(cut + ":" + std::to_string(line) + ":") == 0,
             message.c_str());
    QVERIFY(!QFile::exists(QString::fromStdString(output)));
    QVERIFY(!QFile::exists(QString::fromStdString(output + ".partial")));
    QVERIFY(!QFile::exists(QString::fromStdString(output + ".rejects.ndjson")));
}

void TestFileTransform::inputIsOutput()
{
    const std::string input = path("same.ndjson");
    std::ofstream(input) << ndjson();
    QVERIFY_THROWS_EXCEPTION(hsi::recovery::RecoveryError, run(input, input));
    QCOMPARE(readLines(input).size(), std::size_t(4));
}

void TestFileTransform::inputGivenTwiceReadOnce()
{
    const std::string input = path("twice.ndjson");
    std::ofstream(input) << ndjson();
    const std::string other = m_dir.path().toStdString() + "/./twice.ndjson";
    EventTransformer transformer(TransformOptions{});
    // The inputs are listed as the scan lists them: one file named twice
    // is read once, so its events are not written twice.
    const TransformStats once = hsi::recovery::transformFiles(
        {{input}, path("once-out.ndjson"), {}, {}}, transformer);
    const TransformStats twice = hsi::recovery::transformFiles(
        {{input, other}, path("twice-out.ndjson"), {}, {}}, transformer);
    QCOMPARE(twice.read, once.read);
}

void TestFileTransform::progressAndCancel()
{
    const std::string input = path("cancel.ndjson");
    {
        std::ofstream out(input);
        for (int i = 0; i < 20000; ++i)
            out << kEvents[0] << "\n";
    }
    const std::string output = path("cancel-out.ndjson");
    EventTransformer transformer(TransformOptions{});
    std::atomic<bool> cancel{false};
    std::vector<hsi::recovery::TransformProgressState> updates;
    const auto onProgress =
        [&](const hsi::recovery::TransformProgressState &state) {
            updates.push_back(state);
            cancel = true;
        };

    QVERIFY_THROWS_EXCEPTION(
        hsi::recovery::RecoveryError,
        hsi::recovery::transformFiles({{input}, output, {}, {}}, transformer,
                                      &cancel, onProgress));
    QVERIFY(!updates.empty());
    QVERIFY(updates.front().bytesTotal > 0);
    QVERIFY(updates.front().bytesDone <= updates.front().bytesTotal);
    QVERIFY(!QFile::exists(QString::fromStdString(output)));
    QVERIFY(!QFile::exists(QString::fromStdString(output + ".partial")));
}

void TestFileTransform::previewSamples()
{
    const std::string input = path("preview.ndjson");
    std::ofstream(input) << ndjson();
    TransformOptions options;
    options.distinctId.mode = hsi::recovery::DistinctIdChoice::Mode::Original;
    EventTransformer transformer(options);

    const auto samples =
        hsi::recovery::previewTransform({input}, transformer, 10);
    QCOMPARE(samples.size(), std::size_t(2));
    QCOMPARE(samples[0].line, std::int64_t(2));
    QCOMPARE(samples[0].before, std::string(kEvents[1]));
    QCOMPARE(
        samples[0].after,
        std::string(
            R"({"event":"B","properties":{"distinct_id":"u2","time":2,"$insert_id":"i2"}})"));
    QCOMPARE(samples[1].outcome.kind,
             hsi::recovery::EventOutcome::Kind::SetAside);
    QVERIFY(samples[1].after.empty());
}

void TestFileTransform::previewLimit()
{
    const std::string input = path("preview-limit.ndjson");
    std::ofstream(input) << ndjson();
    EventTransformer transformer(TransformOptions{});
    QCOMPARE(hsi::recovery::previewTransform({input}, transformer, 1).size(),
             std::size_t(1));
    // Only the first event is read, and it passes through.
    QCOMPARE(
        hsi::recovery::previewTransform({input}, transformer, 10, 1).size(),
        std::size_t(0));
}

QTEST_GUILESS_MAIN(TestFileTransform)
#include "tst_file_transform.moc"
