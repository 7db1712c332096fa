//! Byte classes of sixteen bytes at a time (SSE2, part of every x86_64),
//! shared by the stages that scan raw text that way: the tokenizer's letter
//! runs and the theme gate's run mask.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Lanes (0xFF) of `v` that are ASCII letters or digits, and of those that
/// are digits.
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn alnum_and_digits(v: __m128i) -> (__m128i, __m128i) {
    // SAFETY: SSE2 is part of x86_64; only register operations.
    unsafe {
        // Unsigned range checks as signed compares after a shift of the
        // range to the bottom of i8; `| 0x20` folds upper case to lower.
        let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
        let letter = _mm_cmplt_epi8(
            _mm_add_epi8(lower, _mm_set1_epi8((0x80 - b'a') as i8)),
            _mm_set1_epi8(-128 + 26),
        );
        let digit = _mm_cmplt_epi8(
            _mm_add_epi8(v, _mm_set1_epi8((0x80 - b'0') as i8)),
            _mm_set1_epi8(-128 + 10),
        );
        (_mm_or_si128(letter, digit), digit)
    }
}
