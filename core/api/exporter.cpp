#include "hsi/api/exporter.h"

#include "api_log.h"
#include "atomic_file.h"
#include "export_manifest.h"
#include "http_session.h"
#include "ndjson_checker.h"
#include "wait.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QUrl>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>
#include <unistd.h>

namespace hsi::api {

namespace {

QString daysText(qint64 count)
{
    return QString::number(count) +
           (count == 1 ? QStringLiteral(" day") : QStringLiteral(" days"));
}

} // namespace

namespace {

const char kManifestName[] = "manifest.json";

std::string percentEncoded(const QString &value)
{
    return QUrl::toPercentEncoding(value).toStdString();
}

std::string eventListJson(const QStringList &events)
{
    nlohmann::json list = nlohmann::json::array();
    for (const QString &name : events)
        list.push_back(name.toStdString());
    return list.dump();
}

DayRecord dayRecord(Day day)
{
    DayRecord record;
    record.day = day;
    return record;
}

/// One attempt at downloading a day: the body goes to `<day>.download`
/// while the checker follows it.
struct Attempt {
    HttpResponse response;
    NdjsonChecker checker;
    QString temporaryPath;
    QString writeError;
};

} // namespace

QString dayStatusName(DayStatus status)
{
    switch (status) {
    case DayStatus::Ok:
        return QStringLiteral("ok");
    case DayStatus::Empty:
        return QStringLiteral("empty");
    case DayStatus::Failed:
        return QStringLiteral("failed");
    case DayStatus::Incomplete:
        return QStringLiteral("incomplete");
    case DayStatus::Pending:
        break;
    }
    return QStringLiteral("pending");
}

DayStatus dayStatusFromName(const QString &name)
{
    for (DayStatus status : {DayStatus::Ok, DayStatus::Empty, DayStatus::Failed,
                             DayStatus::Incomplete})
        if (dayStatusName(status) == name)
            return status;
    return DayStatus::Pending;
}

int ExportSummary::countWithStatus(DayStatus status) const
{
    int count = 0;
    for (const DayRecord &record : days)
        count += record.status == status ? 1 : 0;
    return count;
}

bool ExportSummary::isComplete() const
{
    if (!error.isEmpty() || cancelled)
        return false;
    return countWithStatus(DayStatus::Ok) + countWithStatus(DayStatus::Empty) ==
           static_cast<int>(days.size());
}

/// The state of one run of Exporter::run(), shared by its worker threads.
class ExportJob {
public:
    ExportJob(const ConnectionSettings &connection,
              const Credentials &credentials, const ExportOptions &options,
              const ExportQuery &query, const QString &outDir,
              ExportControl *control)
        : m_connection(connection), m_credentials(credentials),
          m_options(options), m_query(query), m_dir(outDir), m_control(control),
          m_limiter(options.limiter
                        ? options.limiter
                        : std::make_shared<RateLimiter>(options.limits))
    {
    }

    ExportSummary run();

private:
    bool loadManifest(QString *error);
    std::vector<Day> daysToFetch() const;
    void work();
    DayRecord exportDay(Day day, HttpSession &session);
    void download(Day day, HttpSession &session, Attempt &attempt);
    std::string requestUrl(Day day) const;
    void keepDay(DayRecord &record, Attempt &attempt);
    void keepPartial(DayRecord &record, Attempt &attempt);
    bool settle(DayRecord &record, Attempt &attempt, int attemptNumber);
    void finishDay(const DayRecord &record);
    void reportStreamingProgress();
    bool cancelled() const
    {
        return m_control && m_control->cancelRequested.load();
    }

    ConnectionSettings m_connection;
    Credentials m_credentials;
    ExportOptions m_options;
    ExportQuery m_query;
    QDir m_dir;
    ExportControl *m_control;
    std::shared_ptr<RateLimiter> m_limiter;

