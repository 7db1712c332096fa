//! Tokenization with byte offsets and a normalised form for matching.
//!
//! Words are runs of letters and digits. The normalised form is lowercase,
//! accent-folded (Latin-1 and Latin Extended-A), with curly apostrophes and
//! quotes folded to ASCII. Contractions are split so that negation is a token
//! of its own (`don't` → `do` `n't`, `can't` → `can` `n't`, `won't` → `will`
//! `n't`); other clitics (`'ll`, `'re`, `'ve`, `'d`, `'m`) are word tokens
//! too. A possessive or contracted `'s` becomes a punctuation token that the
//! matcher skips, so `Putin's regime` matches the phrase `putin regime`.
//! Hyphenated words are split into their parts (`pro-Russian` → `pro`
//! `russian`); the hyphen itself is not a token. Punctuation that the stance
//! rules need (`, ; : ( ) " ' ? ! .` and dashes) becomes one-character
//! punctuation tokens; dashes normalise to `-`, quotes to `"` (double) or
//! `'` (single).
//!
//! No allocation per token: normalised text is appended to the reusable
//! [`Tokens::norm`] buffer, and pure-ASCII words take a byte fast path.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    Punct,
}

/// A token: `start..end` in the input text, `norm` a range in [`Tokens::norm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub norm_start: u32,
    pub norm_end: u32,
    pub kind: TokenKind,
}

/// Reusable token buffer: no allocation per token once warmed up.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    pub tokens: Vec<Token>,
    /// Normalised (lowercased, accent-folded) token texts, each followed by
    /// one space: `"russia 's 1991 borders ! "`. Regex entries run on it.
    pub norm: String,
}

impl Tokens {
    pub fn norm_of(&self, t: &Token) -> &str {
        &self.norm[t.norm_start as usize..t.norm_end as usize]
    }

    /// Number of word and number tokens (what the pipeline counts as words).
    pub fn n_words(&self) -> usize {
        self.tokens
            .iter()
            .filter(|t| t.kind != TokenKind::Punct)
            .count()
    }

    fn push(&mut self, start: usize, end: usize, norm_start: usize, kind: TokenKind) {
        self.tokens.push(Token {
            start: start as u32,
            end: end as u32,
            norm_start: norm_start as u32,
            norm_end: self.norm.len() as u32,
            kind,
        });
        self.norm.push(' ');
    }

    fn push_norm(&mut self, start: usize, end: usize, norm: &str, kind: TokenKind) {
        let ns = self.norm.len();
        self.norm.push_str(norm);
        self.push(start, end, ns, kind);
    }
}

/// Is `c` an apostrophe (ASCII or typographic)?
#[inline]
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}')
}

/// Accent folding for Latin-1 and Latin Extended-A; `None` when the
/// character has no ASCII folding (it is then lowercased as is).
fn fold_char(c: char) -> Option<&'static str> {
    let s = match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' | 'Ć'..='č' => "c",
        'Ð' | 'ð' | 'Ď'..='đ' => "d",
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => "e",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => "i",
        'Ĳ' | 'ĳ' => "ij",
        'Ñ' | 'ñ' | 'Ń'..='ŉ' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => "o",
        'Œ' | 'œ' => "oe",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => "u",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => "y",
        'Þ' | 'þ' => "th",
        'ß' => "ss",
        'Ĝ'..='ģ' => "g",
        'Ĥ'..='ħ' => "h",
        'Ĵ' | 'ĵ' => "j",
        'Ķ'..='ĸ' => "k",
        'Ĺ'..='ł' => "l",
        'Ŋ' | 'ŋ' => "n",
        'Ŕ'..='ř' => "r",
        'Ś'..='š' => "s",
        'Ţ'..='ŧ' => "t",
        'Ŵ' | 'ŵ' => "w",
        'Ź'..='ž' => "z",
        'ſ' => "s",
        _ => return None,
    };
    Some(s)
}

const ALNUM: u8 = 1;
const DIGIT: u8 = 2;

/// ASCII byte classes for the word scanner: 0 = not a word byte.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_digit() {
            t[i] = DIGIT;
        } else if c.is_ascii_alphabetic() {
            t[i] = ALNUM;
        }
        i += 1;
    }
    t
};

