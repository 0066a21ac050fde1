#include "cli_support.h"
#include "commands.h"
#include "hsi/report_json.h"
#include "hsi/scanner.h"

#include <QDir>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace hsi::cli {

namespace {

/// The temporary file that a signal handler removes before the program
/// ends, so that Ctrl-C during the write leaves nothing behind. A plain
/// array, because a signal handler may only call async-signal-safe code.
std::array<char, 4096> g_temporaryReport{};

extern "C" void removeTemporaryReport(int signal)
{
    ::unlink(g_temporaryReport.data());
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

/// A temporary report file, removed unless it is renamed into place,
/// whether the write throws or SIGINT, SIGTERM or SIGHUP ends the program.
class TemporaryReport {
public:
    explicit TemporaryReport(std::string path) : m_path(std::move(path))
    {
        if (m_path.size() >= g_temporaryReport.size())
            return;
        std::memcpy(g_temporaryReport.data(), m_path.c_str(),
                    m_path.size() + 1);
        for (const int signal : kSignals)
            m_previous.push_back(std::signal(signal, removeTemporaryReport));
    }

    ~TemporaryReport()
    {
        if (!m_renamed)
            ::unlink(m_path.c_str());
        for (std::size_t i = 0; i < m_previous.size(); ++i)
            std::signal(kSignals[i], m_previous[i]);
        g_temporaryReport[0] = '\0';
    }

    TemporaryReport(const TemporaryReport &) = delete;
    TemporaryReport &operator=(const TemporaryReport &) = delete;

    const std::string &path() const { return m_path; }

    /// Replaces `target` with the temporary file in one step.
    bool renameTo(const std::string &target)
    {
        m_renamed = ::rename(m_path.c_str(), target.c_str()) == 0;
        return m_renamed;
    }

private:
    static constexpr std::array kSignals = {SIGINT, SIGTERM, SIGHUP};
    std::string m_path;
    std::vector<void (*)(int)> m_previous;
    bool m_renamed = false;
};

/// The destination of the JSON report. A regular file is written to a
/// temporary file in its folder and renamed into place, so a failed or
/// interrupted write leaves no half-written report and keeps an existing
/// file as it was. A device or pipe, such as /dev/stdout, cannot be
/// replaced and is written directly, and "-" means stdout.
class ReportDestination {
public:
    explicit ReportDestination(const QString &path)
        : m_path(argumentBytes(path))
    {
        struct stat info {};
        const bool exists = ::stat(m_path.c_str(), &info) == 0;
        if (m_path == "-" || (exists && !S_ISREG(info.st_mode)))
            return;
        // Renaming onto a symbolic link would replace the link, so the
        // report replaces the file that the link points to.
        std::error_code error;
        m_file = std::filesystem::weakly_canonical(m_path, error).string();
        if (error)
            m_file = m_path;
        m_mode = exists ? info.st_mode & 07777 : newFileMode();
    }

    /// Whether the report goes to standard output; see namesStdout().
    bool isStdout() const { return namesStdout(m_path); }

    /// Checks before the scan that the report can be written. Returns a
    /// message that names the path, the reason and what to do when it
    /// cannot.
    std::optional<QString> check() const
    {
        if (m_path == "-")
            return std::nullopt;
        const QString path = QString::fromStdString(m_path);
        struct stat info {};
        const bool exists = ::stat(m_path.c_str(), &info) == 0;
        if (exists && S_ISDIR(info.st_mode))
            return QStringLiteral("--json %1 is a folder: give a file name, "
                                  "such as %2")
                .arg(path, QDir(path).filePath(QStringLiteral("report.json")));
        // Renaming could replace a file that the user cannot write, so the
        // check is explicit.
        if (exists && ::access(m_path.c_str(), W_OK) != 0)
            return QStringLiteral("cannot write the report to %1: %2. Make "
                                  "the file writable or choose another "
                                  "--json path.")
                .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        if (m_file.empty())
            return std::nullopt;
        return checkFolder();
    }

    /// Writes the report. Throws std::runtime_error naming the path when
    /// it cannot.
    void write(const Report &report, const JsonReportOptions &options) const
    {
        if (m_file.empty()) {
            writeJsonReport(report, m_path, options);
            return;
        }
        std::string name = temporaryName();
        const int descriptor = ::mkstemp(name.data());
        if (descriptor < 0)
            throw std::runtime_error("cannot write report to " + m_path + ": " +
                                     std::strerror(errno));
        // mkstemp creates the file readable by its owner only, and the
        // report should read like any other file that the user creates.
        ::fchmod(descriptor, m_mode);
        ::close(descriptor);
        TemporaryReport temporary(name);
        try {
            writeJsonReport(report, temporary.path(), options);
        } catch (const std::exception &exception) {
            throw std::runtime_error(
                namingTarget(exception.what(), temporary.path()));
        }
        if (!temporary.renameTo(m_file))
            throw std::runtime_error("cannot write report to " + m_path + ": " +
                                     std::strerror(errno));
    }

private:
    /// Creates and removes a temporary file beside the report, which proves
    /// that the folder will accept one after the scan. It is removed at once
    /// because the scan would list it as a hidden file of an input folder.
    std::optional<QString> checkFolder() const
    {
        std::string name = temporaryName();
        const int descriptor = ::mkstemp(name.data());
        if (descriptor >= 0) {
            ::close(descriptor);
            ::unlink(name.c_str());
            return std::nullopt;
        }
        const int error = errno;
        const QString path = QString::fromStdString(m_path);
        const QString folder = QString::fromStdString(
            std::filesystem::path(m_file).parent_path().string());
        std::error_code existsError;
        if (error == ENOENT &&
            !std::filesystem::exists(folder.toStdString(), existsError))
            return QStringLiteral("cannot create the report %1: folder %2 "
                                  "does not exist. Create the folder or "
                                  "choose another --json path.")
                .arg(path, folder);
        return QStringLiteral("cannot create the report %1 in folder %2: %3. "
                              "Choose a folder that you can write to with "
                              "--json.")
            .arg(path, folder, QString::fromLocal8Bit(std::strerror(error)));
    }

    /// Returns the permissions of a file created with the default mode,
    /// which the umask limits.
    static mode_t newFileMode()
    {
        const mode_t mask = ::umask(0);
        ::umask(mask);
        return 0666 & ~mask;
    }

    /// Returns a mkstemp template for a hidden file beside the report, in
    /// the same file system, so that rename() can replace the report.
    std::string temporaryName() const
    {
        const std::filesystem::path file(m_file);
        std::string name = file.filename().string();
        name.insert(0, 1, '.');
        name += ".XXXXXX";
        return (file.parent_path() / name).string();
    }

    /// Returns `message` with the temporary file's path replaced by the
    /// report path that the user gave.
    std::string namingTarget(std::string message,
                             const std::string &temporary) const
    {
        const std::size_t at = message.find(temporary);
        if (at != std::string::npos)
            message.replace(at, temporary.size(), m_path);
        return message;
    }

    std::string m_path;
    /// The regular file that the report replaces or creates, with links
    /// resolved, or empty when the report goes to m_path directly.
    std::string m_file;
    mode_t m_mode = 0;
};

/// Returns what kind of stream `path` names when it is not a regular file
/// or a folder, or nullptr. "-" is standard input unless a file has that
/// name.
const char *streamKind(const std::string &path)
{
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        return path == "-" ? "standard input" : nullptr;
    if (S_ISFIFO(info.st_mode))
        return "a pipe";
    if (S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode))
        return "a device";
    if (S_ISSOCK(info.st_mode))
        return "a socket";
    return nullptr;
}

/// Checks that no input path names a pipe, a device or standard input.
/// Prints the problem and returns false when one does. The check comes
/// before the scan opens anything, because opening a pipe that no program
/// writes to waits for ever.
bool inputsAreFiles(const QString &command,
                    const std::vector<std::string> &paths)
{
    for (const std::string &path : paths) {
        const char *kind = streamKind(path);
        if (!kind)
            continue;
        printError(
            command,
            QStringLiteral("input %1 is %2, not a regular file. The scan "
                           "reads each file in parallel ranges and more than "
                           "once, so it cannot read a stream: save it to a "
                           "file first, such as `... > export.json`, and "
                           "scan that file.")
                .arg(QString::fromStdString(path), QLatin1String(kind)));
        return false;
    }
    return true;
}

/// Checks before the scan that the report can be written to `path` and
/// would not overwrite an input, since a scan can take minutes. Prints the
/// problem and returns false when the path cannot be used.
bool reportPathUsable(const QString &command,
                      const std::vector<std::string> &paths,
                      const QString &path, const ReportDestination &destination)
{
    if (path.isEmpty()) {
        printError(command, QStringLiteral("--json needs a file name, such as "
                                           "report.json, or - for stdout"));
        return false;
    }
    // A value such as -- or --all-ids is an option taken for a file name.
    if (path.startsWith(QLatin1Char('-')) && path != QLatin1String("-")) {
        printError(command,
                   QStringLiteral("--json needs a file name, such as "
                                  "report.json, or - for stdout; got '%1'. "
                                  "Write ./%1 for a file with that name.")
                       .arg(path));
        return false;
    }
    if (reportOverwritesInput(command, paths, path))
        return false;
    if (const auto problem = destination.check()) {
        printError(command, *problem);
        return false;
    }
    return true;
}

} // namespace

