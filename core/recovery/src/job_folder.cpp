#include "hsi/recovery/job_folder.h"

#include "hsi/recovery/recovery_error.h"
#include "logging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <array>

namespace hsi::recovery {

using Json = nlohmann::ordered_json;

namespace {

constexpr std::array<JobStep, 6> kAllSteps = {JobStep::Export,
                                              JobStep::DeletionRequested,
                                              JobStep::DeletionConfirmed,
                                              JobStep::Transform,
                                              JobStep::Verify,
                                              JobStep::Import};

bool isSecretKey(std::string key)
{
    for (char &c : key)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char *word : {"password", "secret", "token", "authorization",
                             "api_key", "apikey", "api-key"}) {
        if (key.find(word) != std::string::npos)
            return true;
    }
    return false;
}

/// Redacts secrets inside a string value: HTTP credentials ("Basic ...",
/// "Bearer ...") and URL query parameters whose names look secret, such as
/// `?token=...` or `&api_secret=...`.
std::string redactSecretText(const std::string &text)
{
    static const QRegularExpression credentials(
        QStringLiteral("^\\s*(basic|bearer)\\s+[A-Za-z0-9+/=._~-]{8,}\\s*$"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression queryParameter(
        QStringLiteral("([?&][^=&#]*(password|secret|token|api_?key)[^=&#]*=)"
                       "[^&#]*"),
        QRegularExpression::CaseInsensitiveOption);

    QString value = QString::fromStdString(text);
    if (credentials.match(value).hasMatch())
        return "[redacted]";
    value.replace(queryParameter, QStringLiteral("\\1[redacted]"));
    return value.toStdString();
}

std::string utcNow()
{
    return QDateTime::currentDateTimeUtc()
        .toString(Qt::ISODateWithMs)
        .toStdString();
}

std::string pathText(const QString &path)
{
    return path.toStdString();
}

} // namespace

const char *jobStepName(JobStep step)
{
    switch (step) {
    case JobStep::Export:
        return "export";
    case JobStep::DeletionRequested:
        return "deletion_requested";
    case JobStep::DeletionConfirmed:
        return "deletion_confirmed";
    case JobStep::Transform:
        return "transform";
    case JobStep::Verify:
        return "verify";
    case JobStep::Import:
        return "import";
    }
    return "unknown";
}

Json redactSecrets(const Json &value)
{
    if (value.is_array()) {
        Json copy = Json::array();
        for (const Json &member : value)
            copy.push_back(redactSecrets(member));
        return copy;
    }
    if (value.is_string())
        return redactSecretText(value.get<std::string>());
    if (!value.is_object())
        return value;
    Json copy = Json::object();
    for (const auto &[key, member] : value.items())
        copy[key] =
            isSecretKey(key) ? Json("[redacted]") : redactSecrets(member);
    return copy;
}

JobFolder::JobFolder(QString root) : m_root(std::move(root)) {}

void JobFolder::create() const
{
    for (const QString &dir :
         {m_root, rawExportsDir(), transformedDir(), checkpointsDir()}) {
        if (!QDir().mkpath(dir))
            throw RecoveryError("failed to create folder " + pathText(dir) +
                                ": choose a writable job folder");
    }
}

QString JobFolder::statePath() const
{
    return m_root + QStringLiteral("/job.json");
}
QString JobFolder::auditLogPath() const
{
    return m_root + QStringLiteral("/audit.log");
}
QString JobFolder::manifestPath() const
{
    return m_root + QStringLiteral("/manifest.json");
}
QString JobFolder::deletionRequestPath() const
{
    return m_root + QStringLiteral("/deletion-request.txt");
}
QString JobFolder::verifyResultPath() const
{
    return m_root + QStringLiteral("/verify.json");
}
QString JobFolder::rawExportsDir() const
{
    return m_root + QStringLiteral("/raw");
}
QString JobFolder::transformedDir() const
{
    return m_root + QStringLiteral("/transformed");
}
QString JobFolder::rejectsPath() const
{
    return transformedDir() + QStringLiteral("/rejects.ndjson");
}
QString JobFolder::checkpointsDir() const
{
    return m_root + QStringLiteral("/checkpoints");
}

Json JobFolder::loadState() const
{
    QFile file(statePath());
    if (!file.exists())
        return Json::object();
    if (!file.open(QIODevice::ReadOnly))
        throw RecoveryError("failed to read " + pathText(statePath()) + ": " +
                            file.errorString().toStdString());
    const QByteArray bytes = file.readAll();
    Json state = Json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (!state.is_object())
        throw RecoveryError(pathText(statePath()) +
                            ": invalid job state (not a JSON object): restore "
                            "it from a backup or start a new job folder");
    return state;
}

void JobFolder::saveState(const Json &state) const
{
    writeFile(statePath(), state.dump(2) + "\n");
}

void JobFolder::writeFile(const QString &path, const std::string &text) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(text.data(), qint64(text.size())) != qint64(text.size()) ||
        !file.commit()) {
        throw RecoveryError("failed to write " + pathText(path) + ": " +
                            file.errorString().toStdString());
    }
}

