#include "import_checkpoint.h"

#include "atomic_file.h"

#include <QFile>
#include <nlohmann/json.hpp>

namespace hsi::api {

namespace {

using nlohmann::json;

/// Stores a set of batch indices as [first, last] ranges. Batches are
/// mostly acknowledged in order, so the list stays short.
json rangesToJson(const std::set<std::int64_t> &values)
{
    json ranges = json::array();
    auto it = values.begin();
    while (it != values.end()) {
        const std::int64_t first = *it;
        std::int64_t last = first;
        for (++it; it != values.end() && *it == last + 1; ++it)
            last = *it;
        ranges.push_back({first, last});
    }
    return ranges;
}

bool rangesFromJson(const json &ranges, std::set<std::int64_t> *values)
{
    if (!ranges.is_array())
        return false;
    for (const json &range : ranges) {
        if (!range.is_array() || range.size() != 2 ||
            !range[0].is_number_integer() || !range[1].is_number_integer())
            return false;
        for (auto i = range[0].get<std::int64_t>();
             i <= range[1].get<std::int64_t>(); ++i)
            values->insert(i);
    }
    return true;
}

} // namespace

bool ImportCheckpoint::load(const QString &path, QString *error)
{
    m_path = path;
    QFile file(path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        *error =
            QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.readAll();
    const json root =
        json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
    const QString invalid =
        QStringLiteral("%1 is not a valid import checkpoint; "
                       "move it away to start the job over")
            .arg(path);
    if (!root.is_object() || !root.contains("files") ||
        !root["files"].is_object()) {
        *error = invalid;
        return false;
    }
    m_maxEvents = root.value("max_batch_events", 0);
    m_maxBytes = root.value("max_batch_bytes", std::int64_t{0});
    m_imported = root.value("imported", std::int64_t{0});
    m_rejected = root.value("rejected", std::int64_t{0});
    for (const auto &[name, state] : root["files"].items()) {
        FileState fileState;
        fileState.size = state.value("size", std::int64_t{0});
        fileState.modifiedMs = state.value("modified_ms", std::int64_t{0});
        fileState.imported = state.value("imported", std::int64_t{0});
        fileState.rejected = state.value("rejected", std::int64_t{0});
        if (!rangesFromJson(state.value("acknowledged", json::array()),
                            &fileState.acknowledged)) {
            *error = invalid;
            return false;
        }
        m_files[QString::fromStdString(name)] = std::move(fileState);
    }
    return true;
}

std::string ImportCheckpoint::toJson() const
{
    json files = json::object();
    for (const auto &[name, state] : m_files)
        files[name.toStdString()] = {
            {"size", state.size},
            {"modified_ms", state.modifiedMs},
            {"imported", state.imported},
            {"rejected", state.rejected},
            {"acknowledged", rangesToJson(state.acknowledged)}};
    const json root = {{"version", 1},
                       {"max_batch_events", m_maxEvents},
                       {"max_batch_bytes", m_maxBytes},
                       {"imported", m_imported},
                       {"rejected", m_rejected},
                       {"files", std::move(files)}};
    return root.dump(1) + "\n";
}

bool ImportCheckpoint::save(QString *error) const
{
    return writeFileAtomically(m_path, toJson(), error);
}

bool ImportCheckpoint::checkLimits(int maxEvents, std::int64_t maxBytes,
                                   QString *error)
{
    if (m_maxEvents == 0 && m_files.empty()) {
        m_maxEvents = maxEvents;
        m_maxBytes = maxBytes;
        return true;
    }
    if (m_maxEvents == maxEvents && m_maxBytes == maxBytes)
        return true;
    *error =
        QStringLiteral("%1 was written with batches of %2 events and %3 bytes; "
                       "resume with the same limits or use a new job folder")
            .arg(m_path)
            .arg(m_maxEvents)
            .arg(m_maxBytes);
    return false;
}

bool ImportCheckpoint::checkFile(const QString &file, std::int64_t size,
                                 std::int64_t modifiedMs, QString *error)
{
    const auto found = m_files.find(file);
    if (found == m_files.end()) {
        m_files[file] = FileState{size, modifiedMs, {}};
        return true;
    }
    if (found->second.size == size && found->second.modifiedMs == modifiedMs)
        return true;
    *error = QStringLiteral("%1 changed since the checkpoint %2 was written "
                            "(size or modification time differ); use a new job "
                            "folder to import the new content")
                 .arg(file, m_path);
    return false;
}

bool ImportCheckpoint::isAcknowledged(const QString &file,
                                      std::int64_t batch) const
{
    const auto found = m_files.find(file);
    return found != m_files.end() &&
           found->second.acknowledged.count(batch) > 0;
}

void ImportCheckpoint::acknowledge(const QString &file, std::int64_t batch,
                                   std::int64_t imported, std::int64_t rejected)
{
    FileState &state = m_files[file];
    state.acknowledged.insert(batch);
    state.imported += imported;
    state.rejected += rejected;
    m_imported += imported;
    m_rejected += rejected;
}

} // namespace hsi::api