int runScan(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Reads Mixpanel export files (NDJSON, JSON array or JSON Pipelines "
        "rows, plain or gzip) and reports the ids and groups that crossed "
        "Mixpanel's per-day limits.\n\n"
        "Exit status: 0 every input was read in full; 1 cancelled, or the "
        "report could not be written; 2 usage error, or no input could be "
        "read; 3 with --fail-on-hot, a hot shard was found; 4 an input was "
        "unreadable, cut short or had lines that are not events."));
    addScanOptions(parser);
    const QCommandLineOption json(
        QStringLiteral("json"),
        QStringLiteral("Write the JSON report to this file, or to stdout "
                       "with '-' (the summary then goes to stderr)."),
        QStringLiteral("file"));
    const QCommandLineOption allIds(
        QStringLiteral("all-ids"),
        QStringLiteral("Include every id with its peak day in the JSON "
                       "report."));
    const QCommandLineOption failOnHot(
        QStringLiteral("fail-on-hot"),
        QStringLiteral("Exit with status 3 when a hot shard was found."));
    parser.addOptions({json, allIds, failOnHot});
    parser.addPositionalArgument(QStringLiteral("path"),
                                 QStringLiteral("Export files or folders."),
                                 QStringLiteral("PATH..."));
    if (const auto exitCode = parseArguments(parser, arguments))
        return *exitCode;

    std::optional<ScanInputs> inputs = readScanInputs(
        parser, command,
        QStringLiteral("no input: name at least one export file or folder"));
    if (!inputs)
        return ExitUsage;
    const std::vector<std::string> &paths = inputs->paths;
    if (!inputsAreFiles(command, paths))
        return ExitUsage;
    const ReportDestination destination(parser.value(json));
    if (parser.isSet(json) &&
        !reportPathUsable(command, paths, parser.value(json), destination))
        return ExitUsage;

    inputs->settings.listEveryId = parser.isSet(allIds);
    const Report report = runScanWithProgress(paths, inputs->settings);
    // A summary on the report's stream would break its JSON.
    const bool jsonToStdout = parser.isSet(json) && destination.isStdout();
    // A summary of an empty scan reads as "no hot shards", so a scan that
    // read nothing prints only why.
    if (report.noInputRead())
        printUnreadInputs(report, stderr);
    else
        printReportSummary(report, jsonToStdout ? stderr : stdout,
                           parser.isSet(json));
    if (parser.isSet(json)) {
        try {
            destination.write(report, {parser.isSet(allIds)});
        } catch (const std::exception &exception) {
            printError(command,
                       QString::fromStdString(exception.what()) +
                           QStringLiteral(". Free space or choose another "
                                          "--json path, then scan again."));
            return ExitFailure;
        }
    }
    // A summary lost to a full disk or a closed pipe is a failed run.
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        printError(command,
                   QStringLiteral("cannot write the summary: %1. Free space "
                                  "or send the output elsewhere.")
                       .arg(QString::fromLocal8Bit(std::strerror(errno))));
        return ExitFailure;
    }
    if (report.noInputRead()) {
        printError(command, QStringLiteral("no input could be read"));
        return ExitUsage;
    }
    if (report.cancelled)
        return ExitFailure;
    // A hot shard found in partial input is still real, so it wins.
    if (parser.isSet(failOnHot) && !report.hotShards.empty())
        return ExitHotShard;
    if (report.hasIncompleteInput())
        return ExitIncompleteInput;
    return ExitOk;
}

} // namespace hsi::cli
