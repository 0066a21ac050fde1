#include "text_search.h"

#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HSI_HAVE_AVX2_SEARCH 1
#endif

namespace hsi::detail {

namespace {

#ifdef HSI_HAVE_AVX2_SEARCH
// Compares 32 starting positions at a time against the needle's first and
// last bytes; only positions where both match are compared in full. In JSON
// text that pair of bytes is rare, so almost every block is rejected by
// four vector instructions. std::string_view::find, by contrast, stops at
// every occurrence of the first byte alone.
__attribute__((target("avx2"))) bool containsAvx2(std::string_view text,
                                                  std::string_view needle)
{
    const std::size_t length = needle.size();
    const __m256i first = _mm256_set1_epi8(needle.front());
    const __m256i last = _mm256_set1_epi8(needle.back());
    std::size_t pos = 0;
    for (; pos + length - 1 + 32 <= text.size(); pos += 32) {
        const __m256i head = _mm256_loadu_si256(
            reinterpret_cast<const __m256i *>(text.data() + pos));
        const __m256i tail = _mm256_loadu_si256(
            reinterpret_cast<const __m256i *>(text.data() + pos + length - 1));
        auto candidates = static_cast<std::uint32_t>(_mm256_movemask_epi8(
            _mm256_and_si256(_mm256_cmpeq_epi8(head, first),
                             _mm256_cmpeq_epi8(tail, last))));
        while (candidates != 0) {
            const std::size_t at = pos + __builtin_ctz(candidates);
            if (std::memcmp(text.data() + at + 1, needle.data() + 1,
                            length - 2) == 0)
                return true;
            candidates &= candidates - 1;
        }
    }
    return text.substr(pos).find(needle) != std::string_view::npos;
}
#endif

} // namespace

TextSearch::TextSearch(std::vector<std::string> needles)
    : m_needles(std::move(needles))
{
#ifdef HSI_HAVE_AVX2_SEARCH
    m_vectorised = __builtin_cpu_supports("avx2");
#endif
}

bool TextSearch::foundIn(std::string_view text) const
{
    for (const std::string &needle : m_needles) {
#ifdef HSI_HAVE_AVX2_SEARCH
        if (m_vectorised && needle.size() >= 2) {
            if (containsAvx2(text, needle))
                return true;
            continue;
        }
#endif
        if (text.find(needle) != std::string_view::npos)
            return true;
    }
    return false;
}

} // namespace hsi::detail
