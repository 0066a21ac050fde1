#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hsi::detail {

/// Finds any of a few fixed strings in text. The evidence pass runs it over
/// every byte it reads, to skip lines that cannot belong to a flagged id, so
/// the search has to run near memory speed.
class TextSearch {
public:
    explicit TextSearch(std::vector<std::string> needles);

    bool empty() const { return m_needles.empty(); }
    /// Returns the position of the first needle in `text`, or npos.
    std::size_t find(std::string_view text) const;
    bool foundIn(std::string_view text) const
    {
        return find(text) != std::string_view::npos;
    }

private:
    std::vector<std::string> m_needles;
    std::size_t m_longest = 0;
    bool m_vectorised = false;
};

} // namespace hsi::detail
