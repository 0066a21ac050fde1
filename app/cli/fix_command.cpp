#include "commands.h"

#include <cstdio>

namespace hsi::cli {

int runFix(const QStringList &)
{
    std::fprintf(stderr, "hotshard fix: not available in this build\n");
    return ExitUsage;
}

} // namespace hsi::cli
