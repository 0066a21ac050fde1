#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <vector>

namespace hsi::test {

/// Credentials the test server accepts by default.
inline constexpr char kServiceUser[] = "hsi-test.12345.mp-service-account";
inline constexpr char kServiceSecret[] = "test-service-secret";
inline constexpr char kApiSecret[] = "test-api-secret";
inline constexpr qint64 kProjectId = 12345;

/// A plain HTTP exchange with the test server's control API.
struct HttpReply {
    long status = 0;
    QByteArray body;
};

HttpReply httpRequest(const QString &url, const QByteArray &postBody = {},
                      bool post = false);

/// Runs tests/server/mixpanel_test_server.py on a free loopback port for
/// the lifetime of the object.
class TestServer {
public:
    /// Starts the server with `arguments` added to its command line.
    /// Check isRunning() afterwards.
    explicit TestServer(const QString &dataDir, const QString &stateDir,
                        const QStringList &arguments = {});
    ~TestServer();

    bool isRunning() const { return m_port > 0; }
    QString errorText() const { return m_error; }
    QString baseUrl() const;

    /// Installs fault rules, for example
    /// `{"path": "/import", "kind": "429", "count": 2}`.
    bool setFaults(const std::vector<QJsonObject> &rules);
    bool setMaxBodyBytes(qint64 bytes);
    /// Parsed GET /_test/stats.
    QJsonObject stats();
    /// Requests received on `path` so far.
    int requestCount(const QString &path);
    /// Stored imported events, one JSON object each.
    std::vector<QJsonObject> importedEvents();

private:
    QProcess m_process;
    int m_port = 0;
    QString m_error;
};

/// Writes `count` export-style events spread over `days` days starting at
/// `firstDaySeconds` (UTC midnight) as NDJSON to `path`.
void writeEvents(const QString &path, int count, int days,
                 qint64 firstDaySeconds,
                 const QString &idPrefix = QStringLiteral("ev"));

} // namespace hsi::test
