#include "recovery_job.h"

#include "format.h"
#include "hsi/recovery/deletion_request.h"
#include "hsi/recovery/recovery_error.h"
#include "hsi/recovery/selector.h"
#include "hsi/scanner.h"

#include <QDir>
#include <QFileInfo>
#include <algorithm>
#include <set>

namespace hsi::ui {

namespace {

using Json = nlohmann::ordered_json;
using recovery::JobStep;

std::string toStd(const QString &text)
{
    return text.toStdString();
}

Json settingsToJson(const ScanSettings &settings)
{
    return {{"user_limit", settings.userLimit},
            {"group_limit", settings.groupLimit},
            {"group_keys", settings.groupKeys},
            {"time_zone", settings.timeZone},
            {"legacy_project_time", settings.legacyProjectTime}};
}

ScanSettings settingsFromJson(const Json &json)
{
    ScanSettings settings;
    settings.userLimit = json.at("user_limit").get<std::int64_t>();
    settings.groupLimit = json.at("group_limit").get<std::int64_t>();
    settings.groupKeys = json.at("group_keys").get<std::vector<std::string>>();
    settings.timeZone = json.at("time_zone").get<std::string>();
    settings.legacyProjectTime = json.at("legacy_project_time").get<bool>();
    return settings;
}

void addGroupKey(ScanSettings &settings, const std::string &key)
{
    if (std::find(settings.groupKeys.begin(), settings.groupKeys.end(), key) ==
        settings.groupKeys.end())
        settings.groupKeys.push_back(key);
}

} // namespace

QString recoveryPathName(RecoveryPath path)
{
    return path == RecoveryPath::Users ? QStringLiteral("users")
                                       : QStringLiteral("groups");
}

RecoveryPlan RecoveryPlan::fromReport(const Report &report, RecoveryPath path,
                                      std::int64_t nowMs)
{
    RecoveryPlan plan;
    plan.path = path;
    plan.processedBeforeMs = nowMs;
    plan.scanSettings = report.settings;
    for (const std::string &key : report.groupKeys)
        addGroupKey(plan.scanSettings, key);

    const ShardKind kind =
        path == RecoveryPath::Users ? ShardKind::User : ShardKind::Group;
    std::set<Day> days;
    for (const PairFinding &finding : report.hotShards) {
        if (finding.kind != kind)
            continue;
        days.insert(finding.day);
        const recovery::GroupTarget target{finding.groupKey, finding.id};
        if (kind == ShardKind::Group &&
            std::find(plan.groups.begin(), plan.groups.end(), target) ==
                plan.groups.end())
            plan.groups.push_back(target);
    }
    plan.days.assign(days.begin(), days.end());
    return plan;
}

Json RecoveryPlan::toJson() const
{
    Json groupsJson = Json::array();
    for (const recovery::GroupTarget &group : groups)
        groupsJson.push_back({{"key", group.key}, {"id", group.id}});
    std::vector<std::string> dayNames;
    for (const Day day : days)
        dayNames.push_back(formatDay(day));
    return {{"path", toStd(recoveryPathName(path))},
            {"days", dayNames},
            {"groups", groupsJson},
            {"processed_before_ms", processedBeforeMs},
            {"scan_settings", settingsToJson(scanSettings)}};
}

RecoveryPlan RecoveryPlan::fromJson(const Json &json)
{
    try {
        RecoveryPlan plan;
        plan.path = json.at("path").get<std::string>() == "groups"
                        ? RecoveryPath::Groups
                        : RecoveryPath::Users;
        for (const Json &name : json.at("days")) {
            const std::optional<Day> day = parseDay(name.get<std::string>());
            if (!day)
                throw recovery::RecoveryError(
                    "job.json: invalid day " + name.dump() +
                    " in the plan: start a new job folder");
            plan.days.push_back(*day);
        }
        for (const Json &group : json.at("groups"))
            plan.groups.push_back({group.at("key").get<std::string>(),
                                   group.at("id").get<std::string>()});
        plan.processedBeforeMs =
            json.at("processed_before_ms").get<std::int64_t>();
        plan.scanSettings = settingsFromJson(json.at("scan_settings"));
        return plan;
    } catch (const Json::exception &error) {
        throw recovery::RecoveryError(std::string("job.json: invalid plan (") +
                                      error.what() +
                                      "): start a new job folder");
    }
}

api::ExportQuery RecoveryPlan::exportQuery() const
{
    api::ExportQuery query;
    if (days.empty())
        return query;
    // NOTE: the export covers every day from the first to the last hot day,
    // also days in between without a hot pair. Those events pass through
    // the transform unchanged and are deduplicated by the Import API.
    query.from = days.front();
    query.to = days.back();
    if (path == RecoveryPath::Users)
        query.events = {QStringLiteral("$hotshard_events")};
    else
        query.where = QString::fromStdString(
            recovery::buildGroupSelector(groups, processedBeforeMs));
    return query;
}

std::vector<JobStep> RecoveryPlan::steps() const
{
    if (path == RecoveryPath::Users)
        return {JobStep::Export, JobStep::Transform, JobStep::Verify,
                JobStep::Import};
    return {JobStep::Export,
            JobStep::DeletionRequested,
            JobStep::DeletionConfirmed,
            JobStep::Transform,
            JobStep::Verify,
            JobStep::Import};
}

RecoveryJob::RecoveryJob(const QString &root) : m_folder(root) {}

bool RecoveryJob::hasPlan() const
{
    return m_folder.loadState().contains("plan");
}

RecoveryPlan RecoveryJob::loadPlan() const
{
    return RecoveryPlan::fromJson(m_folder.loadState().at("plan"));
}

void RecoveryJob::start(const RecoveryPlan &plan,
                        const api::ConnectionSettings &connection) const
{
    m_folder.create();
    Json state = m_folder.loadState();
    state["plan"] = plan.toJson();
    state["connection"] = {
        {"region", toStd(api::regionName(connection.region))},
        {"base_url", toStd(connection.baseUrl)},
        {"project_id", connection.projectId}};
    m_folder.saveState(state);
    m_folder.appendAudit("job_started", {{"path", state["plan"]["path"]},
                                         {"connection", state["connection"]}});
}

std::optional<api::ConnectionSettings> RecoveryJob::loadConnection() const
{
    const Json state = m_folder.loadState();
    if (!state.contains("connection"))
        return std::nullopt;
    const Json &json = state["connection"];
    api::ConnectionSettings settings;
    settings.region =
        api::parseRegion(QString::fromStdString(json.value("region", "us")))
            .value_or(api::Region::US);
    settings.baseUrl = QString::fromStdString(json.value("base_url", ""));
    settings.projectId = json.value("project_id", qint64(0));
    return settings;
}

void RecoveryJob::resetStep(JobStep step) const
{
    Json state = m_folder.loadState();
    if (state.contains("steps") && state["steps"].is_object())
        state["steps"].erase(recovery::jobStepName(step));
    m_folder.saveState(state);
}

api::ExportSummary RecoveryJob::exportEvents(
    const RecoveryPlan &plan, const api::ConnectionSettings &connection,
    const api::Credentials &credentials, api::ExportControl *control) const
{
    const api::ExportQuery query = plan.exportQuery();
    m_folder.appendAudit(
        "export_started",
        {{"from", formatDay(query.from)},
         {"to", formatDay(query.to)},
         {"events", toStd(query.events.join(QLatin1Char(',')))},
         {"where", toStd(query.where)}});
    api::Exporter exporter(connection, credentials);
    const api::ExportSummary summary =
        exporter.run(query, m_folder.rawExportsDir(), control);
    for (const api::DayRecord &day : summary.days)
        m_folder.appendAudit("export_day",
                             {{"day", formatDay(day.day)},
                              {"status", toStd(api::dayStatusName(day.status))},
                              {"http_status", day.httpStatus},
                              {"attempts", day.attempts},
                              {"events", day.events},
                              {"message", toStd(day.message)}});
    if (summary.isComplete() && !summary.cancelled)
        m_folder.markDone(JobStep::Export);
    return summary;
}

QStringList RecoveryJob::rawFiles() const
{
    QDir dir(m_folder.rawExportsDir());
    // Only the day files: the folder also contains the export manifest and
    // `.partial` bytes of incomplete days.
    // The pattern is spelled with [0-9] because "??-" is a C++ trigraph.
    const QString day =
        QStringLiteral("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]");
    const QStringList names = dir.entryList(
        {day + QStringLiteral(".json"), day + QStringLiteral(".json.gz")},
        QDir::Files, QDir::Name);
    QStringList paths;
    for (const QString &name : names)
        paths << dir.filePath(name);
    return paths;
}

std::string RecoveryJob::writeDeletionRequest(const RecoveryPlan &plan,
                                              const QString &projectId) const
{
    std::vector<std::string> files;
    for (const QString &path : rawFiles())
        files.push_back(toStd(path));
    ScanSettings settings = plan.scanSettings;
    settings.threads = 1;
    const Report exportScan = scan(files, settings);
    for (const InputReport &input : exportScan.inputs)
        if (input.status != InputReport::Status::Ok)
            throw recovery::RecoveryError(
                input.path + ": the exported file could not be read "
                             "completely: run the export step again");
    const api::ExportQuery query = plan.exportQuery();
    recovery::DeletionRequest request = recovery::deletionRequestFromReport(
        exportScan,
        recovery::buildGroupSelector(plan.groups, plan.processedBeforeMs),
        query.from, query.to, plan.processedBeforeMs);
    request.projectId = toStd(projectId);
    const std::string text = recovery::formatDeletionRequest(request);
    m_folder.writeFile(m_folder.deletionRequestPath(), text);
    m_folder.appendAudit("deletion_request_written",
                         {{"events", request.eventCount}});
    m_folder.markDone(JobStep::DeletionRequested);
    return text;
}

QString RecoveryJob::transformedPath() const
{
    return QDir(m_folder.transformedDir())
        .filePath(QStringLiteral("events.ndjson.gz"));
}

recovery::TransformStats
RecoveryJob::transform(const recovery::TransformOptions &options,
                       const std::atomic<bool> *cancel,
                       const recovery::TransformProgress &progress) const
{
    recovery::TransformPaths paths;
    for (const QString &file : rawFiles())
        paths.inputs.push_back(toStd(file));
    paths.output = toStd(transformedPath());
    paths.rejects = toStd(m_folder.rejectsPath());
    recovery::EventTransformer transformer(options);
    const recovery::TransformStats stats =
        recovery::transformFiles(paths, transformer, cancel, progress);

    m_folder.saveManifest(
        {{"transformed/events.ndjson.gz", "transformed", stats.written(),
          QFileInfo(transformedPath()).size()},
         {"transformed/rejects.ndjson", "rejects", stats.setAside,
          QFileInfo(m_folder.rejectsPath()).size()}});
    m_folder.appendAudit("transform",
                         {{"distinct_id", options.distinctId.toString()},
                          {"regenerate_insert_id", options.regenerateInsertId},
                          {"legacy_time_zone", options.legacyTimeZone},
                          {"stats", recovery::transformStatsToJson(stats)}});
    // A new transform invalidates an earlier verify.
    resetStep(JobStep::Verify);
    m_folder.markDone(JobStep::Transform);
    return stats;
}

std::vector<recovery::PreviewSample>
RecoveryJob::preview(const recovery::TransformOptions &options, int count) const
{
    std::vector<std::string> inputs;
    for (const QString &file : rawFiles())
        inputs.push_back(toStd(file));
    recovery::EventTransformer transformer(options);
    return recovery::previewTransform(inputs, transformer,
                                      static_cast<std::size_t>(count));
}

recovery::VerifyResult RecoveryJob::verify(const RecoveryPlan &plan) const
{
    ScanSettings settings = plan.scanSettings;
    // Scan on one thread: verify runs next to the GUI and the files are the
    // small transformed output.
    settings.threads = 1;
    const recovery::VerifyResult result =
        recovery::verifyFiles({toStd(transformedPath())}, settings);
    m_folder.writeFile(m_folder.verifyResultPath(),
                       recovery::verifyResultToJson(result).dump(2) + "\n");
    m_folder.appendAudit("verify", {{"passed", result.passed()},
                                    {"events", result.events},
                                    {"offending", result.offending.size()}});
    if (result.passed())
        m_folder.markDone(JobStep::Verify);
    return result;
}

api::ImportSummary
RecoveryJob::importEvents(const api::ConnectionSettings &connection,
                          const api::Credentials &credentials,
                          api::ImportControl *control) const
{
    api::ImportOptions options;
    options.jobDir =
        QDir(m_folder.checkpointsDir()).filePath(QStringLiteral("import"));
    QDir().mkpath(options.jobDir);
    m_folder.appendAudit("import_started",
                         {{"file", toStd(transformedPath())}});
    api::Importer importer(connection, credentials, options);
    const api::ImportSummary summary =
        importer.run({transformedPath()}, control);
    Json reasons = Json::object();
    for (const auto &[reason, events] : summary.rejectedByReason)
        reasons[toStd(reason)] = events;
    m_folder.appendAudit("import", {{"requests", summary.requests},
                                    {"sent", summary.sent},
                                    {"imported", summary.imported},
                                    {"rejected", reasons},
                                    {"retries", summary.retries},
                                    {"skipped_events", summary.skippedEvents},
                                    {"error", toStd(summary.error)}});
    if (summary.isComplete() && !summary.cancelled)
        m_folder.markDone(JobStep::Import);
    return summary;
}

QString formatImportReport(const api::ImportSummary &summary)
{
    QString text =
        QStringLiteral("Sent %1 in %2.\n"
                       "Imported %3, rejected %4, retried %5, "
                       "skipped %6 acknowledged by an earlier "
                       "run.\nTime: %7 s.\n")
            .arg(countOf(summary.sent, "event"),
                 countOf(summary.requests, "request"),
                 formatCount(summary.imported), formatCount(summary.rejected),
                 countOf(summary.retries, "request"),
                 countOf(summary.skippedEvents, "event"))
            .arg(summary.seconds, 0, 'f', 1);
    for (const auto &[reason, events] : summary.rejectedByReason)
        text += QStringLiteral("  rejected, %1: %2\n").arg(reason).arg(events);
    if (summary.undelivered > 0)
        text += QStringLiteral("%1 not delivered: run the import again to "
                               "send them.\n")
                    .arg(countOf(summary.undelivered, "event"));
    if (!summary.error.isEmpty())
        text += QStringLiteral("Error: %1\n").arg(summary.error);
    return text;
}

} // namespace hsi::ui
