// The export line scanner reads most records without simdjson. These tests
// check that it reads the records it accepts exactly as simdjson does, and
// that it leaves every other record to simdjson, in both parser kernels.

#include "event_parser.h"
#include "event_parser_kernel.h"
#include "hsi/record_reader.h"
#include "hsi/sample_generator.h"

#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace hsi::detail;

namespace {

using KernelFactory =
    std::function<std::unique_ptr<ParserKernel>(ParseOptions)>;
using ScanFunction =
    std::function<bool(std::string_view, const ParseOptions &, ParsedEvent &)>;

struct Kernel {
    const char *name;
    KernelFactory make;
    ScanFunction scan;
};

bool cpuHasAvx2()
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("pclmul");
}

std::vector<Kernel> kernels()
{
    std::vector<Kernel> result{
        {"generic", generic::makeParserKernel, generic::scanExportLine}};
#ifdef HSI_HAVE_HASWELL_PARSER
    if (cpuHasAvx2())
        result.push_back(
            {"haswell", haswell::makeParserKernel, haswell::scanExportLine});
#endif
    return result;
}

/// Quotes, backslashes and braces, so that a scanner that reads past the
/// record's end goes wrong.
constexpr std::string_view kNoisyPadding = "\"\\{}\x01\xff";

/// Keeps a record with padding after it, as the readers do, made of
/// `padding` repeated.
class PaddedRecord {
public:
    explicit PaddedRecord(std::string_view text,
                          std::string_view padding = kNoisyPadding)
        : m_buffer(text)
    {
        for (std::size_t i = 0; i < hsi::kRecordPadding; ++i)
            m_buffer.push_back(padding[i % padding.size()]);
        m_size = text.size();
    }
    std::string_view text() const { return {m_buffer.data(), m_size}; }

private:
    std::string m_buffer;
    std::size_t m_size = 0;
};

struct Outcome {
    bool parsed = false;
    std::string error;
    ParsedEvent event;
};

Outcome parseWith(ParserKernel &kernel, std::string_view text)
{
    Outcome outcome;
    outcome.parsed = kernel.parse(text, outcome.event, outcome.error);
    if (outcome.parsed)
        outcome.error.clear();
    return outcome;
}

QString describe(const ParsedEvent &event)
{
    QString text =
        QStringLiteral("event=%1 id=%2:%3 time=%4:%5:%6")
            .arg(QString::fromStdString(std::string(event.eventName)))
            .arg(int(event.distinctId.kind))
            .arg(QString::fromStdString(std::string(event.distinctId.text)))
            .arg(int(event.time.status))
            .arg(event.time.ms)
            .arg(QString::fromStdString(std::string(event.time.rawText)));
    text += QStringLiteral(" insert=%1 device=%2 lib=%3 groups=%4")
                .arg(QString::fromStdString(std::string(event.insertId)))
                .arg(QString::fromStdString(std::string(event.deviceId)))
                .arg(QString::fromStdString(std::string(event.library)))
                .arg(event.groupValues.size());
    for (const GroupValue &value : event.groupValues)
        text += QStringLiteral(" [%1 %2 %3]")
                    .arg(value.keyIndex)
                    .arg(QString::fromStdString(std::string(value.id)))
                    .arg(value.numeric);
    text += QStringLiteral(" original=%1:%2 remediated=%3 record=%4 fffd=%5")
                .arg(int(event.originalDistinctId.kind))
                .arg(QString::fromStdString(
                    std::string(event.originalDistinctId.text)))
                .arg(event.isRemediated)
                .arg(event.isRecord)
                .arg(QString::fromStdString(
                    std::string(event.replacedSurrogateText)));
    text +=
        QStringLiteral(" original name=%1:%2 top-level ignored=%3")
            .arg(event.hasOriginalEventName)
            .arg(QString::fromStdString(std::string(event.originalEventName)))
            .arg(event.ignoredTopLevelId || event.ignoredTopLevelTime);
    return text;
}

