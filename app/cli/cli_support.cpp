#include "cli_support.h"

#include "commands.h"
#include "hsi/civil_date.h"
#include "hsi/count_text.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QTimeZone>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace hsi::cli {

namespace {

const QString kUserLimit = QStringLiteral("user-limit");
const QString kGroupLimit = QStringLiteral("group-limit");
const QString kGroupKey = QStringLiteral("group-key");
const QString kTimeZone = QStringLiteral("timezone");
const QString kLegacyTime = QStringLiteral("legacy-project-time");
const QString kNearLimit = QStringLiteral("near-limit");
const QString kTop = QStringLiteral("top");
const QString kThreads = QStringLiteral("threads");

std::int64_t steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch())
        .count();
}

std::optional<std::int64_t> positiveNumber(const QCommandLineParser &parser,
                                           const QString &name,
                                           std::int64_t fallback,
                                           QString *error)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const qlonglong value = parser.value(name).toLongLong(&ok);
    if (!ok || value < 1) {
        *error = QStringLiteral("invalid --%1 value '%2': use a whole number "
                                "from 1 to %3")
                     .arg(name, parser.value(name))
                     .arg(std::numeric_limits<qlonglong>::max());
        return std::nullopt;
    }
    return value;
}

/// Formats a percentage with up to three significant digits, so that a
/// near-limit fraction of 0.001 prints as 0.1% and not as 0%.

ScanControl *g_activeScan = nullptr;

void cancelOnSignal(int)
{
    if (g_activeScan)
        g_activeScan->cancelRequested = true;
}

} // namespace

std::optional<QByteArray> timeZoneNamed(const QString &name)
{
    QByteArray zone = name.toUtf8();
    const QList<QByteArray> known = QTimeZone::availableTimeZoneIds();
    for (const QByteArray &id : known) {
        if (id.compare(zone, Qt::CaseInsensitive) == 0) {
            zone = id;
            break;
        }
    }
    // Qt reads "UTC+1" as one hour east, while POSIX TZ reads it as one
    // hour west, so only Qt's own UTC+HH:MM form is taken.
    const bool offsetName = zone.size() > 3 && zone.startsWith("UTC") &&
                            (zone[3] == '+' || zone[3] == '-');
    if (zone.isEmpty() || !QTimeZone(zone).isValid() ||
        (offsetName && !known.contains(zone)))
        return std::nullopt;
    return zone;
}

QString unknownTimeZoneMessage(const QString &name)
{
    return QStringLiteral("unknown time zone '%1': use an IANA name such as "
                          "UTC or America/Los_Angeles, or an offset written "
                          "as UTC+01:00")
        .arg(name);
}

void addScanOptions(QCommandLineParser &parser)
{
    parser.addOptions({
        {kUserLimit,
         QStringLiteral("Events per distinct_id per day above which a pair is "
                        "hot (default 200000)."),
         QStringLiteral("events")},
        {kGroupLimit,
         QStringLiteral("Events per group id per day above which a group is "
                        "hot (default 1000000)."),
         QStringLiteral("events")},
        {kGroupKey,
         QStringLiteral("Group key property to count, such as company_id. "
                        "Repeat for several keys; keys named by "
                        "$hotshard_record events are added."),
         QStringLiteral("key")},
        {kTimeZone,
         QStringLiteral("IANA time zone that defines the event date "
                        "(default UTC)."),
         QStringLiteral("zone")},
        {kLegacyTime,
         QStringLiteral("Treat time as project-local wall-clock seconds, as "
                        "stored by projects created before 2023.")},
        {kNearLimit,
         QStringLiteral("Report pairs at or above this fraction of their limit "
                        "(default 0.5)."),
         QStringLiteral("fraction")},
        {kTop,
         QStringLiteral("Entries in each evidence list, and in each list of "
                        "the summary but the hot shards, which are all "
                        "printed (default 10)."),
         QStringLiteral("n")},
        {kThreads, QStringLiteral("Worker threads (default: one per core)."),
         QStringLiteral("n")},
    });
}

