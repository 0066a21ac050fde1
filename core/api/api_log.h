#pragma once

#include <QLoggingCategory>

namespace hsi::api {
Q_DECLARE_LOGGING_CATEGORY(lcApi)
} // namespace hsi::api
