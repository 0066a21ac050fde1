#include "work_units.h"

namespace hsi::detail {

WorkUnitSource::WorkUnitSource(const std::vector<InputFile> &files,
                               const std::vector<Chunk> &chunks,
                               const std::atomic<bool> *cancel)
    : m_files(files), m_chunks(chunks), m_cancel(cancel)
{
}

WorkUnitSource::~WorkUnitSource() = default;

bool WorkUnitSource::next(WorkUnit &unit, std::int64_t &compressedBytesDone)
{
    std::lock_guard lock(m_mutex);
    unit.isBlock = false;
    unit.readError.clear();
    unit.fileReadToEnd = false;
    compressedBytesDone = -1;
    for (;;) {
        if (m_reader) {
            if (m_cancel && *m_cancel)
                m_reader->stop();
            if (m_reader->next(unit.block)) {
                unit.isBlock = true;
                unit.chunkIndex = m_readerChunk;
                unit.index = m_nextIndex++;
                compressedBytesDone = unit.block.compressedBytesDone;
                return true;
            }
            // An empty unit closes the file and carries its read error.
            unit.block = TextBlock{};
            unit.isBlock = true;
            unit.chunkIndex = m_readerChunk;
            unit.readError = m_reader->error();
            unit.fileReadToEnd = m_reader->readToEnd();
            unit.index = m_nextIndex++;
            // A reader stopped early leaves the progress at its last block.
            if (unit.fileReadToEnd)
                compressedBytesDone =
                    m_files[m_chunks[m_readerChunk].fileIndex].size;
            if (m_keepCheckpoints) {
                m_checkpoints.resize(m_chunks.size());
                m_checkpoints[m_readerChunk] = m_reader->takeCheckpoints();
            }
            m_reader.reset();
            return true;
        }
        if (m_nextChunk >= m_chunks.size())
            return false;
        if (startChunk(unit))
            return true;
    }
}

// Opens the next chunk. Returns true when the chunk is itself the unit to
// hand out, and false when a gzip reader was started or the chunk is
// skipped.
bool WorkUnitSource::startChunk(WorkUnit &unit)
{
    const std::size_t chunkIndex = m_nextChunk++;
    if (chunkIndex < m_firstUnit.size())
        m_nextIndex = m_firstUnit[chunkIndex];
    if (chunkIndex < m_chunksToRead.size() && !m_chunksToRead[chunkIndex])
        return false;
    const InputFile &file = m_files[m_chunks[chunkIndex].fileIndex];
    if (readsAsBlocks(file) && !(m_cancel && *m_cancel)) {
        m_reader = std::make_unique<GzipBlockReader>(
            file.path,
            CheckpointPlan{m_keepCheckpoints ? &m_checkpointBudget : nullptr});
        m_readerChunk = chunkIndex;
        return false;
    }
    unit.chunkIndex = chunkIndex;
    unit.index = m_nextIndex++;
    return true;
}

void WorkUnitSource::readOnly(std::vector<bool> chunksToRead,
                              std::vector<std::size_t> firstUnit)
{
    std::lock_guard lock(m_mutex);
    m_chunksToRead = std::move(chunksToRead);
    m_firstUnit = std::move(firstUnit);
}

void WorkUnitSource::keepCheckpoints()
{
    std::lock_guard lock(m_mutex);
    m_keepCheckpoints = true;
}

std::vector<std::vector<GzipCheckpoint>> WorkUnitSource::takeCheckpoints()
{
    std::lock_guard lock(m_mutex);
    std::vector<std::vector<GzipCheckpoint>> checkpoints =
        std::move(m_checkpoints);
    checkpoints.resize(m_chunks.size());
    return checkpoints;
}

void WorkUnitSource::recycle(WorkUnit &unit)
{
    std::lock_guard lock(m_mutex);
    if (unit.isBlock && m_reader && !unit.block.buffer.empty())
        m_reader->recycle(std::move(unit.block));
}

} // namespace hsi::detail
