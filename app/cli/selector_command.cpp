#include "commands.h"

#include <cstdio>

namespace hsi::cli {

int runSelector(const QStringList &)
{
    std::fprintf(stderr, "hotshard selector: not available in this build\n");
    return ExitUsage;
}

} // namespace hsi::cli