namespace {

std::vector<std::string> &rawArguments()
{
    static std::vector<std::string> arguments;
    return arguments;
}

} // namespace

void keepRawArguments(int argc, char **argv)
{
    rawArguments().assign(argv, argv + argc);
}

std::string argumentBytes(const QString &argument)
{
    for (const std::string &raw : rawArguments()) {
        std::string_view bytes = raw;
        const std::size_t equals = bytes.find('=');
        if (bytes.starts_with("--") && equals != std::string_view::npos &&
            QString::fromLocal8Bit(bytes.substr(equals + 1)) == argument)
            return std::string(bytes.substr(equals + 1));
        if (QString::fromLocal8Bit(bytes) == argument)
            return raw;
    }
    return argument.toStdString();
}

bool namesStdout(const std::string &path)
{
    if (path == "-")
        return true;
    struct stat named {};
    struct stat out {};
    return ::stat(path.c_str(), &named) == 0 &&
           ::fstat(STDOUT_FILENO, &out) == 0 && named.st_dev == out.st_dev &&
           named.st_ino == out.st_ino;
}

bool reportOverwritesInput(const QString &command,
                           const std::vector<std::string> &inputs,
                           const QString &reportPath)
{
    if (reportPath == QLatin1String("-"))
        return false;
    const auto report = fileIdentity(argumentBytes(reportPath));
    if (!report)
        return false;
    for (const std::string &input : listInputFiles(inputs).files) {
        if (fileIdentity(input) != report)
            continue;
        printError(command,
                   QStringLiteral("--json %1 is the same file as the input "
                                  "%2, so the report would overwrite it. "
                                  "Choose another report path.")
                       .arg(reportPath, QString::fromStdString(input)));
        return true;
    }
    return false;
}

std::vector<std::string> positionalPaths(const QCommandLineParser &parser)
{
    std::vector<std::string> paths;
    for (const QString &path : parser.positionalArguments())
        paths.push_back(argumentBytes(path));
    return paths;
}

std::optional<ScanInputs> readScanInputs(const QCommandLineParser &parser,
                                         const QString &command,
                                         const QString &noInputMessage)
{
    QString error;
    std::optional<ScanSettings> settings =
        scanSettingsFromParser(parser, &error);
    if (!settings) {
        printError(command, error);
        return std::nullopt;
    }
    if (parser.positionalArguments().isEmpty()) {
        printError(command, noInputMessage);
        return std::nullopt;
    }
    return ScanInputs{std::move(*settings), positionalPaths(parser)};
}

std::optional<ScanSettings>
scanSettingsFromParser(const QCommandLineParser &parser, QString *error)
{
    ScanSettings settings;
    const auto userLimit =
        positiveNumber(parser, kUserLimit, settings.userLimit, error);
    const auto groupLimit =
        positiveNumber(parser, kGroupLimit, settings.groupLimit, error);
    const auto top = positiveNumber(parser, kTop, settings.topN, error);
    const auto threads = positiveNumber(parser, kThreads, 0, error);
    if (!userLimit || !groupLimit || !top || !threads)
        return std::nullopt;
    settings.threads = static_cast<int>(std::min<std::int64_t>(*threads, 256));
    settings.userLimit = *userLimit;
    settings.groupLimit = *groupLimit;
    settings.topN = static_cast<int>(std::min<std::int64_t>(*top, 1000));

    for (const QString &key : parser.values(kGroupKey)) {
        if (key.trimmed().isEmpty()) {
            *error = QStringLiteral("invalid --group-key '%1': name the group "
                                    "key property, such as company_id")
                         .arg(key);
            return std::nullopt;
        }
        settings.groupKeys.push_back(key.toStdString());
    }
    settings.legacyProjectTime = parser.isSet(kLegacyTime);
    if (parser.isSet(kTimeZone)) {
        const std::optional<QByteArray> zone =
            timeZoneNamed(parser.value(kTimeZone));
        if (!zone) {
            *error = unknownTimeZoneMessage(parser.value(kTimeZone));
            return std::nullopt;
        }
        settings.timeZone = zone->toStdString();
    }
    if (settings.legacyProjectTime && parser.isSet(kTimeZone)) {
        *error = QStringLiteral("--timezone and --legacy-project-time do not "
                                "go together: in a legacy project, time is "
                                "already project time, so no time zone "
                                "applies; drop --timezone");
        return std::nullopt;
    }
    if (parser.isSet(kNearLimit)) {
        bool ok = false;
        const double fraction = parser.value(kNearLimit).toDouble(&ok);
        // Written so that NaN, which fails every comparison, is rejected.
        if (!ok || !(fraction > 0 && fraction <= 1)) {
            *error = QStringLiteral("invalid --near-limit value '%1': use a "
                                    "fraction above 0 and at most 1, such as "
                                    "0.5")
                         .arg(parser.value(kNearLimit));
            return std::nullopt;
        }
        settings.nearLimitFraction = fraction;
    }
    return settings;
}