QString describe(const Outcome &outcome)
{
    if (!outcome.parsed)
        return QStringLiteral("rejected: ") +
               QString::fromStdString(outcome.error);
    return describe(outcome.event);
}

std::vector<ParseOptions> optionSets()
{
    ParseOptions counting;
    ParseOptions evidence;
    evidence.evidenceFields = true;
    ParseOptions groups;
    groups.groupKeys = {"company", "team"};
    groups.evidenceFields = true;
    return {counting, evidence, groups};
}

/// Reads `text` with and without the scanner in every kernel and returns
/// whether the scanner accepted it, or nothing, with warnings, when any two
/// readings disagree.
std::optional<bool> compareReadings(std::string_view text,
                                    const ParseOptions &options,
                                    std::string_view padding = kNoisyPadding)
{
    const PaddedRecord record(text, padding);
    bool accepted = false;
    bool first = true;
    QString expected;
    for (const Kernel &kernel : kernels()) {
        ParseOptions withScanner = options;
        ParseOptions withoutScanner = options;
        withoutScanner.lineScanner = false;
        const auto fast = kernel.make(withScanner);
        const auto full = kernel.make(withoutScanner);
        const QString fastText = describe(parseWith(*fast, record.text()));
        const QString fullText = describe(parseWith(*full, record.text()));
        if (fastText != fullText) {
            qWarning("%s kernel, record: %.*s", kernel.name,
                     static_cast<int>(text.size()), text.data());
            qWarning("with scanner:    %s", qPrintable(fastText));
            qWarning("without scanner: %s", qPrintable(fullText));
            return std::nullopt;
        }
        ParsedEvent scanned;
        const bool scannerAccepts =
            kernel.scan(record.text(), options, scanned);
        if (!first && scannerAccepts != accepted) {
            qWarning("the kernels' scanners disagree on: %.*s",
                     static_cast<int>(text.size()), text.data());
            return std::nullopt;
        }
        if (!first && fullText != expected) {
            qWarning("the kernels disagree on: %.*s",
                     static_cast<int>(text.size()), text.data());
            return std::nullopt;
        }
        accepted = scannerAccepts;
        expected = fullText;
        first = false;
    }
    return accepted;
}

enum class Expect { Scanned, LeftToSimdjson };

std::vector<std::string> sampleLines(const QString &dir, std::size_t count)
{
    hsi::GeneratorOptions options;
    options.scaleDivisor = 1000;
    const std::string path = dir.toStdString() + "/sample.ndjson";
    hsi::generateExport(options, path);
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (lines.size() < count && std::getline(in, line))
        lines.push_back(line);
    return lines;
}

} // namespace

class LineScannerTest : public QObject {
    Q_OBJECT

private slots:
    void readsRecordsLikeSimdjson_data();
    void readsRecordsLikeSimdjson();
    void readsEveryWordBoundary();
    void leavesCutOffRecords();
    void readsTheSampleExport();
    void agreesOnDamagedRecords();
};

