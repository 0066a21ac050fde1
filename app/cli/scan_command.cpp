#include "commands.h"

namespace hsi::cli {

int runScan(const QStringList &) { return ExitOk; }

} // namespace hsi::cli
