#pragma once

#include "hsi/api/credentials.h"

#include <QDateTime>
#include <QString>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hsi::api {

/// One HTTP request as the API client sends it.
struct HttpRequest {
    std::string url;
    /// POST with `body` when true, else GET.
    bool post = false;
    std::string_view body;
    std::vector<std::string> headers;
    /// Abort when fewer than one byte per second arrives for this long.
    /// Exports can take minutes before the first byte, so the default is
    /// generous.
    long stallTimeoutSeconds = 300;
    /// Abort when the whole request takes longer than this; 0 for no limit.
    /// Exports use none because a day can be gigabytes.
    long timeoutSeconds = 0;
};

/// Response to one request. `status` is 0 when no HTTP response arrived.
struct HttpResponse {
    long status = 0;
    /// libcurl's result code; 0 (CURLE_OK) when the transfer completed.
    int transportCode = 0;
    /// libcurl's message for a failed transfer, without credentials.
    QString transportError;
    std::optional<int> retryAfterSeconds;
    std::string contentEncoding;
    /// The body of a non-200 response (at most 64 KiB), or the whole body
    /// when no sink was given.
    std::string body;
    /// True when the sink asked to stop.
    bool aborted = false;
};

/// Retry decision for a response.
enum class Disposition { Success, Retry, Fail };

/// Classifies a response. 200 is a success. 408, 429, 5xx and transport
/// failures (timeouts, refused or dropped connections, cut bodies) may be
/// retried. Every other status fails at once, because resending cannot
/// change the result.
Disposition classify(const HttpResponse &response);

/// Reads a Retry-After value: delay seconds ("120") or an HTTP date ("Wed,
/// 21 Oct 2015 07:28:00 GMT"), which counts from `now`. A date in the past
/// gives 0. Returns nothing for a value in neither form.
std::optional<int> parseRetryAfter(std::string_view value,
                                   const QDateTime &now);

/// Returns a one-line explanation such as "HTTP 401: Invalid credentials"
/// or "connection failed: Couldn't connect to server", with the server's
/// `error` text when the body has one. Never contains the secret.
QString describeResponse(const HttpResponse &response,
                         const Credentials &credentials);

/// A reusable libcurl easy handle with the credentials set, so that
/// consecutive requests on one thread share the connection. Not
/// thread-safe: use one session per thread.
class HttpSession {
public:
    /// Receives body bytes of a 200 response as they arrive; returns false
    /// to abort the transfer.
    using Sink = std::function<bool(std::string_view)>;

    HttpSession(const Credentials &credentials, long connectTimeoutSeconds);
    ~HttpSession();
    HttpSession(const HttpSession &) = delete;
    HttpSession &operator=(const HttpSession &) = delete;

    HttpResponse perform(const HttpRequest &request, const Sink &sink = {});

private:
    void configure(const HttpRequest &request);

    void *m_handle =
        nullptr; // a CURL *, kept opaque so that users need not include curl.h
    Credentials m_credentials;
    long m_connectTimeoutSeconds;
};

} // namespace hsi::api
