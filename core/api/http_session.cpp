#include "http_session.h"

#include "api_log.h"
#include "credential_access.h"

#include <QLocale>
#include <QTimeZone>
#include <algorithm>
#include <cctype>
#include <curl/curl.h>
#include <mutex>
#include <nlohmann/json.hpp>

namespace hsi::api {

Q_LOGGING_CATEGORY(lcApi, "hsi.api")

namespace {

constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;

struct TransferState {
    CURL *handle = nullptr;
    const HttpSession::Sink *sink = nullptr;
    HttpResponse *response = nullptr;
};

std::size_t writeBody(char *data, std::size_t size, std::size_t count,
                      void *user)
{
    auto *state = static_cast<TransferState *>(user);
    const std::size_t bytes = size * count;
    long status = 0;
    curl_easy_getinfo(state->handle, CURLINFO_RESPONSE_CODE, &status);

    // Only a 200 body goes to the sink. Error bodies are short JSON, kept
    // for the message.
    if (status == 200 && state->sink && *state->sink) {
        if (!(*state->sink)(std::string_view(data, bytes))) {
            state->response->aborted = true;
            return 0;
        }
        return bytes;
    }
    std::string &body = state->response->body;
    const std::size_t room =
        kMaxErrorBodyBytes - std::min(kMaxErrorBodyBytes, body.size());
    if (status == 200 || room > 0)
        body.append(data, status == 200 ? bytes : std::min(room, bytes));
    return bytes;
}

bool startsWithNoCase(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size())
        return false;
    return std::equal(prefix.begin(), prefix.end(), text.begin(),
                      [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                      });
}

std::string headerValue(std::string_view line, std::size_t nameLength)
{
    std::string value(line.substr(nameLength));
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r\n");
    if (first == std::string::npos)
        return std::string();
    return value.substr(first, last - first + 1);
}

std::size_t readHeader(char *data, std::size_t size, std::size_t count,
                       void *user)
{
    auto *response = static_cast<HttpResponse *>(user);
    const std::string_view line(data, size * count);
    if (startsWithNoCase(line, "HTTP/")) {
        // A new response (after a redirect or 100 Continue) starts over.
        response->retryAfterSeconds.reset();
        response->contentEncoding.clear();
    } else if (startsWithNoCase(line, "retry-after:")) {
        response->retryAfterSeconds = parseRetryAfter(
            headerValue(line, 12), QDateTime::currentDateTimeUtc());
    } else if (startsWithNoCase(line, "content-encoding:")) {
        response->contentEncoding = headerValue(line, 17);
    }
    return size * count;
}

void initializeCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

std::optional<int> parseRetryAfter(std::string_view value, const QDateTime &now)
{
    if (value.empty())
        return std::nullopt;
    if (std::all_of(value.begin(), value.end(), ::isdigit)) {
        // Nine digits are over 31 years, far beyond any sensible wait.
        return std::stoi(std::string(value.substr(0, 9)));
    }
    // HTTP dates are always in the IMF-fixdate form with English names and
    // GMT, so the C locale reads them.
    QDateTime date = QLocale::c().toDateTime(
        QString::fromLatin1(value.data(), static_cast<qsizetype>(value.size())),
        QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    date.setTimeZone(QTimeZone::utc());
    if (!date.isValid())
        return std::nullopt;
    const qint64 seconds = now.secsTo(date);
    return static_cast<int>(std::clamp<qint64>(seconds, 0, 999'999'999));
}

namespace {

QString serverMessage(const std::string &body)
{
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object()) {
        const auto error = json.find("error");
        if (error != json.end() && error->is_string())
            return QString::fromStdString(error->get<std::string>());
    }
    std::string text = body.substr(0, 200);
    std::replace(text.begin(), text.end(), '\n', ' ');
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()))
        .trimmed();
}

} // namespace

Disposition classify(const HttpResponse &response)
{
    if (response.transportCode != CURLE_OK || response.status == 0)
        return response.aborted ? Disposition::Fail : Disposition::Retry;
    if (response.status == 200)
        return Disposition::Success;
    if (response.status == 408 || response.status == 429 ||
        response.status >= 500)
        return Disposition::Retry;
    return Disposition::Fail;
}

QString describeResponse(const HttpResponse &response,
                         const Credentials &credentials)
{
    QString text;
    if (response.transportCode != CURLE_OK || response.status == 0) {
        text = QStringLiteral("connection failed: ") + response.transportError;
    } else {
        text = QStringLiteral("HTTP %1").arg(response.status);
        const QString message = serverMessage(response.body);
        if (!message.isEmpty())
            text += QStringLiteral(": ") + message;
    }
    return redactSecret(credentials, text);
}

HttpSession::HttpSession(const Credentials &credentials,
                         long connectTimeoutSeconds)
    : m_credentials(credentials), m_connectTimeoutSeconds(connectTimeoutSeconds)
{
    initializeCurlOnce();
    m_handle = curl_easy_init();
}

HttpSession::~HttpSession()
{
    if (m_handle)
        curl_easy_cleanup(static_cast<CURL *>(m_handle));
}

void HttpSession::configure(const HttpRequest &request)
{
    CURL *handle = static_cast<CURL *>(m_handle);
    curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, m_connectTimeoutSeconds);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME,
                     request.stallTimeoutSeconds);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, request.timeoutSeconds);
    curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    const std::string user = CredentialAccess::basicUser(m_credentials);
    const std::string password = CredentialAccess::basicPassword(m_credentials);
    // libcurl copies both strings, so the locals may go away afterwards.
    curl_easy_setopt(handle, CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, password.c_str());
    if (request.post) {
        curl_easy_setopt(handle, CURLOPT_POST, 1L);
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    } else {
        curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    }
}

HttpResponse HttpSession::perform(const HttpRequest &request, const Sink &sink)
{
    HttpResponse response;
    CURL *handle = static_cast<CURL *>(m_handle);
    if (!handle) {
        response.transportCode = CURLE_FAILED_INIT;
        response.transportError =
            QStringLiteral("libcurl could not create a handle");
        return response;
    }
    configure(request);

    curl_slist *headers = nullptr;
    for (const std::string &header : request.headers)
        headers = curl_slist_append(headers, header.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);

    TransferState state{handle, &sink, &response};
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, writeBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, readHeader);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response);
    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, errorBuffer);

    const CURLcode code = curl_easy_perform(handle);
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
    response.transportCode = code;
    if (code != CURLE_OK) {
        const char *message =
            errorBuffer[0] ? errorBuffer : curl_easy_strerror(code);
        response.transportError =
            redactSecret(m_credentials, QString::fromUtf8(message));
    }

    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(headers);
    return response;
}

} // namespace hsi::api
