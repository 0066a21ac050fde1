#include "commands.h"

#include <cstdio>

namespace hsi::cli {

int runExport(const QStringList &)
{
    std::fprintf(stderr, "hotshard export: not available in this build\n");
    return ExitUsage;
}

} // namespace hsi::cli
