#pragma once

#include <QString>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hsi::api {

/// Checks an export body as it streams in. It gunzips the body when it
/// starts with the gzip magic bytes and splits it into lines, which may
/// span network chunks. Every line must be a JSON object with an `event`
/// string and a `properties` object. Memory stays bounded by the longest
/// line.
class NdjsonChecker {
public:
    NdjsonChecker();
    ~NdjsonChecker();

    /// Feeds the next bytes as received from the network.
    void feed(std::string_view bytes);
    /// Ends the body. isComplete() then returns whether it was whole.
    void finish();

    bool isGzip() const { return m_gzip; }
    /// Events on complete, valid lines.
    std::int64_t events() const { return m_events; }
    /// Bytes received, as stored on disk.
    std::int64_t receivedBytes() const { return m_received; }
    /// True after finish() when every line was an event and a gzip stream
    /// ended properly.
    bool isComplete() const { return m_finished && m_problem.isEmpty(); }
    /// Reason the body is not complete, naming the line. Empty when complete.
    QString problem() const { return m_problem; }

private:
    void inflate(std::string_view bytes);
    void splitLines(std::string_view text);
    void checkLine(std::string_view line);
    void setProblem(const QString &problem);

    struct Inflater;
    std::unique_ptr<Inflater> m_inflater;
    std::string m_partialLine;
    std::string m_sniffed;
    bool m_sniffDone = false;
    bool m_gzip = false;
    bool m_finished = false;
    std::int64_t m_received = 0;
    std::int64_t m_events = 0;
    std::int64_t m_lines = 0;
    QString m_problem;
};

} // namespace hsi::api