    std::mutex m_mutex;
    ExportManifest m_manifest;
    std::vector<Day> m_pending;
    std::size_t m_next = 0;
    int m_done = 0;
    int m_total = 0;
    std::int64_t m_bytes = 0;
    QString m_manifestError;
    std::atomic<std::int64_t> m_received{0};
    std::atomic<std::int64_t> m_lastReportMs{0};
};

void ExportJob::reportStreamingProgress()
{
    if (!m_control || !m_control->onProgress)
        return;
    // One thread wins each 200 ms slot, so callbacks stay rare even with
    // several days streaming at once.
    const std::int64_t now = QDateTime::currentMSecsSinceEpoch();
    std::int64_t last = m_lastReportMs.load();
    if (now - last < 200 || !m_lastReportMs.compare_exchange_strong(last, now))
        return;
    ExportProgress progress;
    {
        std::lock_guard lock(m_mutex);
        progress = {m_done, m_total, m_bytes, m_received.load()};
    }
    m_control->onProgress(progress);
}

bool ExportJob::loadManifest(QString *error)
{
    const QString path = m_dir.filePath(QLatin1String(kManifestName));
    auto loaded = ExportManifest::load(path, error);
    if (!error->isEmpty())
        return false;
    if (loaded) {
        // A manifest from before project ids were recorded reads as 0.
        if (loaded->projectId != 0 &&
            loaded->projectId != m_connection.projectId) {
            *error = QStringLiteral("%1 was written for project %2, not %3; "
                                    "use a new output folder for another "
                                    "project")
                         .arg(path)
                         .arg(loaded->projectId)
                         .arg(m_connection.projectId);
            return false;
        }
        if (loaded->events != m_query.events ||
            loaded->where != m_query.where) {
            *error = QStringLiteral("%1 was written for another event list or "
                                    "where expression; use a new output "
                                    "folder for a different query")
                         .arg(path);
            return false;
        }
        m_manifest = std::move(*loaded);
    }
    m_manifest.projectId = m_connection.projectId;
    m_manifest.events = m_query.events;
    m_manifest.where = m_query.where;
    return true;
}

std::vector<Day> ExportJob::daysToFetch() const
{
    std::vector<Day> days;
    for (Day day = m_query.from; day <= m_query.to; ++day) {
        const auto found = m_manifest.days.find(day);
        if (found != m_manifest.days.end()) {
            const DayRecord &record = found->second;
            // A finished day counts only while its file is still there.
            if (record.status == DayStatus::Empty)
                continue;
            if (record.status == DayStatus::Ok && m_dir.exists(record.file))
                continue;
        }
        days.push_back(day);
    }
    return days;
}

ExportSummary ExportJob::run()
{
    ExportSummary summary;
    if (m_query.from > m_query.to) {
        summary.error =
            QStringLiteral("--from %1 is after --to %2")
                .arg(QString::fromStdString(formatDay(m_query.from)),
                     QString::fromStdString(formatDay(m_query.to)));
        return summary;
    }
    if (!m_dir.mkpath(QStringLiteral("."))) {
        summary.error = QStringLiteral("cannot create the output folder %1")
                            .arg(m_dir.path());
        return summary;
    }
    if (!loadManifest(&summary.error))
        return summary;

    m_pending = daysToFetch();
    m_total = static_cast<int>(m_pending.size());
    summary.skippedDays = (m_query.to - m_query.from + 1) - m_total;
    qCInfo(lcApi).noquote()
        << QStringLiteral("export of %1 to %2 as %3 (%4 already done)")
               .arg(daysText(m_total), m_dir.path(), m_credentials.describe(),
                    daysText(summary.skippedDays));

    const int workers = std::min(m_total, m_limiter->limits().maxInFlight);
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i)
        threads.emplace_back([this] { work(); });
    for (std::thread &thread : threads)
        thread.join();

    for (Day day = m_query.from; day <= m_query.to; ++day) {
        const auto found = m_manifest.days.find(day);
        summary.days.push_back(found != m_manifest.days.end() ? found->second
                                                              : dayRecord(day));
    }
    summary.cancelled = cancelled();
    summary.error = m_manifestError;
    return summary;
}