void LineScannerTest::readsRecordsLikeSimdjson_data()
{
    QTest::addColumn<QByteArray>("record");
    QTest::addColumn<QStringList>("groupKeys");
    QTest::addColumn<int>("expect");
    const auto scanned = static_cast<int>(Expect::Scanned);
    const auto left = static_cast<int>(Expect::LeftToSimdjson);
    const QStringList none;
    const QStringList company{QStringLiteral("company")};
    const auto row = [](const char *name, const QByteArray &record,
                        const QStringList &keys, int expect) {
        QTest::newRow(name) << record << keys << expect;
    };
    const QByteArray longText(150, 'x');

    row("plain",
        R"({"event":"A","properties":{"time":1715558400,"distinct_id":"u1"}})",
        none, scanned);
    row("milliseconds",
        R"({"event":"A","properties":{"time":1715558400123,"distinct_id":"u1"}})",
        none, scanned);
    row("negative time",
        R"({"event":"A","properties":{"time":-5,"distinct_id":"u1"}})", none,
        scanned);
    row("numeric id",
        R"({"event":"A","properties":{"time":1,"distinct_id":4611686018427387905}})",
        none, scanned);
    row("id with exponent",
        R"({"event":"A","properties":{"time":1,"distinct_id":-1.5e+3}})", none,
        scanned);
    row("spaces",
        R"( { "event" : "A" , "properties" : { "time" : 7 , "distinct_id" : "x" } } )",
        none, scanned);
    row("nested values",
        R"({"event":"A","properties":{"l":[1,[2,{"a":null}],"s",[]],"o":{"k":{"t":true,"f":false}},"time":3,"distinct_id":"d"}})",
        none, scanned);
    row("UTF-8",
        "{\"event\":\"Caf\xc3\xa9\",\"properties\":{\"time\":1,\"distinct_id\":"
        "\"\xf0\x9f\x98\x80\"}}",
        none, scanned);
    row("empty properties", R"({"event":"A","properties":{}})", none, scanned);
    row("properties first",
        R"({"properties":{"distinct_id":"u","time":9},"event":"B"})", none,
        scanned);
    row("repeated keys",
        R"({"event":"A","properties":{"time":1,"time":2,"distinct_id":"a","distinct_id":"b"}})",
        none, scanned);
    row("empty names", R"({"event":"","properties":{"":"","distinct_id":""}})",
        none, scanned);
    row("long strings",
        QByteArray(R"({"event":")") + longText + R"(","properties":{")" +
            longText + R"(":")" + longText + R"(","time":1,"distinct_id":")" +
            longText + R"("}})",
        none, scanned);
    row("evidence fields",
        R"({"event":"A","properties":{"time":1,"$insert_id":"i","$device_id":5,"$device_id":"d","mp_lib":"","$lib":"web","mp_lib":"ios"}})",
        none, scanned);
    row("group key nested",
        R"({"event":"A","properties":{"time":1,"o":{"company":"c"}}})", company,
        scanned);
    row("group key as value",
        R"({"event":"A","properties":{"time":1,"k":"company"}})", company,
        scanned);

    row("escaped quote", R"({"event":"A","properties":{"time":1,"k":"a\"b"}})",
        none, left);
    row("unicode escape",
        R"({"event":"A","properties":{"time":1,"k":"\u00e9"}})", none, left);
    row("lone surrogate",
        R"({"event":"A","properties":{"time":1,"distinct_id":"a\ud800"}})",
        none, left);
    row("invalid escape", R"({"event":"A","properties":{"time":1,"k":"\x"}})",
        none, left);
    row("bad UTF-8",
        "{\"event\":\"A\",\"properties\":{\"time\":1,\"k\":\"\xff\"}}", none,
        left);
    // A tab in a 64-byte word with a string sends the line to simdjson;
    // after the last string the scanner reads it as a blank.
    row("tab among strings", "{\"event\":\"A\",\t\"properties\":{}}", none,
        left);
    row("tab after the strings",
        QByteArray(R"({"event":"A","properties":{"distinct_id":"u","n":[)") +
            QByteArray("1,").repeated(45) + "1]\t}}",
        none, scanned);
    row("control character",
        "{\"event\":\"A\",\"properties\":{\"time\":1,\"k\":\"a\x01\"}}", none,
        left);
    row("remediated",
        R"({"event":"$hotshard_events","properties":{"time":1,"distinct_id":"","mp_original_distinct_id":"u","mp_original_event_name":"Tap"}})",
        none, scanned);
    row("remediated, numeric original id",
        R"({"event":"$hotshard_events","properties":{"mp_original_event_name":"Tap","time":1,"mp_original_distinct_id":4611686018427387905}})",
        none, scanned);
    row("remediated, originals twice",
        R"({"event":"$hotshard_events","properties":{"mp_original_distinct_id":"a","mp_original_event_name":"X","mp_original_distinct_id":"b","mp_original_event_name":7}})",
        none, scanned);
    row("remediated, no originals",
        R"({"event":"$hotshard_events","properties":{"time":1}})", none,
        scanned);
    row("remediated, null original id",
        R"({"event":"$hotshard_events","properties":{"mp_original_distinct_id":null}})",
        none, left);
    row("remediated, original name not a string",
        R"({"event":"$hotshard_events","properties":{"mp_original_event_name":["X"]}})",
        none, left);
    row("remediated, record key",
        R"({"event":"$hotshard_events","properties":{"hotshard_distinct_id":"u"}})",
        none, left);
    row("remediated, properties first",
        R"({"properties":{"mp_original_distinct_id":"u"},"event":"$hotshard_events"})",
        none, left);
    row("remediated, properties first without originals",
        R"({"properties":{"time":1},"event":"$hotshard_events"})", none,
        scanned);
    row("other hotshard event",
        R"({"event":"$hotshard_other","properties":{"time":1}})", none, left);
    row("record",
        R"({"event":"$hotshard_record","properties":{"time":1,"hotshard_distinct_id":"u"}})",
        none, left);
    row("original id",
        R"({"event":"A","properties":{"time":1,"mp_original_distinct_id":"u"}})",
        none, left);
    row("pipelines row",
        R"({"event_name":"A","distinct_id":"u","time":1,"properties":{}})",
        none, left);
    row("other top-level key", R"({"event":"A","x":1,"properties":{"time":1}})",
        none, left);
    row("event twice", R"({"event":"A","event":"B","properties":{"time":1}})",
        none, left);
    row("time as text", R"({"event":"A","properties":{"time":"1715558400"}})",
        none, left);
    row("fractional time",
        R"({"event":"A","properties":{"time":1715558400.5}})", none, left);
    row("time of 19 digits",
        R"({"event":"A","properties":{"time":1000000000000000000}})", none,
        left);
    row("null time", R"({"event":"A","properties":{"time":null}})", none, left);
    row("null id",
        R"({"event":"A","properties":{"time":1,"distinct_id":null}})", none,
        left);
    row("object id",
        R"({"event":"A","properties":{"time":1,"distinct_id":{}}})", none,
        left);
    row("boolean id",
        R"({"event":"A","properties":{"time":1,"distinct_id":true}})", none,
        left);
    row("numeric event", R"({"event":1,"properties":{"time":1}})", none, left);
    row("properties as text", R"({"event":"A","properties":"{\"time\":1}"})",
        none, left);
    row("properties missing", R"({"event":"A"})", none, left);
    row("bare word", R"({"event":"A","properties":{"time":1,"k":tru}})", none,
        left);
    row("leading zero", R"({"event":"A","properties":{"time":1,"k":01}})", none,
        left);
    row("bare point", R"({"event":"A","properties":{"time":1,"k":1.}})", none,
        left);
    row("lone minus", R"({"event":"A","properties":{"time":1,"k":-}})", none,
        left);
    row("trailing comma", R"({"event":"A","properties":{"time":1,}})", none,
        left);
    row("missing colon", R"({"event":"A","properties":{"time" 1}})", none,
        left);
    row("unclosed string", R"({"event":"A","properties":{"time":1,"k":"abc}})",
        none, left);
    row("cut off", R"({"event":"A","properties":{"time":1)", none, left);
    row("text after", R"({"event":"A","properties":{"time":1}} x)", none, left);
    row("two objects",
        R"({"event":"A","properties":{}}{"event":"B","properties":{}})", none,
        left);
    row("mismatched bracket",
        R"({"event":"A","properties":{"time":1,"l":[1}}})", none, left);
    row("group key", R"({"event":"A","properties":{"time":1,"company":"c"}})",
        company, scanned);
    row("group key twice",
        R"({"event":"A","properties":{"company":"a","time":1,"company":7}})",
        company, scanned);
    row("group lists",
        R"({"event":"A","properties":{"company":["a",1,["b",[2,[3,["deep"]]]],null,{"x":"y"},true,""]}})",
        company, scanned);
    row("group value invalid",
        R"({"event":"A","properties":{"company":["a",tru]}})", company, left);
    row("group key named time", R"({"event":"A","properties":{"time":1}})",
        QStringList{QStringLiteral("time")}, left);
    row("group key given twice",
        R"({"event":"A","properties":{"time":1,"company":"c"}})",
        QStringList{QStringLiteral("company"), QStringLiteral("company")},
        left);
    row("deep nesting",
        QByteArray(R"({"event":"A","properties":{"d":)") + QByteArray(40, '[') +
            QByteArray(40, ']') + "}}",
        none, left);
    row("array", "[]", none, left);
    row("cut-short marker", "export terminated early", none, left);
    row("empty", "", none, left);

    row("time below the millisecond threshold",
        R"({"event":"A","properties":{"time":99999999999}})", none, scanned);
    row("time at the millisecond threshold",
        R"({"event":"A","properties":{"time":100000000000}})", none, scanned);
    row("negative times either side",
        R"({"event":"A","properties":{"time":-99999999999,"t":-100000000000}})",
        none, scanned);
    row("negative zero time", R"({"event":"A","properties":{"time":-0}})", none,
        scanned);
    row("largest 18-digit times",
        R"({"event":"A","properties":{"time":999999999999999999}})", none,
        scanned);
    row("smallest 18-digit time",
        R"({"event":"A","properties":{"time":-999999999999999999}})", none,
        scanned);
    row("time in microseconds",
        R"({"event":"A","properties":{"time":1709683200000000}})", none,
        scanned);
    row("last time in range",
        R"({"event":"A","properties":{"time":253402214399999}})", none,
        scanned);
    row("first time past the range",
        R"({"event":"A","properties":{"time":253402214400000}})", none,
        scanned);
    row("first time in range",
        R"({"event":"A","properties":{"time":-62135510400000}})", none,
        scanned);
    row("last time before the range",
        R"({"event":"A","properties":{"time":-62135510400001}})", none,
        scanned);
    row("nesting at the limit",
        QByteArray(R"({"event":"A","properties":{"d":)") + QByteArray(30, '[') +
            QByteArray(30, ']') + "}}",
        none, scanned);
    row("nesting past the limit",
        QByteArray(R"({"event":"A","properties":{"d":)") + QByteArray(31, '[') +
            QByteArray(31, ']') + "}}",
        none, left);
    row("overlong UTF-8",
        "{\"event\":\"A\",\"properties\":{\"k\":\"\xc0\xaf\"}}", none, left);
    row("UTF-8 surrogate",
        "{\"event\":\"A\",\"properties\":{\"k\":\"\xed\xa0\x80\"}}", none,
        left);
    row("beyond U+10FFFF",
        "{\"event\":\"A\",\"properties\":{\"k\":\"\xf4\x90\x80\x80\"}}", none,
        left);
    row("UTF-8 cut short",
        "{\"event\":\"A\",\"properties\":{\"k\":\"\xe2\x82\"}}", none, left);
    row("DEL", "{\"event\":\"A\",\"properties\":{\"k\":\"\x7f\"}}", none,
        scanned);
    row("huge numeric id",
        R"({"event":"A","properties":{"time":1,"distinct_id":1e400}})", none,
        scanned);
}

