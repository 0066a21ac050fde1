#include "format.h"

#include "hsi/count_text.h"
#include "hsi/printable.h"

#include <QStringList>
#include <cmath>

namespace hsi::ui {

// The text comes from the core's formatters, so that the desktop program
// and the command line write every count the same way.
QString displayText(const std::string &text)
{
    return toQString(hsi::printable(text));
}

QString formatCount(std::int64_t value)
{
    return QString::fromStdString(hsi::formatCount(value));
}

QString notComputedMark()
{
    return QStringLiteral("\u2013");
}

QString formatUniqueEvents(std::int64_t value)
{
    return value == PairFinding::kNotDetermined ? notComputedMark()
                                                : formatCount(value);
}

QString countOf(std::int64_t count, const char *noun)
{
    return QString::fromStdString(hsi::countOf(count, noun));
}

QString formatBytes(std::int64_t bytes)
{
    return QString::fromStdString(hsi::formatBytes(bytes));
}

QString formatDuration(double seconds)
{
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', 1);
    const auto whole = static_cast<qint64>(std::llround(seconds));
    if (whole < 3600)
        return QStringLiteral("%1 min %2 s")
            .arg(whole / 60)
            .arg(whole % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1 h %2 min")
        .arg(whole / 3600)
        .arg((whole % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString formatDate(Day day)
{
    return toQString(formatDay(day));
}

QTimeZone reportTimeZone(const ScanSettings &settings)
{
    // In a legacy project `time` is already the project's wall-clock time,
    // which is shown unconverted and named as such, not as UTC.
    if (settings.legacyProjectTime) {
        const QString name = QStringLiteral("project time");
        return QTimeZone("project time", 0, name, name);
    }
    QTimeZone zone(QByteArray::fromStdString(settings.timeZone));
    return zone.isValid() ? zone : QTimeZone::utc();
}

namespace {

QString formatWithZone(std::int64_t epochMs, const QTimeZone &zone,
                       const QString &format)
{
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(epochMs, zone);
    const QString abbreviation = zone == QTimeZone::utc()
                                     ? QStringLiteral("UTC")
                                     : time.timeZoneAbbreviation();
    return time.toString(format) + abbreviation;
}

} // namespace

QString formatTime(std::int64_t epochMs, const QTimeZone &zone)
{
    return formatWithZone(epochMs, zone,
                          QStringLiteral("yyyy-MM-dd HH:mm:ss "));
}

QString formatTimeOfDay(std::int64_t epochMs, const QTimeZone &zone)
{
    return formatWithZone(epochMs, zone, QStringLiteral("HH:mm:ss "));
}

QString formatIdFlags(std::uint32_t flags)
{
    QStringList names;
    if (flags & IdFlagPlaceholder)
        names << QStringLiteral("placeholder value");
    if (flags & IdFlagLiteralName)
        names << QStringLiteral("literal name");
    if (flags & IdFlagNumeric)
        names << QStringLiteral("numeric id");
    return names.join(QStringLiteral(", "));
}

QString kindName(ShardKind kind)
{
    return kind == ShardKind::User ? QStringLiteral("user")
                                   : QStringLiteral("group");
}

QString idLabel(ShardKind kind, const std::string &groupKey,
                const std::string &id)
{
    if (kind == ShardKind::User)
        return displayText(id);
    return displayText(groupKey) + QStringLiteral(" = ") + displayText(id);
}

QString likelyCauseLabel(LikelyCause cause, ShardKind kind)
{
    switch (cause) {
    case LikelyCause::StaticIdManyDevices:
        // For a group the evidence counts users, not devices.
        return kind == ShardKind::Group
                   ? QStringLiteral("static group id, many users")
                   : QStringLiteral("static id, many devices");
    case LikelyCause::AutomationFewDevices:
        return QStringLiteral("automation on 1-3 devices");
    case LikelyCause::ServerSideOneId:
        return QStringLiteral("server sends under one id");
    case LikelyCause::DuplicateStorm:
        return QStringLiteral("duplicate events");
    case LikelyCause::Unknown:
        break;
    }
    // An empty cell beside a hot pair would read as missing data.
    return QStringLiteral("no single cause");
}

} // namespace hsi::ui
