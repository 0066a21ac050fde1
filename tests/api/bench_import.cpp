// Benchmark, not a test: imports a generated file of valid events through
// the test server on loopback and prints the throughput.
//
// Usage: bench_import [--events N] [--parallel N] [--count-only]
// --count-only makes the server count events without validating or storing
// them, which measures the client; without it the single-threaded Python
// server's validation is the limit.

#include "hsi/api/importer.h"
#include "test_server.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <cstdio>

using namespace hsi;

namespace {

struct BenchOptions {
    long long events = 1'000'000;
    int parallel = 4;
    bool countOnly = false;
};

BenchOptions parseOptions(const QStringList &arguments)
{
    BenchOptions options;
    for (int i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--events") && i + 1 < arguments.size())
            options.events = arguments.at(++i).toLongLong();
        else if (argument == QLatin1String("--parallel") &&
                 i + 1 < arguments.size())
            options.parallel = arguments.at(++i).toInt();
        else if (argument == QLatin1String("--count-only"))
            options.countOnly = true;
        else
            qFatal("unknown argument %s; see the usage at the top of "
                   "bench_import.cpp",
                   qPrintable(argument));
    }
    return options;
}

/// Writes `count` valid events, about 200 bytes each, with one distinct
/// $insert_id per event.
void writeInput(const QString &path, long long count)
{
    std::FILE *file = std::fopen(qPrintable(path), "wb");
    if (!file)
        qFatal("cannot write %s", qPrintable(path));
    const long long start = 1709251200; // 2024-03-01T00:00:00Z
    for (long long i = 0; i < count; ++i)
        std::fprintf(
            file,
            "{\"event\":\"Page View %lld\",\"properties\":{\"time\":%lld,"
            "\"distinct_id\":\"user-%lld\",\"$insert_id\":\"bench-%lld\","
            "\"$browser\":\"Firefox\",\"plan\":\"pro\",\"page\":\"/docs/"
            "%lld\"}}\n",
            i % 20, (start + i % 864000) * 1000, i % 50000, i, i % 300);
    std::fclose(file);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const BenchOptions options = parseOptions(QCoreApplication::arguments());
    QTemporaryDir work;
    const QString input = work.filePath(QStringLiteral("events.ndjson"));
    writeInput(input, options.events);

    QStringList serverArguments;
    if (options.countOnly)
        serverArguments << QStringLiteral("--count-only");
    test::TestServer server(QString(), work.filePath(QStringLiteral("state")),
                            serverArguments);
    if (!server.isRunning())
        qFatal("%s", qPrintable(server.errorText()));

    api::ConnectionSettings settings;
    settings.baseUrl = server.baseUrl();
    settings.projectId = test::kProjectId;
    api::ImportOptions importOptions;
    importOptions.parallelRequests = options.parallel;
    importOptions.jobDir = work.filePath(QStringLiteral("job"));
    api::Importer importer(
        settings,
        api::Credentials::serviceAccount(QLatin1String(test::kServiceUser),
                                         QLatin1String(test::kServiceSecret)),
        importOptions);
    const api::ImportSummary summary = importer.run({input});
    if (!summary.isComplete())
        qFatal("import failed: %s", qPrintable(summary.error));
    std::printf("imported %lld events in %.2f s: %.0f events/s (%d requests, "
                "parallel %d, "
                "server %s)\n",
                static_cast<long long>(summary.imported), summary.seconds,
                static_cast<double>(summary.imported) / summary.seconds,
                static_cast<int>(summary.requests), options.parallel,
                options.countOnly ? "count-only" : "validating and storing");
    return 0;
}
