#include "commands.h"

#include <cstdio>

namespace hsi::cli {

int runImport(const QStringList &)
{
    std::fprintf(stderr, "hotshard import: not available in this build\n");
    return ExitUsage;
}

} // namespace hsi::cli
