#include "logging.h"

Q_LOGGING_CATEGORY(lcRecovery, "hsi.recovery", QtInfoMsg)
