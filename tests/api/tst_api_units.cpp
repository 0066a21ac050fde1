// Unit tests of the API client's building blocks that need no server:
// backoff, rate limiting, body checking, input reading, validation and the
// credential type.

#include "event_validator.h"
#include "hsi/api/connection.h"
#include "hsi/api/credentials.h"
#include "hsi/api/rate_limiter.h"
#include "hsi/api/retry.h"
#include "http_session.h"
#include "import_checkpoint.h"
#include "ndjson_checker.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <simdjson.h>
#include <thread>
#include <zlib.h>

using namespace hsi::api;
using namespace std::chrono_literals;

namespace {

QByteArray gzip(const QByteArray &data)
{
    z_stream stream{};
    deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(static_cast<qsizetype>(
                       deflateBound(&stream, static_cast<uLong>(data.size()))),
                   '\0');
    stream.next_in =
        reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(static_cast<qsizetype>(stream.total_out));
    deflateEnd(&stream);
    return out;
}

/// Feeds `body` to a checker in pieces of `chunk` bytes.
NdjsonChecker *check(NdjsonChecker &checker, const QByteArray &body, int chunk)
{
    for (qsizetype at = 0; at < body.size(); at += chunk)
        checker.feed(std::string_view(
            body.constData() + at, static_cast<std::size_t>(std::min<qsizetype>(
                                       chunk, body.size() - at))));
    checker.finish();
    return &checker;
}

const QByteArray kTwoEvents =
    "{\"event\":\"A\",\"properties\":{\"time\":1}}\n"
    "{\"event\":\"B\",\"properties\":{\"x\":\"}\\n{\"}}\n";

} // namespace

class ApiUnitsTest : public QObject {
    Q_OBJECT

private slots:
    void retryAfterWins();
    void retryDoublesToCap();
    void retryAfterForms_data();
    void retryAfterForms();
    void limiterPerSecond();
    void limiterWindow();
    void limiterInFlight();
    void checkerSplitChunks_data();
    void checkerSplitChunks();
    void checkerGzip();
    void checkerCutGzip();
    void checkerTerminatedTail();
    void checkerEmptyBody();
    void validator_data();
    void validator();
    void credentialsHideSecret();
    void endpointsForRegions();
    void checkpointRoundTrip();
    void checkpointChangedFile();
};

void ApiUnitsTest::retryAfterWins()
{
    RetrySettings settings;
    std::mt19937 random(1);
    QCOMPARE(retryDelay(settings, 3, 7, random), 7000ms);
    settings.maxRetryAfter = 5s;
    QCOMPARE(retryDelay(settings, 1, 100, random), 5000ms);
}

void ApiUnitsTest::retryDoublesToCap()
{
    RetrySettings settings; // 2 s doubling to 60 s, plus 1-5 s jitter
    std::mt19937 random(1);
    for (int attempt = 1; attempt <= 8; ++attempt) {
        const long long expected = std::min(2000LL << (attempt - 1), 60000LL);
        const auto delay =
            retryDelay(settings, attempt, std::nullopt, random).count();
        QVERIFY2(delay >= expected + 1000, qPrintable(QString::number(delay)));
        QVERIFY2(delay <= expected + 5000, qPrintable(QString::number(delay)));
    }
}

void ApiUnitsTest::retryAfterForms_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("seconds");
    // -1 stands for a value that is not read, so backoff applies.
    QTest::addRow("seconds") << QByteArray("120") << 120;
    QTest::addRow("zero") << QByteArray("0") << 0;
    QTest::addRow("date ahead")
        << QByteArray("Wed, 21 Oct 2015 07:28:30 GMT") << 30;
    QTest::addRow("date passed")
        << QByteArray("Wed, 21 Oct 2015 07:27:00 GMT") << 0;
    QTest::addRow("negative") << QByteArray("-5") << -1;
    QTest::addRow("text") << QByteArray("soon") << -1;
    QTest::addRow("empty") << QByteArray() << -1;
}

void ApiUnitsTest::retryAfterForms()
{
    QFETCH(QByteArray, value);
    QFETCH(int, seconds);
    const QDateTime now(QDate(2015, 10, 21), QTime(7, 28), QTimeZone::utc());
    const std::optional<int> parsed =
        parseRetryAfter(std::string_view(value.constData(), value.size()), now);
    QCOMPARE(parsed.value_or(-1), seconds);
}

void ApiUnitsTest::limiterPerSecond()
{
    RateLimiter limiter({100, 1h, 3, 10});
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 4; ++i)
        limiter.acquire();
    // The fourth start must wait until the first leaves the one-second
    // window.
    QVERIFY(timer.elapsed() >= 950);
}

void ApiUnitsTest::limiterWindow()
{
    RateLimiter limiter({2, 1200ms, 100, 10});
    QElapsedTimer timer;
    timer.start();
    limiter.acquire();
    limiter.acquire();
    QVERIFY(timer.elapsed() < 500);
    limiter.acquire();
    QVERIFY(timer.elapsed() >= 1150);
}

