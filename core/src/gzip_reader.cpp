#include "gzip_reader.h"

#include "hsi/record_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <unistd.h>

namespace hsi::detail {

namespace {

constexpr std::size_t kInputSize = 1 << 20;
constexpr std::size_t kBlockSize = 4 << 20;
constexpr std::size_t kMaxQueuedBlocks = 4;

const char *inflateErrorText(int code)
{
    switch (code) {
    case ISAL_INVALID_BLOCK:
    case ISAL_INVALID_SYMBOL:
    case ISAL_INVALID_LOOKBACK:
        return "corrupt deflate data";
    case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
        return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM:
        return "gzip checksum mismatch";
    default:
        return "gzip decompression failed";
    }
}

bool isGzipMagic(const std::uint8_t *data, std::size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

} // namespace

GzipBlockReader::GzipBlockReader(std::string path) : m_path(std::move(path))
{
    m_thread = std::thread([this] { run(); });
}

GzipBlockReader::~GzipBlockReader()
{
    stop();
    if (m_thread.joinable())
        m_thread.join();
}

void GzipBlockReader::stop()
{
    m_stopRequested = true;
    m_changed.notify_all();
}

bool GzipBlockReader::next(TextBlock &block)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_ready.empty() || m_finished; });
    if (m_ready.empty())
        return false;
    block = std::move(m_ready.front());
    m_ready.pop_front();
    m_changed.notify_all();
    return true;
}

void GzipBlockReader::recycle(TextBlock &&block)
{
    std::lock_guard lock(m_mutex);
    if (m_free.size() < kMaxQueuedBlocks + 2)
        m_free.push_back(std::move(block));
}

std::string GzipBlockReader::error() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

void GzipBlockReader::fail(std::string message)
{
    std::lock_guard lock(m_mutex);
    if (m_error.empty())
        m_error = std::move(message);
}

void GzipBlockReader::pushBlock(TextBlock &&block)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] {
        return m_ready.size() < kMaxQueuedBlocks || m_stopRequested;
    });
    m_ready.push_back(std::move(block));
    m_changed.notify_all();
}

TextBlock GzipBlockReader::takeFreeBlock(std::size_t capacity)
{
    TextBlock block;
    {
        std::lock_guard lock(m_mutex);
        if (!m_free.empty()) {
            block = std::move(m_free.back());
            m_free.pop_back();
        }
    }
    block.size = 0;
    if (block.buffer.size() < capacity + kRecordPadding)
        block.buffer.resize(capacity + kRecordPadding);
    return block;
}

void GzipBlockReader::run()
{
    const int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail("cannot open file: " + std::string(std::strerror(errno)));
    } else {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        inflateAll(fd);
        ::close(fd);
    }
    std::lock_guard lock(m_mutex);
    m_finished = true;
    m_changed.notify_all();
}

namespace {

bool isPaddingByte(std::uint8_t byte)
{
    return byte == 0 || byte == ' ' || byte == '\t' || byte == '\r' ||
           byte == '\n';
}

/// Returns true when the rest of the file is NUL bytes or whitespace, the
/// padding that some tools add after the last member. gzip -d decompresses
/// such files too, with a warning.
bool restIsPadding(int fd, const std::uint8_t *data, std::size_t size)
{
    if (!std::all_of(data, data + size, isPaddingByte))
        return false;
    std::vector<std::uint8_t> buffer(64 << 10);
    for (;;) {
        const ssize_t count = ::read(fd, buffer.data(), buffer.size());
        if (count <= 0)
            return count == 0;
        if (!std::all_of(buffer.begin(), buffer.begin() + count, isPaddingByte))
            return false;
    }
}

} // namespace

// Inflates member after member. Output is cut at the last '\n' of each full
// buffer and the partial line is carried into the next buffer, so that every
// block handed out holds whole lines.
bool GzipBlockReader::inflateAll(int fd)
{
    std::vector<std::uint8_t> input(kInputSize);
    inflate_state state;
    isal_inflate_init(&state);
    state.crc_flag = ISAL_GZIP;
    state.avail_in = 0;

    std::int64_t bytesRead = 0;
    bool endOfFile = false;
    std::size_t capacity = kBlockSize;
    TextBlock block = takeFreeBlock(capacity);

    auto refill = [&]() -> bool {
        const ssize_t count = ::read(fd, input.data(), input.size());
        if (count < 0) {
            fail("read failed: " + std::string(std::strerror(errno)));
            return false;
        }
        endOfFile = count == 0;
        bytesRead += count;
        state.next_in = input.data();
        state.avail_in = static_cast<std::uint32_t>(count);
        return true;
    };

    auto flushFullBlock = [&]() {
        char *begin = block.buffer.data();
        const char *lastNewline =
            static_cast<const char *>(memrchr(begin, '\n', block.size));
        if (!lastNewline) {
            // One line is longer than the buffer: grow instead of cutting it.
            capacity *= 2;
            block.buffer.resize(capacity + kRecordPadding);
            return;
        }
        const std::size_t keep = lastNewline - begin + 1;
        TextBlock nextBlock = takeFreeBlock(capacity);
        nextBlock.size = block.size - keep;
        std::memcpy(nextBlock.buffer.data(), begin + keep, nextBlock.size);
        block.size = keep;
        block.compressedBytesDone = bytesRead - state.avail_in;
        pushBlock(std::move(block));
        block = std::move(nextBlock);
    };

    while (!m_stopRequested) {
        if (state.avail_in == 0 && !endOfFile && !refill())
            return false;
        if (block.size == capacity)
            flushFullBlock();

        state.next_out =
            reinterpret_cast<std::uint8_t *>(block.buffer.data() + block.size);
        state.avail_out = static_cast<std::uint32_t>(capacity - block.size);
        const int result = isal_inflate(&state);
        if (result < 0) {
            fail(std::string(inflateErrorText(result)) +
                 " at compressed byte " +
                 std::to_string(bytesRead - state.avail_in));
            break;
        }
        const std::size_t produced = (capacity - block.size) - state.avail_out;
        block.size += produced;

        if (state.block_state == ISAL_BLOCK_FINISH) {
            if (state.avail_in == 0 && !endOfFile && !refill())
                return false;
            if (state.avail_in == 0 && endOfFile)
                break;
            if (!isGzipMagic(state.next_in, state.avail_in)) {
                // The events already inflated still count, and the file is
                // reported with the error.
                const std::int64_t offset = bytesRead - state.avail_in;
                if (!restIsPadding(fd, state.next_in, state.avail_in))
                    fail("unexpected data after the end of the gzip stream "
                         "at compressed byte " +
                         std::to_string(offset));
                break;
            }
            // Another gzip member follows: concatenated gzip files are one
            // stream, as gzip -d treats them.
            isal_inflate_reset(&state);
            state.crc_flag = ISAL_GZIP;
            continue;
        }
        if (state.avail_in == 0 && endOfFile && produced == 0 &&
            block.size < capacity) {
            fail("gzip stream is truncated after " + std::to_string(bytesRead) +
                 " compressed bytes");
            break;
        }
    }
    block.compressedBytesDone = bytesRead;
    if (block.size > 0)
        pushBlock(std::move(block));
    return error().empty();
}

} // namespace hsi::detail
