#pragma once

#include "hsi/record_reader.h"
#include "text_search.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hsi::detail {

/// An input file as probed before the scan.
struct InputFile {
    std::string path;
    std::int64_t size = 0;
    FileFormat format;
    /// Set when the file could not be opened or is not a regular file.
    std::string openError;
};

/// A unit of work: a byte range of a plain line-layout file, or a whole file.
/// Chunks are numbered in input order, which stands for ingestion order.
struct Chunk {
    std::size_t fileIndex = 0;
    std::int64_t begin = 0;
    std::int64_t end = 0;
    /// Index of this chunk among the chunks of its file.
    int part = 0;
};

InputFile probeInputFile(const std::string &path);

/// Splits plain line-layout files into byte ranges so that both cores work
/// on one large file; gzip and JSON array files stay whole. The ranges of a
/// file are cut at line starts later, when they are read.
/// `chunkBytes` overrides the range size when above 0.
std::vector<Chunk> planChunks(const std::vector<InputFile> &files, int threads,
                              std::int64_t chunkBytes = 0);

/// Bytes per step of a plain range unless a caller gives another size.
inline constexpr std::int64_t kDefaultStepBytes = 8 << 20;

/// Called as reading a range of a plain file starts each step of about
/// kDefaultStepBytes or the size given, with the step's byte range in the file,
/// cut at line starts, and the lines of the chunk before it. A later pass can
/// read any step on its own as a chunk of [begin, end).
using StepStart = std::function<void(std::int64_t begin, std::int64_t end,
                                     std::int64_t linesBefore)>;

/// Reads the records of one chunk. For a range of a plain file, the chunk
/// owns the lines that start inside [begin, end), and `onStep` is called at
/// each step of `stepBytes` (0 for kDefaultStepBytes). Other chunks ignore
/// both.
ReadResult readChunk(const InputFile &file, const Chunk &chunk,
                     const RecordSink &sink, const std::atomic<bool> *cancel,
                     const ByteProgress &progress, const StepStart &onStep = {},
                     std::int64_t stepBytes = 0);

/// Reads only the lines of a range of a plain line-layout file that contain
/// a needle of `filter`. The text between matches is searched, not split
/// into lines, so line numbers are not counted and the sink receives 0.
ReadResult readMatchingLines(const InputFile &file, const Chunk &chunk,
                             const TextSearch &filter, const RecordSink &sink,
                             const std::atomic<bool> *cancel);

/// Reads only the lines of text in memory, such as an inflated block, that
/// contain a needle of `filter`, as readMatchingLines() does.
ReadResult readMatchingInBlock(const char *data, std::size_t size,
                               const char *readableEnd,
                               const TextSearch &filter, const RecordSink &sink,
                               const std::atomic<bool> *cancel);

/// Whether a chunk is read as a stream of inflated blocks, each parsed on its
/// own so that both cores parse while a third thread inflates.
bool readsAsBlocks(const InputFile &file);

/// Reads the records of one inflated block of a gzip line-layout file.
/// Line numbers count from the start of the block.
ReadResult readBlock(const char *data, std::size_t size,
                     const char *readableEnd, const RecordSink &sink,
                     const std::atomic<bool> *cancel);

} // namespace hsi::detail
