#include "commands.h"

namespace hsi::cli {

int runGenerate(const QStringList &) { return ExitOk; }

} // namespace hsi::cli
