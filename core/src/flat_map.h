#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
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

/// Open-addressing hash map from a 64-bit key to a value, with linear
/// probing and no erase. The scan's hot path does one lookup per event, and a
/// node-based std::unordered_map costs an allocation per pair and a cache miss
/// per probe.
template <typename Value> class U64Map {
public:
    U64Map() { rehash(64); }

    /// Returns the value for `key`, inserting a value-initialised one first.
    Value &operator[](std::uint64_t key)
    {
        if ((m_size + 1) * 10 > m_keys.size() * 7)
            rehash(m_keys.size() * 2);
        std::size_t slot = findSlot(key);
        if (!m_used[slot]) {
            m_used[slot] = 1;
            m_keys[slot] = key;
            m_values[slot] = Value{};
            ++m_size;
        }
        return m_values[slot];
    }

    const Value *find(std::uint64_t key) const
    {
        const std::size_t slot = findSlot(key);
        return m_used[slot] ? &m_values[slot] : nullptr;
    }

    std::size_t size() const { return m_size; }

    /// Calls `visit(key, value)` for every entry, in no particular order.
    template <typename Visit> void forEach(Visit &&visit) const
    {
        for (std::size_t slot = 0; slot < m_keys.size(); ++slot) {
            if (m_used[slot])
                visit(m_keys[slot], m_values[slot]);
        }
    }

    template <typename Visit> void forEach(Visit &&visit)
    {
        for (std::size_t slot = 0; slot < m_keys.size(); ++slot) {
            if (m_used[slot])
                visit(m_keys[slot], m_values[slot]);
        }
    }

private:
    std::size_t findSlot(std::uint64_t key) const
    {
        const std::size_t mask = m_keys.size() - 1;
        std::size_t slot = mixBits(key) & mask;
        while (m_used[slot] && m_keys[slot] != key)
            slot = (slot + 1) & mask;
        return slot;
    }

    void rehash(std::size_t capacity)
    {
        std::vector<std::uint64_t> keys(capacity);
        std::vector<Value> values(capacity);
        std::vector<std::uint8_t> used(capacity);
        std::swap(keys, m_keys);
        std::swap(values, m_values);
        std::swap(used, m_used);
        m_size = 0;
        for (std::size_t slot = 0; slot < keys.size(); ++slot) {
            if (used[slot])
                (*this)[keys[slot]] = std::move(values[slot]);
        }
    }

    std::vector<std::uint64_t> m_keys;
    std::vector<Value> m_values;
    std::vector<std::uint8_t> m_used;
    std::size_t m_size = 0;
};

/// Assigns dense indexes to (namespace, text) pairs. Namespace 0 is user ids;
/// namespace k > 0 is the k-th counted group key.
class IdInterner {
public:
    IdInterner() { rehash(1024); }

    /// Returns the index of the id, adding it when new.
    std::uint32_t intern(std::uint32_t space, std::string_view text)
    {
        if ((m_texts.size() + 1) * 10 > m_slots.size() * 7)
            rehash(m_slots.size() * 2);
        const std::uint64_t hash = hashOf(space, text);
        const std::size_t mask = m_slots.size() - 1;
        std::size_t slot = mixBits(hash) & mask;
        while (m_slots[slot] != kEmpty) {
            const std::uint32_t index = m_slots[slot];
            if (m_hashes[index] == hash && m_spaces[index] == space &&
                m_texts[index] == text)
                return index;
            slot = (slot + 1) & mask;
        }
        const auto index = static_cast<std::uint32_t>(m_texts.size());
        m_slots[slot] = index;
        m_texts.emplace_back(text);
        m_spaces.push_back(space);
        m_hashes.push_back(hash);
        return index;
    }

    /// Returns the index of the id, or kNotFound. Safe to call from several
    /// threads while nobody calls intern().
    std::uint32_t find(std::uint32_t space, std::string_view text) const
    {
        const std::uint64_t hash = hashOf(space, text);
        const std::size_t mask = m_slots.size() - 1;
        std::size_t slot = mixBits(hash) & mask;
        while (m_slots[slot] != kEmpty) {
            const std::uint32_t index = m_slots[slot];
            if (m_hashes[index] == hash && m_spaces[index] == space &&
                m_texts[index] == text)
                return index;
            slot = (slot + 1) & mask;
        }
        return kNotFound;
    }

    static constexpr std::uint32_t kNotFound = 0xffffffffu;

    std::size_t size() const { return m_texts.size(); }
    const std::string &text(std::uint32_t index) const { return m_texts[index]; }
    std::uint32_t space(std::uint32_t index) const { return m_spaces[index]; }

private:
    static constexpr std::uint32_t kEmpty = 0xffffffffu;

    static std::uint64_t hashOf(std::uint32_t space, std::string_view text)
    {
        return std::hash<std::string_view>{}(text) ^
               (static_cast<std::uint64_t>(space) * 0x9e3779b97f4a7c15ULL);
    }

    void rehash(std::size_t capacity)
    {
        m_slots.assign(capacity, kEmpty);
        const std::size_t mask = capacity - 1;
        for (std::uint32_t index = 0; index < m_texts.size(); ++index) {
            std::size_t slot = mixBits(m_hashes[index]) & mask;
            while (m_slots[slot] != kEmpty)
                slot = (slot + 1) & mask;
            m_slots[slot] = index;
        }
    }

    std::vector<std::uint32_t> m_slots;
    std::vector<std::string> m_texts;
    std::vector<std::uint32_t> m_spaces;
    std::vector<std::uint64_t> m_hashes;
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
