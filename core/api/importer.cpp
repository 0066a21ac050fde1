#include "hsi/api/importer.h"

#include "api_log.h"
#include "atomic_file.h"
#include "batch_queue.h"
#include "event_validator.h"
#include "hsi/record_reader.h"
#include "http_session.h"
#include "import_checkpoint.h"
#include "wait.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <chrono>
#include <cstdio>
#include <libdeflate.h>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <simdjson.h>
#include <thread>

namespace hsi::api {

namespace {

const char kCheckpointName[] = "checkpoint.json";
const char kRejectsName[] = "rejects.ndjson";

struct RejectedEvent {
    const Record *record = nullptr;
    Rejection rejection;
};

/// Outcome of sending a set of events in one or more requests.
struct Delivery {
    bool delivered = false;
    /// Set with `delivered == false` when the job must stop (credentials,
    /// permissions, a request the server will never accept).
    bool fatal = false;
    std::int64_t imported = 0;
    std::int64_t unaccounted = 0;
    std::vector<RejectedEvent> rejected;
    QString error;
};

std::string gzipCompress(libdeflate_compressor *compressor,
                         const std::string &body)
{
    std::string out(libdeflate_gzip_compress_bound(compressor, body.size()),
                    '\0');
    const std::size_t size = libdeflate_gzip_compress(
        compressor, body.data(), body.size(), out.data(), out.size());
    out.resize(size);
    return out;
}

std::string requestBody(const std::vector<const Record *> &events)
{
    std::size_t size = 2;
    for (const Record *record : events)
        size += record->text.size() + 1;
    std::string body;
    body.reserve(size);
    body += '[';
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (i > 0)
            body += ',';
        body += events[i]->text;
    }
    body += ']';
    return body;
}

std::string rejectLine(const QString &file, const RejectedEvent &rejected)
{
    using nlohmann::json;
    json event = json::parse(rejected.record->text, nullptr, false);
    if (event.is_discarded())
        event = rejected.record->text;
    const json line = {{"file", file.toStdString()},
                       {"line", rejected.record->line},
                       {"reason", rejected.rejection.reason.toStdString()},
                       {"field", rejected.rejection.field.toStdString()},
                       {"message", rejected.rejection.message.toStdString()},
                       {"event", std::move(event)}};
    return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string stringField(const nlohmann::json &object, const char *key)
{
    const auto found = object.find(key);
    return found != object.end() && found->is_string()
               ? found->get<std::string>()
               : std::string();
}

/// Returns the event a `failed_records` item refers to: by its `index` in
/// the request, else by its insert id. The docs name that key `$insert_id`
/// while the OpenAPI schema names it `insert_id`, so both are read.
const Record *findFailedEvent(const nlohmann::json &failed,
                              const std::vector<const Record *> &events)
{
    const auto index = failed.value("index", std::int64_t{-1});
    if (index >= 0 && index < static_cast<std::int64_t>(events.size()))
        return events[static_cast<std::size_t>(index)];
    std::string insertId = stringField(failed, "$insert_id");
    if (insertId.empty())
        insertId = stringField(failed, "insert_id");
    if (insertId.empty())
        return nullptr;
    for (const Record *record : events) {
        const auto event = nlohmann::json::parse(record->text, nullptr, false);
        if (event.is_object() && event.contains("properties") &&
            stringField(event["properties"], "$insert_id") == insertId)
            return record;
    }
    return nullptr;
}

/// Converts the `failed_records` of a 400 response into rejections.
std::vector<RejectedEvent>
serverRejections(const nlohmann::json &failedRecords,
                 const std::vector<const Record *> &events)
{
    std::vector<RejectedEvent> rejected;
    for (const nlohmann::json &failed : failedRecords) {
        const Record *event = findFailedEvent(failed, events);
        if (!event)
            continue;
        const QString field =
            QString::fromStdString(stringField(failed, "field"));
        const QString message =
            QString::fromStdString(stringField(failed, "message"));
        rejected.push_back(
            {event, {QStringLiteral("server:") + field, field, message}});
    }
    return rejected;
}

std::int64_t nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

bool ImportSummary::isComplete() const
{
    return error.isEmpty() && !cancelled && undelivered == 0 &&
           unaccounted == 0;
}

/// The state of one run of Importer::run(), shared by its worker threads.
class ImportJob {
public:
    ImportJob(const ConnectionSettings &connection,
              const Credentials &credentials, const ImportOptions &options,
              ImportControl *control)
        : m_connection(connection), m_credentials(credentials),
          m_options(options), m_control(control),
          m_queue(static_cast<std::size_t>(options.parallelRequests) * 2)
    {
    }

    ImportSummary run(const QStringList &files);

private:
    bool prepare(const QStringList &files);
    void produce(const QStringList &files);
    bool produceFile(int fileIndex, const QString &file);
    void enqueue(Batch &&batch);
    void work();
    void process(Batch &batch, HttpSession *session,
                 libdeflate_compressor *compressor,
                 simdjson::dom::parser &parser);
    Delivery deliver(const std::vector<const Record *> &events,
                     HttpSession &session, libdeflate_compressor *compressor,
                     const QString &label);
    Delivery sendOnce(const std::vector<const Record *> &events,
                      HttpSession &session, libdeflate_compressor *compressor,
                      const QString &label);
    Delivery splitAndSend(const std::vector<const Record *> &events,
                          HttpSession &session,
                          libdeflate_compressor *compressor,
                          const QString &label);
    Delivery readResponse(const HttpResponse &response,
                          const std::vector<const Record *> &events);
    void acknowledge(const Batch &batch, std::vector<RejectedEvent> &rejected,
                     const Delivery &delivery);
    void stop(const QString &error);
    void reportProgress();
    bool stopping() const
    {
        return m_stop.load() ||
               (m_control && m_control->cancelRequested.load());
    }
    const std::atomic<bool> *cancelFlag() const
    {
        return m_control ? &m_control->cancelRequested : nullptr;
    }

    ConnectionSettings m_connection;
    Credentials m_credentials;
    ImportOptions m_options;
    ImportControl *m_control;
    BatchQueue m_queue;
    std::atomic<bool> m_stop{false};

    std::mutex m_mutex;
    ImportSummary m_summary;
    ImportCheckpoint m_checkpoint;
    std::FILE *m_rejects = nullptr;
    std::int64_t m_bytesTotal = 0;
    std::atomic<std::int64_t> m_bytesRead{0};
    std::string m_url;
};

bool ImportJob::prepare(const QStringList &files)
{
    QSet<QString> seen;
    for (const QString &file : files) {
        const QFileInfo info(file);
        if (info.isDir()) {
            m_summary.error =
                QStringLiteral("%1 is a folder: name the files to import")
                    .arg(file);
            return false;
        }
        if (!info.exists()) {
            m_summary.error =
                QStringLiteral("input file not found: %1").arg(file);
            return false;
        }
        // A pipe or a device cannot be read again when an import resumes.
        if (!info.isFile()) {
            m_summary.error =
                QStringLiteral("%1 is not a regular file: save its data to a "
                               "file and import that")
                    .arg(file);
            return false;
        }
        // Batches are named by file and index, so one file listed twice
        // would make its second pass look acknowledged.
        if (seen.contains(info.absoluteFilePath())) {
            m_summary.error = QStringLiteral("%1 is listed twice").arg(file);
            return false;
        }
        seen.insert(info.absoluteFilePath());
        m_bytesTotal += info.size();
    }
    m_url = m_connection.endpoints().importUrl.toStdString() + "?strict=1";
    if (m_credentials.kind() == Credentials::Kind::ServiceAccount)
        m_url += "&project_id=" + std::to_string(m_connection.projectId);
    if (m_options.dryRun)
        return true;

    QDir dir(m_options.jobDir);
    if (m_options.jobDir.isEmpty() || !dir.mkpath(QStringLiteral("."))) {
        m_summary.error = QStringLiteral("cannot create the job folder \"%1\"")
                              .arg(m_options.jobDir);
        return false;
    }
    if (!m_checkpoint.load(dir.filePath(QLatin1String(kCheckpointName)),
                           &m_summary.error) ||
        !m_checkpoint.checkLimits(m_options.maxBatchEvents,
                                  m_options.maxBatchBytes, &m_summary.error))
        return false;
    for (const QString &file : files) {
        const QFileInfo info(file);
        if (!m_checkpoint.checkFile(info.absoluteFilePath(), info.size(),
                                    info.lastModified().toMSecsSinceEpoch(),
                                    &m_summary.error))
            return false;
    }
    const QByteArray rejectsPath =
        QFile::encodeName(dir.filePath(QLatin1String(kRejectsName)));
    m_rejects = std::fopen(rejectsPath.constData(), "ab");
    if (!m_rejects) {
        m_summary.error = QStringLiteral("cannot write %1")
                              .arg(QString::fromLocal8Bit(rejectsPath));
        return false;
    }
    return true;
}

ImportSummary ImportJob::run(const QStringList &files)
{
    const auto started = std::chrono::steady_clock::now();
    if (prepare(files)) {
        const char *fileWord = files.size() == 1 ? "file" : "files";
        if (m_options.dryRun) {
            qCInfo(lcApi).noquote() << "dry run: validating" << files.size()
                                    << fileWord << "without sending";
        } else {
            qCInfo(lcApi).noquote()
                << "import of" << files.size() << fileWord << "to"
                << m_url.c_str() << "as" << m_credentials.describe();
        }
        std::vector<std::thread> workers;
        for (int i = 0; i < std::max(1, m_options.parallelRequests); ++i)
            workers.emplace_back([this] { work(); });
        produce(files);
        m_queue.close();
        for (std::thread &worker : workers)
            worker.join();
    }
    if (m_rejects)
        std::fclose(m_rejects);
    m_summary.cancelled = m_control && m_control->cancelRequested.load();
    m_summary.seconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - started)
                            .count();
    return m_summary;
}

void ImportJob::produce(const QStringList &files)
{
    for (int i = 0; i < files.size() && !stopping(); ++i)
        if (!produceFile(i, files.at(i)))
            return;
}

bool ImportJob::produceFile(int fileIndex, const QString &file)
{
    const QString path = QFileInfo(file).absoluteFilePath();
    const std::int64_t readBefore = m_bytesRead.load();
    Batch batch{fileIndex, path, 0, {}};
    std::int64_t batchBytes = 2;
    const RecordSink sink = [&](std::string_view text, std::int64_t line) {
        if (m_control && m_control->cancelRequested.load())
            m_stop = true;
        const auto size = static_cast<std::int64_t>(text.size()) + 1;
        // Oversized events are rejected locally, so they do not count
        // toward the body size. The cut stays deterministic either way.
        const bool counts = size <= EventLimits{}.maxEventBytes;
        if (!batch.records.empty() &&
            (static_cast<int>(batch.records.size()) >=
                 m_options.maxBatchEvents ||
             (counts && batchBytes + size > m_options.maxBatchBytes))) {
            const std::int64_t next = batch.index + 1;
            enqueue(std::move(batch));
            batch = Batch{fileIndex, path, next, {}};
            batchBytes = 2;
        }
        batchBytes += counts ? size : 0;
        batch.records.push_back(Record{std::string(text), line});
    };
    const ByteProgress progress = [&](std::int64_t done) {
        m_bytesRead = readBefore + done;
    };
    const ReadResult result =
        readRecords(path.toStdString(), sink, &m_stop, progress);
    if (!batch.records.empty() && !m_stop.load())
        enqueue(std::move(batch));
    if (!result.error.empty()) {
        stop(QStringLiteral("cannot read %1: %2")
                 .arg(path, QString::fromStdString(result.error)));
        return false;
    }
    return !result.cancelled;
}

void ImportJob::enqueue(Batch &&batch)
{
    const auto events = static_cast<std::int64_t>(batch.records.size());
    {
        std::lock_guard lock(m_mutex);
        m_summary.eventsRead += events;
        if (!m_options.dryRun &&
            m_checkpoint.isAcknowledged(batch.file, batch.index)) {
            ++m_summary.skippedBatches;
            m_summary.skippedEvents += events;
            return;
        }
    }
    if (!m_queue.push(std::move(batch))) {
        std::lock_guard lock(m_mutex);
        m_summary.undelivered += events;
    }
}

void ImportJob::work()
{
    std::unique_ptr<HttpSession> session;
    if (!m_options.dryRun)
        session = std::make_unique<HttpSession>(
            m_credentials, m_connection.connectTimeoutSeconds);
    libdeflate_compressor *compressor = libdeflate_alloc_compressor(
        std::clamp(m_options.compressionLevel, 1, 12));
    simdjson::dom::parser parser;
    Batch batch;
    while (m_queue.pop(batch)) {
        if (stopping()) {
            std::lock_guard lock(m_mutex);
            m_summary.undelivered +=
                static_cast<std::int64_t>(batch.records.size());
            continue;
        }
        process(batch, session.get(), compressor, parser);
        reportProgress();
    }
    libdeflate_free_compressor(compressor);
}

void ImportJob::process(Batch &batch, HttpSession *session,
                        libdeflate_compressor *compressor,
                        simdjson::dom::parser &parser)
{
    std::vector<const Record *> valid;
    std::vector<RejectedEvent> rejected;
    const std::int64_t now = nowMs();
    for (const Record &record : batch.records) {
        if (auto problem = validateEvent(record.text, parser, now))
            rejected.push_back({&record, std::move(*problem)});
        else
            valid.push_back(&record);
    }
    if (m_options.dryRun) {
        Delivery counted;
        counted.delivered = true;
        counted.imported = static_cast<std::int64_t>(valid.size());
        acknowledge(batch, rejected, counted);
        return;
    }

    const QString label =
        QStringLiteral("%1 batch %2").arg(batch.file).arg(batch.index);
    Delivery delivery;
    delivery.delivered = true;
    if (!valid.empty())
        delivery = deliver(valid, *session, compressor, label);
    {
        std::lock_guard lock(m_mutex);
        m_summary.sent += static_cast<std::int64_t>(valid.size());
    }
    if (delivery.delivered && delivery.unaccounted > 0) {
        // The batch stays unacknowledged so that the next run resends it;
        // the server deduplicates the events it did import.
        delivery.delivered = false;
        delivery.error = QStringLiteral("the server accounted for %1 of %2 "
                                        "events without rejecting the rest")
                             .arg(static_cast<std::int64_t>(valid.size()) -
                                  delivery.unaccounted)
                             .arg(valid.size());
    }
    if (!delivery.delivered) {
        std::lock_guard lock(m_mutex);
        m_summary.unaccounted += delivery.unaccounted;
        m_summary.undelivered +=
            static_cast<std::int64_t>(batch.records.size());
        if (delivery.fatal || m_summary.error.isEmpty())
            m_summary.error = label + QStringLiteral(": ") + delivery.error;
        m_stop = true;
        return;
    }
    acknowledge(batch, rejected, delivery);
}

Delivery ImportJob::deliver(const std::vector<const Record *> &events,
                            HttpSession &session,
                            libdeflate_compressor *compressor,
                            const QString &label)
{
    Delivery delivery = sendOnce(events, session, compressor, label);
    if (delivery.error != QLatin1String("413"))
        return delivery;
    return splitAndSend(events, session, compressor, label);
}

Delivery ImportJob::splitAndSend(const std::vector<const Record *> &events,
                                 HttpSession &session,
                                 libdeflate_compressor *compressor,
                                 const QString &label)
{
    Delivery result;
    if (events.size() == 1) {
        // One event that is still too large for the server cannot be
        // split further: it is rejected with the reason.
        result.delivered = true;
        result.rejected.push_back(
            {events.front(),
             {QStringLiteral("request_too_large"), QStringLiteral("event"),
              QStringLiteral("the server answered 413 to this event alone")}});
        return result;
    }
    {
        std::lock_guard lock(m_mutex);
        ++m_summary.splits;
    }
    const auto middle =
        events.begin() + static_cast<std::ptrdiff_t>(events.size() / 2);
    result.delivered = true;
    for (const auto &half :
         {std::vector<const Record *>(events.begin(), middle),
          std::vector<const Record *>(middle, events.end())}) {
        Delivery part = deliver(half, session, compressor, label);
        if (!part.delivered)
            return part;
        result.imported += part.imported;
        result.unaccounted += part.unaccounted;
        result.rejected.insert(result.rejected.end(), part.rejected.begin(),
                               part.rejected.end());
    }
    return result;
}

Delivery ImportJob::sendOnce(const std::vector<const Record *> &events,
                             HttpSession &session,
                             libdeflate_compressor *compressor,
                             const QString &label)
{
    // The body is built once and resent byte for byte, so a retry carries
    // the same $insert_id values and the server deduplicates it.
    const std::string body = gzipCompress(compressor, requestBody(events));
    HttpRequest request;
    request.url = m_url;
    request.post = true;
    request.body = body;
    request.headers = {"Content-Type: application/json",
                       "Content-Encoding: gzip", "Accept: application/json"};
    request.stallTimeoutSeconds = m_options.stallTimeoutSeconds;
    request.timeoutSeconds = m_options.requestTimeoutSeconds;

    std::mt19937 random(std::random_device{}());
    for (int attempt = 1;; ++attempt) {
        const HttpResponse response = session.perform(request);
        {
            std::lock_guard lock(m_mutex);
            ++m_summary.requests;
        }
        const Disposition disposition = classify(response);
        if (disposition != Disposition::Retry ||
            attempt >= m_options.retry.maxAttempts || stopping())
            return readResponse(response, events);

        const auto delay = retryDelay(m_options.retry, attempt,
                                      response.retryAfterSeconds, random);
        qCWarning(lcApi).noquote()
            << label << "attempt" << attempt
            << "failed:" << describeResponse(response, m_credentials)
            << "- retrying in" << delay.count() << "ms";
        {
            std::lock_guard lock(m_mutex);
            ++m_summary.retries;
        }
        if (!sleepUnlessCancelled(delay, cancelFlag())) {
            Delivery cancelled;
            cancelled.error = QStringLiteral("cancelled");
            return cancelled;
        }
    }
}

Delivery ImportJob::readResponse(const HttpResponse &response,
                                 const std::vector<const Record *> &events)
{
    using nlohmann::json;
    Delivery delivery;
    if (response.status == 413) {
        delivery.error = QStringLiteral("413");
        return delivery;
    }
    const json body = json::parse(response.body, nullptr, false);
    const bool partial = response.status == 400 && body.is_object() &&
                         body.contains("failed_records") &&
                         body["failed_records"].is_array();
    if (response.status != 200 && !partial) {
        delivery.error = describeResponse(response, m_credentials);
        // Retries ran out for 429, 5xx and transport errors. Any other status
        // rejects the whole request, and resending cannot fix that.
        delivery.fatal = classify(response) == Disposition::Fail;
        return delivery;
    }

    delivery.delivered = true;
    delivery.imported =
        body.is_object() ? body.value("num_records_imported", std::int64_t{0})
                         : 0;
    if (partial)
        delivery.rejected = serverRejections(body["failed_records"], events);
    const auto accounted =
        delivery.imported + static_cast<std::int64_t>(delivery.rejected.size());
    delivery.unaccounted = std::max<std::int64_t>(
        0, static_cast<std::int64_t>(events.size()) - accounted);
    if (delivery.unaccounted > 0)
        qCWarning(lcApi) << "the server acknowledged" << accounted << "of"
                         << events.size() << "events in one request";
    return delivery;
}

void ImportJob::acknowledge(const Batch &batch,
                            std::vector<RejectedEvent> &rejected,
                            const Delivery &delivery)
{
    rejected.insert(rejected.end(), delivery.rejected.begin(),
                    delivery.rejected.end());
    std::lock_guard lock(m_mutex);
    m_summary.imported += delivery.imported;
    m_summary.rejected += static_cast<std::int64_t>(rejected.size());
    for (const RejectedEvent &event : rejected)
        ++m_summary.rejectedByReason[event.rejection.reason];
    if (m_options.dryRun)
        return;

    // Rejects reach the disk before the checkpoint names the batch, so a
    // crash between the two writes repeats rejects rather than losing them.
    for (const RejectedEvent &event : rejected) {
        const std::string line = rejectLine(batch.file, event);
        std::fwrite(line.data(), 1, line.size(), m_rejects);
    }
    if (!rejected.empty() &&
        (std::fflush(m_rejects) != 0 || !syncDescriptor(fileno(m_rejects))))
        m_summary.error = QStringLiteral("cannot write the rejects file in %1")
                              .arg(m_options.jobDir);
    m_checkpoint.acknowledge(batch.file, batch.index, delivery.imported,
                             static_cast<std::int64_t>(rejected.size()));
    QString error;
    if (!m_checkpoint.save(&error)) {
        m_summary.error = error;
        m_stop = true;
    }
}

void ImportJob::stop(const QString &error)
{
    std::lock_guard lock(m_mutex);
    if (m_summary.error.isEmpty())
        m_summary.error = error;
    m_stop = true;
}

void ImportJob::reportProgress()
{
    if (!m_control || !m_control->onProgress)
        return;
    ImportProgress progress;
    {
        std::lock_guard lock(m_mutex);
        progress = {m_bytesRead.load(), m_bytesTotal, m_summary.eventsRead,
                    m_summary.imported, m_summary.rejected};
    }
    m_control->onProgress(progress);
}

Importer::Importer(ConnectionSettings connection, Credentials credentials,
                   ImportOptions options)
    : m_connection(std::move(connection)),
      m_credentials(std::move(credentials)), m_options(std::move(options))
{
}

ImportSummary Importer::run(const QStringList &files, ImportControl *control)
{
    ImportJob job(m_connection, m_credentials, m_options, control);
    return job.run(files);
}

} // namespace hsi::api