void ExportJob::work()
{
    HttpSession session(m_credentials, m_connection.connectTimeoutSeconds);
    for (;;) {
        Day day = 0;
        {
            std::lock_guard lock(m_mutex);
            if (m_next >= m_pending.size() || !m_manifestError.isEmpty())
                return;
            day = m_pending[m_next++];
        }
        if (cancelled())
            return;
        const DayRecord record = exportDay(day, session);
        if (record.status != DayStatus::Pending)
            finishDay(record);
    }
}

std::string ExportJob::requestUrl(Day day) const
{
    const std::string date = formatDay(day);
    std::string url = m_connection.endpoints().exportUrl.toStdString();
    url += "?from_date=" + date + "&to_date=" + date + "&time_in_ms=true";
    if (m_credentials.kind() == Credentials::Kind::ServiceAccount)
        url += "&project_id=" + std::to_string(m_connection.projectId);
    if (!m_query.events.isEmpty())
        url += "&event=" + percentEncoded(QString::fromStdString(
                               eventListJson(m_query.events)));
    if (!m_query.where.isEmpty())
        url += "&where=" + percentEncoded(m_query.where);
    return url;
}

void ExportJob::download(Day day, HttpSession &session, Attempt &attempt)
{
    attempt.temporaryPath = m_dir.filePath(
        QString::fromStdString(formatDay(day)) + QStringLiteral(".download"));
    QFile file(attempt.temporaryPath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        attempt.writeError =
            QStringLiteral("cannot write %1: %2")
                .arg(attempt.temporaryPath, file.errorString());
        return;
    }

    HttpRequest request;
    request.url = requestUrl(day);
    request.headers = {"Accept-Encoding: gzip", "Accept: text/plain"};
    request.stallTimeoutSeconds = m_options.stallTimeoutSeconds;
    const HttpSession::Sink sink = [&](std::string_view bytes) {
        if (file.write(bytes.data(), static_cast<qint64>(bytes.size())) !=
            static_cast<qint64>(bytes.size())) {
            attempt.writeError =
                QStringLiteral("cannot write %1: %2")
                    .arg(attempt.temporaryPath, file.errorString());
            return false;
        }
        attempt.checker.feed(bytes);
        m_received += static_cast<std::int64_t>(bytes.size());
        reportStreamingProgress();
        return !cancelled();
    };
    attempt.response = session.perform(request, sink);
    file.flush();
    syncDescriptor(file.handle());
    file.close();
}

void ExportJob::keepDay(DayRecord &record, Attempt &attempt)
{
    const QString base = QString::fromStdString(formatDay(record.day));
    record.bytes = attempt.checker.receivedBytes();
    record.events = attempt.checker.events();
    record.message.clear();
    for (const char *suffix :
         {".json", ".json.gz", ".json.partial", ".json.gz.partial"})
        m_dir.remove(base + QLatin1String(suffix));
    if (record.bytes == 0) {
        record.status = DayStatus::Empty;
        record.file.clear();
        QFile::remove(attempt.temporaryPath);
        return;
    }
    record.status = DayStatus::Ok;
    record.file = base + (attempt.checker.isGzip() ? QStringLiteral(".json.gz")
                                                   : QStringLiteral(".json"));
    QFile::rename(attempt.temporaryPath, m_dir.filePath(record.file));
}

void ExportJob::keepPartial(DayRecord &record, Attempt &attempt)
{
    const QString base = QString::fromStdString(formatDay(record.day));
    record.status = DayStatus::Incomplete;
    record.bytes = attempt.checker.receivedBytes();
    record.events = attempt.checker.events();
    record.file =
        base + (attempt.checker.isGzip() ? QStringLiteral(".json.gz.partial")
                                         : QStringLiteral(".json.partial"));
    m_dir.remove(record.file);
    QFile::rename(attempt.temporaryPath, m_dir.filePath(record.file));
}

