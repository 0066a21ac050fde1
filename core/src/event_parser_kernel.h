#pragma once

#include "event_parser.h"

#include <memory>

// simdjson's On-Demand API is compiled for the instruction set of the
// translation unit that includes it, so the kernel is built twice: once for
// AVX2 (Haswell and later) and once for the baseline, and EventParser picks
// one at run time. HSI_PARSER_VARIANT names the namespace of each build.
//
// NOTE: inline functions from standard headers are emitted in both builds and
// the linker keeps one copy, which may be the AVX2 one. The program is
// therefore only tested on CPUs with AVX2.

namespace hsi::detail {

// scanExportLine() reads `text` with the kernel's export line scanner alone
// (see export_line_scanner.h), so that tests can see which records it reads.

namespace haswell {
std::unique_ptr<ParserKernel> makeParserKernel(ParseOptions options);
bool scanExportLine(std::string_view text, const ParseOptions &options,
                    ParsedEvent &event);
} // namespace haswell

namespace generic {
std::unique_ptr<ParserKernel> makeParserKernel(ParseOptions options);
bool scanExportLine(std::string_view text, const ParseOptions &options,
                    ParsedEvent &event);
} // namespace generic

} // namespace hsi::detail
