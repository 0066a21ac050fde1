#include "report_fixture.h"

#include <QFile>
#include <numeric>
#include <random>

namespace hsi::test {

namespace {

const Day kMarch5 = daysFromCivil(2024, 3, 5);
const Day kMarch6 = daysFromCivil(2024, 3, 6);
const Day kMarch7 = daysFromCivil(2024, 3, 7);
// 2024-03-06 00:00:00 UTC in epoch seconds.
constexpr qint64 kMarch6Seconds = 1709683200;

PairFinding makeFinding(ShardKind kind, std::string key, std::string id,
                        Day day, std::int64_t events, std::int64_t limit)
{
    PairFinding finding;
    finding.kind = kind;
    finding.groupKey = std::move(key);
    finding.id = std::move(id);
    finding.day = day;
    finding.events = events;
    finding.uniqueEvents = events;
    finding.limit = limit;
    finding.overLimit = std::max<std::int64_t>(0, events - limit);
    finding.evidence.eventsPerMinute.assign(1440, 0);
    return finding;
}

void addVolume(Report &report, ShardKind kind, std::string key, std::string id,
               std::vector<DayCount> days, std::uint32_t flags = IdFlagNone)
{
    IdVolume volume;
    volume.kind = kind;
    volume.groupKey = std::move(key);
    volume.id = std::move(id);
    volume.idFlags = flags;
    volume.firstDay = static_cast<std::uint32_t>(report.idDays.size());
    volume.dayCount = static_cast<std::uint32_t>(days.size());
    for (const DayCount &day : days) {
        volume.totalEvents += day.events;
        if (day.events > volume.peakEvents) {
            volume.peakEvents = day.events;
            volume.peakDay = day.day;
            volume.peakRemediatedEvents = day.remediatedEvents;
        }
        report.idDays.push_back(day);
    }
    report.ids.push_back(std::move(volume));
}

void addFindings(Report &report)
{
    PairFinding alice =
        makeFinding(ShardKind::User, {}, "alice", kMarch6, 150, 100);
    alice.uniqueEvents = 120;
    alice.remediatedEvents = 30;
    alice.crossing =
        Crossing{"/data/export.json", 101, (kMarch6Seconds + 3600 * 10) * 1000};
    alice.likelyCause = LikelyCause::StaticIdManyDevices;
    alice.likelyCauseText = "3 devices sent events as 'alice'.";
    alice.evidence.topEvents = {{"Page Viewed", 100}, {"Signed In", 50}};
    alice.evidence.libraries = {{"web", 150}};
    alice.evidence.distinctDevices = 3;
    alice.evidence.eventsPerMinute[600] = 150;
    report.hotShards.push_back(alice);

    PairFinding acme =
        makeFinding(ShardKind::Group, "company", "Acme", kMarch6, 600, 500);
    acme.evidence.distinctUsers = 4;
    report.hotShards.push_back(acme);
    report.nearLimit.push_back(
        makeFinding(ShardKind::User, {}, "bob", kMarch5, 80, 100));
    report.nearLimitCount = 1;
}

} // namespace

std::shared_ptr<const Report> makeSmallReport()
{
    auto report = std::make_shared<Report>();
    report->settings.userLimit = 100;
    report->settings.groupLimit = 500;
    report->settings.groupKeys = {"company"};
    report->groupKeys = {"company"};
    report->totals.events = 949;
    report->totals.remediatedEvents = 30;
    report->totals.bytes = 12345;
    report->days = {
        {kMarch5, 90, 0, 0}, {kMarch6, 850, 30, 30}, {kMarch7, 9, 0, 0}};

    addVolume(*report, ShardKind::Group, "company", "Acme",
              {{kMarch6, 600, 0}});
    addVolume(*report, ShardKind::User, {}, "alice", {{kMarch6, 150, 30}});
    addVolume(*report, ShardKind::User, {}, "undefined", {{kMarch6, 100, 0}},
              IdFlagPlaceholder);
    addVolume(*report, ShardKind::User, {}, "bob", {{kMarch5, 80, 0}});
    addVolume(*report, ShardKind::User, {}, "dave", {{kMarch5, 10, 0}});
    addVolume(*report, ShardKind::User, {}, "carol", {{kMarch7, 9, 0}});
    addFindings(*report);

    report->records = {
        {(kMarch6Seconds + 36000) * 1000, "alice", "", "", "/data/export.json",
         102},
        {(kMarch6Seconds + 40000) * 1000, "Acme", "company", "Acme Inc",
         "/data/export.json", 700},
    };
    report->idProblems = {
        {ShardKind::User, {}, "undefined", IdFlagPlaceholder, 100}};

    InputReport input;
    input.path = "/data/export.json";
    input.status = InputReport::Status::Incomplete;
    input.events = 949;
    input.bytes = 12345;
    input.problems = {
        {Problem::Severity::Error, 7, "invalid JSON: missing '}'"},
        {Problem::Severity::Warning, 9, "time is in the future"}};
    input.problemCount = 2;
    report->inputs.push_back(input);
    return report;
}

std::shared_ptr<const Report> makeManyIdsReport(int count)
{
    auto report = std::make_shared<Report>();
    std::vector<int> events(static_cast<std::size_t>(count));
    std::iota(events.begin(), events.end(), 1);
    std::shuffle(events.begin(), events.end(), std::mt19937(7));
    for (int i = 0; i < count; ++i)
        addVolume(*report, ShardKind::User, {}, "user-" + std::to_string(i),
                  {{kMarch5, events[static_cast<std::size_t>(i)], 0}});
    return report;
}

QByteArray eventLine(const char *event, const QByteArray &distinctId,
                     qint64 timeSeconds, const QByteArray &insertId,
                     const QByteArray &extraProperties)
{
    return QByteArrayLiteral("{\"event\":\"") + event +
           QByteArrayLiteral("\",\"properties\":{\"time\":") +
           QByteArray::number(timeSeconds) +
           QByteArrayLiteral(",\"distinct_id\":\"") + distinctId +
           QByteArrayLiteral("\",\"$insert_id\":\"") + insertId +
           QByteArrayLiteral("\",\"mp_lib\":\"web\"") + extraProperties +
           QByteArrayLiteral("}}\n");
}

bool writeFixtureExport(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    const qint64 morning = kMarch6Seconds + 8 * 3600;
    file.write(eventLine("Page Viewed", "bob", morning, "b-0"));
    file.write(eventLine("Page Viewed", "bob", morning + 1, "b-1"));
    file.write("{\"event\": \"Broken\", \"properties\": \n"); // kFixtureBadLine
    for (int i = 0; i < 150; ++i) {
        const QByteArray device =
            ",\"$device_id\":\"device-" + QByteArray::number(i % 3) + '"';
        file.write(eventLine("Signed In", "alice", morning + 60 * i,
                             "a-" + QByteArray::number(i), device));
    }
    for (int i = 2; i < 20; ++i)
        file.write(eventLine("Page Viewed", "bob", morning + 7200 + i,
                             "b-" + QByteArray::number(i)));
    for (int i = 0; i < 130; ++i) {
        const QByteArray user = "member-" + QByteArray::number(i % 5);
        file.write(eventLine("Report Opened", user, morning + 30 * i,
                             "g-" + QByteArray::number(i),
                             ",\"company\":\"Acme\""));
    }
    file.write(
        QByteArrayLiteral(
            "{\"event\":\"$hotshard_record\",\"properties\":{\"time\":") +
        QByteArray::number(morning + 6000) +
        QByteArrayLiteral(
            ",\"distinct_id\":\"\",\"hotshard_distinct_id\":\"alice\"}}\n"));
    return file.error() == QFile::NoError;
}

ScanSettings fixtureSettings()
{
    ScanSettings settings;
    settings.userLimit = 100;
    settings.groupLimit = 100;
    settings.groupKeys = {"company"};
    settings.threads = 1;
    return settings;
}

} // namespace hsi::test