std::optional<int> parseArguments(QCommandLineParser &parser,
                                  const QStringList &arguments)
{
    const QCommandLineOption help = parser.addHelpOption();
    if (!parser.parse(arguments)) {
        printError(arguments.value(0),
                   parser.errorText() +
                       QStringLiteral(" Run '%1 --help' for the options.")
                           .arg(arguments.value(0)));
        return ExitUsage;
    }
    if (parser.isSet(help)) {
        // The parser names the binary's path; the subcommand reads better.
        QString text = parser.helpText();
        text.replace(QCoreApplication::arguments().value(0),
                     arguments.value(0));
        std::fputs(qUtf8Printable(text), stdout);
        return ExitOk;
    }
    return std::nullopt;
}

void printError(const QString &command, const QString &message)
{
    std::fprintf(stderr, "%s: %s\n", qUtf8Printable(command),
                 qUtf8Printable(message));
}

TerminalProgress::TerminalProgress(const char *label)
    : m_label(label), m_enabled(::isatty(STDERR_FILENO) == 1),
      m_startMs(steadyMs())
{
}

void TerminalProgress::setLabel(const char *label)
{
    if (std::strcmp(label, m_label) == 0)
        return;
    // Each pass reads the input again, so its speed starts from zero.
    m_label = label;
    m_startMs = steadyMs();
}

TerminalProgress::~TerminalProgress()
{
    finish();
}

void TerminalProgress::update(std::int64_t done, std::int64_t total,
                              std::int64_t items, const char *itemName)
{
    if (!m_enabled)
        return;
    const std::int64_t now = steadyMs();
    if (now - m_lastDrawMs < 100)
        return;
    m_lastDrawMs = now;
    const double seconds = std::max<double>(0.001, (now - m_startMs) / 1000.0);
    const double percent = total > 0 ? 100.0 * done / total : 0.0;
    char line[256];
    std::snprintf(
        line, sizeof line, "%s %5.1f%%  %s of %s  %s/s  %s %s", m_label,
        percent, formatBytes(done).c_str(), formatBytes(total).c_str(),
        formatBytes(static_cast<std::int64_t>(done / seconds)).c_str(),
        formatCount(items).c_str(), itemName);
    // A line wider than the terminal would wrap, and the carriage return
    // would then redraw only its last row, so it is cut to fit.
    winsize size{};
    std::string text(line);
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 &&
        text.size() >= size.ws_col)
        text.resize(size.ws_col - 1u);
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
}

void TerminalProgress::finish()
{
    if (m_enabled && m_lastDrawMs != 0) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        m_lastDrawMs = 0;
    }
}

/// Names a pass of the scan on the progress line.
const char *passLabel(int pass)
{
    switch (pass) {
    case 2:
        return "evidence";
    case 3:
        return "group keys";
    default:
        return "counting";
    }
}

