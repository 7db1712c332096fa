//! The per-article pipeline (clean → segment → tag) and the driver that runs
//! it over a corpus in parallel batches while keeping the input order, so
//! outputs are byte-identical whatever the number of threads.

use rayon::prelude::*;

use crate::clean::Cleaner;
use crate::ingest::{Corpus, Unit};
use crate::model::{Article, ArticleResult, Claim, Skipped};
use crate::stance::{Scratch, Tagger};

/// Everything needed to turn an article into claims (and tags).
pub struct Pipeline {
    pub cleaner: Cleaner,
    /// `None`: split into claims only.
    pub tagger: Option<Tagger>,
}

/// What the driver hands to the sink, in input order.
#[derive(Debug)]
pub enum Outcome {
    Article(Box<ArticleResult>),
    Skipped(Skipped),
}

/// Files per parallel batch: large enough to keep the threads busy, small
/// enough that memory stays bounded by the batch, not the corpus.
const BATCH_UNITS: usize = 256;

/// Bytes that may start whitespace: ASCII whitespace and the lead bytes of
/// U+0085, U+00A0, U+1680, U+2000–U+205F, U+3000.
static MAY_SPACE: [bool; 256] = {
    let mut t = [false; 256];
    t[b' ' as usize] = true;
    let mut c = b'\t';
    while c <= b'\r' {
        t[c as usize] = true;
        c += 1;
    }
    t[0xC2] = true;
    t[0xE1] = true;
    t[0xE2] = true;
    t[0xE3] = true;
    t
};

/// Fold runs of whitespace into one space (the claim "as read").
///
/// Same result as joining `split_whitespace` with single spaces, but copies
/// verbatim runs (words separated by single spaces) in one piece and decodes
/// only the few lead bytes that may start non-ASCII whitespace.
pub fn fold_whitespace(s: &str) -> String {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = String::with_capacity(n);
    // Whitespace seen since the last byte written.
    let mut sep = false;
    let mut i = 0;
    while i < n {
        let st = i;
        loop {
            if i > st {
                i = skip_verbatim(b, i);
            }
            while i < n && !MAY_SPACE[b[i] as usize] {
                i += 1;
            }
            // One space between two plain bytes stays inside the run.
            if i > st && i + 1 < n && b[i] == b' ' && !MAY_SPACE[b[i + 1] as usize] {
                i += 2;
                continue;
            }
            break;
        }
        if i > st {
            if sep && !out.is_empty() {
                out.push(' ');
            }
            sep = false;
            out.push_str(&s[st..i]);
        }
        if i >= n {
            break;
        }
        if b[i] < 0x80 {
            sep = true;
            i += 1;
            continue;
        }
        let ch = s[i..].chars().next().expect("char boundary");
        if ch.is_whitespace() {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push(' ');
            }
            sep = false;
            out.push(ch);
        }
        i += ch.len_utf8();
    }
    out
}

/// From `i` (inside a verbatim run: `b[i - 1]` belongs to it), skip
/// sixteen bytes at a time while none of them can end the run: no byte
/// that may be whitespace but single spaces between two bytes that cannot
/// (non-ASCII bytes count as "may", so the byte loop decides those).
/// Claims are words and single spaces; the byte loop stopped at each space.
#[inline]
fn skip_verbatim(b: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i >= 1 && i + 17 <= b.len() {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of x86_64; the loads read b[i - 1..i + 17].
        let stops = unsafe {
            let load = |at: usize| _mm_loadu_si128(b[at..at + 16].as_ptr().cast());
            let may = |v: __m128i| {
                let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
                // \t..=\r as a signed compare after shifting the range down.
                let ctrl = _mm_cmplt_epi8(
                    _mm_add_epi8(v, _mm_set1_epi8((0x80u8 - b'\t') as i8)),
                    _mm_set1_epi8(-128 + 5),
                );
                // Any byte >= 0x80 (negative as i8).
                let high = _mm_cmplt_epi8(v, _mm_setzero_si128());
                (space, _mm_or_si128(_mm_or_si128(space, ctrl), high))
            };
            let (_, prev) = may(load(i - 1));
            let (space, cur) = may(load(i));
            let (_, next) = may(load(i + 1));
            // A single space between two plain bytes does not stop the run.
            let lone = _mm_andnot_si128(_mm_or_si128(prev, next), space);
            _mm_movemask_epi8(_mm_andnot_si128(lone, cur))
        };
        if stops != 0 {
            return i + stops.trailing_zeros() as usize;
        }
        i += 16;
    }
    i
}

impl Pipeline {
    /// Split an article into claims.
    pub fn claims(&self, article: &Article) -> (crate::clean::Cleaned, Vec<Claim>) {
        self.split(article, true)
    }