void ApiUnitsTest::limiterInFlight()
{
    RateLimiter limiter({100, 1h, 100, 1});
    std::atomic<bool> cancel{false};
    auto first = limiter.acquire();
    QVERIFY(first.isGranted());
    std::thread canceller([&] {
        std::this_thread::sleep_for(300ms);
        cancel = true;
    });
    // The only slot is taken, so the second request waits until cancelled.
    const auto second = limiter.acquire(&cancel);
    canceller.join();
    QVERIFY(!second.isGranted());
    first = RateLimiter::Permit();
    QVERIFY(limiter.acquire().isGranted());
}

void ApiUnitsTest::checkerSplitChunks_data()
{
    QTest::addColumn<int>("chunk");
    for (int chunk : {1, 2, 7, 1000})
        QTest::addRow("chunk %d", chunk) << chunk;
}

void ApiUnitsTest::checkerSplitChunks()
{
    QFETCH(int, chunk);
    NdjsonChecker checker;
    check(checker, kTwoEvents, chunk);
    QVERIFY2(checker.isComplete(), qPrintable(checker.problem()));
    QCOMPARE(checker.events(), 2);
    QVERIFY(!checker.isGzip());
}

void ApiUnitsTest::checkerGzip()
{
    NdjsonChecker checker;
    const QByteArray compressed = gzip(kTwoEvents) + gzip(kTwoEvents);
    check(checker, compressed, 5);
    QVERIFY(checker.isGzip());
    QVERIFY2(checker.isComplete(), qPrintable(checker.problem()));
    QCOMPARE(checker.events(), 4);
    QCOMPARE(checker.receivedBytes(), compressed.size());
}

void ApiUnitsTest::checkerCutGzip()
{
    NdjsonChecker checker;
    const QByteArray compressed = gzip(kTwoEvents.repeated(50));
    check(checker, compressed.left(compressed.size() - 10), 64);
    QVERIFY(!checker.isComplete());
    QVERIFY2(checker.problem().contains(QLatin1String("ends early")),
             qPrintable(checker.problem()));
}

void ApiUnitsTest::checkerTerminatedTail()
{
    NdjsonChecker checker;
    check(checker, kTwoEvents + "export terminated early", 16);
    QVERIFY(!checker.isComplete());
    QVERIFY2(checker.problem().contains(QLatin1String("line 3")),
             qPrintable(checker.problem()));
    QCOMPARE(checker.events(), 2);
}

void ApiUnitsTest::checkerEmptyBody()
{
    NdjsonChecker checker;
    checker.finish();
    QVERIFY(checker.isComplete());
    QCOMPARE(checker.events(), 0);
}

void ApiUnitsTest::validator_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("reason");
    const QByteArray good =
        R"("time":1700000000,"distinct_id":"u1","$insert_id":"abc-123")";
    auto event = [](const QByteArray &properties) -> QByteArray {
        return "{\"event\":\"E\",\"properties\":{" + properties + "}}";
    };
    QTest::addRow("valid") << event(good) << QString();
    QTest::addRow("valid ms")
        << event(R"("time":1700000000000,"distinct_id":"","$insert_id":"a")")
        << QString();
    QTest::addRow("not json")
        << QByteArray("{\"event\":") << QStringLiteral("invalid_json");
    QTest::addRow("no name") << QByteArray(R"({"properties":{}})")
                             << QStringLiteral("missing_event");
    QTest::addRow("no time") << event(R"("distinct_id":"u","$insert_id":"a")")
                             << QStringLiteral("missing_time");
    QTest::addRow("time 1970")
        << event(R"("time":100,"distinct_id":"u","$insert_id":"a")")
        << QStringLiteral("time_out_of_range");
    QTest::addRow("time future")
        << event(R"("time":99999999999,"distinct_id":"u","$insert_id":"a")")
        << QStringLiteral("time_out_of_range");
    QTest::addRow("placeholder id")
        << event(
               R"("time":1700000000,"distinct_id":"Undefined","$insert_id":"a")")
        << QStringLiteral("placeholder_distinct_id");
    QTest::addRow("numeric zero id")
        << event(R"("time":1700000000,"distinct_id":0,"$insert_id":"a")")
        << QStringLiteral("placeholder_distinct_id");
    QTest::addRow("insert id 37 bytes")
        << event(
               R"("time":1700000000,"distinct_id":"u","$insert_id":"0123456789012345678901234567890123456")")
        << QStringLiteral("invalid_insert_id");
    QTest::addRow("insert id underscore")
        << event(R"("time":1700000000,"distinct_id":"u","$insert_id":"a_b")")
        << QStringLiteral("invalid_insert_id");
    QTest::addRow("no insert id")
        << event(R"("time":1700000000,"distinct_id":"u")")
        << QStringLiteral("missing_insert_id");
    QByteArray many = good;
    for (int i = 0; i < 252; ++i)
        many += ",\"p" + QByteArray::number(i) + "\":1";
    QTest::addRow("255 properties")
        << event(many) << QStringLiteral("too_many_properties");
    const QByteArray big = ",\"big\":\"" + QByteArray(1024 * 1024, 'x') + "\"";
    QTest::addRow("over 1 MB")
        << event(good + big) << QStringLiteral("event_too_large");
}

