#include "text_search.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HSI_HAVE_AVX2_SEARCH 1
#endif

namespace hsi::detail {

namespace {

/// Needles searched in one vector pass; more fall back to the plain search.
constexpr std::size_t kMaxVectorNeedles = 32;

std::size_t findPlain(std::string_view text,
                      const std::vector<std::string> &needles, std::size_t from)
{
    std::size_t first = std::string_view::npos;
    for (const std::string &needle : needles)
        first = std::min(first, text.find(needle, from));
    return first;
}

#ifdef HSI_HAVE_AVX2_SEARCH
// Compares 32 starting positions at a time against each needle's first and
// last bytes; only positions where both match are compared in full. In JSON
// text such a pair of bytes is rare, so almost every block is rejected by a
// few vector instructions per needle, and the block is loaded once for all
// needles. std::string_view::find, by contrast, stops at every occurrence
// of the first byte alone.
__attribute__((target("avx2"))) std::size_t
findAvx2(std::string_view text, const std::vector<std::string> &needles,
         std::size_t longest)
{
    const std::size_t count = needles.size();
    __m256i firsts[kMaxVectorNeedles];
    __m256i lasts[kMaxVectorNeedles];
    for (std::size_t n = 0; n < count; ++n) {
        firsts[n] = _mm256_set1_epi8(needles[n].front());
        lasts[n] = _mm256_set1_epi8(needles[n].back());
    }
    std::uint32_t masks[kMaxVectorNeedles];
    std::size_t pos = 0;
    for (; pos + longest - 1 + 32 <= text.size(); pos += 32) {
        const char *block = text.data() + pos;
        const __m256i head =
            _mm256_loadu_si256(reinterpret_cast<const __m256i *>(block));
        std::uint32_t any = 0;
        for (std::size_t n = 0; n < count; ++n) {
            const __m256i tail =
                _mm256_loadu_si256(reinterpret_cast<const __m256i *>(
                    block + needles[n].size() - 1));
            masks[n] = static_cast<std::uint32_t>(_mm256_movemask_epi8(
                _mm256_and_si256(_mm256_cmpeq_epi8(head, firsts[n]),
                                 _mm256_cmpeq_epi8(tail, lasts[n]))));
            any |= masks[n];
        }
        for (; any != 0; any &= any - 1) {
            const int bit = __builtin_ctz(any);
            for (std::size_t n = 0; n < count; ++n) {
                const std::string &needle = needles[n];
                if ((masks[n] >> bit & 1) != 0 &&
                    std::memcmp(block + bit + 1, needle.data() + 1,
                                needle.size() - 2) == 0)
                    return pos + static_cast<std::size_t>(bit);
            }
        }
    }
    return findPlain(text, needles, pos);
}
#endif

} // namespace

TextSearch::TextSearch(std::vector<std::string> needles)
    : m_needles(std::move(needles))
{
    bool vectorisable = m_needles.size() <= kMaxVectorNeedles;
    for (const std::string &needle : m_needles) {
        m_longest = std::max(m_longest, needle.size());
        vectorisable = vectorisable && needle.size() >= 2;
    }
#ifdef HSI_HAVE_AVX2_SEARCH
    m_vectorised = vectorisable && __builtin_cpu_supports("avx2");
#endif
}

std::size_t TextSearch::find(std::string_view text) const
{
#ifdef HSI_HAVE_AVX2_SEARCH
    if (m_vectorised)
        return findAvx2(text, m_needles, m_longest);
#endif
    return findPlain(text, m_needles, 0);
}

} // namespace hsi::detail
