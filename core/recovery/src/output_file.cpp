#include "output_file.h"

#include "hsi/recovery/recovery_error.h"

#include <cerrno>
#include <cstring>

namespace hsi::recovery::detail {

namespace {

bool endsWith(const std::string &text, std::string_view suffix)
{
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) ==
               0;
}

} // namespace

OutputFile::OutputFile(std::string path)
    : m_path(std::move(path)), m_partialPath(m_path + ".partial")
{
    if (endsWith(m_path, ".gz"))
        m_gzip = gzopen(m_partialPath.c_str(), "wb6");
    else
        m_plain = std::fopen(m_partialPath.c_str(), "wb");
    if (!m_gzip && !m_plain)
        fail("failed to create " + m_partialPath);
    if (m_gzip)
        gzbuffer(m_gzip, 256 * 1024);
}

OutputFile::~OutputFile()
{
    if (m_plain)
        std::fclose(m_plain);
    if (m_gzip)
        gzclose(m_gzip);
    if (m_plain || m_gzip)
        std::remove(m_partialPath.c_str());
}

void OutputFile::writeLine(std::string_view line)
{
    if (m_plain) {
        if (std::fwrite(line.data(), 1, line.size(), m_plain) != line.size() ||
            std::fputc('\n', m_plain) == EOF)
            fail("failed to write " + m_partialPath);
        return;
    }
    if (!line.empty() &&
        gzwrite(m_gzip, line.data(), static_cast<unsigned>(line.size())) <= 0)
        fail("failed to write " + m_partialPath);
    if (gzputc(m_gzip, '\n') == -1)
        fail("failed to write " + m_partialPath);
}

void OutputFile::commit()
{
    int status = 0;
    if (m_plain) {
        status = std::fclose(m_plain);
        m_plain = nullptr;
    } else if (m_gzip) {
        status = gzclose(m_gzip) == Z_OK ? 0 : -1;
        m_gzip = nullptr;
    }
    if (status != 0) {
        std::remove(m_partialPath.c_str());
        fail("failed to finish writing " + m_partialPath);
    }
    if (std::rename(m_partialPath.c_str(), m_path.c_str()) != 0)
        fail("failed to rename " + m_partialPath + " to " + m_path);
}

[[noreturn]] void OutputFile::fail(const std::string &failure) const
{
    throw RecoveryError(failure + ": " + std::strerror(errno) +
                        ": check that the folder exists and has free space");
}

} // namespace hsi::recovery::detail
