#include "test_server.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <curl/curl.h>

namespace hsi::test {

namespace {

std::size_t appendBody(char *data, std::size_t size, std::size_t count,
                       void *user)
{
    static_cast<QByteArray *>(user)->append(
        data, static_cast<qsizetype>(size * count));
    return size * count;
}

} // namespace

HttpReply httpRequest(const QString &url, const QByteArray &postBody, bool post)
{
    HttpReply reply;
    CURL *handle = curl_easy_init();
    const QByteArray address = url.toUtf8();
    curl_easy_setopt(handle, CURLOPT_URL, address.constData());
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT, 30L);
    if (post) {
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, postBody.constData());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE,
                         static_cast<long>(postBody.size()));
    }
    if (curl_easy_perform(handle) == CURLE_OK)
        curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_easy_cleanup(handle);
    return reply;
}

TestServer::TestServer(const QString &dataDir, const QString &stateDir,
                       const QStringList &arguments)
{
    QStringList command = {
        QStringLiteral(HSI_SOURCE_DIR "/tests/server/mixpanel_test_server.py"),
        QStringLiteral("--state"), stateDir};
    if (!dataDir.isEmpty())
        command << QStringLiteral("--data") << dataDir;
    command << arguments;
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(QStringLiteral("python3"), command);
    if (!m_process.waitForStarted(10000)) {
        m_error =
            QStringLiteral("python3 did not start: ") + m_process.errorString();
        return;
    }
    // The server prints its port on the first line once it listens.
    while (!m_process.canReadLine() && m_process.waitForReadyRead(10000)) {
    }
    const QByteArray line = m_process.readLine().trimmed();
    m_port = line.toInt();
    if (m_port <= 0)
        m_error = QStringLiteral("the test server printed no port: ") +
                  QString::fromUtf8(line);
}

TestServer::~TestServer()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString TestServer::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

bool TestServer::setFaults(const std::vector<QJsonObject> &rules)
{
    QJsonArray array;
    for (const QJsonObject &rule : rules)
        array.append(rule);
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("rules"), array}}).toJson();
    return httpRequest(baseUrl() + QStringLiteral("/_test/faults"), body, true)
               .status == 200;
}

bool TestServer::setMaxBodyBytes(qint64 bytes)
{
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("max_body_bytes"), bytes}})
            .toJson();
    return httpRequest(baseUrl() + QStringLiteral("/_test/config"), body, true)
               .status == 200;
}

QJsonObject TestServer::stats()
{
    return QJsonDocument::fromJson(
               httpRequest(baseUrl() + QStringLiteral("/_test/stats")).body)
        .object();
}

int TestServer::requestCount(const QString &path)
{
    return stats()
        .value(QStringLiteral("requests"))
        .toObject()
        .value(path)
        .toInt();
}

std::vector<QJsonObject> TestServer::importedEvents()
{
    std::vector<QJsonObject> events;
    const QByteArray body =
        httpRequest(baseUrl() + QStringLiteral("/_test/events")).body;
    for (const QByteArray &line : body.split('\n'))
        if (!line.trimmed().isEmpty())
            events.push_back(QJsonDocument::fromJson(line).object());
    return events;
}

void writeEvents(const QString &path, int count, int days,
                 qint64 firstDaySeconds, const QString &idPrefix)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(path));
    for (int i = 0; i < count; ++i) {
        const qint64 time = firstDaySeconds + (i % days) * 86400 + i;
        const QJsonObject properties{
            {QStringLiteral("time"), time * 1000},
            {QStringLiteral("distinct_id"),
             QStringLiteral("user-%1").arg(i % 37)},
            {QStringLiteral("$insert_id"),
             QStringLiteral("%1-%2").arg(idPrefix).arg(i)},
            {QStringLiteral("plan"),
             i % 2 ? QStringLiteral("pro") : QStringLiteral("free")}};
        const QJsonObject event{
            {QStringLiteral("event"), QStringLiteral("Event %1").arg(i % 4)},
            {QStringLiteral("properties"), properties}};
        file.write(QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n');
    }
}

} // namespace hsi::test
