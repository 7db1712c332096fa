//! Cheap language identification on a prefix of the text: the dominant
//! script, then for Cyrillic the letters that tell Ukrainian from Russian and
//! for Latin script small stopword lists. Good enough to keep non-English
//! documents away from an English lexicon; not a general language detector.

/// Bytes of the text looked at.
const PREFIX: usize = 2048;
/// Fewer letters than this: `und`.
const MIN_LETTERS: usize = 40;

/// ISO 639-1 code of the text's language, or `und` when unsure.
pub fn detect(text: &str) -> &'static str {
    detect_with(text, latin_language, true)
}

/// [`detect`] with the Latin-script classifier given; `blocks`: count
/// all-ASCII 32-byte blocks at once (the test's reference counts byte by
/// byte).
fn detect_with(text: &str, latin_language: fn(&str) -> &'static str, blocks: bool) -> &'static str {
    let mut end = text.len().min(PREFIX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let s = &text[..end];

    let (mut latin, mut cyr, mut uk, mut ru) = (0usize, 0usize, 0usize, 0usize);
    let mut other = [0usize; 10];
    const OTHER: [&str; 10] = ["el", "ar", "he", "zh", "ja", "ko", "hi", "ka", "hy", "th"];
    if s.is_ascii() {
        // The common case: no need to look at scripts.
        return latin_language(s);
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] < 0x80 {
            // Mostly-ASCII text with a few curly quotes is the common case:
            // count whole all-ASCII blocks with a loop the compiler vectorises.
            if let Some(block) = b.get(i..i + 32).filter(|_| blocks) {
                if block.iter().fold(0u8, |a, &c| a | c) < 0x80 {
                    latin += block
                        .iter()
                        .map(|c| u8::from(c.is_ascii_alphabetic()))
                        .sum::<u8>() as usize;
                    i += 32;
                    continue;
                }
            }
            latin += usize::from(b[i].is_ascii_alphabetic());
            i += 1;
            continue;
        }
        let c = s[i..].chars().next().expect("char boundary");
        i += c.len_utf8();
        let u = c as u32;
        match u {
            0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F if c.is_alphabetic() => latin += 1,
            0x400..=0x4FF => {
                cyr += 1;
                match c {
                    'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є' | 'Ґ' => uk += 1,
                    'ы' | 'э' | 'ъ' | 'ё' | 'Ы' | 'Э' | 'Ё' => ru += 1,
                    _ => {}
                }
            }
            0x370..=0x3FF => other[0] += 1,
            0x600..=0x6FF | 0x750..=0x77F => other[1] += 1,
            0x590..=0x5FF => other[2] += 1,
            0x4E00..=0x9FFF => other[3] += 1,
            0x3040..=0x30FF => other[4] += 1,
            0xAC00..=0xD7AF | 0x1100..=0x11FF => other[5] += 1,
            0x900..=0x97F => other[6] += 1,
            0x10A0..=0x10FF => other[7] += 1,
            0x530..=0x58F => other[8] += 1,
            0xE00..=0xE7F => other[9] += 1,
            _ => {}
        }
    }
    let (oi, &omax) = other
        .iter()
        .enumerate()
        .max_by_key(|&(_, n)| *n)
        .expect("non-empty");
    let total = latin + cyr + other.iter().sum::<usize>();
    if total < MIN_LETTERS {
        return "und";
    }
    if cyr * 2 > total {
        return if uk > ru { "uk" } else { "ru" };
    }
    if omax * 2 > total {
        // Japanese text mixes kana with Han characters.
        if oi == 3 && other[4] > 0 {
            return "ja";
        }
        return OTHER[oi];
    }
    if latin * 2 > total {
        return latin_language(s);
    }
    "und"
}

const STOPWORDS: [(&str, &[&str]); 6] = [
    (
        "en",
        &[
            "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "with", "was", "on",
            "be", "by", "are", "this", "we", "have", "not", "our", "has", "will", "from", "at",
            "an", "which", "they", "their", "i", "you", "he", "but", "or", "all", "would",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "de", "des", "et", "est", "une", "du", "que", "qui", "dans", "pour",
            "pas", "au", "sur", "nous", "il", "ce", "sont",
        ],
    ),
    (
        "es",
        &[
            "el", "la", "los", "las", "de", "que", "y", "en", "del", "por", "con", "una", "es",
            "para", "se", "al", "lo", "como", "su", "no",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "ist", "nicht", "mit", "den", "von", "zu", "ein", "eine",
            "sich", "auf", "dem", "wir", "es", "auch", "im", "für",
        ],
    ),
    (
        "pt",
        &[
            "o", "os", "de", "que", "e", "do", "da", "em", "um", "para", "não", "uma", "com",
            "dos", "das", "se", "no", "na", "ao", "é",
        ],
    ),
    (
        "it",
        &[
            "il", "di", "che", "e", "la", "per", "non", "un", "del", "della", "sono", "è", "si",
            "nel", "una", "gli", "le", "con", "al", "ha",
        ],
    ),
];

/// Bytes looked at for stopwords (~120 words: plenty for a ratio).
const STOPWORD_PREFIX: usize = 768;

/// A word of at most 8 bytes packed into a `u64` (little-endian, zero
/// padded; words never contain NUL, so this is one-to-one), `None` if longer.
fn pack(w: &[u8]) -> Option<u64> {
    let mut buf = [0u8; 8];
    buf.get_mut(..w.len())?.copy_from_slice(w);
    Some(u64::from_le_bytes(buf))
}

/// Slots of the stopword table (a power of two, over twice the words).
const SLOTS: usize = 256;

/// Stopword (packed) → bit set of the languages (indices into
/// [`STOPWORDS`]) it belongs to, open addressing on a multiplicative hash:
/// one probe for most words, where a `HashMap<&str, _>` lookup was most of
/// the language gate's cost.
fn stopword_table() -> &'static [(u64, u8); SLOTS] {
    static TABLE: std::sync::OnceLock<[(u64, u8); SLOTS]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [(0u64, 0u8); SLOTS];
        for (i, (_, list)) in STOPWORDS.iter().enumerate() {
            for w in *list {
                let key = pack(w.as_bytes()).expect("stopwords are short");
                let mut h = slot(key);
                while t[h].0 != 0 && t[h].0 != key {
                    h = (h + 1) % SLOTS;
                }
                t[h].0 = key;
                t[h].1 |= 1 << i;
            }
        }
        t
    })
}