void LineScannerTest::readsRecordsLikeSimdjson()
{
    QFETCH(QByteArray, record);
    QFETCH(QStringList, groupKeys);
    QFETCH(int, expect);
    for (ParseOptions options : optionSets()) {
        for (const QString &key : groupKeys) {
            // Keys the option set already has are not repeated, except
            // where the row repeats them on purpose.
            const std::string name = key.toStdString();
            if (groupKeys.count(key) > 1 ||
                std::find(options.groupKeys.begin(), options.groupKeys.end(),
                          name) == options.groupKeys.end())
                options.groupKeys.push_back(name);
        }
        const std::optional<bool> accepted =
            compareReadings(record.toStdString(), options);
        QVERIFY(accepted.has_value());
        QCOMPARE(*accepted, expect == static_cast<int>(Expect::Scanned));
    }
}

// Moves quotes, digit runs and bad bytes across the scanner's 32- and
// 64-byte words by growing a filler in front of them.
void LineScannerTest::readsEveryWordBoundary()
{
    const std::vector<std::pair<std::string, bool>> templates = {
        {R"({"event":"#","properties":{"time":1715558400,"distinct_id":"u"}})",
         true},
        {R"({"event":"A","properties":{"#":12345678901234,"distinct_id":7}})",
         true},
        {R"({"event":"A","properties":{"k":"#)"
         "\x01"
         R"(","time":1}})",
         false},
        {R"({"event":"A","properties":{"k":"#)"
         "\xff"
         R"(","time":1}})",
         false},
    };
    for (std::size_t fill = 0; fill < 140; ++fill) {
        for (const auto &[pattern, scanned] : templates) {
            std::string text = pattern;
            text.replace(text.find('#'), 1, std::string(fill, 'x'));
            for (const ParseOptions &options : optionSets()) {
                const std::optional<bool> accepted =
                    compareReadings(text, options);
                QVERIFY2(accepted.has_value(), text.c_str());
                QVERIFY2(*accepted == scanned, text.c_str());
            }
        }
    }
}