Report runScanWithProgress(const std::vector<std::string> &paths,
                           const ScanSettings &settings)
{
    ScanControl control;
    TerminalProgress progress("counting");
    std::mutex progressMutex;
    if (progress.enabled()) {
        control.onProgress = [&](const ScanProgress &state) {
            std::lock_guard lock(progressMutex);
            progress.setLabel(passLabel(state.pass));
            progress.update(state.bytesDone, state.bytesTotal, state.events,
                            "events");
        };
    }
    g_activeScan = &control;
    auto previous = std::signal(SIGINT, cancelOnSignal);
    Report report = scan(paths, settings, &control);
    std::signal(SIGINT, previous);
    g_activeScan = nullptr;
    progress.finish();
    return report;
}

namespace {

/// The maximum length in bytes of an id that the summary prints whole. The
/// JSON report keeps every id exact.
constexpr std::size_t kMaxWholeIdBytes = 120;

/// Returns an id as the summary shows it: escaped by printable(), with its
/// single quotes escaped too, between single quotes. An id longer than
/// kMaxWholeIdBytes is cut before the escaping, so that no escape is split,
/// and its length in bytes follows.
std::string quotedId(const std::string &id)
{
    const std::string_view head = utf8Prefix(id, kMaxWholeIdBytes);
    std::string quoted = "'";
    for (const char c : printable(head)) {
        if (c == '\'')
            quoted += '\\';
        quoted += c;
    }
    if (head.size() == id.size())
        return quoted + "'";
    return quoted + "...' (" +
           countOf(static_cast<std::int64_t>(id.size()), "byte") + ")";
}

/// Formats a UTC offset in seconds as "+HH:MM" or "-HH:MM".
std::string formatUtcOffset(int offsetSeconds)
{
    const int minutes = std::abs(offsetSeconds) / 60;
    char text[16];
    std::snprintf(text, sizeof text, "%c%02d:%02d",
                  offsetSeconds < 0 ? '-' : '+', minutes / 60, minutes % 60);
    return text;
}

/// Formats an event time as the scan dated it. In legacy mode `time` is
/// already project-local wall-clock time, otherwise the scan's zone applies.
/// A zone other than UTC adds the UTC offset, because on the day clocks go
/// back the same wall-clock time happens twice.
std::string formatTimeMs(std::int64_t ms, const ScanSettings &settings)
{
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm:ss");
    if (settings.legacyProjectTime) {
        const QDateTime wallClock =
            QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
        return wallClock.toString(format).toStdString() + " project time";
    }
    const QTimeZone zone(QByteArray::fromStdString(settings.timeZone));
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms, zone);
    const std::string wallClock = local.toString(format).toStdString();
    if (settings.timeZone == "UTC" || settings.timeZone == "Etc/UTC")
        return wallClock + " UTC";
    return wallClock + ' ' + formatUtcOffset(local.offsetFromUtc()) + ' ' +
           settings.timeZone;
}

/// Prints a pair's likely cause, or why it was not determined, and its
/// notes. Pairs beyond the evidence cap have no cause text.
void printLikelyCause(const PairFinding &finding, std::FILE *out)
{
    for (const std::string &note : finding.notes)
        std::fprintf(out, "      note: %s\n", printable(note).c_str());
    if (finding.likelyCauseText.empty())
        return;
    if (finding.uniqueEvents == PairFinding::kNotDetermined)
        std::fprintf(out, "      %s\n",
                     printable(finding.likelyCauseText).c_str());
    else
        std::fprintf(out, "      likely cause (%s): %s\n",
                     likelyCauseName(finding.likelyCause),
                     printable(finding.likelyCauseText).c_str());
}

std::string pairLabel(const PairFinding &finding)
{
    if (finding.kind == ShardKind::User)
        return "user  " + quotedId(finding.id);
    return "group " + printable(finding.groupKey) + "=" + quotedId(finding.id);
}