void ApiUnitsTest::validator()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, reason);
    simdjson::dom::parser parser;
    const std::int64_t now = 1800000000000;
    const auto rejection = validateEvent(
        std::string_view(json.constData(), json.size()), parser, now);
    QCOMPARE(rejection ? rejection->reason : QString(), reason);
    if (rejection)
        QVERIFY(!rejection->message.isEmpty());
}

void ApiUnitsTest::credentialsHideSecret()
{
    const QString secret = QStringLiteral("very-secret-value");
    const Credentials account = Credentials::serviceAccount(
        QStringLiteral("bot.1.mp-service-account"), secret);
    QVERIFY(account.isValid());
    QVERIFY(!account.describe().contains(secret));
    QVERIFY(
        account.describe().contains(QLatin1String("bot.1.mp-service-account")));
    const Credentials legacy = Credentials::apiSecret(secret);
    QVERIFY(!legacy.describe().contains(secret));
    QVERIFY(legacy.appearsIn(QStringLiteral("x very-secret-value y")));
    QVERIFY(!Credentials::serviceAccount(QStringLiteral("bot"), QString())
                 .isValid());

    SessionCredentialStore store;
    QString error;
    QVERIFY(store.store(7, account, &error));
    QVERIFY(!store.isPersistent());
    const auto loaded = store.load(7, &error);
    QVERIFY(loaded.has_value());
    QCOMPARE(loaded->username(), account.username());
    QVERIFY(store.remove(7, &error));
    QVERIFY(!store.load(7, &error).has_value());
}

void ApiUnitsTest::endpointsForRegions()
{
    QCOMPARE(regionEndpoints(Region::EU).exportUrl,
             QStringLiteral("https://data-eu.mixpanel.com/api/2.0/export"));
    QCOMPARE(regionEndpoints(Region::India).importUrl,
             QStringLiteral("https://api-in.mixpanel.com/import"));
    ConnectionSettings settings;
    settings.baseUrl = QStringLiteral("http://127.0.0.1:9/");
    QCOMPARE(settings.endpoints().exportUrl,
             QStringLiteral("http://127.0.0.1:9/api/2.0/export"));
    QCOMPARE(settings.endpoints().importUrl,
             QStringLiteral("http://127.0.0.1:9/import"));
    QCOMPARE(parseRegion(QStringLiteral("IN")),
             std::optional<Region>(Region::India));
    QVERIFY(!parseRegion(QStringLiteral("asia")).has_value());
}

void ApiUnitsTest::checkpointRoundTrip()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("checkpoint.json"));
    QString error;
    {
        ImportCheckpoint checkpoint;
        QVERIFY(checkpoint.load(path, &error));
        QVERIFY(checkpoint.checkLimits(2000, 100, &error));
        QVERIFY(
            checkpoint.checkFile(QStringLiteral("/in.ndjson"), 10, 20, &error));
        for (std::int64_t batch : {0, 1, 2, 5, 7, 8})
            checkpoint.acknowledge(QStringLiteral("/in.ndjson"), batch, 1, 0);
        QVERIFY2(checkpoint.save(&error), qPrintable(error));
    }
    ImportCheckpoint loaded;
    QVERIFY2(loaded.load(path, &error), qPrintable(error));
    QVERIFY(loaded.checkLimits(2000, 100, &error));
    QVERIFY(!loaded.checkLimits(1000, 100, &error));
    for (std::int64_t batch : {0, 1, 2, 5, 7, 8})
        QVERIFY(loaded.isAcknowledged(QStringLiteral("/in.ndjson"), batch));
    for (std::int64_t batch : {3, 4, 6, 9})
        QVERIFY(!loaded.isAcknowledged(QStringLiteral("/in.ndjson"), batch));
    QVERIFY(!QFile::exists(path + QStringLiteral(".tmp")));
}

void ApiUnitsTest::checkpointChangedFile()
{
    ImportCheckpoint checkpoint;
    QString error;
    QVERIFY(checkpoint.checkFile(QStringLiteral("/in.ndjson"), 10, 20, &error));
    QVERIFY(checkpoint.checkFile(QStringLiteral("/in.ndjson"), 10, 20, &error));
    QVERIFY(
        !checkpoint.checkFile(QStringLiteral("/in.ndjson"), 11, 20, &error));
    QVERIFY2(error.contains(QLatin1String("changed")), qPrintable(error));
}

QTEST_GUILESS_MAIN(ApiUnitsTest)
#include "tst_api_units.moc"