fn slot(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % SLOTS
}

/// The languages whose stopword list has this (lowercase) word.
fn stopword_bits(table: &[(u64, u8); SLOTS], w: &[u8]) -> u8 {
    let Some(key) = pack(w) else { return 0 };
    let mut h = slot(key);
    loop {
        match table[h] {
            (0, _) => return 0,
            (k, bits) if k == key => return bits,
            _ => h = (h + 1) % SLOTS,
        }
    }
}

/// Which stopword list covers the most words of a Latin-script text.
fn latin_language(s: &str) -> &'static str {
    let table = stopword_table();
    latin_language_with(s, |key| stopword_bits(table, key))
}

/// [`latin_language`] with the stopword lookup given (lowercased word →
/// bit set of the lists it is in); the test's reference uses a hash map.
fn latin_language_with(s: &str, stopword_bits: impl Fn(&[u8]) -> u8) -> &'static str {
    let mut hits = [0usize; STOPWORDS.len()];
    let mut words = 0usize;
    let b = &s.as_bytes()[..s.len().min(STOPWORD_PREFIX)];
    let mut buf = [0u8; 8];
    let mut slow = String::new();
    let mut i = 0;
    while i < b.len() {
        // Words: runs of ASCII letters and non-ASCII bytes (accented letters).
        while i < b.len() && b[i] < 0x80 && !b[i].is_ascii_alphabetic() {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i] >= 0x80 || b[i].is_ascii_alphabetic()) {
            i += 1;
        }
        if i == start {
            break;
        }
        words += 1;
        let w = &b[start..i];
        if w.len() > buf.len() || i == b.len() {
            continue; // too long for a stopword, or possibly cut by the prefix
        }
        let key: &[u8] = if w.is_ascii() {
            for (d, c) in buf.iter_mut().zip(w) {
                *d = c.to_ascii_lowercase();
            }
            &buf[..w.len()]
        } else {
            let Ok(w) = std::str::from_utf8(w) else {
                continue;
            };
            slow.clear();
            slow.extend(w.chars().flat_map(char::to_lowercase));
            slow.as_bytes()
        };
        let bits = stopword_bits(key);
        if bits != 0 {
            for (j, h) in hits.iter_mut().enumerate() {
                *h += usize::from(bits >> j & 1);
            }
        }
    }
    if words < 8 {
        return "und";
    }
    // English first: running English prose is ~40% these words, and other
    // languages rarely reach 10% of them ("in", "on", "a" are shared).
    if hits[0] * 100 >= words * 10 {
        return "en";
    }
    let (best, &n) = hits
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))
        .expect("non-empty");
    // Calling a text foreign (and skipping it) needs enough words and a
    // clear stopword share; otherwise say we do not know.
    if words >= MIN_WORDS_FOREIGN && n * 100 >= words * 12 {
        STOPWORDS[best].0
    } else {
        "und"
    }
}