// A record cut off inside a string or a number, with padding after it that
// would complete it, must not be read past its end.
void LineScannerTest::leavesCutOffRecords()
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"event":"A","properties":{"time":1,"k":"abc)", R"("}})"},
        {R"({"event":"A","properties":{"time":17)", "7}}"},
        {R"({"event":"A","properties":{"time":1,"distinct_id":"u)", R"("}})"},
        {R"({"event":"A","properties":{"time":1})", "}"},
    };
    for (const auto &[text, padding] : cases) {
        for (const ParseOptions &options : optionSets()) {
            const std::optional<bool> accepted =
                compareReadings(text, options, padding);
            QVERIFY2(accepted.has_value(), text.c_str());
            QVERIFY2(!*accepted, text.c_str());
        }
    }
}

void LineScannerTest::readsTheSampleExport()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::vector<std::string> lines = sampleLines(dir.path(), 1500);
    QCOMPARE(lines.size(), std::size_t{1500});
    std::size_t accepted = 0;
    for (const std::string &line : lines) {
        const std::optional<bool> scanned = compareReadings(line, {});
        QVERIFY(scanned.has_value());
        accepted += *scanned ? 1 : 0;
    }
    // Only the sample's $hotshard_record events need simdjson.
    QVERIFY2(accepted > lines.size() * 9 / 10,
             qPrintable(QString::number(accepted)));
}

