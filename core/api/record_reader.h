#pragma once

#include <QString>
#include <cstdint>
#include <string>

namespace hsi::api {

/// One event as it appears in an input file, before parsing.
struct Record {
    std::string text;
    /// Offset of the first byte in the uncompressed stream.
    std::int64_t offset = 0;
    /// 1-based position among the file's records (the line number for
    /// NDJSON without blank lines).
    std::int64_t number = 0;
};

/// Reads events one at a time from an NDJSON file or a file holding one
/// JSON array, either of them optionally gzip-compressed (zlib detects gzip
/// from the magic bytes). Memory is bounded by the largest event.
class RecordReader {
public:
    RecordReader() = default;
    ~RecordReader();
    RecordReader(const RecordReader &) = delete;
    RecordReader &operator=(const RecordReader &) = delete;

    /// Opens `path`; returns false and sets error() when it cannot be read.
    bool open(const QString &path);
    /// Reads the next record; returns false at the end or on an error.
    bool next(Record &record);
    /// Set when reading failed: names the file and the position.
    QString error() const { return m_error; }
    /// Bytes consumed from the file on disk (compressed bytes for gzip).
    std::int64_t filePosition() const;

private:
    bool fill();
    bool nextLine(Record &record);
    bool nextElement(Record &record);
    bool skipWhitespace();
    void fail(const QString &message);

    enum class Mode { Unknown, Lines, Array, Done };

    void *m_file = nullptr; // gzFile, kept opaque to spare users zlib.h
    QString m_path;
    QString m_error;
    Mode m_mode = Mode::Unknown;
    std::string m_buffer;
    std::size_t m_position = 0;
    std::int64_t m_bufferOffset = 0;
    std::int64_t m_records = 0;
    bool m_eof = false;
};

} // namespace hsi::api