/// Fewer words than this are never called a foreign Latin-script language.
const MIN_WORDS_FOREIGN: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopword_table_has_every_word_and_nothing_else() {
        let t = stopword_table();
        for (i, (_, list)) in STOPWORDS.iter().enumerate() {
            for w in *list {
                assert_ne!(stopword_bits(t, w.as_bytes()) & (1 << i), 0, "{w}");
            }
        }
        for w in [
            "",
            "thee",
            "th",
            "x",
            "ducks",
            "worldwide",
            "f\u{fc}",
            "pour\u{e9}",
        ] {
            assert_eq!(stopword_bits(t, w.as_bytes()), 0, "{w}");
        }
    }

    /// The detector before the packed stopword table and ASCII blocks.
    fn detect_reference(text: &str) -> &'static str {
        super::detect_with(text, latin_language_reference, false)
    }

    /// Stopword → bit set of the languages (indices into [`STOPWORDS`]) it belongs to.
    fn stopword_map() -> &'static rustc_hash::FxHashMap<&'static str, u8> {
        static TABLE: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, u8>> =
            std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            let mut m = rustc_hash::FxHashMap::default();
            for (i, (_, list)) in STOPWORDS.iter().enumerate() {
                for w in *list {
                    *m.entry(*w).or_insert(0u8) |= 1 << i;
                }
            }
            m
        })
    }

    /// Which stopword list covers the most words of a Latin-script text
    /// (the lookup before the packed table).
    fn latin_language_reference(s: &str) -> &'static str {
        let table = stopword_map();
        super::latin_language_with(s, |key| {
            std::str::from_utf8(key)
                .ok()
                .and_then(|k| table.get(k).copied())
                .unwrap_or(0)
        })
    }

    proptest::proptest! {
        #[test]
        fn same_as_reference(words in proptest::collection::vec(
            "(the|of|and|Der|die|pour|que|n\u{e3}o|f\u{fc}r|\u{e9}|il|la|\u{201c}|\u{416}\u{44b}|\u{456}|\u{3b1}|\u{4e00}|[a-zA-Z\u{e9}]{1,12}|[0-9.,;]{1,3})",
            0..700,
        )) {
            let s = words.join(" ");
            proptest::prop_assert_eq!(detect(&s), detect_reference(&s));
        }

        /// Latin and Cyrillic in near-equal amounts: every letter counts.
        #[test]
        fn same_as_reference_near_the_script_boundary(
            n_latin in 0usize..160,
            n_cyrillic in 0usize..160,
            w in "[a-z]{3,9}",
        ) {
            let s = format!(
                "\u{201c}{} {}",
                vec![w.as_str(); n_latin].join(" "),
                vec!["\u{436}\u{44b}\u{432}\u{456}"; n_cyrillic].join(" ")
            );
            proptest::prop_assert_eq!(detect(&s), detect_reference(&s));
        }
    }

    #[test]
    fn scripts_and_languages() {
        let en = "The talks on security guarantees for Ukraine are stalled, and the \
                  West is not willing to commit troops to the front line at this time.";
        assert_eq!(detect(en), "en");
        let ru = "Глава государства провёл в Кремле заседание Совета Безопасности \
                  Российской Федерации, на котором обсуждались вопросы обороны.";
        assert_eq!(detect(ru), "ru");
        let uk = "Ми захищаємо нашу землю, і ми її звільнимо. Слава Україні! Героям слава! \
                  Ворог не пройде.";
        assert_eq!(detect(uk), "uk");
        let fr = "La guerre en Ukraine est une question de sécurité pour toute l'Europe, \
                  et les garanties ne sont pas suffisantes pour la paix.";
        assert_eq!(detect(fr), "fr");
        let de = "Die Verhandlungen über die Sicherheitsgarantien für die Ukraine sind \
                  ins Stocken geraten, und es gibt keine Einigung mit dem Westen.";
        assert_eq!(detect(de), "de");
        assert_eq!(detect("Peace now."), "und");
        // Short English with Spanish-looking words is not Spanish.
        let short = "There are no Russian units in eastern Ukraine – no special services, \
                     no tactical advisors.";
        assert_eq!(detect(short), "en");
        let es = "La guerra en Ucrania es una cuestión de seguridad para toda Europa y \
                  las garantías no son suficientes para la paz de los pueblos del continente.";
        assert_eq!(detect(es), "es");
        assert_eq!(detect(&"和平谈判".repeat(20)), "zh");
    }

    #[test]
    fn looks_at_a_prefix_only_and_never_splits_a_char() {
        let mut s = "Слава ".repeat(1000);
        s.push_str(&" the and of ".repeat(10_000));
        assert_ne!(detect(&s), "en");
    }
}