// Damages sample records one byte at a time with characters that matter to
// JSON. Whatever the scanner accepts must read as simdjson reads it.
void LineScannerTest::agreesOnDamagedRecords()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::vector<std::string> lines = sampleLines(dir.path(), 400);
    const std::string alphabet = "\"\\{}[],: \t0-.eE+tfnul\x01\xc3\xff"
                                 "a";
    std::mt19937_64 random(20261205);
    std::size_t accepted = 0;
    std::size_t damaged = 0;
    for (const std::string &line : lines) {
        for (int round = 0; round < 12; ++round) {
            std::string text = line;
            const std::size_t at = random() % text.size();
            const char c = alphabet[random() % alphabet.size()];
            switch (random() % 4) {
            case 0:
                text[at] = c;
                break;
            case 1:
                text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
                break;
            case 2:
                text.erase(at, 1);
                break;
            default:
                text.resize(at);
                break;
            }
            for (const ParseOptions &options : optionSets()) {
                ParsedEvent scanned;
                const PaddedRecord record(text);
                const bool scannerAccepts =
                    kernels().front().scan(record.text(), options, scanned);
                accepted += scannerAccepts ? 1 : 0;
                const std::optional<bool> agreed =
                    compareReadings(text, options);
                QVERIFY(agreed.has_value());
                QCOMPARE(*agreed, scannerAccepts);
            }
            ++damaged;
        }
    }
    // Many damaged records stay valid JSON (a letter inside a string, a
    // space between tokens), so the scanner must have accepted some.
    QVERIFY2(accepted > damaged / 10, qPrintable(QString::number(accepted)));
}

QTEST_GUILESS_MAIN(LineScannerTest)
#include "tst_line_scanner.moc"
