#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct inflate_state;

namespace hsi::detail {

/// A run of decompressed text that ends at a line boundary (or at the end of
/// the stream), with kRecordPadding spare bytes after `size`.
struct TextBlock {
    std::vector<char> buffer;
    std::size_t size = 0;
    /// Compressed bytes consumed when this block was complete.
    std::int64_t compressedBytesDone = 0;
};

/// The state from which an inflater can go on at the start of one block, as
/// if it had inflated the whole file up to there. It contains the decoder's
/// state, with the last 32 KiB of output that later data may refer back to,
/// the position in the compressed file, and the block's first partial line.
struct GzipCheckpoint {
    /// The block that starts here, counted from 0 in the file.
    std::size_t block = 0;
    std::int64_t compressedOffset = 0;
    /// The gzip member being inflated, counted from 1, where it starts, and
    /// the bytes of text it gave so far.
    std::size_t member = 1;
    std::int64_t memberOffset = 0;
    std::int64_t memberText = 0;
    std::size_t capacity = 0;
    std::vector<char> carry;
    std::shared_ptr<const inflate_state> state;
};

/// Inflates a gzip file (multi-member included) with isa-l into
/// line-aligned text blocks, on the calling thread. Blocks are cut the same
/// way whether the inflater starts at the beginning of the file or at a
/// checkpoint, so both give the same blocks with the same numbers.
class GzipInflater {
public:
    /// Starts at the beginning of the file open as `fd`, or at `from`.
    explicit GzipInflater(int fd, const GzipCheckpoint *from = nullptr);
    ~GzipInflater();

    GzipInflater(const GzipInflater &) = delete;
    GzipInflater &operator=(const GzipInflater &) = delete;

    /// Fills `block` with the next whole lines. Returns false at the end of
    /// the stream or after an error (see error()). Reading stops at the
    /// first failure, as gzip -d does, and the last block keeps the text
    /// inflated before it. A line that a failure inside a member's deflate
    /// data cuts short is dropped. A checksum mismatch comes after the
    /// member's whole text, so all its lines are kept, unverified.
    bool next(TextBlock &block);
    /// Fills `block` with the next text, up to `capacity` bytes, without
    /// cutting it at a line end, to look at the start of a file. Returns
    /// false at the end of the stream or after an error. Mixing it with
    /// next() would lose text.
    bool nextText(TextBlock &block, std::size_t capacity);
    /// The number of the block that next() returns next.
    std::size_t nextBlock() const { return m_block; }
    /// The length of the partial line that starts the next block.
    std::size_t carrySize() const { return m_carry.size(); }
    /// Whether the stream ended or failed, so that next() returns false.
    bool ended() const { return m_done; }
    /// The state before the next block; valid until next() is called.
    GzipCheckpoint checkpoint() const;
    /// Empty unless the stream was unreadable, corrupt or truncated.
    const std::string &error() const { return m_error; }

private:
    bool refill();
    bool cutFullBlock(TextBlock &block);
    bool inflateInto(TextBlock &block, std::size_t capacity);
    bool startNextMember();
    bool restIsPadding();
    void failInflate(int code);
    bool memberTextEnded() const;
    void dropCutLine(TextBlock &block);

    int m_fd;
    std::unique_ptr<inflate_state> m_state;
    std::vector<std::uint8_t> m_input;
    /// Compressed bytes read from the file so far.
    std::int64_t m_bytesRead = 0;
    bool m_endOfFile = false;
    bool m_done = false;
    /// The gzip member being inflated, counted from 1, where it starts, and
    /// the bytes of text it gave so far.
    std::size_t m_member = 1;
    std::int64_t m_memberOffset = 0;
    std::int64_t m_memberText = 0;
    std::size_t m_capacity;
    std::vector<char> m_carry;
    std::size_t m_block = 0;
    std::string m_error;
};

/// The outcome of inflateBlockRange().
struct BlockRangeRead {
    /// Compressed bytes from the start of the range to its last block read.
    std::int64_t compressedBytes = 0;
    /// Empty unless a block of the range is missing or the stream failed.
    std::string error;
};

/// Inflates the blocks of the gzip file at `path` from `from`, or from the
/// file's start, up to block `end`, and calls `onBlock(number, block)` for
/// each. The range is one that an earlier pass read whole, so a block
/// missing from it is an error: the file changed or became unreadable.
BlockRangeRead inflateBlockRange(
    const std::string &path, const GzipCheckpoint *from, std::size_t end,
    const std::function<void(std::size_t number, const TextBlock &block)>
        &onBlock,
    const std::atomic<bool> *cancel);

/// When a GzipBlockReader saves checkpoints. One costs about 87 KB plus a
/// partial line of at most 64 KiB.
struct CheckpointPlan {
    /// Checkpoints left to save, shared by all readers of a scan; none are
    /// saved without it.
    std::atomic<int> *budget = nullptr;
    /// Blocks from one checkpoint to the next, to start with: 8 blocks are
    /// 32 MiB of text.
    std::size_t every = 8;
    /// The maximum number of checkpoints one file keeps. Past that, every
    /// other one is dropped and the spacing doubles, so a huge file keeps
    /// at most about 4.9 MB of them.
    std::size_t maxKept = 32;
};

/// Runs a GzipInflater on its own thread and hands out its blocks, so that
/// inflating and parsing run on separate cores.
class GzipBlockReader {
public:
    /// The reader saves checkpoints following `plan`, so that a later pass
    /// can inflate parts of the file in parallel.
    explicit GzipBlockReader(std::string path, CheckpointPlan plan = {});
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
    /// Whether the whole stream was inflated without an error, so that
    /// next() handed out its last block; false after stop() cut it short.
    bool readToEnd() const;
    /// Stops the inflating thread early.
    void stop();
    /// The checkpoints saved, in file order; call after next() returned
    /// false.
    std::vector<GzipCheckpoint> takeCheckpoints();

private:
    void run();
    void saveCheckpoint(const GzipInflater &inflater);
    void pushBlock(TextBlock &&block);
    TextBlock takeFreeBlock();
    void fail(std::string message);

    std::string m_path;
    CheckpointPlan m_plan;
    std::vector<GzipCheckpoint> m_checkpoints;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<TextBlock> m_ready;
    std::vector<TextBlock> m_free;
    std::string m_error;
    bool m_finished = false;
    bool m_readToEnd = false;
    std::atomic<bool> m_stopRequested{false};
};

} // namespace hsi::detail