    /// Split; `fold`: fill `Claim::text` (else left empty for the caller).
    fn split(&self, article: &Article, fold: bool) -> (crate::clean::Cleaned, Vec<Claim>) {
        let cleaned = self.cleaner.clean(&article.text, article.body.clone());
        let mut ranges = Vec::new();
        crate::segment::sentences(&cleaned.text, &mut ranges);
        let claims = ranges
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let orig = cleaned.original_range(r.clone());
                Claim {
                    index: i as u32,
                    start: orig.start,
                    end: orig.end,
                    text: if fold {
                        fold_whitespace(&cleaned.text[r.clone()])
                    } else {
                        String::new()
                    },
                    speaker: cleaned.speaker_at(r.start).map(str::to_string),
                    clean: r,
                }
            })
            .collect();
        (cleaned, claims)
    }

    /// Run the whole per-article pipeline. Evidence offsets are mapped back
    /// to the original text.
    pub fn process(&self, article: Article, scratch: &mut Scratch) -> ArticleResult {
        self.process_with(article, scratch, true)
    }

    /// `all_text: false`: `Claim::text` is filled only for claims that
    /// address a theme (all that `claims.csv` writes); folding every
    /// sentence costs more than the rest of the bookkeeping.
    fn process_with(
        &self,
        article: Article,
        scratch: &mut Scratch,
        all_text: bool,
    ) -> ArticleResult {
        let all_text = all_text || self.tagger.is_none();
        let (cleaned, mut claims) = self.split(&article, all_text);
        let mut tags = Vec::with_capacity(claims.len());
        let mut n_words = 0;
        if let Some(tagger) = &self.tagger {
            for c in &claims {
                let text = &cleaned.text[c.clean.clone()];
                let mut t = tagger.tag(text, scratch);
                n_words += scratch.n_words();
                for theme in &mut t {
                    for ev in &mut theme.evidence {
                        let r = cleaned
                            .original_range(c.clean.start + ev.start..c.clean.start + ev.end);
                        ev.start = r.start;
                        ev.end = r.end;
                    }
                }
                tags.push(t);
            }
        }
        if !all_text {
            for (c, t) in claims.iter_mut().zip(&tags) {
                if !t.is_empty() {
                    c.text = fold_whitespace(&cleaned.text[c.clean.clone()]);
                }
            }
        }
        ArticleResult {
            article,
            claims,
            tags,
            n_words,
        }
    }

    /// Run over the whole corpus; `sink` sees every article or skipped input
    /// exactly once, in input order. Processing of one batch overlaps with
    /// the sink consuming the previous one.
    pub fn drive<F>(&self, corpus: &Corpus, sink: F) -> crate::Result<()>
    where
        F: FnMut(Outcome) -> crate::Result<()> + Send,
    {
        self.drive_with(corpus, true, sink)
    }

    /// [`Pipeline::drive`], but `Claim::text` is filled only for claims that
    /// address a theme (see `process_with`): what `run` needs.
    pub fn drive_addressed<F>(&self, corpus: &Corpus, sink: F) -> crate::Result<()>
    where
        F: FnMut(Outcome) -> crate::Result<()> + Send,
    {
        self.drive_with(corpus, false, sink)
    }

    fn drive_with<F>(&self, corpus: &Corpus, all_text: bool, mut sink: F) -> crate::Result<()>
    where
        F: FnMut(Outcome) -> crate::Result<()> + Send,
    {
        let mut units = corpus.units();
        let mut pending: Vec<Outcome> = Vec::new();
        loop {
            let batch: Vec<Unit> = units.by_ref().take(BATCH_UNITS).collect();
            if batch.is_empty() && pending.is_empty() {
                return Ok(());
            }
            let (next, sunk) = rayon::join(
                || self.process_batch(corpus, batch, all_text),
                || -> crate::Result<()> {
                    for o in pending.drain(..) {
                        sink(o)?;
                    }
                    Ok(())
                },
            );
            sunk?;
            pending = next;
        }
    }

    fn process_batch(&self, corpus: &Corpus, batch: Vec<Unit>, all_text: bool) -> Vec<Outcome> {
        batch
            .into_par_iter()
            .map_init(Scratch::default, |scratch, unit| match unit {
                Unit::Skipped(s) => Outcome::Skipped(s),
                Unit::Ready(a) => {
                    Outcome::Article(Box::new(self.process_with(*a, scratch, all_text)))
                }
                Unit::File(job) => match corpus.load(&job) {
                    Ok(a) => Outcome::Article(Box::new(self.process_with(a, scratch, all_text))),
                    Err(s) => Outcome::Skipped(s),
                },
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::fold_whitespace;

    fn reference(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn fold_whitespace_matches_split_whitespace() {
        for s in [
            "",
            "   ",
            "a",
            " a  b\tc\n\r\x0bd\x0ce ",
            "x\u{a0}y\u{85}z\u{2003}w\u{3000}v\u{1680}u\u{202f}t\u{205f}s\u{2028}r",
            "caf\u{e9} \u{201c}q\u{201d}\u{2014}\u{2019}s \u{e1}\u{1e9e}\u{3001}",
            "\x1c\x1d\x1e\x1f not whitespace",
            "one two  three\u{2019}s \u{2019} x \u{e9}t\u{e9} y z ",
            " a b",
            "a b ",
        ] {
            assert_eq!(fold_whitespace(s), reference(s), "{s:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fold_whitespace_any(s in "[ ab\u{fc}\u{2019}\r\t\n\u{a0}\u{85}\u{2000}-\u{2060}\u{3000}\u{e9}\u{1680}\u{1681}]{0,40}") {
            proptest::prop_assert_eq!(fold_whitespace(&s), reference(&s));
        }

        /// Sentences of words and single spaces (what the sixteen-byte skip
        /// crosses) with a break of any kind somewhere.
        #[test]
        fn fold_whitespace_sentences(s in "([a-z0-9,.]{1,7} ){0,9}([ \t\n\r\u{b}\u{c}\u{a0}\u{85}\u{e9}\u{2019}\u{3000}]{1,3}|[a-z]{1,20})([a-z0-9,.]{1,7} ){0,9}[a-z]{0,3}") {
            proptest::prop_assert_eq!(fold_whitespace(&s), reference(&s));
        }
    }
}
