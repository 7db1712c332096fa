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

/// Fold runs of whitespace into one space (the claim "as read").
pub fn fold_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

impl Pipeline {
    /// Split an article into claims.
    pub fn claims(&self, article: &Article) -> (crate::clean::Cleaned, Vec<Claim>) {
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
                    text: fold_whitespace(&cleaned.text[r.clone()]),
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
        let (cleaned, claims) = self.claims(&article);
        let mut tags = Vec::with_capacity(claims.len());
        let mut n_words = 0;
        if let Some(tagger) = &self.tagger {
            for c in &claims {
                let mut t = tagger.tag(&cleaned.text[c.clean.clone()], scratch);
                n_words += scratch
                    .tokens
                    .tokens
                    .iter()
                    .filter(|t| t.kind == crate::tokenize::TokenKind::Word)
                    .count();
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
    pub fn drive<F>(&self, corpus: &Corpus, mut sink: F) -> crate::Result<()>
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
                || self.process_batch(corpus, batch),
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

    fn process_batch(&self, corpus: &Corpus, batch: Vec<Unit>) -> Vec<Outcome> {
        batch
            .into_par_iter()
            .map_init(Scratch::default, |scratch, unit| match unit {
                Unit::Skipped(s) => Outcome::Skipped(s),
                Unit::Ready(a) => Outcome::Article(Box::new(self.process(*a, scratch))),
                Unit::File(job) => match corpus.load(&job) {
                    Ok(a) => Outcome::Article(Box::new(self.process(a, scratch))),
                    Err(s) => Outcome::Skipped(s),
                },
            })
            .collect()
    }
}
