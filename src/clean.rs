//! Cleaning: boilerplate removal, line re-joining, de-hyphenation, speaker
//! labels — producing a cleaned text plus a map back to original offsets.
//! (Stub: identity over the body; replaced by the real cleaner.)

use std::ops::Range;

#[derive(Debug, Clone, Default)]
pub struct CleanOptions {
    /// Extra boilerplate line patterns (regex, matched against a whole line).
    pub boilerplate: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Cleaner {}

impl Cleaner {
    pub fn new(_opts: &CleanOptions) -> crate::Result<Self> {
        Ok(Cleaner {})
    }

    /// Clean `text[body]`. Offsets of the result map back into `text`.
    pub fn clean(&self, text: &str, body: Range<usize>) -> Cleaned {
        Cleaned {
            text: text[body.clone()].to_string(),
            base: body.start,
            speakers: Vec::new(),
        }
    }
}

/// Cleaned text with the map back to the original.
#[derive(Debug, Clone)]
pub struct Cleaned {
    pub text: String,
    base: usize,
    /// `(clean_offset, label)`: a speaker turn begins at `clean_offset`.
    pub speakers: Vec<(usize, String)>,
}

impl Cleaned {
    /// Original byte offset of cleaned byte offset `off` (`off == text.len()` allowed).
    pub fn to_original(&self, off: usize) -> usize {
        self.base + off
    }

    /// Original byte range of cleaned range `r` (end mapped as an exclusive
    /// end, so a range ending at a replaced character still covers it).
    pub fn original_range(&self, r: Range<usize>) -> Range<usize> {
        self.to_original(r.start)..self.to_original(r.end)
    }

    /// The speaker whose turn contains cleaned offset `off`.
    pub fn speaker_at(&self, off: usize) -> Option<&str> {
        let i = self.speakers.partition_point(|(o, _)| *o <= off);
        i.checked_sub(1).map(|i| self.speakers[i].1.as_str())
    }
}
