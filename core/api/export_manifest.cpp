#include "export_manifest.h"

#include <QFile>
#include <nlohmann/json.hpp>

namespace hsi::api {

namespace {

using nlohmann::json;

std::string utf8(const QString &text)
{
    return text.toStdString();
}

QString fromJsonString(const json &object, const char *key)
{
    const auto found = object.find(key);
    if (found == object.end() || !found->is_string())
        return QString();
    return QString::fromStdString(found->get<std::string>());
}

json dayToJson(const DayRecord &record)
{
    json day = {{"status", utf8(dayStatusName(record.status))},
                {"bytes", record.bytes},
                {"events", record.events},
                {"attempts", record.attempts},
                {"http_status", record.httpStatus}};
    if (!record.file.isEmpty())
        day["file"] = utf8(record.file);
    if (!record.message.isEmpty())
        day["message"] = utf8(record.message);
    return day;
}

DayRecord dayFromJson(Day date, const json &day)
{
    DayRecord record;
    record.day = date;
    record.status = dayStatusFromName(fromJsonString(day, "status"));
    record.bytes = day.value("bytes", std::int64_t{0});
    record.events = day.value("events", std::int64_t{0});
    record.attempts = day.value("attempts", 0);
    record.httpStatus = day.value("http_status", 0);
    record.file = fromJsonString(day, "file");
    record.message = fromJsonString(day, "message");
    return record;
}

} // namespace

std::optional<ExportManifest> ExportManifest::load(const QString &path,
                                                   QString *error)
{
    QFile file(path);
    if (!file.exists())
        return std::nullopt;
    if (!file.open(QIODevice::ReadOnly)) {
        *error =
            QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    const json root =
        json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
    if (!root.is_object() || !root.contains("days") ||
        !root["days"].is_object()) {
        *error = QStringLiteral("%1 is not an export manifest; move it away or "
                                "choose another output folder")
                     .arg(path);
        return std::nullopt;
    }

    ExportManifest manifest;
    manifest.projectId = root.value("project_id", qint64{0});
    manifest.where = fromJsonString(root, "where");
    for (const json &name : root.value("event", json::array()))
        if (name.is_string())
            manifest.events.append(
                QString::fromStdString(name.get<std::string>()));
    for (const auto &[key, day] : root["days"].items()) {
        const auto date = parseDay(key);
        if (date && day.is_object())
            manifest.days[*date] = dayFromJson(*date, day);
    }
    return manifest;
}

std::string ExportManifest::toJson() const
{
    json root;
    root["version"] = 1;
    root["project_id"] = projectId;
    root["event"] = json::array();
    for (const QString &name : events)
        root["event"].push_back(utf8(name));
    root["where"] = utf8(where);
    json dayObject = json::object();
    for (const auto &[date, record] : days)
        dayObject[formatDay(date)] = dayToJson(record);
    root["days"] = std::move(dayObject);
    return root.dump(2) + "\n";
}

} // namespace hsi::api
