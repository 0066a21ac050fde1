#include "hsi/api/connection_test.h"

#include "api_log.h"
#include "hsi/civil_date.h"
#include "http_session.h"

#include <QDateTime>

namespace hsi::api {

namespace {

HttpResponse probe(const QString &exportUrl, const ConnectionSettings &settings,
                   const Credentials &credentials)
{
    const qint64 nowSeconds = QDateTime::currentSecsSinceEpoch();
    const std::string yesterday = formatDay(dayOfEpochSeconds(nowSeconds) - 1);
    std::string url = exportUrl.toStdString() + "?from_date=" + yesterday +
                      "&to_date=" + yesterday + "&limit=1";
    if (credentials.kind() == Credentials::Kind::ServiceAccount)
        url += "&project_id=" + std::to_string(settings.projectId);

    HttpSession session(credentials, settings.connectTimeoutSeconds);
    HttpRequest request;
    request.url = url;
    request.stallTimeoutSeconds = 60;
    // The body is not needed because the status decides the verdict.
    return session.perform(request, [](std::string_view) { return true; });
}

ConnectionDiagnosis
diagnoseUnauthorized(ConnectionDiagnosis diagnosis,
                     const ConnectionSettings &settings,
                     const Credentials &credentials,
                     const std::vector<RegionProbe> &alternatives)
{
    for (const RegionProbe &alternative : alternatives) {
        const HttpResponse response =
            probe(alternative.endpoints.exportUrl, settings, credentials);
        if (response.status == 200 || response.status == 403) {
            diagnosis.verdict = ConnectionVerdict::WrongRegion;
            diagnosis.suggestedRegion = alternative.region;
            diagnosis.explanation =
                QStringLiteral(
                    "The %1 region rejected the credentials but the %2 region "
                    "accepted them: the project's data lives in %2. Choose "
                    "region \"%2\".")
                    .arg(regionName(settings.region),
                         regionName(alternative.region));
            return diagnosis;
        }
    }
    diagnosis.verdict = ConnectionVerdict::WrongCredentials;
    diagnosis.explanation =
        QStringLiteral(
            "Mixpanel rejected %1 in every region tried. Check the service "
            "account name and secret (or the API secret), and that the "
            "account belongs to project %2.")
            .arg(credentials.describe())
            .arg(settings.projectId);
    return diagnosis;
}

/// Sets the verdict and explanation for every result except 401.
void explain(ConnectionDiagnosis &diagnosis, const HttpResponse &response,
             const ConnectionSettings &settings, const Credentials &credentials)
{
    if (response.transportCode != 0 || response.status == 0) {
        diagnosis.verdict = ConnectionVerdict::Unreachable;
        diagnosis.explanation =
            QStringLiteral("No answer from %1: %2. Check the network, a "
                           "proxy, or the API URL.")
                .arg(settings.endpoints().exportUrl, diagnosis.detail);
    } else if (response.status == 200) {
        diagnosis.verdict = ConnectionVerdict::Ok;
        diagnosis.explanation =
            QStringLiteral("Connected: %1 may export project %2.")
                .arg(credentials.describe())
                .arg(settings.projectId);
    } else if (response.status == 403) {
        diagnosis.verdict = ConnectionVerdict::MissingPermission;
        diagnosis.explanation =
            QStringLiteral("The credentials are valid but may not export "
                           "project %1 (%2). Give the service account a "
                           "role with export access in the project.")
                .arg(settings.projectId)
                .arg(diagnosis.detail);
    } else if (response.status == 400) {
        diagnosis.verdict = ConnectionVerdict::InvalidRequest;
        diagnosis.explanation =
            QStringLiteral("Mixpanel rejected the request (%1). Check the "
                           "project id %2.")
                .arg(diagnosis.detail)
                .arg(settings.projectId);
    } else {
        diagnosis.verdict = ConnectionVerdict::ServerBusy;
        diagnosis.explanation =
            QStringLiteral("Mixpanel is busy or failing (%1). Try again in "
                           "a few minutes.")
                .arg(diagnosis.detail);
    }
}

} // namespace

std::vector<RegionProbe> otherRegions(Region region)
{
    std::vector<RegionProbe> probes;
    for (Region other : {Region::US, Region::EU, Region::India})
        if (other != region)
            probes.push_back({other, regionEndpoints(other)});
    return probes;
}

ConnectionDiagnosis testConnection(const ConnectionSettings &settings,
                                   const Credentials &credentials)
{
    return testConnection(settings, credentials,
                          settings.baseUrl.isEmpty()
                              ? otherRegions(settings.region)
                              : std::vector<RegionProbe>{});
}

ConnectionDiagnosis testConnection(const ConnectionSettings &settings,
                                   const Credentials &credentials,
                                   const std::vector<RegionProbe> &alternatives)
{
    const HttpResponse response =
        probe(settings.endpoints().exportUrl, settings, credentials);
    ConnectionDiagnosis diagnosis;
    diagnosis.httpStatus = static_cast<int>(response.status);
    diagnosis.detail = describeResponse(response, credentials);
    qCInfo(lcApi).noquote() << "connection test:" << diagnosis.detail;

    if (response.status == 401)
        return diagnoseUnauthorized(diagnosis, settings, credentials,
                                    alternatives);
    explain(diagnosis, response, settings, credentials);
    return diagnosis;
}

} // namespace hsi::api
