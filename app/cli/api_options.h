#pragma once

#include "hsi/api/connection.h"
#include "hsi/api/credentials.h"
#include "hsi/api/retry.h"

#include <QCommandLineParser>
#include <QString>
#include <atomic>
#include <optional>

namespace hsi::cli {

/// API the credentials are for. Besides a service account, each accepts a
/// different legacy credential.
enum class ApiUse { Export, Import };

/// Adds --region, --project-id, --api-url, --max-attempts and
/// --retry-base-ms.
void addApiOptions(QCommandLineParser &parser);

/// Connection settings and credentials read from the options and the
/// environment.
struct ApiConnection {
    api::ConnectionSettings settings;
    api::Credentials credentials;
    api::RetrySettings retry;
};

/// Reads the options added by addApiOptions() and the credentials:
/// MIXPANEL_SERVICE_ACCOUNT_USERNAME with MIXPANEL_SERVICE_ACCOUNT_SECRET
/// (needs --project-id), else MIXPANEL_API_SECRET, else (import only)
/// MIXPANEL_PROJECT_TOKEN, else a prompt with echo off when stdin is a
/// terminal. Never from arguments, so that secrets stay out of shell
/// history and process lists. Returns nothing and sets `error` on a usage
/// problem.
std::optional<ApiConnection>
apiConnectionFromParser(const QCommandLineParser &parser, ApiUse use,
                        QString *error);

/// True when stderr is a terminal, where progress lines are drawn.
bool stderrIsTerminal();

/// Makes Ctrl-C set `flag` instead of killing the process, so that a job
/// stops between requests and keeps its manifest or checkpoint consistent.
void cancelOnInterrupt(std::atomic<bool> *flag);

} // namespace hsi::cli
