//! Types that flow between the pipeline stages.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

/// A date at the precision the source gave it (year, month or day; a time
/// of day is dropped but remembered in `meta` when present).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: i32,
    /// 1–12, or `None` for a year-only date.
    pub month: Option<u8>,
    /// 1–31, or `None` for a month-only date.
    pub day: Option<u8>,
}

impl fmt::Display for PartialDate {
    /// ISO 8601 at the precision given: `2022`, `2022-05`, `2022-05-17`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

/// One article (file or record) as read, before cleaning.
///
/// `text` is the decoded original: for UTF-8 input it is the file's (or
/// record's) bytes exactly, so offsets into it are file offsets. UTF-16 input
/// is transcoded and invalid UTF-8 decoded lossily; offsets then refer to the
/// decoded text (the manifest carries a warning).
#[derive(Debug, Clone, Default)]
pub struct Article {
    /// Stable id: the file path relative to its input root (without
    /// extension), or `path#record` / the record's id field for tabular input.
    pub id: String,
    /// The input path as given on the command line (joined with the relative path).
    pub source: String,
    /// 1-based record number (line of JSONL, row of CSV) for tabular input.
    pub record: Option<u64>,
    /// Authors / speakers. Co-authors are kept in order.
    pub authors: Vec<String>,
    pub date: Option<PartialDate>,
    pub outlet: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    /// ISO 639-1 code from the cheap language detector, e.g. `en`, `ru`; `und` when unsure.
    pub language: String,
    /// Every other metadata field (front matter, sidecar columns, extra record fields).
    pub meta: BTreeMap<String, String>,
    /// The decoded original text.
    pub text: String,
    /// Byte range of the body inside `text` (after front matter, BOM).
    pub body: Range<usize>,
    /// Non-fatal problems (lossy decoding, no sidecar row, …) for the manifest.
    pub warnings: Vec<String>,
}

impl Article {
    /// The byline: co-authors joined with `"; "`. (Aggregates split it again
    /// and count the article for each co-author.)
    pub fn commentator(&self) -> String {
        self.authors.join("; ")
    }
}

/// An input that did not become an article, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Skipped {
    pub path: String,
    /// 1-based record (line or row) number inside a tabular file.
    pub record: Option<u64>,
    pub reason: String,
}

/// A non-fatal problem worth reporting in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub path: String,
    pub record: Option<u64>,
    pub message: String,
}

/// One claim (sentence) of an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    /// 0-based position of the claim in its article.
    pub index: u32,
    /// Byte offsets into `Article::text` (the original).
    pub start: usize,
    pub end: usize,
    /// Byte range of the claim in the cleaned text (what the tagger reads).
    pub clean: Range<usize>,
    /// The claim as read: cleaned, whitespace folded.
    pub text: String,
    /// Speaker label of a transcript turn, when the text has them.
    pub speaker: Option<String>,
}

/// How a modifier changed a cue (bit flags, combined with `|`).
pub mod modifier {
    pub const NEGATED: u8 = 1;
    pub const HEDGED: u8 = 2;
    pub const REPORTED: u8 = 4;
    pub const QUESTION: u8 = 8;
    pub const CONTRAST: u8 = 16;
    pub const CONDITIONAL: u8 = 32;
    pub const INTENSIFIED: u8 = 64;

    /// Names in a fixed order, for output.
    pub const NAMES: [(u8, &str); 7] = [
        (NEGATED, "negated"),
        (HEDGED, "hedged"),
        (REPORTED, "reported"),
        (QUESTION, "question"),
        (CONTRAST, "contrast"),
        (CONDITIONAL, "conditional"),
        (INTENSIFIED, "intensified"),
    ];
}

/// What kind of lexicon entry fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// A theme term: says the claim is about the theme.
    Term,
    /// A stance cue: pushes the stance toward a pole.
    Cue,
}

/// One lexicon entry that fired in a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// The lexicon entry as written (`negotiat*`, `security guarantees`, …).
    pub entry: std::sync::Arc<str>,
    /// Byte offsets into the text given to the tagger (the caller maps them
    /// to the original).
    pub start: usize,
    pub end: usize,
    /// +1 / -1 for cues, 0 for terms.
    pub pole: i8,
    /// Weight after modifiers (negative when a negation flipped it).
    pub weight: f32,
    /// `modifier::*` flags that changed this entry.
    pub modifiers: u8,
}

/// The decision on one theme for one claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeResult {
    /// Index of the theme in the lexicon's theme order.
    pub theme: usize,
    /// -1, 0 or +1.
    pub stance: i8,
    /// Signed strength of the evidence.
    pub score: f32,
    pub evidence: Vec<Evidence>,
}

/// Themes addressed by one claim, in lexicon theme order (absent = not addressed).
pub type ClaimTags = Vec<ThemeResult>;

/// An article after the whole per-article pipeline.
#[derive(Debug, Clone)]
pub struct ArticleResult {
    pub article: Article,
    pub claims: Vec<Claim>,
    /// `tags[i]` belongs to `claims[i]`.
    pub tags: Vec<ClaimTags>,
    /// Number of word tokens in the cleaned body.
    pub n_words: usize,
}
