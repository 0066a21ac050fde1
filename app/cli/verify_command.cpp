#include "commands.h"

#include <cstdio>

namespace hsi::cli {

int runVerify(const QStringList &)
{
    std::fprintf(stderr, "hotshard verify: not available in this build\n");
    return ExitUsage;
}

} // namespace hsi::cli
