#include "hsi/api/connection.h"

namespace hsi::api {

std::optional<Region> parseRegion(const QString &text)
{
    const QString name = text.trimmed().toLower();
    if (name == QLatin1String("us"))
        return Region::US;
    if (name == QLatin1String("eu"))
        return Region::EU;
    if (name == QLatin1String("in"))
        return Region::India;
    return std::nullopt;
}

QString regionName(Region region)
{
    switch (region) {
    case Region::US:
        return QStringLiteral("us");
    case Region::EU:
        return QStringLiteral("eu");
    case Region::India:
        return QStringLiteral("in");
    }
    return QString();
}

Endpoints regionEndpoints(Region region)
{
    switch (region) {
    case Region::EU:
        return {QStringLiteral("https://data-eu.mixpanel.com/api/2.0/export"),
                QStringLiteral("https://api-eu.mixpanel.com/import")};
    case Region::India:
        return {QStringLiteral("https://data-in.mixpanel.com/api/2.0/export"),
                QStringLiteral("https://api-in.mixpanel.com/import")};
    case Region::US:
        break;
    }
    return {QStringLiteral("https://data.mixpanel.com/api/2.0/export"),
            QStringLiteral("https://api.mixpanel.com/import")};
}

Endpoints endpointsForBaseUrl(const QString &baseUrl)
{
    QString base = baseUrl;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return {base + QStringLiteral("/api/2.0/export"),
            base + QStringLiteral("/import")};
}

Endpoints ConnectionSettings::endpoints() const
{
    if (!baseUrl.isEmpty())
        return endpointsForBaseUrl(baseUrl);
    return regionEndpoints(region);
}

} // namespace hsi::api
