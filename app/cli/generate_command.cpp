#include "cli_support.h"
#include "commands.h"
#include "hsi/sample_generator.h"

namespace hsi::cli {

int runGenerate(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes a deterministic Mixpanel export: the bundled sample incident "
        "or a benchmark corpus. The same options always give the same "
        "events."));
    const QCommandLineOption preset(
        QStringLiteral("preset"),
        QStringLiteral("'sample' (a week with user and group hot shards; "
                       "the default) or 'benchmark' (many ids, sized by "
                       "--size-mb)."),
        QStringLiteral("name"), QStringLiteral("sample"));
    const QCommandLineOption sizeMb(
        QStringLiteral("size-mb"),
        QStringLiteral("Uncompressed size of the benchmark corpus in MB "
                       "(default 1000). The corpus has at least 10,000 "
                       "events, about 3.4 MB."),
        QStringLiteral("mb"), QStringLiteral("1000"));
    const QCommandLineOption scale(
        QStringLiteral("scale-divisor"),
        QStringLiteral("Divide every event count and both limits by this "
                       "number, for small test fixtures (default 1)."),
        QStringLiteral("n"), QStringLiteral("1"));
    const QCommandLineOption gzip(
        QStringLiteral("gzip"),
        QStringLiteral("Compress the output with gzip (multi-member)."));
    const QCommandLineOption out(QStringLiteral("out"),
                                 QStringLiteral("Output file."),
                                 QStringLiteral("file"));
    parser.addOptions({preset, sizeMb, scale, gzip, out});
    if (const auto exitCode = parseArguments(parser, arguments))
        return *exitCode;

    GeneratorOptions options;
    const QString presetName = parser.value(preset);
    if (presetName == QLatin1String("benchmark")) {
        options.preset = GeneratorPreset::Benchmark;
    } else if (presetName != QLatin1String("sample")) {
        printError(command, QStringLiteral("unknown preset '%1': use sample or "
                                           "benchmark")
                                .arg(presetName));
        return ExitUsage;
    }
    bool sizeOk = false;
    const qlonglong megabytes = parser.value(sizeMb).toLongLong(&sizeOk);
    bool scaleOk = false;
    options.scaleDivisor = parser.value(scale).toInt(&scaleOk);
    for (const auto &[option, valid] :
         {std::pair{&sizeMb, sizeOk && megabytes >= 1},
          std::pair{&scale, scaleOk && options.scaleDivisor >= 1}}) {
        if (valid)
            continue;
        printError(
            command,
            QStringLiteral("invalid --%1 value '%2': use a whole "
                           "number of 1 or more")
                .arg(option->names().constFirst(), parser.value(*option)));
        return ExitUsage;
    }
    if (parser.isSet(sizeMb) && options.preset != GeneratorPreset::Benchmark) {
        printError(command, QStringLiteral("--size-mb applies to --preset "
                                           "benchmark only: the sample "
                                           "incident has a fixed size"));
        return ExitUsage;
    }
    if (!parser.isSet(out) || parser.value(out) == QLatin1String("-")) {
        printError(command, QStringLiteral("missing --out FILE: the export "
                                           "is written to a file"));
        return ExitUsage;
    }
    options.targetBytes = megabytes * 1'000'000;
    // A name ending in .gz is compressed, as hotshard fix does.
    options.gzip =
        parser.isSet(gzip) ||
        parser.value(out).endsWith(QLatin1String(".gz"), Qt::CaseInsensitive);
    try {
        const GeneratorSummary summary =
            generateExport(options, argumentBytes(parser.value(out)));
        std::fprintf(stderr,
                     "wrote %lld events (%lld bytes uncompressed) to %s; user "
                     "limit %lld, group limit %lld\n",
                     static_cast<long long>(summary.events),
                     static_cast<long long>(summary.bytes),
                     qUtf8Printable(parser.value(out)),
                     static_cast<long long>(summary.userLimit),
                     static_cast<long long>(summary.groupLimit));
        if (options.scaleDivisor > 1)
            std::fprintf(stderr,
                         "scan it with --user-limit %lld --group-limit %lld "
                         "to find its hot shards\n",
                         static_cast<long long>(summary.userLimit),
                         static_cast<long long>(summary.groupLimit));
    } catch (const std::exception &exception) {
        printError(command, QString::fromStdString(exception.what()));
        return ExitFailure;
    }
    return ExitOk;
}

} // namespace hsi::cli