/// Length of the run of ASCII letters and digits at `b[s..]`, and whether
/// they are all digits; appends the run in lowercase to `v`. Sixteen bytes
/// at a time, stored whole (only the run's length is kept): the byte loop
/// mispredicted at the end of every word, the tokenizer's hottest line.
#[inline]
fn ascii_run_lower(b: &[u8], s: usize, v: &mut Vec<u8>) -> (usize, bool) {
    let mut i = s;
    let mut digits = true;
    loop {
        let mut chunk = [0u8; 16];
        match b.get(i..i + 16) {
            Some(c) => chunk.copy_from_slice(c),
            // The end of the text: zeros are not word bytes.
            None => chunk[..b.len() - i].copy_from_slice(&b[i..]),
        }
        let (alnum, digit) = masks16(&chunk);
        let run = (!alnum).trailing_zeros();
        let m = ((1u32 << run) - 1) as u16;
        digits &= digit & m == m;
        // ASCII letters and digits: `| 0x20` is `to_ascii_lowercase`.
        let lower =
            (u128::from_le_bytes(chunk) | 0x2020_2020_2020_2020_2020_2020_2020_2020).to_le_bytes();
        v.reserve(16);
        // SAFETY: 16 bytes of capacity are reserved past the length; only
        // the first `run` (ASCII letters and digits) become part of it.
        unsafe {
            let len = v.len();
            std::ptr::copy_nonoverlapping(lower.as_ptr(), v.as_mut_ptr().add(len), 16);
            v.set_len(len + run as usize);
        }
        i += run as usize;
        if run < 16 {
            return (i - s, digits);
        }
    }
}

/// Masks of the ASCII letters-or-digits and of the digits among 16 bytes.
#[cfg(target_arch = "x86_64")]
#[inline]
fn masks16(c: &[u8; 16]) -> (u16, u16) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86_64; the load reads exactly `c`.
    unsafe {
        let v = _mm_loadu_si128(c.as_ptr().cast());
        let (alnum, digit) = crate::simd::alnum_and_digits(v);
        (
            _mm_movemask_epi8(alnum) as u16,
            _mm_movemask_epi8(digit) as u16,
        )
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn masks16(c: &[u8; 16]) -> (u16, u16) {
    let (mut alnum, mut digit) = (0u16, 0u16);
    for (i, &x) in c.iter().enumerate() {
        alnum |= u16::from(CLASS[x as usize] != 0) << i;
        digit |= u16::from(CLASS[x as usize] == DIGIT) << i;
    }
    (alnum, digit)
}

#[inline]
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Tokenize `text` into `out` (cleared first).
pub fn tokenize(text: &str, out: &mut Tokens) {
    out.tokens.clear();
    out.norm.clear();
    out.norm.reserve(text.len() + text.len() / 2 + 16);
    out.tokens.reserve(text.len() / 3 + 4);
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        let c = b[i];
        if c == b' ' {
            i += 1;
            continue;
        }
        if CLASS[c as usize] != 0 {
            i = word(text, i, out);
            continue;
        }
        if c < 0x80 {
            match c {
                b',' | b';' | b':' | b'(' | b')' | b'?' | b'!' | b'"' | b'[' | b']' => {
                    let p = match c {
                        b'[' => "(",
                        b']' => ")",
                        _ => &text[i..i + 1],
                    };
                    out.push_norm(i, i + 1, p, TokenKind::Punct);
                }
                b'.' => {
                    // A run of dots ("...") is one token.
                    let s = i;
                    while i + 1 < n && b[i + 1] == b'.' {
                        i += 1;
                    }
                    out.push_norm(s, i + 1, ".", TokenKind::Punct);
                }
                b'-' => {
                    // A hyphen between word characters joins a word (handled
                    // in `word`); here it is a dash: " - " or "--".
                    let s = i;
                    while i + 1 < n && b[i + 1] == b'-' {
                        i += 1;
                    }
                    out.push_norm(s, i + 1, "-", TokenKind::Punct);
                }
                b'\'' => {
                    out.push_norm(i, i + 1, "'", TokenKind::Punct);
                }
                _ => {}
            }
            i += 1;
            continue;
        }
        // Non-ASCII.
        let ch = text[i..].chars().next().expect("char boundary");
        let len = ch.len_utf8();
        if is_word_char(ch) {
            i = word(text, i, out);
            continue;
        }
        match ch {
            '\u{2014}' | '\u{2013}' | '\u{2012}' | '\u{2015}' | '\u{2212}' => {
                out.push_norm(i, i + len, "-", TokenKind::Punct)
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
            | '\u{2033}' => out.push_norm(i, i + len, "\"", TokenKind::Punct),
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2039}' | '\u{203A}' => {
                out.push_norm(i, i + len, "'", TokenKind::Punct)
            }
            '\u{2026}' => out.push_norm(i, i + len, ".", TokenKind::Punct),
            _ => {}
        }
        i += len;
    }
}

