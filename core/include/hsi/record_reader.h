#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace hsi {

/// Bytes that stay readable after every record passed to a RecordSink, as
/// simdjson's parsers require.
inline constexpr std::size_t kRecordPadding = 64;

/// How the records of a file are laid out.
enum class RecordLayout {
    /// One JSON value per line (Mixpanel's export and JSON Pipelines files).
    Lines,
    /// One JSON array whose elements are the records.
    JsonArray,
};

/// What a file turned out to be when it was opened.
struct FileFormat {
    bool gzip = false;
    RecordLayout layout = RecordLayout::Lines;
};

/// Outcome of reading a file or a part of it.
/// A problem in a file's layout that did not stop reading: the line it is
/// on and a message.
struct ReadWarning {
    std::int64_t line = 0;
    std::string message;
};

struct ReadResult {
    /// Empty when the whole range was read; otherwise why reading stopped,
    /// for example a truncated gzip stream.
    std::string error;
    /// Lines (for RecordLayout::Lines) or newline-terminated text lines (for
    /// arrays) consumed, so that callers can number lines across parts.
    std::int64_t lines = 0;
    std::int64_t records = 0;
    bool cancelled = false;
    std::vector<ReadWarning> warnings;
};

/// Receives one record: its text (without the line break, with
/// kRecordPadding readable bytes after it) and its 1-based line number,
/// counted from the start of the part being read.
using RecordSink =
    std::function<void(std::string_view text, std::int64_t line)>;

/// Reports bytes of the file consumed so far (compressed bytes for gzip).
using ByteProgress = std::function<void(std::int64_t bytesDone)>;

/// Opens `path` and sniffs gzip by its magic bytes (not by its name) and the
/// record layout by the first character of the text, inflated for gzip, that
/// is not blank or a byte order mark. Returns false and sets `error` when the
/// file cannot be opened or read, or when a gzip file's first 256 MiB of text
/// are blank.
bool detectFileFormat(const std::string &path, FileFormat &format,
                      std::string &error);

/// Reads every record of a file in order, through gzip (multi-member
/// included) when the file is compressed. Records are split only on '\n'; a
/// trailing '\r' is dropped, blank lines are skipped and a last line without a
/// newline still counts. Memory stays bounded by the longest record.
ReadResult readRecords(const std::string &path, const RecordSink &sink,
                       const std::atomic<bool> *cancel = nullptr,
                       const ByteProgress &progress = {});

} // namespace hsi
