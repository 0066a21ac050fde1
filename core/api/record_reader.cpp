#include "record_reader.h"

#include <QFile>
#include <cstring>
#include <zlib.h>

namespace hsi::api {

namespace {

constexpr std::size_t kReadChunk = 1 << 20;

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

RecordReader::~RecordReader()
{
    if (m_file)
        gzclose(static_cast<gzFile>(m_file));
}

bool RecordReader::open(const QString &path)
{
    m_path = path;
    m_file = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!m_file) {
        m_error = QStringLiteral("cannot open %1: %2")
                      .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    gzbuffer(static_cast<gzFile>(m_file), 256 * 1024);
    return true;
}

std::int64_t RecordReader::filePosition() const
{
    return m_file ? gzoffset(static_cast<gzFile>(m_file)) : 0;
}

void RecordReader::fail(const QString &message)
{
    m_error = m_path + QStringLiteral(": ") + message;
    m_mode = Mode::Done;
}

bool RecordReader::fill()
{
    if (m_eof)
        return false;
    // Drop consumed bytes so the buffer holds at most one partial record.
    m_bufferOffset += static_cast<std::int64_t>(m_position);
    m_buffer.erase(0, m_position);
    m_position = 0;

    const std::size_t old = m_buffer.size();
    m_buffer.resize(old + kReadChunk);
    const int read = gzread(static_cast<gzFile>(m_file), m_buffer.data() + old,
                            static_cast<unsigned>(kReadChunk));
    if (read < 0) {
        int code = 0;
        fail(QStringLiteral("read failed at byte %1: %2")
                 .arg(m_bufferOffset + static_cast<std::int64_t>(old))
                 .arg(QString::fromUtf8(
                     gzerror(static_cast<gzFile>(m_file), &code))));
        m_buffer.resize(old);
        return false;
    }
    m_buffer.resize(old + static_cast<std::size_t>(read));
    if (read == 0)
        m_eof = true;
    return read > 0;
}

bool RecordReader::skipWhitespace()
{
    for (;;) {
        while (m_position < m_buffer.size() && isSpace(m_buffer[m_position]))
            ++m_position;
        if (m_position < m_buffer.size())
            return true;
        if (!fill())
            return false;
    }
}

bool RecordReader::next(Record &record)
{
    if (!m_file)
        return false;
    if (m_mode == Mode::Unknown) {
        if (!skipWhitespace()) {
            m_mode = Mode::Done;
            return false;
        }
        // A file whose first character is '[' is one JSON array; anything
        // else is read as one event per line.
        if (m_buffer[m_position] == '[') {
            m_mode = Mode::Array;
            ++m_position;
        } else {
            m_mode = Mode::Lines;
        }
    }
    if (m_mode == Mode::Lines)
        return nextLine(record);
    if (m_mode == Mode::Array)
        return nextElement(record);
    return false;
}

bool RecordReader::nextLine(Record &record)
{
    for (;;) {
        std::size_t scanFrom = m_position;
        std::size_t newline;
        while ((newline = m_buffer.find('\n', scanFrom)) == std::string::npos) {
            scanFrom = m_buffer.size() - m_position;
            if (!fill()) {
                newline = m_buffer.size();
                break;
            }
            scanFrom += m_position;
        }
        if (m_position >= m_buffer.size() && m_eof)
            return false;

        std::size_t begin = m_position;
        std::size_t end = newline;
        m_position = newline < m_buffer.size() ? newline + 1 : newline;
        while (begin < end && isSpace(m_buffer[begin]))
            ++begin;
        while (end > begin && isSpace(m_buffer[end - 1]))
            --end;
        if (begin == end)
            continue;
        record.text.assign(m_buffer, begin, end - begin);
        record.offset = m_bufferOffset + static_cast<std::int64_t>(begin);
        record.number = ++m_records;
        return true;
    }
}

bool RecordReader::nextElement(Record &record)
{
    // Skip the separator before the element, or see the array's end.
    if (!skipWhitespace()) {
        fail(QStringLiteral("the JSON array is not closed"));
        return false;
    }
    if (m_buffer[m_position] == ',' && m_records > 0) {
        ++m_position;
        if (!skipWhitespace()) {
            fail(QStringLiteral("the JSON array is not closed"));
            return false;
        }
    }
    if (m_buffer[m_position] == ']') {
        m_mode = Mode::Done;
        return false;
    }

    // Scan to the end of one element, tracking strings and nesting.
    const std::int64_t start =
        m_bufferOffset + static_cast<std::int64_t>(m_position);
    std::size_t cursor = m_position;
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    for (;;) {
        if (cursor >= m_buffer.size()) {
            const std::size_t consumed = cursor - m_position;
            if (!fill()) {
                fail(QStringLiteral("the JSON array ends inside an element "
                                    "starting at byte %1")
                         .arg(start));
                return false;
            }
            cursor = m_position + consumed;
            continue;
        }
        const char c = m_buffer[cursor];
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                break; // the array's closing bracket after a scalar
            --depth;
            if (depth == 0) {
                ++cursor;
                break;
            }
        } else if (c == ',' && depth == 0) {
            break;
        }
        ++cursor;
    }

    std::size_t end = cursor;
    while (end > m_position && isSpace(m_buffer[end - 1]))
        --end;
    record.text.assign(m_buffer, m_position, end - m_position);
    record.offset = start;
    record.number = ++m_records;
    m_position = cursor;
    return true;
}

} // namespace hsi::api
