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
/// A checkpoint copies the partial line that starts the next block, so a
/// block boundary inside a longer line gets no checkpoint.
constexpr std::size_t kMaxCheckpointCarry = 64 << 10;

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
    default:
        return "gzip decompression failed";
    }
}

bool isGzipMagic(const std::uint8_t *data, std::size_t size)
{
    return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

bool isPaddingByte(std::uint8_t byte)
{
    return byte == 0 || byte == ' ' || byte == '\t' || byte == '\r' ||
           byte == '\n';
}

void startMember(inflate_state &state)
{
    state.crc_flag = ISAL_GZIP;
}

} // namespace

GzipInflater::GzipInflater(int fd, const GzipCheckpoint *from)
    : m_fd(fd), m_state(std::make_unique<inflate_state>()), m_input(kInputSize),
      m_capacity(kBlockSize)
{
    if (!from || !from->state) {
        isal_inflate_init(m_state.get());
        startMember(*m_state);
        m_state->avail_in = 0;
        return;
    }
    // The state is plain data apart from its buffer pointers, which the
    // next refill and inflateInto() set.
    std::memcpy(m_state.get(), from->state.get(), sizeof(inflate_state));
    m_state->next_in = nullptr;
    m_state->avail_in = 0;
    m_bytesRead = from->compressedOffset;
    m_member = from->member;
    m_memberOffset = from->memberOffset;
    m_memberText = from->memberText;
    m_capacity = from->capacity;
    m_carry = from->carry;
    m_block = from->block;
}

GzipInflater::~GzipInflater() = default;

GzipCheckpoint GzipInflater::checkpoint() const
{
    GzipCheckpoint checkpoint;
    checkpoint.block = m_block;
    checkpoint.compressedOffset = m_bytesRead - m_state->avail_in;
    checkpoint.member = m_member;
    checkpoint.memberOffset = m_memberOffset;
    checkpoint.memberText = m_memberText;
    checkpoint.capacity = m_capacity;
    checkpoint.carry = m_carry;
    auto state = std::make_shared<inflate_state>();
    std::memcpy(state.get(), m_state.get(), sizeof(inflate_state));
    checkpoint.state = std::move(state);
    return checkpoint;
}

bool GzipInflater::refill()
{
    const ssize_t count =
        ::pread(m_fd, m_input.data(), m_input.size(), m_bytesRead);
    if (count < 0) {
        m_error = "read failed: " + std::string(std::strerror(errno));
        return false;
    }
    m_endOfFile = count == 0;
    m_bytesRead += count;
    m_state->next_in = m_input.data();
    m_state->avail_in = static_cast<std::uint32_t>(count);
    return true;
}

// Returns true when the rest of the file is NUL bytes or whitespace, the
// padding that some tools add after the last member. gzip -d decompresses
// such files too, with a warning.
bool GzipInflater::restIsPadding()
{
    for (;;) {
        const std::uint8_t *data = m_state->next_in;
        if (!std::all_of(data, data + m_state->avail_in, isPaddingByte))
            return false;
        m_state->avail_in = 0;
        if (!refill())
            return false;
        if (m_endOfFile)
            return true;
    }
}

// Cuts a full block at its last '\n' and keeps the partial line for the
// next block. Returns false when no line ends in the block: then one line is
// longer than the buffer, which grows instead.
bool GzipInflater::cutFullBlock(TextBlock &block)
{
    const char *begin = block.buffer.data();
    const char *lastNewline =
        static_cast<const char *>(memrchr(begin, '\n', block.size));
    if (!lastNewline) {
        m_capacity *= 2;
        block.buffer.resize(m_capacity + kRecordPadding);
        return false;
    }
    const std::size_t keep = lastNewline - begin + 1;
    m_carry.assign(begin + keep, begin + block.size);
    block.size = keep;
    block.compressedBytesDone = m_bytesRead - m_state->avail_in;
    return true;
}