std::string flagNames(std::uint32_t flags)
{
    std::string names;
    const auto add = [&names](const char *name) {
        names += names.empty() ? name : std::string(", ") + name;
    };
    if (flags & IdFlagPlaceholder)
        add("placeholder value");
    if (flags & IdFlagLiteralName)
        add("literal name");
    if (flags & IdFlagNumeric)
        add("numeric id");
    return names;
}

} // namespace

void printInputNotes(const Report &report, std::FILE *out)
{
    for (const std::string &note : report.inputNotes)
        std::fprintf(out, "  note: %s\n", printable(note).c_str());
}

namespace {

// Files and folders that could not be opened, which add no bytes.
std::size_t unreadableInputs(const Report &report)
{
    return static_cast<std::size_t>(
        std::count_if(report.inputs.begin(), report.inputs.end(),
                      [](const InputReport &input) {
                          return input.status == InputReport::Status::Error &&
                                 input.bytes == 0;
                      }));
}

void printOverview(const Report &report, std::FILE *out)
{
    const Totals &totals = report.totals;
    const std::size_t unreadable = unreadableInputs(report);
    const std::string unreadableText =
        unreadable == 0 ? std::string()
                        : " (" + std::to_string(unreadable) +
                              " could not be read; see the end)";
    std::fprintf(
        out, "Scanned %zu file%s%s: %s (%s) in %.1f s%s.\n",
        report.inputs.size(), report.inputs.size() == 1 ? "" : "s",
        unreadableText.c_str(), countOf(totals.events, "event").c_str(),
        formatBytes(totals.bytes).c_str(), report.elapsedSeconds,
        !report.cancelled       ? ""
        : report.countsComplete ? " (cancelled while collecting evidence)"
                                : " (cancelled: results are partial)");
    if (!report.days.empty()) {
        std::fprintf(out, "  Dates %s to %s (%zu day%s with events)\n",
                     formatDay(report.days.front().day).c_str(),
                     formatDay(report.days.back().day).c_str(),
                     report.days.size(), report.days.size() == 1 ? "" : "s");
    }
    std::fprintf(out,
                 "  Remediated ($hotshard_events): %s   non-attributed "
                 "(distinct_id \"\"): %s   skipped lines: %s\n",
                 formatCount(totals.remediatedEvents).c_str(),
                 formatCount(totals.nonAttributedEvents).c_str(),
                 formatCount(totals.skippedLines).c_str());
    if (totals.nullIds + totals.missingIds + totals.structuredIds +
            totals.undatedEvents >
        0) {
        std::fprintf(out,
                     "  distinct_id null: %s   missing: %s   object or array: "
                     "%s   events without a usable time: %s\n",
                     formatCount(totals.nullIds).c_str(),
                     formatCount(totals.missingIds).c_str(),
                     formatCount(totals.structuredIds).c_str(),
                     formatCount(totals.undatedEvents).c_str());
    }
    if (!report.groupKeys.empty()) {
        std::string keys;
        for (const std::string &key : report.groupKeys)
            keys += (keys.empty() ? "" : ", ") + key;
        std::fprintf(out, "  Group keys counted: %s\n",
                     printable(keys).c_str());
    }
    printInputNotes(report, out);
}

void printHotShard(const PairFinding &finding, const ScanSettings &settings,
                   std::FILE *out)
{
    const std::string unique =
        finding.uniqueEvents == PairFinding::kNotDetermined
            ? std::string("unique not determined")
            : formatCount(finding.uniqueEvents) + " unique";
    std::fprintf(out,
                 "  %s on %s: %s (%s, %s remediated), %s over "
                 "the limit of %s\n",
                 pairLabel(finding).c_str(), formatDay(finding.day).c_str(),
                 countOf(finding.events, "event").c_str(), unique.c_str(),
                 formatCount(finding.remediatedEvents).c_str(),
                 formatCount(finding.overLimit).c_str(),
                 formatCount(finding.limit).c_str());
    if (finding.crossing) {
        std::fprintf(out, "      crossed the limit at %s:%lld (%s)\n",
                     printable(finding.crossing->path).c_str(),
                     static_cast<long long>(finding.crossing->line),
                     formatTimeMs(finding.crossing->timeMs, settings).c_str());
    }
    if (finding.idFlags != IdFlagNone)
        std::fprintf(out, "      id problems: %s\n",
                     flagNames(finding.idFlags).c_str());
    printLikelyCause(finding, out);
}

/// The length of the summary's lists, and where to see them in full.
struct ListCut {
    std::size_t top;
    const char *fullLists;
};

/// Prints how many of `total` entries a list cut to `cut.top` left out, if
/// any. `listed` entries are in the JSON report, fewer than `total` where
/// the scan keeps only those with the most events. `noun` is the singular,
/// such as "more record".
void printOmitted(std::int64_t total, std::int64_t listed, const char *noun,
                  const ListCut &cut, std::FILE *out)
{
    const std::int64_t shown =
        std::min(listed, static_cast<std::int64_t>(cut.top));
    if (total <= shown)
        return;
    const std::string omitted = countOf(total - shown, noun);
    if (total > listed)
        std::fprintf(out,
                     "  ... and %s; the JSON report lists the %s with the "
                     "most events\n",
                     omitted.c_str(), formatCount(listed).c_str());
    else
        std::fprintf(out, "  ... and %s: %s\n", omitted.c_str(), cut.fullLists);
}

/// Prints how many entries a list left out when the report lists them all.
void printOmitted(std::size_t total, const char *noun, const ListCut &cut,
                  std::FILE *out)
{
    const auto count = static_cast<std::int64_t>(total);
    printOmitted(count, count, noun, cut, out);
}

} // namespace

