#include "ndjson_checker.h"

#include <cstring>
#include <simdjson.h>
#include <zlib.h>

namespace hsi::api {

namespace {

constexpr std::size_t kExcerptChars = 60;

QString excerpt(std::string_view line)
{
    const std::string_view cut = line.substr(0, kExcerptChars);
    QString text =
        QString::fromUtf8(cut.data(), static_cast<qsizetype>(cut.size()));
    if (line.size() > kExcerptChars)
        text += QStringLiteral("...");
    return text;
}

} // namespace

struct NdjsonChecker::Inflater {
    z_stream stream{};
    bool streamEnded = false;
    simdjson::dom::parser parser;

    Inflater() { inflateInit2(&stream, 15 + 16); }
    ~Inflater() { inflateEnd(&stream); }
};

NdjsonChecker::NdjsonChecker() : m_inflater(new Inflater) {}

NdjsonChecker::~NdjsonChecker() = default;

void NdjsonChecker::feed(std::string_view bytes)
{
    m_received += static_cast<std::int64_t>(bytes.size());
    if (!m_sniffDone) {
        // The gzip magic bytes decide, never the headers or the file name:
        // small export bodies come back plain even when gzip was requested.
        m_sniffed.append(bytes);
        if (m_sniffed.size() < 2)
            return;
        m_sniffDone = true;
        m_gzip = static_cast<unsigned char>(m_sniffed[0]) == 0x1f &&
                 static_cast<unsigned char>(m_sniffed[1]) == 0x8b;
        bytes = m_sniffed;
    }
    if (m_gzip)
        inflate(bytes);
    else
        splitLines(bytes);
    if (m_sniffDone)
        m_sniffed.clear();
}

void NdjsonChecker::inflate(std::string_view bytes)
{
    z_stream &stream = m_inflater->stream;
    stream.next_in =
        reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
    stream.avail_in = static_cast<uInt>(bytes.size());
    char buffer[64 * 1024];
    while (stream.avail_in > 0 && m_problem.isEmpty()) {
        if (m_inflater->streamEnded) {
            // Another gzip member follows (concatenated gzip is valid).
            inflateReset(&stream);
            m_inflater->streamEnded = false;
        }
        stream.next_out = reinterpret_cast<Bytef *>(buffer);
        stream.avail_out = sizeof buffer;
        const int result = ::inflate(&stream, Z_NO_FLUSH);
        splitLines(std::string_view(buffer, sizeof buffer - stream.avail_out));
        if (result == Z_STREAM_END) {
            m_inflater->streamEnded = true;
        } else if (result != Z_OK && result != Z_BUF_ERROR) {
            setProblem(QStringLiteral("invalid gzip data after %1 bytes: %2")
                           .arg(m_received)
                           .arg(QString::fromUtf8(stream.msg ? stream.msg
                                                             : "zlib error")));
        }
    }
}

void NdjsonChecker::splitLines(std::string_view text)
{
    while (!text.empty()) {
        const auto newline = text.find('\n');
        if (newline == std::string_view::npos) {
            m_partialLine.append(text);
            return;
        }
        if (m_partialLine.empty()) {
            checkLine(text.substr(0, newline));
        } else {
            m_partialLine.append(text.substr(0, newline));
            checkLine(m_partialLine);
            m_partialLine.clear();
        }
        text.remove_prefix(newline + 1);
    }
}

void NdjsonChecker::checkLine(std::string_view line)
{
    ++m_lines;
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.empty() || !m_problem.isEmpty())
        return;

    simdjson::dom::element root;
    const auto error =
        m_inflater->parser.parse(line.data(), line.size()).get(root);
    bool valid = !error && root.is_object();
    if (valid) {
        simdjson::dom::object object = root.get_object().value_unsafe();
        simdjson::dom::element name;
        simdjson::dom::element properties;
        valid = !object["event"].get(name) && name.is_string() &&
                !object["properties"].get(properties) && properties.is_object();
    }
    if (!valid) {
        setProblem(QStringLiteral("line %1 is not an event: %2")
                       .arg(m_lines)
                       .arg(excerpt(line)));
        return;
    }
    ++m_events;
}

void NdjsonChecker::finish()
{
    m_finished = true;
    if (!m_sniffDone && !m_sniffed.empty()) {
        // A one-byte body cannot be gzip, so it is checked as text.
        m_sniffDone = true;
        splitLines(m_sniffed);
    }
    // A cut gzip stream is the cause of any half line it leaves, so it is
    // reported first.
    if (m_gzip && !m_inflater->streamEnded && m_problem.isEmpty())
        setProblem(QStringLiteral("the gzip stream ends early after %1 bytes")
                       .arg(m_received));
    if (!m_partialLine.empty()) {
        // A last line without a newline still counts when it is an event.
        const std::string last = std::move(m_partialLine);
        m_partialLine.clear();
        checkLine(last);
    }
}

void NdjsonChecker::setProblem(const QString &problem)
{
    if (m_problem.isEmpty())
        m_problem = problem;
}

} // namespace hsi::api