// Another gzip member follows the end of a member: concatenated gzip files
// are one stream, as gzip -d treats them. Returns false at the end of the
// stream.
bool GzipInflater::startNextMember()
{
    // The magic check below needs two bytes. A read can end between them,
    // so the input is read again from the first byte not yet consumed.
    if (m_state->avail_in < 2 && !m_endOfFile) {
        m_bytesRead -= m_state->avail_in;
        m_state->avail_in = 0;
        if (!refill())
            return false;
    }
    if (m_state->avail_in == 0 && m_endOfFile)
        return false;
    if (!isGzipMagic(m_state->next_in, m_state->avail_in)) {
        // The events already inflated still count, and the file is
        // reported with the error.
        const std::int64_t offset = m_bytesRead - m_state->avail_in;
        if (!restIsPadding() && m_error.empty())
            m_error = "unexpected data after the end of the gzip stream at "
                      "compressed byte " +
                      std::to_string(offset);
        return false;
    }
    isal_inflate_reset(m_state.get());
    startMember(*m_state);
    ++m_member;
    m_memberOffset = m_bytesRead - m_state->avail_in;
    m_memberText = 0;
    return true;
}

void GzipInflater::failInflate(int code)
{
    const std::int64_t offset = m_bytesRead - m_state->avail_in;
    if (code == ISAL_INCORRECT_CHECKSUM) {
        m_error = "gzip checksum mismatch in member " +
                  std::to_string(m_member) + " (compressed bytes " +
                  std::to_string(m_memberOffset) + " to " +
                  std::to_string(offset) +
                  "): its lines were counted, but they may be corrupt, and "
                  "reading stopped there, as gzip -d does; check the file "
                  "with gzip -t and get a new copy";
        return;
    }
    m_error = std::string(inflateErrorText(code)) + " in gzip member " +
              std::to_string(m_member) + " at compressed byte " +
              std::to_string(offset);
}

// Whether the deflate data of the current member ended, so that the text
// inflated from it is whole even when its trailer is missing or wrong.
bool GzipInflater::memberTextEnded() const
{
    const isal_block_state state = m_state->block_state;
    return state == ISAL_BLOCK_INPUT_DONE || state == ISAL_BLOCK_FINISH ||
           state == ISAL_CHECKSUM_CHECK;
}

// Drops the text after the last line end of the last block when a failure
// inside a member's deflate data cut that line short. Passed on, the line
// would be reported as invalid JSON, and its event is lost either way. A
// member that fails before it gives any text cuts nothing: the line before
// it ended with the member before, which gzip -d writes out whole too.
void GzipInflater::dropCutLine(TextBlock &block)
{
    if (m_error.empty() || memberTextEnded() || m_memberText == 0)
        return;
    const char *begin = block.buffer.data();
    const char *lastNewline =
        static_cast<const char *>(memrchr(begin, '\n', block.size));
    const std::size_t keep = lastNewline ? lastNewline - begin + 1 : 0;
    if (keep == block.size)
        return;
    block.size = keep;
    m_error += "; the line that the failure cuts short was not read";
}

// Inflates until the block holds `capacity` bytes. Returns false when the
// stream ended or failed, leaving the last lines in the block.
bool GzipInflater::inflateInto(TextBlock &block, std::size_t capacity)
{
    while (block.size < capacity) {
        if (m_state->avail_in == 0 && !m_endOfFile && !refill())
            return false;
        m_state->next_out =
            reinterpret_cast<std::uint8_t *>(block.buffer.data() + block.size);
        m_state->avail_out = static_cast<std::uint32_t>(capacity - block.size);
        const int result = isal_inflate(m_state.get());
        // Text inflated before a failure is kept, with the same rule for
        // every failure: see dropCutLine().
        const std::size_t produced =
            (capacity - block.size) - m_state->avail_out;
        block.size += produced;
        m_memberText += static_cast<std::int64_t>(produced);
        if (result < 0) {
            failInflate(result);
            return false;
        }
        if (m_state->block_state == ISAL_BLOCK_FINISH) {
            if (!startNextMember())
                return false;
            continue;
        }
        if (m_state->avail_in == 0 && m_endOfFile && produced == 0) {
            m_error = "gzip stream is truncated after " +
                      std::to_string(m_bytesRead) + " compressed bytes";
            return false;
        }
    }
    return true;
}