/// Read one word starting at `s` (a word character); returns the position
/// after it. Handles hyphens, apostrophes, numbers with separators.
fn word(text: &str, s: usize, out: &mut Tokens) -> usize {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = s;
    let mut ascii = true;
    let mut digits = true;
    let ns0 = out.norm.len();
    // Scan the run of word characters, writing the lowercase form as we go
    // (the common all-ASCII word is then done in one pass).
    // SAFETY: only ASCII bytes are pushed, so `norm` stays valid UTF-8.
    let v = unsafe { out.norm.as_mut_vec() };
    while i < n {
        let c = b[i];
        if CLASS[c as usize] != 0 {
            let (len, all_digits) = ascii_run_lower(b, i, v);
            digits &= all_digits;
            i += len;
            continue;
        }
        if c < 0x80 {
            if (c == b'.' || c == b',') && digits && i > s && i + 1 < n && b[i + 1].is_ascii_digit()
            {
                // 1,000 and 3.5 stay one number.
                v.push(c);
                i += 1;
            } else {
                break;
            }
        } else {
            let ch = text[i..].chars().next().expect("char boundary");
            if is_word_char(ch) {
                ascii = false;
                digits = false;
                i += ch.len_utf8();
            } else if is_combining(ch) {
                ascii = false;
                i += ch.len_utf8();
            } else {
                break;
            }
        }
    }
    let mut end = i;
    let maybe_apostrophe = !digits && i < n && matches!(b[i], b'\'' | 0xE2 | 0xCA);
    if ascii && !maybe_apostrophe {
        let kind = if digits {
            TokenKind::Number
        } else {
            TokenKind::Word
        };
        out.push(s, end, ns0, kind);
        return after_word(text, i, out);
    }
    // Slow path: normalise again below.
    out.norm.truncate(ns0);
    // Apostrophe clitics: n't, 's, 'll, 're, 've, 'd, 'm.
    let mut clitic: Option<(usize, usize, &'static str, TokenKind)> = None;
    if maybe_apostrophe {
        let ch = text[i..].chars().next().expect("char boundary");
        if is_apostrophe(ch) {
            let a = i + ch.len_utf8();
            let rest_len = word_len_ascii(b, a);
            let rest = &b[a..a + rest_len];
            let lower = |x: &[u8], y: &str| x.eq_ignore_ascii_case(y.as_bytes());
            if lower(rest, "t") && end - s >= 2 && (b[end - 1] | 0x20) == b'n' {
                // don't → do + n't ; the n belongs to the clitic.
                end -= 1;
                clitic = Some((end, a + 1, "n't", TokenKind::Word));
            } else if lower(rest, "s") {
                clitic = Some((i, a + 1, "'s", TokenKind::Punct));
            } else if lower(rest, "ll") {
                clitic = Some((i, a + 2, "'ll", TokenKind::Word));
            } else if lower(rest, "re") {
                clitic = Some((i, a + 2, "'re", TokenKind::Word));
            } else if lower(rest, "ve") {
                clitic = Some((i, a + 2, "'ve", TokenKind::Word));
            } else if lower(rest, "d") {
                clitic = Some((i, a + 1, "'d", TokenKind::Word));
            } else if lower(rest, "m") {
                clitic = Some((i, a + 1, "'m", TokenKind::Word));
            } else if rest_len == 0 && end > s && (b[end - 1] | 0x20) == b's' {
                // Plural possessive: "allies' " — drop the apostrophe.
                clitic = Some((i, a, "'s", TokenKind::Punct));
            } else if rest_len > 0 {
                // O'Brien, d'Estaing: keep as one word without the apostrophe.
                let ns = out.norm.len();
                push_word_norm(&text[s..i], ascii, out);
                push_word_norm(&text[a..a + rest_len], true, out);
                let end2 = a + rest_len;
                out.push(s, end2, ns, TokenKind::Word);
                return after_word(text, end2, out);
            }
        }
    }
    let ns = out.norm.len();
    let kind = if digits {
        TokenKind::Number
    } else {
        TokenKind::Word
    };
    match clitic {
        Some((_, _, "n't", _)) => {
            let w = &text[s..end];
            if w.eq_ignore_ascii_case("ca") {
                out.norm.push_str("can");
            } else if w.eq_ignore_ascii_case("wo") {
                out.norm.push_str("will");
            } else if w.eq_ignore_ascii_case("sha") {
                out.norm.push_str("shall");
            } else {
                push_word_norm(w, ascii, out);
            }
        }
        _ => push_word_norm(&text[s..end], ascii, out),
    }
    if out.norm.len() > ns || end > s {
        out.push(s, end, ns, kind);
    }
    match clitic {
        Some((cs, ce, norm, kind)) => {
            out.push_norm(cs, ce, norm, kind);
            after_word(text, ce, out)
        }
        None => after_word(text, i, out),
    }
}

/// After a word: a hyphen followed by a word character continues with the
/// next part (the hyphen is not a token).
fn after_word(text: &str, i: usize, _out: &mut Tokens) -> usize {
    let b = text.as_bytes();
    if i + 1 < b.len() && b[i] == b'-' {
        let c = b[i + 1];
        if c.is_ascii_alphanumeric() {
            return i + 1;
        }
        if c >= 0x80 {
            let ch = text[i + 1..].chars().next().expect("char boundary");
            if is_word_char(ch) {
                return i + 1;
            }
        }
    }
    i
}

fn word_len_ascii(b: &[u8], a: usize) -> usize {
    let mut j = a;
    while j < b.len() && b[j].is_ascii_alphabetic() {
        j += 1;
    }
    j - a
}

#[inline]
fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36F)
}

