#pragma once

#include "hsi/count_text.h"
#include "hsi/printable.h"
#include "hsi/report.h"
#include "hsi/scan_settings.h"
#include "hsi/scanner.h"

#include <QCommandLineParser>
#include <QString>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace hsi::cli {

/// Adds the options that control detection: limits, group keys, time zone,
/// legacy project time, near-limit fraction and --top.
void addScanOptions(QCommandLineParser &parser);

/// Reads the options added by addScanOptions(). Returns nothing and sets
/// `error` to a message naming the option and value when one is invalid.
std::optional<ScanSettings>
scanSettingsFromParser(const QCommandLineParser &parser, QString *error);

/// The settings and input paths of a command that runs a scan.
struct ScanInputs {
    ScanSettings settings;
    std::vector<std::string> paths;
};

/// Reads the scan options and at least one input path. On a usage error it
/// prints the problem (`noInputMessage` when no path was given) and returns
/// nothing.
std::optional<ScanInputs> readScanInputs(const QCommandLineParser &parser,
                                         const QString &command,
                                         const QString &noInputMessage);

/// Keeps the bytes of the program's arguments for argumentBytes().
void keepRawArguments(int argc, char **argv);

/// Returns the bytes of the argument that decodes to `argument`, or of an
/// option's value in --name=value form, and the argument's UTF-8 form when
/// none does. QCoreApplication decodes arguments as UTF-8 and replaces the
/// bytes of other encodings, so a file name that is not UTF-8 cannot be
/// opened by its decoded form.
/// NOTE: two arguments that differ only in bytes that are not UTF-8 decode
/// alike, and both then map to the first of them.
std::string argumentBytes(const QString &argument);

/// Returns whether `path` names standard output: "-", or a name for it such
/// as /dev/stdout or the file that stdout is redirected to. A summary
/// printed there would break a JSON file written to it.
bool namesStdout(const std::string &path);

/// Returns whether the --json file `reportPath` is one of the files that
/// `inputs` name, and prints the error when it is. Device and inode match
/// the file under any name: the same path, a symbolic link or a hard link,
/// including files found inside input folders. "-" is never an input.
bool reportOverwritesInput(const QString &command,
                           const std::vector<std::string> &inputs,
                           const QString &reportPath);

/// Returns the time zone that `name` names, spelled as IANA does when it
/// matches an IANA name but for case, so that "utc" and "america/new_york"
/// read as UTC and America/New_York. Returns nothing for an unknown name,
/// and for an offset such as "UTC+1", which Qt and POSIX read with opposite
/// signs.
std::optional<QByteArray> timeZoneNamed(const QString &name);

/// Returns the usage error for a --timezone value that timeZoneNamed()
/// rejects.
QString unknownTimeZoneMessage(const QString &name);

/// Returns the positional arguments as paths, with their bytes as given.
std::vector<std::string> positionalPaths(const QCommandLineParser &parser);

/// Parses `arguments` and handles --help and --version. Returns an exit code
/// when the command should stop now (help shown, or a usage error printed).
std::optional<int> parseArguments(QCommandLineParser &parser,
                                  const QStringList &arguments);

/// Prints "hotshard <command>: <message>" to stderr.
void printError(const QString &command, const QString &message);

/// Writes a single progress line on stderr, redrawn in place, when stderr is
/// a terminal; does nothing otherwise.
class TerminalProgress {
public:
    explicit TerminalProgress(const char *label);
    ~TerminalProgress();

    bool enabled() const { return m_enabled; }
    /// Names the stage shown at the start of the line, and restarts the
    /// speed shown when the name changes.
    void setLabel(const char *label);
    /// Redraws the line; cheap to call often because it redraws at most
    /// ten times per second.
    void update(std::int64_t done, std::int64_t total, std::int64_t items,
                const char *itemName);
    /// Clears the progress line.
    void finish();

private:
    const char *m_label;
    bool m_enabled;
    std::int64_t m_lastDrawMs = 0;
    std::int64_t m_startMs = 0;
};

/// Runs a scan with a progress line on a terminal and Ctrl-C cancelling it.
Report runScanWithProgress(const std::vector<std::string> &paths,
                           const ScanSettings &settings);

/// Prints the human-readable summary of a report. Lists other than the hot
/// shards end after `--top` entries with a line that counts the rest and
/// names where to see them: the JSON report when `jsonWritten`, otherwise
/// --json FILE.
void printReportSummary(const Report &report, std::FILE *stream,
                        bool jsonWritten);

/// Prints the near-limit pairs under a heading with their count: the first
/// `top` of them, then a line that counts the rest and ends with
/// `fullLists`, the place that lists them all.
void printNearLimit(const Report &report, std::size_t top,
                    const char *fullLists, std::FILE *stream);

/// Prints the report's notes on inputs that were skipped or read once.
void printInputNotes(const Report &report, std::FILE *stream);

/// Prints why each input could not be read, in place of the summary of a
/// scan that read nothing.
void printUnreadInputs(const Report &report, std::FILE *stream);

} // namespace hsi::cli
