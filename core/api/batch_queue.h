#pragma once

#include <QString>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace hsi::api {

/// One event as it appears in an input file, before parsing.
struct Record {
    std::string text;
    /// 1-based line of the file where the record starts.
    std::int64_t line = 0;
};

/// Consecutive records of one input file, sent in one request (or split in
/// two after a 413). `index` counts batches from 0 within the file.
struct Batch {
    int fileIndex = 0;
    QString file;
    std::int64_t index = 0;
    std::vector<Record> records;
};

/// A bounded queue from the reading thread to the sending threads, so that
/// memory stays at a few batches however large the input is.
class BatchQueue {
public:
    explicit BatchQueue(std::size_t capacity)
        : m_capacity(capacity < 1 ? 1 : capacity)
    {
    }

    /// Waits for room; returns false when the queue was closed.
    bool push(Batch &&batch)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(
            lock, [this] { return m_closed || m_items.size() < m_capacity; });
        if (m_closed)
            return false;
        m_items.push_back(std::move(batch));
        m_changed.notify_all();
        return true;
    }

    /// Waits for a batch; returns false once the queue is closed and empty.
    bool pop(Batch &batch)
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_closed || !m_items.empty(); });
        if (m_items.empty())
            return false;
        batch = std::move(m_items.front());
        m_items.pop_front();
        m_changed.notify_all();
        return true;
    }

    /// Ends the queue: pending batches are still handed out, pushes fail.
    void close()
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        m_changed.notify_all();
    }

private:
    std::size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Batch> m_items;
    bool m_closed = false;
};

} // namespace hsi::api