bool GzipInflater::next(TextBlock &block)
{
    if (m_done)
        return false;
    if (block.buffer.size() < m_capacity + kRecordPadding)
        block.buffer.resize(m_capacity + kRecordPadding);
    block.size = m_carry.size();
    std::copy(m_carry.begin(), m_carry.end(), block.buffer.begin());
    m_carry.clear();
    for (;;) {
        if (!inflateInto(block, m_capacity))
            break;
        if (cutFullBlock(block)) {
            ++m_block;
            return true;
        }
    }
    // The stream ended or failed, so the rest is the last block.
    m_done = true;
    block.compressedBytesDone = m_bytesRead;
    dropCutLine(block);
    if (block.size == 0)
        return false;
    ++m_block;
    return true;
}

bool GzipInflater::nextText(TextBlock &block, std::size_t capacity)
{
    if (m_done)
        return false;
    if (block.buffer.size() < capacity + kRecordPadding)
        block.buffer.resize(capacity + kRecordPadding);
    block.size = 0;
    if (!inflateInto(block, capacity))
        m_done = true;
    return block.size > 0;
}

BlockRangeRead inflateBlockRange(
    const std::string &path, const GzipCheckpoint *from, std::size_t end,
    const std::function<void(std::size_t number, const TextBlock &block)>
        &onBlock,
    const std::atomic<bool> *cancel)
{
    BlockRangeRead read;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        read.error = "cannot open file: " + std::string(std::strerror(errno));
        return read;
    }
    GzipInflater inflater(fd, from);
    const std::int64_t start = from ? from->compressedOffset : 0;
    TextBlock block;
    while (inflater.nextBlock() < end && !(cancel && *cancel)) {
        const std::size_t number = inflater.nextBlock();
        if (!inflater.next(block))
            break;
        onBlock(number, block);
        read.compressedBytes = block.compressedBytesDone - start;
    }
    ::close(fd);
    const bool cancelled = cancel && *cancel;
    if (!cancelled && !inflater.error().empty())
        read.error = inflater.error();
    else if (!cancelled && inflater.nextBlock() < end)
        read.error = "the file ended before block " + std::to_string(end);
    return read;
}

GzipBlockReader::GzipBlockReader(std::string path, CheckpointPlan plan)
    : m_path(std::move(path)), m_plan(plan)
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

bool GzipBlockReader::readToEnd() const
{
    std::lock_guard lock(m_mutex);
    return m_readToEnd;
}

std::vector<GzipCheckpoint> GzipBlockReader::takeCheckpoints()
{
    std::lock_guard lock(m_mutex);
    return std::move(m_checkpoints);
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

TextBlock GzipBlockReader::takeFreeBlock()
{
    std::lock_guard lock(m_mutex);
    if (m_free.empty())
        return {};
    TextBlock block = std::move(m_free.back());
    m_free.pop_back();
    return block;
}

void GzipBlockReader::saveCheckpoint(const GzipInflater &inflater)
{
    const std::size_t block = inflater.nextBlock();
    if (!m_plan.budget || block == 0 || block % m_plan.every != 0 ||
        inflater.ended() || inflater.carrySize() > kMaxCheckpointCarry)
        return;
    if (m_checkpoints.size() >= m_plan.maxKept) {
        const std::size_t every = m_plan.every * 2;
        std::lock_guard lock(m_mutex);
        const std::size_t dropped =
            std::erase_if(m_checkpoints, [every](const GzipCheckpoint &kept) {
                return kept.block % every != 0;
            });
        *m_plan.budget += static_cast<int>(dropped);
        m_plan.every = every;
        if (block % every != 0)
            return;
    }
    if (m_plan.budget->fetch_sub(1) <= 0) {
        ++*m_plan.budget;
        return;
    }
    GzipCheckpoint checkpoint = inflater.checkpoint();
    std::lock_guard lock(m_mutex);
    m_checkpoints.push_back(std::move(checkpoint));
}

void GzipBlockReader::run()
{
    const int fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail("cannot open file: " + std::string(std::strerror(errno)));
    } else {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        GzipInflater inflater(fd);
        while (!m_stopRequested) {
            saveCheckpoint(inflater);
            TextBlock block = takeFreeBlock();
            if (!inflater.next(block))
                break;
            pushBlock(std::move(block));
        }
        if (!inflater.error().empty())
            fail(inflater.error());
        ::close(fd);
        std::lock_guard lock(m_mutex);
        m_readToEnd = inflater.ended() && m_error.empty();
    }
    std::lock_guard lock(m_mutex);
    m_finished = true;
    m_changed.notify_all();
}

} // namespace hsi::detail
