#include "api_options.h"

#include "commands.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace hsi::cli {

namespace {

const char kUserVariable[] = "MIXPANEL_SERVICE_ACCOUNT_USERNAME";
const char kSecretVariable[] = "MIXPANEL_SERVICE_ACCOUNT_SECRET";
const char kApiSecretVariable[] = "MIXPANEL_API_SECRET";
const char kTokenVariable[] = "MIXPANEL_PROJECT_TOKEN";

std::atomic<bool> *g_interruptFlag = nullptr;

void onInterrupt(int)
{
    if (g_interruptFlag)
        g_interruptFlag->store(true);
}

QString environment(const char *name)
{
    return qEnvironmentVariable(name);
}

/// Reads one line from the terminal; with `hidden` set, echo is off while
/// typing.
QString readTerminalLine(const char *prompt, bool hidden)
{
    std::fprintf(stderr, "%s", prompt);
    std::fflush(stderr);
    termios saved{};
    const bool restore = hidden && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (restore) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (restore) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::fprintf(stderr, "\n");
    }
    return QString::fromStdString(line).trimmed();
}

std::optional<api::Credentials> promptCredentials(ApiUse use, QString *error)
{
    if (!isatty(STDIN_FILENO)) {
        *error =
            QStringLiteral(
                "no credentials: set %1 and %2 (with --project-id), or %3")
                .arg(QLatin1String(kUserVariable),
                     QLatin1String(kSecretVariable),
                     QLatin1String(use == ApiUse::Import ? kTokenVariable
                                                         : kApiSecretVariable));
        return std::nullopt;
    }
    const QString user = readTerminalLine(
        "Service account username (empty for a legacy secret): ", false);
    const QString secret = readTerminalLine(
        user.isEmpty() ? (use == ApiUse::Import ? "Project token: "
                                                : "Project API secret: ")
                       : "Service account secret: ",
        true);
    if (secret.isEmpty()) {
        *error = QStringLiteral("no secret was entered");
        return std::nullopt;
    }
    if (!user.isEmpty())
        return api::Credentials::serviceAccount(user, secret);
    return use == ApiUse::Import ? api::Credentials::projectToken(secret)
                                 : api::Credentials::apiSecret(secret);
}

std::optional<api::Credentials> readCredentials(ApiUse use, QString *error)
{
    const QString user = environment(kUserVariable);
    const QString secret = environment(kSecretVariable);
    if (!user.isEmpty() || !secret.isEmpty()) {
        if (user.isEmpty() || secret.isEmpty()) {
            *error = QStringLiteral("set both %1 and %2, or neither")
                         .arg(QLatin1String(kUserVariable),
                              QLatin1String(kSecretVariable));
            return std::nullopt;
        }
        return api::Credentials::serviceAccount(user, secret);
    }
    if (const QString apiSecret = environment(kApiSecretVariable);
        !apiSecret.isEmpty())
        return api::Credentials::apiSecret(apiSecret);
    if (const QString token = environment(kTokenVariable);
        use == ApiUse::Import && !token.isEmpty())
        return api::Credentials::projectToken(token);
    return promptCredentials(use, error);
}

/// Reads --max-attempts and --retry-base-ms.
bool readRetrySettings(const QCommandLineParser &parser,
                       api::RetrySettings &retry, QString *error)
{
    bool ok = false;
    retry.maxAttempts = parser.value(QStringLiteral("max-attempts")).toInt(&ok);
    if (!ok || retry.maxAttempts < 1) {
        *error = QStringLiteral("--max-attempts must be 1 or more");
        return false;
    }
    const int baseMs = parser.value(QStringLiteral("retry-base-ms")).toInt(&ok);
    if (!ok || baseMs < 0) {
        *error = QStringLiteral("--retry-base-ms must be 0 or more");
        return false;
    }
    if (baseMs != 2000) {
        // A custom base scales the cap and the jitter with it.
        retry.baseDelay = std::chrono::milliseconds(baseMs);
        retry.maxDelay = std::chrono::milliseconds(baseMs * 30);
        retry.minJitter = std::chrono::milliseconds(baseMs / 2);
        retry.maxJitter = std::chrono::milliseconds(baseMs * 5 / 2);
    }
    return true;
}

bool readSettings(const QCommandLineParser &parser, ApiConnection &connection,
                  QString *error)
{
    const auto region =
        api::parseRegion(parser.value(QStringLiteral("region")));
    if (!region) {
        *error = QStringLiteral("--region must be us, eu or in, not \"%1\"")
                     .arg(parser.value(QStringLiteral("region")));
        return false;
    }
    connection.settings.region = *region;
    connection.settings.baseUrl = parser.value(QStringLiteral("api-url"));
    if (parser.isSet(QStringLiteral("project-id"))) {
        bool ok = false;
        connection.settings.projectId =
            parser.value(QStringLiteral("project-id")).toLongLong(&ok);
        if (!ok || connection.settings.projectId <= 0) {
            *error = QStringLiteral(
                         "--project-id must be a positive integer, not \"%1\"")
                         .arg(parser.value(QStringLiteral("project-id")));
            return false;
        }
    }
    return readRetrySettings(parser, connection.retry, error);
}

} // namespace

void addApiOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {QStringLiteral("region"),
         QStringLiteral("Data residency of the project: us, eu or in."),
         QStringLiteral("region"), QStringLiteral("us")});
    parser.addOption(
        {QStringLiteral("project-id"),
         QStringLiteral("Numeric project id; required with a service account."),
         QStringLiteral("id")});
    parser.addOption(
        {QStringLiteral("api-url"),
         QStringLiteral("Base URL that replaces both regional hosts "
                        "(export: URL/api/2.0/export, import: URL/import)."),
         QStringLiteral("url")});
    parser.addOption({QStringLiteral("max-attempts"),
                      QStringLiteral("Attempts per request before giving up."),
                      QStringLiteral("n"), QStringLiteral("8")});
    parser.addOption(
        {QStringLiteral("retry-base-ms"),
         QStringLiteral("First backoff delay in milliseconds; it doubles per "
                        "retry up to 30 times this value."),
         QStringLiteral("ms"), QStringLiteral("2000")});
}

std::optional<ApiConnection>
apiConnectionFromParser(const QCommandLineParser &parser, ApiUse use,
                        QString *error)
{
    ApiConnection connection;
    if (!readSettings(parser, connection, error))
        return std::nullopt;
    auto credentials = readCredentials(use, error);
    if (!credentials)
        return std::nullopt;
    if (credentials->kind() == api::Credentials::Kind::ServiceAccount &&
        connection.settings.projectId == 0) {
        *error =
            QStringLiteral("--project-id is required with a service account");
        return std::nullopt;
    }
    connection.credentials = std::move(*credentials);
    return connection;
}

bool stderrIsTerminal()
{
    return isatty(STDERR_FILENO) != 0;
}

void cancelOnInterrupt(std::atomic<bool> *flag)
{
    g_interruptFlag = flag;
    std::signal(SIGINT, onInterrupt);
}

} // namespace hsi::cli