/// Append the normalised form of word `w` to `out.norm`.
#[inline]
fn push_word_norm(w: &str, ascii: bool, out: &mut Tokens) {
    if ascii {
        // SAFETY: only ASCII bytes are appended, so `norm` stays UTF-8.
        let v = unsafe { out.norm.as_mut_vec() };
        v.extend(w.bytes().map(|c| c.to_ascii_lowercase()));
        return;
    }
    for ch in w.chars() {
        if ch.is_ascii() {
            out.norm.push(ch.to_ascii_lowercase());
        } else if let Some(f) = fold_char(ch) {
            out.norm.push_str(f);
        } else if is_combining(ch) {
            // Decomposed accents: drop the mark.
        } else {
            for l in ch.to_lowercase() {
                out.norm.push(l);
            }
        }
    }
}

/// Normalise a single string the way [`tokenize`] normalises a word
/// (used by the lexicon compiler for variant keys).
pub fn normalize_word(w: &str) -> String {
    let mut t = Tokens::default();
    push_word_norm(w, w.is_ascii(), &mut t);
    t.norm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(String, String, TokenKind)> {
        let mut t = Tokens::default();
        tokenize(s, &mut t);
        t.tokens
            .iter()
            .map(|k| {
                (
                    s[k.start as usize..k.end as usize].to_string(),
                    t.norm_of(k).to_string(),
                    k.kind,
                )
            })
            .collect()
    }

    fn norms(s: &str) -> Vec<String> {
        toks(s).into_iter().map(|t| t.1).collect()
    }

    #[test]
    fn norm_is_space_separated() {
        let mut t = Tokens::default();
        tokenize("Russia’s 1991 BORDERS!", &mut t);
        assert_eq!(t.norm, "russia 's 1991 borders ! ");
    }

    #[test]
    fn words_and_offsets() {
        let t = toks("Kyiv, Crimea.");
        assert_eq!(t[0], ("Kyiv".into(), "kyiv".into(), TokenKind::Word));
        assert_eq!(t[1], (",".into(), ",".into(), TokenKind::Punct));
        assert_eq!(t[2].0, "Crimea");
        assert_eq!(t[3].1, ".");
    }

    #[test]
    fn contractions_split_negation() {
        assert_eq!(norms("don't"), ["do", "n't"]);
        assert_eq!(norms("Can’t"), ["can", "n't"]);
        assert_eq!(norms("won't"), ["will", "n't"]);
        assert_eq!(norms("isn't"), ["is", "n't"]);
        let t = toks("don't");
        assert_eq!(t[0].0, "do");
        assert_eq!(t[1].0, "n't");
        assert_eq!(norms("we'll"), ["we", "'ll"]);
    }

    #[test]
    fn possessive_is_punct() {
        let t = toks("Russia’s war");
        assert_eq!(t[0].0, "Russia");
        assert_eq!(t[1].1, "'s");
        assert_eq!(t[1].2, TokenKind::Punct);
        assert_eq!(t[2].1, "war");
        assert_eq!(norms("the allies' aid"), ["the", "allies", "'s", "aid"]);
    }

    #[test]
    fn accents_and_case_fold() {
        assert_eq!(
            norms("Zaporižžia ÉCOLE Łódź"),
            ["zaporizzia", "ecole", "lodz"]
        );
        assert_eq!(norms("Straße"), ["strasse"]);
        // Decomposed e + combining acute.
        assert_eq!(norms("Cafe\u{301}"), ["cafe"]);
        assert_eq!(norms("Россия"), ["россия"]);
    }

    #[test]
    fn hyphens_split_dashes_are_punct() {
        assert_eq!(norms("pro-Russian"), ["pro", "russian"]);
        assert_eq!(norms("war — peace"), ["war", "-", "peace"]);
        assert_eq!(norms("war -- peace"), ["war", "-", "peace"]);
        assert_eq!(norms("war–peace"), ["war", "-", "peace"]);
    }

    #[test]
    fn quotes_fold_and_numbers() {
        assert_eq!(
            norms("“peace” 1,000 3.5"),
            ["\"", "peace", "\"", "1,000", "3.5"]
        );
        assert_eq!(toks("1991")[0].2, TokenKind::Number);
        assert_eq!(norms("end. Next"), ["end", ".", "next"]);
        assert_eq!(norms("wait..."), ["wait", "."]);
        assert_eq!(norms("O'Brien"), ["obrien"]);
    }

    #[test]
    fn offsets_are_char_boundaries() {
        let s = "Zaporižžia’s “x” — ok? Ü-bahn";
        let mut t = Tokens::default();
        tokenize(s, &mut t);
        for k in &t.tokens {
            assert!(s.is_char_boundary(k.start as usize));
            assert!(s.is_char_boundary(k.end as usize));
            assert!(k.start < k.end);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_offsets_are_valid(s in "\\PC{0,80}") {
            let mut t = Tokens::default();
            tokenize(&s, &mut t);
            let mut last = 0;
            for k in &t.tokens {
                proptest::prop_assert!(s.is_char_boundary(k.start as usize));
                proptest::prop_assert!(s.is_char_boundary(k.end as usize));
                proptest::prop_assert!(k.start < k.end);
                proptest::prop_assert!(k.start >= last);
                last = k.end;
            }
        }

        /// The sixteen-byte run scan against the byte loop it replaced, at
        /// every start, on runs longer and shorter than a chunk.
        #[test]
        fn ascii_run_lower_equals_the_byte_loop(b in proptest::collection::vec(
            proptest::prop_oneof![
                8 => proptest::sample::select(b"aAzZ0959mQ".to_vec()),
                1 => proptest::sample::select(b"'.-,\xc3\x80 @[`{/:".to_vec()),
                1 => 0u8..=255,
            ],
            0..70,
        )) {
            for s in 0..b.len() {
                let mut i = s;
                let mut digits = true;
                let mut want = b"x".to_vec();
                while i < b.len() && CLASS[b[i] as usize] != 0 {
                    digits &= CLASS[b[i] as usize] == DIGIT;
                    want.push(b[i].to_ascii_lowercase());
                    i += 1;
                }
                let mut got = b"x".to_vec();
                proptest::prop_assert_eq!(ascii_run_lower(&b, s, &mut got), (i - s, digits), "at {}", s);
                proptest::prop_assert_eq!(got, want, "at {}", s);
            }
        }
    }
}
