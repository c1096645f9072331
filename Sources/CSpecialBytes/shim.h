// Finding the bytes a CSV parser must look at, 32 at a time (Extract/CSVParseState.swift).
// Swift's SIMD types compare lane by lane but have no way to turn the result into a bit
// mask, which is what finds the first such byte in one instruction.
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Bit k is set when byte k of the sixteen at `p` is special outside quotes: a C0 control
/// other than tab and carriage return (the line feed among them), DEL, `delimiter`, `quote`
/// or `other` (C1 controls' lead byte in a chunk that holds one, else a repeat of one of
/// these). `CSVParseState.isSpecial` and the parser's class table say the same.
static inline uint32_t etl_special_bytes16(const uint8_t *p, uint8_t delimiter, uint8_t quote, uint8_t other) {
#if defined(__SSE2__)
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i c0 = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
    __m128i text = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x09)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x0D)));
    __m128i m = _mm_andnot_si128(text, c0);
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)delimiter)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)quote)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8((char)other)));
    return (uint32_t)_mm_movemask_epi8(m);
#else
    uint32_t m = 0;
    for (int k = 0; k < 16; k++) {
        uint8_t c = p[k];
        int special = (c < 0x20 && c != 0x09 && c != 0x0D) || c == 0x7F || c == delimiter || c == quote || c == other;
        m |= (uint32_t)special << k;
    }
    return m;
#endif
}

/// The same for the thirty-two bytes at `p`.
static inline uint32_t etl_special_bytes32(const uint8_t *p, uint8_t delimiter, uint8_t quote, uint8_t other) {
    return etl_special_bytes16(p, delimiter, quote, other) | etl_special_bytes16(p + 16, delimiter, quote, other) << 16;
}
