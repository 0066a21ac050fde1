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
    /// Comparison that find() uses: std::string_view::find, or vector
    /// instructions over 32 or 64 bytes at a time.
    enum class Method { Plain, Avx2, Avx512 };

    /// Whether this CPU can run `method`.
    static bool supports(Method method);
    static Method fastest();

    /// Searches with the fastest method this CPU supports.
    explicit TextSearch(std::vector<std::string> needles);
    /// Searches with `method`, or plainly when the CPU lacks it or a needle
    /// is shorter than two bytes. Tests use it to cover every method.
    TextSearch(std::vector<std::string> needles, Method method);

    bool empty() const { return m_needles.empty(); }
    /// Returns the position of the first needle in `text`, or npos.
    std::size_t find(std::string_view text) const;
    bool foundIn(std::string_view text) const
    {
        return find(text) != std::string_view::npos;
    }
    Method method() const { return m_method; }

private:
    std::vector<std::string> m_needles;
    std::size_t m_longest = 0;
    Method m_method = Method::Plain;
};

} // namespace hsi::detail