void printNearLimit(const Report &report, std::size_t top,
                    const char *fullLists, std::FILE *out)
{
    const ListCut cut{top, fullLists};
    std::fprintf(out, "\nNear the limit (%s of it or more): %s\n",
                 formatPercent(report.settings.nearLimitFraction * 100).c_str(),
                 formatCount(report.nearLimitCount).c_str());
    for (std::size_t i = 0; i < report.nearLimit.size() && i < cut.top; ++i) {
        const PairFinding &finding = report.nearLimit[i];
        std::fprintf(
            out, "  %s on %s: %s (%s of %s)\n", pairLabel(finding).c_str(),
            formatDay(finding.day).c_str(),
            countOf(finding.events, "event").c_str(),
            formatPercent(100.0 * finding.events / finding.limit).c_str(),
            formatCount(finding.limit).c_str());
        printLikelyCause(finding, out);
    }
    printOmitted(report.nearLimitCount,
                 static_cast<std::int64_t>(report.nearLimit.size()),
                 "more near-limit pair", cut, out);
}

namespace {

/// Prints every hot shard, because each one needs its own repair, and the
/// first near-limit pairs.
void printFindings(const Report &report, const ListCut &cut, std::FILE *out)
{
    // Pairs are judged only once every input is counted, so a scan
    // cancelled before that has none, and "none" would read as a finding.
    if (!report.countsComplete) {
        std::fprintf(out, "\nHot shards and near-limit pairs: not determined, "
                          "because the scan was cancelled before it counted "
                          "every input\n");
        return;
    }
    if (report.cancelled)
        std::fprintf(out, "\nThe scan was cancelled while it collected "
                          "evidence: the counts below are complete, but "
                          "crossing points, unique events and causes were not "
                          "determined. Run it again to the end for them.\n");
    std::fprintf(out, "\nHot shards: %s, %s\n",
                 countOf(report.hotUserShards(), "user").c_str(),
                 countOf(report.hotGroupShards(), "group").c_str());
    for (const PairFinding &finding : report.hotShards)
        printHotShard(finding, report.settings, out);
    if (report.hotShards.empty())
        std::fprintf(out, "  none\n");

    printNearLimit(report, cut.top, cut.fullLists, out);
    // After a cancel no pair has evidence, as the summary printed above.
    if (report.pairsWithoutEvidence > 0 && !report.cancelled)
        std::fprintf(
            out,
            "\nEvidence and causes were collected for the %s "
            "listed pairs with the most events; the other %s are "
            "listed with their counts only.\n",
            formatCount(static_cast<std::int64_t>(report.hotShards.size() +
                                                  report.nearLimit.size()) -
                        report.pairsWithoutEvidence)
                .c_str(),
            formatCount(report.pairsWithoutEvidence).c_str());
}

void printRecords(const Report &report, const ListCut &cut, std::FILE *out)
{
    if (report.records.empty())
        return;
    std::fprintf(
        out, "\n$hotshard_record history: %s\n",
        countOf(static_cast<std::int64_t>(report.records.size()), "record")
            .c_str());
    for (std::size_t i = 0; i < report.records.size() && i < cut.top; ++i) {
        const HotshardRecord &record = report.records[i];
        if (record.groupKey.empty()) {
            std::fprintf(out, "  %s  user %s\n",
                         formatTimeMs(record.timeMs, report.settings).c_str(),
                         quotedId(record.distinctId).c_str());
        } else {
            // A record may have no display name.
            const std::string name =
                record.groupDisplayName.empty()
                    ? std::string()
                    : " (" + printable(record.groupDisplayName) + ")";
            std::fprintf(out, "  %s  group %s=%s%s\n",
                         formatTimeMs(record.timeMs, report.settings).c_str(),
                         printable(record.groupKey).c_str(),
                         quotedId(record.distinctId).c_str(), name.c_str());
        }
    }
    printOmitted(report.records.size(), "more record", cut, out);
}

/// Says what a file's status means for the counts and what to do about it.
const char *statusAdvice(const InputReport &input)
{
    switch (input.status) {
    case InputReport::Status::Incomplete:
        if (std::any_of(input.problems.begin(), input.problems.end(),
                        [](const Problem &problem) {
                            return problem.message == kScanCancelledInFile;
                        }))
            return "Scan again, without stopping it, to count all of this "
                   "file.";
        if (std::any_of(input.problems.begin(), input.problems.end(),
                        [](const Problem &problem) {
                            return problem.message == kExportCutShort;
                        }))
            return "Mixpanel stopped this export early, so the file is cut "
                   "short: export those days again.";
        return "Lines that are not events were skipped and are not counted. "
               "If such a line ends the file, the export was cut short: "
               "export those days again.";
    case InputReport::Status::Error:
        // A file in another format gets its own fix in its error.
        if (input.events == 0 && !input.problems.empty() &&
            input.problems.front().message.find(kThenTryAgain) !=
                std::string::npos)
            return "No event could be read.";
        if (input.events == 0)
            return "No event could be read. Check the path and the file's "
                   "permissions, or export the file again.";
        return "The file could not be read to its end. The events before "
               "the error are counted. Copy or export the file again.";
    case InputReport::Status::Ok:
        break;
    }
    return nullptr;
}

void printInputProblems(const InputReport &input, std::size_t top,
                        std::FILE *out)
{
    const char *status = input.status == InputReport::Status::Ok ? "ok"
                         : input.status == InputReport::Status::Incomplete
                             ? "INCOMPLETE"
                             : "ERROR";
    std::fprintf(out, "\n%s: %s, %s\n", printable(input.path).c_str(), status,
                 countOf(input.problemCount, "problem").c_str());
    // Errors come first: they are why a file is incomplete, and a list cut
    // to `top` could otherwise show only warnings.
    std::vector<const Problem *> ordered;
    for (const bool errors : {true, false}) {
        for (const Problem &problem : input.problems) {
            if ((problem.severity == Problem::Severity::Error) == errors)
                ordered.push_back(&problem);
        }
    }
    const std::size_t printedCount = std::min(ordered.size(), top);
    for (std::size_t i = 0; i < printedCount; ++i) {
        const Problem &problem = *ordered[i];
        const char *severity =
            problem.severity == Problem::Severity::Warning ? "warning: " : "";
        // Line 0 marks a problem with the whole file.
        if (problem.line > 0)
            std::fprintf(out, "  line %lld: %s%s\n",
                         static_cast<long long>(problem.line), severity,
                         printable(problem.message).c_str());
        else
            std::fprintf(out, "  %s%s\n", severity,
                         printable(problem.message).c_str());
    }
    if (input.problemCount > static_cast<std::int64_t>(printedCount)) {
        const std::string more = formatCount(
            input.problemCount - static_cast<std::int64_t>(printedCount));
        if (input.problemCount ==
            static_cast<std::int64_t>(input.problems.size()))
            std::fprintf(out,
                         "  ... %s more (the JSON report lists them all)\n",
                         more.c_str());
        else
            std::fprintf(out,
                         "  ... %s more (the JSON report lists %zu of the "
                         "file's %s problems)\n",
                         more.c_str(), input.problems.size(),
                         formatCount(input.problemCount).c_str());
    }
    if (const char *advice = statusAdvice(input))
        std::fprintf(out, "  %s\n", advice);
}

/// Explains each id flag that the listed ids carry.
void printFlagMeanings(const Report &report, std::size_t top, std::FILE *out)
{
    std::uint32_t listedFlags = 0;
    for (std::size_t i = 0; i < report.idProblems.size() && i < top; ++i)
        listedFlags |= report.idProblems[i].idFlags;
    if (listedFlags & IdFlagPlaceholder)
        std::fprintf(out, "  placeholder value: a value such as 'undefined' or "
                          "'0' that Mixpanel rejects or that usually means a "
                          "bug in the code that sets the id\n");
    if (listedFlags & IdFlagLiteralName)
        std::fprintf(out, "  literal name: a property name such as 'user_id' "
                          "sent in place of the id itself\n");
    if (listedFlags & IdFlagNumeric)
        std::fprintf(out, "  numeric id: sent as a JSON number, not a string; "
                          "tools that read numbers as doubles change ids past "
                          "2^53, so send ids as strings\n");
}

void printProblems(const Report &report, const ListCut &cut, std::FILE *out)
{
    const std::size_t top = cut.top;
    if (!report.idProblems.empty()) {
        std::fprintf(out, "\nIds that look wrong: %s%s\n",
                     formatCount(report.idProblemCount).c_str(),
                     report.idProblemCount > static_cast<std::int64_t>(top)
                         ? " (those with the most events first)"
                         : "");
        for (std::size_t i = 0; i < report.idProblems.size() && i < top; ++i) {
            const IdProblem &problem = report.idProblems[i];
            std::fprintf(out, "  %s %s: %s, %s\n",
                         problem.kind == ShardKind::User
                             ? "user"
                             : ("group " + printable(problem.groupKey)).c_str(),
                         quotedId(problem.id).c_str(),
                         flagNames(problem.idFlags).c_str(),
                         countOf(problem.events, "event").c_str());
        }
        printOmitted(report.idProblemCount,
                     static_cast<std::int64_t>(report.idProblems.size()),
                     "more id", cut, out);
        printFlagMeanings(report, top, out);
    }
    for (const InputReport &input : report.inputs) {
        if (input.status == InputReport::Status::Ok && input.problemCount == 0)
            continue;
        printInputProblems(input, top, out);
    }
}

} // namespace

void printUnreadInputs(const Report &report, std::FILE *out)
{
    const auto top =
        static_cast<std::size_t>(std::max(1, report.settings.topN));
    if (!report.inputNotes.empty())
        std::fprintf(out, "Inputs:\n");
    printInputNotes(report, out);
    for (const InputReport &input : report.inputs)
        printInputProblems(input, top, out);
}

void printReportSummary(const Report &report, std::FILE *out, bool jsonWritten)
{
    const ListCut cut{
        static_cast<std::size_t>(std::max(1, report.settings.topN)),
        jsonWritten ? "the JSON report lists them all"
                    : "write them all with --json FILE"};
    printOverview(report, out);
    printFindings(report, cut, out);
    printRecords(report, cut, out);
    printProblems(report, cut, out);
}

} // namespace hsi::cli