bool ExportJob::settle(DayRecord &record, Attempt &attempt, int attemptNumber)
{
    if (!attempt.writeError.isEmpty()) {
        record.status = DayStatus::Failed;
        record.message = attempt.writeError;
        QFile::remove(attempt.temporaryPath);
        return true;
    }
    const Disposition disposition = classify(attempt.response);
    const bool gotBody = attempt.response.status == 200;
    attempt.checker.finish();
    if (disposition == Disposition::Success && attempt.checker.isComplete()) {
        keepDay(record, attempt);
        return true;
    }

    // A 200 whose body is cut or ends in a line that is not an event is
    // retried like a dropped connection, and kept as incomplete at the end.
    const bool transportFailed = attempt.response.transportCode != 0;
    record.message = gotBody && !transportFailed
                         ? attempt.checker.problem()
                         : describeResponse(attempt.response, m_credentials);
    const bool retryable = disposition == Disposition::Retry || gotBody;
    if (retryable && attemptNumber < m_options.retry.maxAttempts) {
        QFile::remove(attempt.temporaryPath);
        return false;
    }
    if (gotBody) {
        keepPartial(record, attempt);
    } else {
        record.status = DayStatus::Failed;
        QFile::remove(attempt.temporaryPath);
    }
    return true;
}

DayRecord ExportJob::exportDay(Day day, HttpSession &session)
{
    DayRecord record = dayRecord(day);
    std::mt19937 random(std::random_device{}());
    const std::atomic<bool> *cancel =
        m_control ? &m_control->cancelRequested : nullptr;
    for (int attemptNumber = 1;; ++attemptNumber) {
        Attempt attempt;
        {
            const RateLimiter::Permit permit = m_limiter->acquire(cancel);
            if (!permit.isGranted())
                return dayRecord(day);
            download(day, session, attempt);
        }
        record.attempts = attemptNumber;
        record.httpStatus = static_cast<int>(attempt.response.status);
        if (cancelled()) {
            QFile::remove(attempt.temporaryPath);
            return dayRecord(day);
        }
        if (settle(record, attempt, attemptNumber))
            return record;

        const auto delay =
            retryDelay(m_options.retry, attemptNumber,
                       attempt.response.retryAfterSeconds, random);
        qCWarning(lcApi).noquote()
            << "export of" << QString::fromStdString(formatDay(day))
            << "attempt" << attemptNumber << "failed:" << record.message
            << "- retrying in" << delay.count() << "ms";
        if (!sleepUnlessCancelled(delay, cancel))
            return dayRecord(day);
    }
}

void ExportJob::finishDay(const DayRecord &record)
{
    ExportProgress progress;
    {
        std::lock_guard lock(m_mutex);
        m_manifest.days[record.day] = record;
        QString error;
        if (!writeFileAtomically(m_dir.filePath(QLatin1String(kManifestName)),
                                 m_manifest.toJson(), &error))
            m_manifestError = error;
        ++m_done;
        m_bytes += record.bytes;
        progress = {m_done, m_total, m_bytes, m_received.load()};
    }
    const QString date = QString::fromStdString(formatDay(record.day));
    if (record.status == DayStatus::Ok || record.status == DayStatus::Empty)
        qCInfo(lcApi).noquote()
            << "export of" << date << dayStatusName(record.status)
            << record.events << "events";
    else
        qCWarning(lcApi).noquote()
            << "export of" << date << dayStatusName(record.status) << "after"
            << record.attempts
            << (record.attempts == 1 ? "attempt:" : "attempts:")
            << record.message;
    if (m_control && m_control->onDayFinished)
        m_control->onDayFinished(record);
    if (m_control && m_control->onProgress)
        m_control->onProgress(progress);
}

Exporter::Exporter(ConnectionSettings connection, Credentials credentials,
                   ExportOptions options)
    : m_connection(std::move(connection)),
      m_credentials(std::move(credentials)), m_options(options)
{
}

ExportSummary Exporter::run(const ExportQuery &query, const QString &outDir,
                            ExportControl *control)
{
    ExportJob job(m_connection, m_credentials, m_options, query, outDir,
                  control);
    return job.run();
}

} // namespace hsi::api
