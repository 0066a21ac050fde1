#include "recovery_fixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>

namespace hsi::test {

namespace {

/// 2024-03-01T00:00:00Z.
constexpr qint64 kDaySeconds = 1709251200;
/// mp_processing_time_ms of the event ingested after the threshold: 2100.
constexpr qint64 kFutureProcessingMs = 4102444800000;

QJsonObject makeEvent(const QString &name, QJsonObject properties,
                      qint64 secondsIntoDay, qint64 processingMs = 0)
{
    const qint64 timeMs = (kDaySeconds + secondsIntoDay) * 1000;
    properties.insert(QStringLiteral("time"), timeMs);
    properties.insert(QStringLiteral("mp_processing_time_ms"),
                      processingMs ? processingMs : timeMs + 60000);
    return {{QStringLiteral("event"), name},
            {QStringLiteral("properties"), properties}};
}

QJsonObject purchase(const QString &buyer, const QJsonValue &company,
                     const QString &insertId, qint64 secondsIntoDay,
                     qint64 processingMs = 0)
{
    return makeEvent(QStringLiteral("Purchase"),
                     {{QStringLiteral("distinct_id"), buyer},
                      {QStringLiteral("company_id"), company},
                      {QStringLiteral("$insert_id"), insertId}},
                     secondsIntoDay, processingMs);
}

std::vector<QJsonObject> fixtureEvents()
{
    std::vector<QJsonObject> events;
    for (int i = 0; i < 5; ++i)
        events.push_back(makeEvent(
            QStringLiteral("Page View"),
            {{QStringLiteral("distinct_id"), QStringLiteral("u-hot")},
             {QStringLiteral("$insert_id"), QStringLiteral("pv-%1").arg(i)}},
            100 + i));
    for (int i = 0; i < 7; ++i)
        events.push_back(makeEvent(
            QStringLiteral("$hotshard_events"),
            {{QStringLiteral("distinct_id"), QString()},
             {QStringLiteral("mp_original_event_name"),
              QStringLiteral("Page View")},
             {QStringLiteral("mp_original_distinct_id"),
              QStringLiteral("u-hot")},
             {QStringLiteral("$user_id"), QStringLiteral("user-%1").arg(i)},
             {QStringLiteral("$insert_id"), QStringLiteral("hs-%1").arg(i)}},
            200 + i));
    const QString acme = QStringLiteral("acme");
    for (int i = 0; i < 8; ++i)
        events.push_back(purchase(QStringLiteral("buyer-%1").arg(i), acme,
                                  QStringLiteral("gp-%1").arg(i), 300 + i));
    events.push_back(purchase(QStringLiteral("buyer-late"), acme,
                              QStringLiteral("gp-late"), 400,
                              kFutureProcessingMs));
    events.push_back(purchase(QStringLiteral("buyer-list"),
                              QJsonArray{acme, QStringLiteral("globex")},
                              QStringLiteral("gp-list"), 401));
    events.push_back(purchase(QStringLiteral("buyer-west"),
                              QStringLiteral("acme-west"),
                              QStringLiteral("gp-west"), 402));
    for (int i = 0; i < 2; ++i)
        events.push_back(purchase(QStringLiteral("globex-%1").arg(i),
                                  QStringLiteral("globex"),
                                  QStringLiteral("gx-%1").arg(i), 500 + i));
    return events;
}

} // namespace

void writeRecoveryFixture(const QString &dataDir)
{
    QFile file(dataDir + QStringLiteral("/incident.ndjson"));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("failed to write %s", qPrintable(file.fileName()));
    for (const QJsonObject &event : fixtureEvents())
        file.write(QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n');
}

ScanSettings recoveryScanSettings()
{
    ScanSettings settings;
    settings.userLimit = 5;
    settings.groupLimit = 5;
    settings.groupKeys = {"company_id"};
    settings.threads = 1;
    return settings;
}

QStringList distinctIds(const std::vector<QJsonObject> &events)
{
    QStringList ids;
    for (const QJsonObject &event : events)
        ids << event.value(QStringLiteral("properties"))
                   .toObject()
                   .value(QStringLiteral("distinct_id"))
                   .toString();
    ids.sort();
    return ids;
}

int countWithProperty(const std::vector<QJsonObject> &events,
                      const QString &key, const QString &value)
{
    return static_cast<int>(std::count_if(
        events.begin(), events.end(), [&](const QJsonObject &event) {
            const QJsonValue property =
                event.value(QStringLiteral("properties")).toObject().value(key);
            return property.isString() && property.toString() == value;
        }));
}

QStringList expectedUserPathIds()
{
    QStringList ids;
    for (int i = 0; i < 7; ++i)
        ids << QStringLiteral("user-%1").arg(i);
    return ids;
}

QStringList expectedGroupPathIds()
{
    QStringList ids;
    for (int i = 0; i < 8; ++i)
        ids << QStringLiteral("buyer-%1").arg(i);
    ids << QStringLiteral("buyer-list");
    ids.sort();
    return ids;
}

} // namespace hsi::test
