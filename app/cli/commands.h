#pragma once

#include <QStringList>

// Each subcommand of `hotshard` receives its own arguments, with
// "hotshard <command>" as the first element so that QCommandLineParser prints
// the right usage line. Each returns the process exit code.

namespace hsi::cli {

/// Exit codes shared by every subcommand.
enum ExitCode {
    ExitOk = 0,
    /// A step failed at run time (network, server, disk).
    ExitFailure = 1,
    /// Invalid usage, or no input could be read.
    ExitUsage = 2,
    /// A hot shard was found (`scan --fail-on-hot`) or would be created
    /// (`verify`).
    ExitHotShard = 3,
    /// The scan ran, but an input was unreadable or had lines that are not
    /// events, so its counts may be short.
    ExitIncompleteInput = 4,
};

int runScan(const QStringList &arguments);
int runGenerate(const QStringList &arguments);
int runExport(const QStringList &arguments);
int runImport(const QStringList &arguments);
int runFix(const QStringList &arguments);
int runVerify(const QStringList &arguments);
int runSelector(const QStringList &arguments);

} // namespace hsi::cli
