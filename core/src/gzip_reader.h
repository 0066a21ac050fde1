#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hsi::detail {

/// A run of decompressed text that ends at a line boundary (or at the end of
/// the stream), with kRecordPadding spare bytes after `size`.
struct TextBlock {
    std::vector<char> buffer;
    std::size_t size = 0;
    /// Compressed bytes consumed when this block was complete.
    std::int64_t compressedBytesDone = 0;
};

/// Inflates a gzip file (multi-member included) with isa-l on its own thread
/// and hands out line-aligned text blocks, so that inflating and parsing run
/// on separate cores.
class GzipBlockReader {
public:
    explicit GzipBlockReader(std::string path);
    ~GzipBlockReader();

    GzipBlockReader(const GzipBlockReader &) = delete;
    GzipBlockReader &operator=(const GzipBlockReader &) = delete;

    /// Waits for the next block. Returns false at the end of the stream or
    /// after an error (see error()).
    bool next(TextBlock &block);
    /// Gives a consumed block's buffer back for reuse.
    void recycle(TextBlock &&block);
    /// Empty unless the stream was unreadable, corrupt or truncated.
    std::string error() const;
    /// Stops the inflating thread early.
    void stop();

private:
    void run();
    bool inflateAll(int fd);
    void pushBlock(TextBlock &&block);
    TextBlock takeFreeBlock(std::size_t capacity);
    void fail(std::string message);

    std::string m_path;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<TextBlock> m_ready;
    std::vector<TextBlock> m_free;
    std::string m_error;
    bool m_finished = false;
    std::atomic<bool> m_stopRequested{false};
};

} // namespace hsi::detail
