#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hsi::detail {

/// Mixes the bits of a 64-bit key so that linear probing spreads sequential
/// keys (the murmur3 finalizer).
inline std::uint64_t mixBits(std::uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    key *= 0xc4ceb9fe1a85ec53ULL;
    key ^= key >> 33;
    return key;
}

/// Returns the slot count, `current` or a power-of-two multiple of it,
/// that fits `count` entries within the 70% load at which the tables grow.
inline std::size_t slotsFor(std::size_t count, std::size_t current)
{
    while (count * 10 > current * 7)
        current *= 2;
    return current;
}

/// Open-addressing hash map from a 64-bit key to a value, with linear
/// probing and no erase. Key and value share one slot, so a lookup costs one
/// cache miss. The scan does one lookup per event, and a node-based
/// std::unordered_map would cost an allocation per pair and several misses.
/// The key UINT64_MAX is reserved to mark empty slots.
template <typename Value> class U64Map {
public:
    static constexpr std::uint64_t kEmptyKey = ~0ULL;

    U64Map() { m_slots.resize(64); }

    /// Returns the value for `key`, inserting a value-initialised one first.
    Value &operator[](std::uint64_t key)
    {
        if ((m_size + 1) * 10 > m_slots.size() * 7)
            rehash(m_slots.size() * 2);
        Slot &slot = m_slots[findSlot(key)];
        if (slot.key == kEmptyKey) {
            slot.key = key;
            slot.value = Value{};
            ++m_size;
        }
        return slot.value;
    }

    const Value *find(std::uint64_t key) const
    {
        const Slot &slot = m_slots[findSlot(key)];
        return slot.key == kEmptyKey ? nullptr : &slot.value;
    }

    std::size_t size() const { return m_size; }
    std::size_t slotCount() const { return m_slots.size(); }

    /// Grows the table now so that `count` entries fit without growing
    /// again, so that slots stay where they are during updateWithin().
    void reserve(std::size_t count)
    {
        const std::size_t capacity = slotsFor(count, m_slots.size());
        if (capacity != m_slots.size())
            rehash(capacity);
    }

    /// The slot where the lookup of `key` starts.
    std::size_t homeSlot(std::uint64_t key) const
    {
        return mixBits(key) & (m_slots.size() - 1);
    }

    /// Like operator[] for a key whose home slot is in [begin, end), but
    /// reads and writes only slots in that range. It returns nullptr when
    /// the lookup would go past `end`. Threads may therefore call it at once
    /// on disjoint ranges, after a reserve() that makes room for every
    /// insert. Each thread counts its inserts in `inserted`, and the caller
    /// passes the sum to addInserted() once all are done.
    Value *updateWithin(std::uint64_t key, std::size_t end,
                        std::size_t &inserted)
    {
        for (std::size_t slot = homeSlot(key); slot < end; ++slot) {
            Slot &candidate = m_slots[slot];
            if (candidate.key == key)
                return &candidate.value;
            if (candidate.key == kEmptyKey) {
                candidate.key = key;
                candidate.value = Value{};
                ++inserted;
                return &candidate.value;
            }
        }
        return nullptr;
    }

    void addInserted(std::size_t count) { m_size += count; }

    /// Calls `visit(key, value)` for every entry in slots [begin, end).
    template <typename Visit>
    void forEachInSlots(std::size_t begin, std::size_t end, Visit &&visit) const
    {
        for (std::size_t slot = begin; slot < end; ++slot) {
            if (m_slots[slot].key != kEmptyKey)
                visit(m_slots[slot].key, m_slots[slot].value);
        }
    }

    /// Starts loading the slot where `key` is looked up first, so that a
    /// loop over many keys overlaps its cache misses.
    void prefetch(std::uint64_t key) const
    {
        __builtin_prefetch(&m_slots[homeSlot(key)]);
    }

    /// Calls `visit(key, value)` for every entry whose value passes
    /// `test`, in no particular order. `test` also runs on empty slots,
    /// whose values are value-initialised; they are skipped after it. When
    /// few entries pass, this costs far less than forEach(): testing the
    /// value first gives a branch that is almost never taken, while the
    /// check for an empty slot goes either way at random.
    template <typename Test, typename Visit>
    void forEachWhere(Test &&test, Visit &&visit) const
    {
        forEachWhereInSlots(0, m_slots.size(), test, visit);
    }

    /// Same as forEachWhere() for the entries in slots [begin, end), so
    /// that threads can read a table in parts.
    template <typename Test, typename Visit>
    void forEachWhereInSlots(std::size_t begin, std::size_t end, Test &&test,
                             Visit &&visit) const
    {
        for (std::size_t slot = begin; slot < end; ++slot) {
            if (test(m_slots[slot].value) && m_slots[slot].key != kEmptyKey)
                visit(m_slots[slot].key, m_slots[slot].value);
        }
    }

    /// Calls `visit(key, value)` for every entry, in no particular order.
    template <typename Visit> void forEach(Visit &&visit) const
    {
        for (const Slot &slot : m_slots) {
            if (slot.key != kEmptyKey)
                visit(slot.key, slot.value);
        }
    }

    template <typename Visit> void forEach(Visit &&visit)
    {
        for (Slot &slot : m_slots) {
            if (slot.key != kEmptyKey)
                visit(slot.key, slot.value);
        }
    }

private:
    struct Slot {
        std::uint64_t key = kEmptyKey;
        Value value{};
    };

    std::size_t findSlot(std::uint64_t key) const
    {
        const std::size_t mask = m_slots.size() - 1;
        std::size_t slot = mixBits(key) & mask;
        while (m_slots[slot].key != kEmptyKey && m_slots[slot].key != key)
            slot = (slot + 1) & mask;
        return slot;
    }

    void rehash(std::size_t capacity)
    {
        std::vector<Slot> old(capacity);
        std::swap(old, m_slots);
        m_size = 0;
        for (Slot &slot : old) {
            if (slot.key != kEmptyKey)
                (*this)[slot.key] = std::move(slot.value);
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_size = 0;
};

/// Open-addressing set of 64-bit hashes, for counting distinct values.
///
/// The set of a hot pair's events grows to hundreds of thousands of values,
/// and each insert would wait on a cache miss. Values are therefore queued,
/// with their slots loaded ahead, and added a batch at a time, so that the
/// loads overlap.
class U64Set {
public:
    U64Set() { m_slots.assign(16, 0); }

    void insert(std::uint64_t value)
    {
        // 0 marks an empty slot, so the value 0 is tracked on its own.
        if (value == 0) {
            m_hasZero = true;
            return;
        }
        __builtin_prefetch(&m_slots[homeSlot(value)]);
        m_queued[m_queuedCount++] = value;
        if (m_queuedCount == kQueueLength)
            addQueued();
    }

    /// Adds the values of `other`, which is left unspecified. The smaller
    /// set is inserted into the larger, so merging a full set into an
    /// empty one costs nothing.
    void merge(U64Set &&other)
    {
        if (other.m_size > m_size)
            std::swap(*this, other);
        merge(static_cast<const U64Set &>(other));
    }

    void merge(const U64Set &other)
    {
        for (std::uint64_t value : other.m_slots) {
            if (value != 0)
                add(value);
        }
        for (std::size_t i = 0; i < other.m_queuedCount; ++i)
            add(other.m_queued[i]);
        m_hasZero = m_hasZero || other.m_hasZero;
    }

    std::size_t size() const
    {
        std::size_t queuedNew = 0;
        for (std::size_t i = 0; i < m_queuedCount; ++i) {
            const std::uint64_t value = m_queued[i];
            const auto earlier = m_queued.begin() + i;
            if (!contains(value) &&
                std::find(m_queued.begin(), earlier, value) == earlier)
                ++queuedNew;
        }
        return m_size + queuedNew + (m_hasZero ? 1 : 0);
    }

private:
    static constexpr std::size_t kQueueLength = 16;

    std::size_t homeSlot(std::uint64_t value) const
    {
        return mixBits(value) & (m_slots.size() - 1);
    }

    bool contains(std::uint64_t value) const
    {
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t slot = homeSlot(value); m_slots[slot] != 0;
             slot = (slot + 1) & mask) {
            if (m_slots[slot] == value)
                return true;
        }
        return false;
    }

    void addQueued()
    {
        for (std::size_t i = 0; i < m_queuedCount; ++i)
            add(m_queued[i]);
        m_queuedCount = 0;
    }

    void add(std::uint64_t value)
    {
        if ((m_size + 1) * 10 > m_slots.size() * 7)
            grow();
        const std::size_t mask = m_slots.size() - 1;
        std::size_t slot = homeSlot(value);
        while (m_slots[slot] != 0) {
            if (m_slots[slot] == value)
                return;
            slot = (slot + 1) & mask;
        }
        m_slots[slot] = value;
        ++m_size;
    }

    void grow()
    {
        std::vector<std::uint64_t> old(m_slots.size() * 2, 0);
        std::swap(old, m_slots);
        m_size = 0;
        for (std::uint64_t value : old) {
            if (value != 0)
                add(value);
        }
    }

    std::vector<std::uint64_t> m_slots;
    std::size_t m_size = 0;
    std::array<std::uint64_t, kQueueLength> m_queued{};
    std::size_t m_queuedCount = 0;
    bool m_hasZero = false;
};

/// Counts of a handful of distinct names, such as event names or
/// libraries. A linear search beats hashing for the few names one id sends.
class NameCounter {
public:
    void add(std::string_view name, std::int64_t count = 1)
    {
        for (auto &entry : m_entries) {
            if (entry.first == name) {
                entry.second += count;
                return;
            }
        }
        m_entries.emplace_back(std::string(name), count);
    }

    void merge(const NameCounter &other)
    {
        for (const auto &[name, count] : other.m_entries)
            add(name, count);
    }

    const std::vector<std::pair<std::string, std::int64_t>> &entries() const
    {
        return m_entries;
    }

private:
    std::vector<std::pair<std::string, std::int64_t>> m_entries;
};

/// Assigns dense indexes to (namespace, text) pairs. Namespace 0 is user ids;
/// namespace k > 0 is the k-th counted group key.
///
/// A lookup is two dependent loads: the slot, which contains 32 bits of the
/// hash and where the id's record starts, and the record, which contains the
/// id's index, namespace and text side by side. With a million ids both
/// miss the cache, so prefetchRecord() lets a caller start the second load
/// early, as prefetch() starts the first.
class IdInterner {
public:
    static constexpr std::uint32_t kNotFound = 0xffffffffu;

    IdInterner() { m_slots.resize(1024); }

    /// Grows the table now so that `count` ids fit without growing again.
    void reserve(std::size_t count)
    {
        const std::size_t capacity = slotsFor(count, m_slots.size());
        if (capacity != m_slots.size())
            rehash(capacity);
        m_entries.reserve(count);
        // The arena would otherwise copy itself each time it doubles. Its
        // records so far predict the size of the rest.
        if (!m_entries.empty() && count > m_entries.size())
            m_arena.reserve(m_arena.size() / m_entries.size() * count);
    }

    /// Returns the index of the id, adding it when new.
    std::uint32_t intern(std::uint32_t space, std::string_view text)
    {
        return intern(space, text, hashOf(space, text));
    }

    /// Same as intern(space, text), with the hash that hashOf() returned
    /// for them, such as the one stored by another interner.
    std::uint32_t intern(std::uint32_t space, std::string_view text,
                         std::uint64_t hash)
    {
        if ((m_entries.size() + 1) * 10 > m_slots.size() * 7)
            rehash(m_slots.size() * 2);
        const std::size_t slot = probe(hash, space, text);
        if (m_slots[slot].record != kEmpty)
            return headerAt(m_slots[slot].record).index;
        const auto index = static_cast<std::uint32_t>(m_entries.size());
        const std::uint32_t record = appendRecord(index, space, text);
        m_slots[slot] = {record, static_cast<std::uint32_t>(hash >> 32)};
        m_entries.push_back({record, space, hash});
        return index;
    }

    /// Returns the index of the id, or kNotFound. Safe to call from several
    /// threads as long as no thread calls intern().
    std::uint32_t find(std::uint32_t space, std::string_view text) const
    {
        return find(space, text, hashOf(space, text));
    }

    std::uint32_t find(std::uint32_t space, std::string_view text,
                       std::uint64_t hash) const
    {
        const Slot &slot = m_slots[probe(hash, space, text)];
        return slot.record == kEmpty ? kNotFound : headerAt(slot.record).index;
    }

    std::size_t size() const { return m_entries.size(); }

    static std::uint64_t hashOf(std::uint32_t space, std::string_view text)
    {
        return mixBits(
            std::hash<std::string_view>{}(text) ^
            (static_cast<std::uint64_t>(space) * 0x9e3779b97f4a7c15ULL));
    }

    /// Starts loading the slot where an id with this hash is looked up.
    void prefetch(std::uint64_t hash) const
    {
        __builtin_prefetch(&m_slots[hash & (m_slots.size() - 1)]);
    }

    /// Starts loading the record of the first id whose slot matches this
    /// hash. Call it once the slot has had time to arrive.
    void prefetchRecord(std::uint64_t hash) const
    {
        const std::size_t mask = m_slots.size() - 1;
        const auto hashHigh = static_cast<std::uint32_t>(hash >> 32);
        for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
            const Slot &candidate = m_slots[slot];
            if (candidate.record == kEmpty)
                return;
            if (candidate.hashHigh == hashHigh) {
                __builtin_prefetch(bytesAt(candidate.record));
                return;
            }
        }
    }

    std::string_view text(std::uint32_t index) const
    {
        return textOf(m_entries[index].record);
    }
    std::uint32_t space(std::uint32_t index) const
    {
        return m_entries[index].space;
    }
    std::uint64_t hash(std::uint32_t index) const
    {
        return m_entries[index].hash;
    }

private:
    /// Records start on 8-byte boundaries, so that a 32-bit record number
    /// addresses 32 GiB of ids.
    static constexpr std::size_t kRecordAlign = 8;
    static constexpr std::uint32_t kEmpty = 0xffffffffu;

    struct Slot {
        std::uint32_t record = kEmpty;
        std::uint32_t hashHigh = 0;
    };
    /// Header of a record in the arena; the text follows it.
    struct Record {
        std::uint32_t index;
        std::uint32_t space;
        std::uint32_t length;
    };
    struct Entry {
        std::uint32_t record;
        std::uint32_t space;
        std::uint64_t hash;
    };

    const char *bytesAt(std::uint32_t record) const
    {
        return m_arena.data() + std::size_t{record} * kRecordAlign;
    }

    Record headerAt(std::uint32_t record) const
    {
        Record header;
        std::memcpy(&header, bytesAt(record), sizeof header);
        return header;
    }

    std::string_view textOf(std::uint32_t record) const
    {
        return {bytesAt(record) + sizeof(Record), headerAt(record).length};
    }

    std::uint32_t appendRecord(std::uint32_t index, std::uint32_t space,
                               std::string_view text)
    {
        const std::size_t offset = m_arena.size();
        const std::size_t bytes = sizeof(Record) + text.size();
        const std::size_t padded =
            (bytes + kRecordAlign - 1) / kRecordAlign * kRecordAlign;
        if ((offset + padded) / kRecordAlign >= kEmpty)
            throw std::length_error("more than 32 GiB of distinct ids");
        m_arena.resize(offset + padded);
        const Record header{index, space,
                            static_cast<std::uint32_t>(text.size())};
        std::memcpy(m_arena.data() + offset, &header, sizeof header);
        std::memcpy(m_arena.data() + offset + sizeof header, text.data(),
                    text.size());
        return static_cast<std::uint32_t>(offset / kRecordAlign);
    }

    /// Returns the slot of the id, or the empty slot where it goes.
    std::size_t probe(std::uint64_t hash, std::uint32_t space,
                      std::string_view text) const
    {
        const std::size_t mask = m_slots.size() - 1;
        const auto hashHigh = static_cast<std::uint32_t>(hash >> 32);
        for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask) {
            const Slot &candidate = m_slots[slot];
            if (candidate.record == kEmpty)
                return slot;
            if (candidate.hashHigh != hashHigh)
                continue;
            const Record header = headerAt(candidate.record);
            if (header.space == space && header.length == text.size() &&
                std::memcmp(bytesAt(candidate.record) + sizeof header,
                            text.data(), text.size()) == 0)
                return slot;
        }
    }

    void rehash(std::size_t capacity)
    {
        m_slots.assign(capacity, Slot{});
        const std::size_t mask = capacity - 1;
        for (const Entry &entry : m_entries) {
            std::size_t slot = entry.hash & mask;
            while (m_slots[slot].record != kEmpty)
                slot = (slot + 1) & mask;
            m_slots[slot] = {entry.record,
                             static_cast<std::uint32_t>(entry.hash >> 32)};
        }
    }

    std::vector<Slot> m_slots;
    std::vector<Entry> m_entries;
    /// Records, each padded to kRecordAlign bytes.
    std::vector<char> m_arena;
};

/// Builds the key of an (id index, day) pair.
inline std::uint64_t pairKey(std::uint32_t idIndex, std::int32_t day)
{
    return (static_cast<std::uint64_t>(idIndex) << 32) |
           static_cast<std::uint32_t>(day);
}

inline std::uint32_t pairIdIndex(std::uint64_t key)
{
    return static_cast<std::uint32_t>(key >> 32);
}

inline std::int32_t pairDay(std::uint64_t key)
{
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(key));
}

} // namespace hsi::detail