void JobFolder::saveManifest(const std::vector<ManifestEntry> &entries) const
{
    Json files = Json::array();
    for (const ManifestEntry &entry : entries) {
        files.push_back({{"path", entry.path},
                         {"role", entry.role},
                         {"events", entry.events},
                         {"bytes", entry.bytes}});
    }
    writeFile(manifestPath(), Json{{"files", files}}.dump(2) + "\n");
}

std::vector<ManifestEntry> JobFolder::loadManifest() const
{
    QFile file(manifestPath());
    if (!file.exists())
        return {};
    if (!file.open(QIODevice::ReadOnly))
        throw RecoveryError("failed to read " + pathText(manifestPath()) +
                            ": " + file.errorString().toStdString());
    const QByteArray bytes = file.readAll();
    try {
        const Json manifest = Json::parse(bytes.begin(), bytes.end());
        std::vector<ManifestEntry> entries;
        for (const Json &item : manifest.at("files")) {
            entries.push_back({item.at("path").get<std::string>(),
                               item.at("role").get<std::string>(),
                               item.at("events").get<std::int64_t>(),
                               item.at("bytes").get<std::int64_t>()});
        }
        return entries;
    } catch (const Json::exception &error) {
        throw RecoveryError(pathText(manifestPath()) + ": invalid manifest (" +
                            error.what() +
                            "): restore it or start a new job "
                            "folder");
    }
}

bool JobFolder::isDone(JobStep step) const
{
    const Json state = loadState();
    const auto steps = state.find("steps");
    return steps != state.end() && steps->is_object() &&
           steps->contains(jobStepName(step));
}

void JobFolder::markDone(JobStep step) const
{
    Json state = loadState();
    if (!state.contains("steps") || !state["steps"].is_object())
        state["steps"] = Json::object();
    state["steps"][jobStepName(step)] = {{"done_at", utcNow()}};
    saveState(state);
}

std::optional<JobStep>
JobFolder::nextStep(const std::vector<JobStep> &path) const
{
    for (const JobStep step :
         path.empty() ? std::vector<JobStep>(kAllSteps.begin(), kAllSteps.end())
                      : path) {
        if (!isDone(step))
            return step;
    }
    return std::nullopt;
}

void JobFolder::appendAudit(const std::string &action,
                            const Json &details) const
{
    Json entry;
    entry["time"] = utcNow();
    entry["action"] = action;
    const Json redacted = redactSecrets(details);
    if (redacted.is_object()) {
        for (const auto &[key, value] : redacted.items())
            entry[key] = value;
    } else if (!redacted.is_null()) {
        entry["details"] = redacted;
    }

    QFile file(auditLogPath());
    const std::string line =
        entry.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append) ||
        file.write(line.data(), qint64(line.size())) != qint64(line.size()) ||
        !file.flush()) {
        throw RecoveryError("failed to append to " + pathText(auditLogPath()) +
                            ": " + file.errorString().toStdString());
    }
    qCDebug(lcRecovery) << "audit" << action.c_str();
}

} // namespace hsi::recovery
