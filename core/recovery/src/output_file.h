#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <zlib.h>

namespace hsi::recovery::detail {

/// A text file written under `<path>.partial` and renamed to `path` by
/// commit(), compressed with gzip when `path` ends in ".gz". A file that is
/// never committed is removed by the destructor.
class OutputFile {
public:
    /// Throws RecoveryError naming the path when it cannot be created.
    explicit OutputFile(std::string path);
    ~OutputFile();

    OutputFile(const OutputFile &) = delete;
    OutputFile &operator=(const OutputFile &) = delete;

    /// Writes `line` and a '\n'. Throws RecoveryError on a write error.
    void writeLine(std::string_view line);
    /// Flushes, closes and renames the file. Throws RecoveryError on error.
    void commit();

    const std::string &path() const { return m_path; }

private:
    /// Throws RecoveryError with `failure`, the system error and a hint.
    [[noreturn]] void fail(const std::string &failure) const;

    std::string m_path;
    std::string m_partialPath;
    std::FILE *m_plain = nullptr;
    gzFile m_gzip = nullptr;
};

} // namespace hsi::recovery::detail
