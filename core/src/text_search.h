#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hsi::detail {

/// Tells whether a line contains any of a few fixed strings. The evidence
/// pass calls it on every line it reads, to skip lines that cannot belong to
/// a flagged id, so the search has to run near memory speed.
class TextSearch {
public:
    explicit TextSearch(std::vector<std::string> needles);

    bool empty() const { return m_needles.empty(); }
    bool foundIn(std::string_view text) const;

private:
    std::vector<std::string> m_needles;
    bool m_vectorised = false;
};

} // namespace hsi::detail
