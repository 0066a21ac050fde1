#include "cli_support.h"
#include "commands.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <cstdio>
#include <cstring>

namespace {

struct Command {
    const char *name;
    int (*run)(const QStringList &);
    const char *summary;
};

const Command kCommands[] = {
    {"scan", hsi::cli::runScan, "find hot shards in export files"},
    {"export", hsi::cli::runExport, "download events from the Export API"},
    {"import", hsi::cli::runImport, "send events to the Import API"},
    {"fix", hsi::cli::runFix, "restore names and ids of remediated events"},
    {"verify", hsi::cli::runVerify,
     "check that files to import create no hot shard"},
    {"selector", hsi::cli::runSelector,
     "print the export and deletion selector for hot groups"},
    {"generate", hsi::cli::runGenerate,
     "write a deterministic sample or benchmark export"},
};

void printUsage(FILE *stream)
{
    std::fprintf(stream, "usage: hotshard <command> [options]\n\ncommands:\n");
    for (const Command &command : kCommands)
        std::fprintf(stream, "  %-10s %s\n", command.name, command.summary);
    std::fprintf(
        stream, "\nRun 'hotshard <command> --help' for a command's options.\n");
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    hsi::cli::keepRawArguments(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hotshard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HSI_VERSION_STRING));
    QLoggingCategory::setFilterRules(
        QStringLiteral("hsi.*.debug=false\nhsi.scan.count.warning=false"));

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2) {
        printUsage(stderr);
        return hsi::cli::ExitUsage;
    }
    const QString name = arguments.at(1);
    if (name == QLatin1String("--help") || name == QLatin1String("-h")) {
        printUsage(stdout);
        return hsi::cli::ExitOk;
    }
    if (name == QLatin1String("--version")) {
        std::printf("hotshard %s\n", HSI_VERSION_STRING);
        return hsi::cli::ExitOk;
    }

    for (const Command &command : kCommands) {
        if (name != QLatin1String(command.name))
            continue;
        QStringList commandArguments = arguments.mid(2);
        commandArguments.prepend(QStringLiteral("hotshard ") + name);
        return command.run(commandArguments);
    }
    std::fprintf(stderr, "hotshard: unknown command '%s'\n\n",
                 qUtf8Printable(name));
    printUsage(stderr);
    return hsi::cli::ExitUsage;
}
