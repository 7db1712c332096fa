//! From parsed files to a merged lexicon model, with every check that
//! `opstance lexicon check` reports. Entry strings are parsed into token
//! patterns here; the matcher turns them into its lookup structures.

use std::collections::BTreeMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::format::{self, Entry};
use super::{Diagnostic, Severity, ThemeInfo};
use crate::tokenize::{tokenize, TokenKind, Tokens};

/// Where something was written: source index and byte span.
#[derive(Debug, Clone, Copy, Default)]
pub struct Loc {
    pub src: usize,
    pub start: usize,
}

/// One source file (path as given, text).
#[derive(Debug, Clone)]
pub struct Source {
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl Source {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of byte offset `off`.
    pub fn line_col(&self, off: usize) -> (usize, usize) {
        let off = off.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= off);
        let ls = self.line_starts[line - 1];
        let col = self
            .text
            .get(ls..off)
            .map_or(off - ls, |s| s.chars().count())
            + 1;
        (line, col)
    }
}

/// Modifier lists, in a fixed order (index = [`ModKind`] as usize).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModKind {
    Negator,
    Hedge,
    Intensifier,
    Contrast,
    Concessive,
    Reporting,
    SelfSubject,
    Conditional,
    Endorse,
    Reject,
    ScopeBreak,
    Rhetorical,
    /// `[scope] other`: another conflict or state.
    ScopeOther,
    /// `[scope] anchor`: this war's places and actors.
    ScopeAnchor,
}

pub const MOD_KINDS: [ModKind; 14] = [
    ModKind::Negator,
    ModKind::Hedge,
    ModKind::Intensifier,
    ModKind::Contrast,
    ModKind::Concessive,
    ModKind::Reporting,
    ModKind::SelfSubject,
    ModKind::Conditional,
    ModKind::Endorse,
    ModKind::Reject,
    ModKind::ScopeBreak,
    ModKind::Rhetorical,
    ModKind::ScopeOther,
    ModKind::ScopeAnchor,
];

/// Used when no file in the stack lists any rhetorical openings.
const DEFAULT_RHETORICAL: &[&str] = &[
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "doesn't",
    "don't",
    "didn't",
    "won't",
    "wouldn't",
    "shouldn't",
    "can't",
    "couldn't",
    "haven't",
    "hasn't",
    "why should",
    "why would",
    "how can",
    "how could",
    "who would",
    "who could",
    "what good",
];
/// Used when no file in the stack lists any concessive words.
const DEFAULT_CONCESSIVE: &[&str] = &[
    "although",
    "though",
    "even though",
    "even if",
    "whereas",
    "while",
    "despite",
];

/// An entry with where it was written.
#[derive(Debug, Clone)]
pub struct Item {
    pub entry: Entry,
    pub loc: Loc,
}

/// Cue lists of a theme: 0 pos, 1 neg, 2 pos_if, 3 neg_if.
pub const CUE_LISTS: [(&str, i8, bool); 4] = [
    ("pos", 1, true),
    ("neg", -1, true),
    ("pos_if", 1, false),
    ("neg_if", -1, false),
];

#[derive(Debug, Clone)]
pub struct ThemeSpec {
    pub info: ThemeInfo,
    pub terms: Vec<Item>,
    pub exclude: Vec<Item>,
    pub min_weight: Option<f32>,
    pub cues: [Vec<Item>; 4],
    pub loc: Loc,
}

#[derive(Debug, Clone)]
pub struct TestCase {
    pub text: String,
    /// (theme id, stance)
    pub expect: Vec<(String, i8)>,
    pub note: Option<String>,
    /// Source index of the file that holds the case.
    pub src: usize,
    pub loc: Loc,
    /// 1-based line of the case's `text` in its file.
    pub line: usize,
}

/// Decision-rule factors.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub hedge: f32,
    pub intensifier: f32,
    pub contrast_after: f32,
    pub contrast_before: f32,
    pub conditional: f32,
    pub threshold: f32,
    /// Max tokens a `...` may skip.
    pub gap: u8,
    pub min_weight: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            hedge: 0.6,
            intensifier: 1.3,
            contrast_after: 1.5,
            contrast_before: 0.5,
            conditional: 0.3,
            threshold: 0.5,
            gap: 4,
            min_weight: 1.0,
        }
    }
}

/// The merged lexicon before compilation into the matcher.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub name: Option<String>,
    pub version: Option<String>,
    pub language: Option<String>,
    pub variants: BTreeMap<String, (String, Loc)>,
    pub modifiers: Vec<Vec<Item>>,
    pub settings: Settings,
    pub themes: Vec<ThemeSpec>,
    pub tests: Vec<TestCase>,
}

/// A parsed entry: positions of alternatives, with allowed gaps.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PatternSpec {
    pub positions: Vec<PosSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PosSpec {
    /// Extra tokens that may be skipped before this position (0 = adjacent).
    pub gap: u8,
    pub alts: Vec<AltSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AltSpec {
    Word(String),
    Prefix(String),
}

/// Collects diagnostics for a stack of sources.
pub struct Diags<'a> {
    pub sources: &'a [Source],
    pub list: Vec<Diagnostic>,
}

impl Diags<'_> {
    pub fn push(&mut self, loc: Loc, severity: Severity, message: impl Into<String>) {
        let s = &self.sources[loc.src];
        let (line, column) = s.line_col(loc.start);
        self.list.push(Diagnostic {
            path: s.path.clone(),
            line,
            column,
            severity,
            message: message.into(),
        });
    }
    pub fn error(&mut self, loc: Loc, m: impl Into<String>) {
        self.push(loc, Severity::Error, m)
    }
    pub fn warn(&mut self, loc: Loc, m: impl Into<String>) {
        self.push(loc, Severity::Warning, m)
    }
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity == Severity::Error)
    }
}

fn loc<T>(src: usize, s: &toml::Spanned<T>) -> Loc {
    Loc {
        src,
        start: s.span().start,
    }
}

fn items(src: usize, v: Vec<toml::Spanned<Entry>>) -> Vec<Item> {
    v.into_iter()
        .map(|s| Item {
            loc: loc(src, &s),
            entry: s.into_inner(),
        })
        .collect()
}

/// Does this text declare a full lexicon (`name = …`)?
pub fn is_full(text: &str) -> bool {
    text.parse::<toml::Table>()
        .map(|t| t.contains_key("name"))
        .unwrap_or(false)
}

/// Merge the sources in order into one spec. Parse errors and merge errors
/// go to `d`.
pub fn merge(d: &mut Diags) -> Spec {
    let mut spec = Spec {
        modifiers: vec![Vec::new(); MOD_KINDS.len()],
        ..Default::default()
    };
    for (src, source) in d.sources.iter().enumerate() {
        let file: format::File = match toml::from_str(&source.text) {
            Ok(f) => f,
            Err(e) => {
                let start = e.span().map_or(0, |s| s.start);
                let msg = e.message().trim().replace('\n', " ");
                d.error(Loc { src, start }, msg);
                continue;
            }
        };
        merge_file(&mut spec, src, file, d);
    }
    for (kind, defaults) in [
        (ModKind::Rhetorical, DEFAULT_RHETORICAL),
        (ModKind::Concessive, DEFAULT_CONCESSIVE),
    ] {
        let l = &mut spec.modifiers[kind as usize];
        if l.is_empty() {
            l.extend(defaults.iter().map(|t| Item {
                entry: Entry::Term {
                    term: t.to_string(),
                    weight: 1.0,
                    keep: false,
                },
                loc: Loc::default(),
            }));
        }
    }
    spec
}

fn merge_file(spec: &mut Spec, src: usize, f: format::File, d: &mut Diags) {
    if let Some(n) = f.name {
        spec.name = Some(n.into_inner());
    }
    if let Some(v) = f.version {
        spec.version = Some(v.into_inner());
    }
    if let Some(l) = f.language {
        spec.language = Some(l.into_inner());
    }
    for (k, v) in f.variants {
        let l = loc(src, &k);
        spec.variants.insert(k.into_inner(), (v.into_inner(), l));
    }
    let m = f.modifiers;
    let lists = [
        m.negators,
        m.hedges,
        m.intensifiers,
        m.contrast,
        m.concessive,
        m.reporting,
        m.self_,
        m.conditionals,
        m.endorse,
        m.reject,
        m.scope_breaks,
        m.rhetorical,
        f.scope.other,
        f.scope.anchor,
    ];
    for (i, l) in lists.into_iter().enumerate() {
        spec.modifiers[i].extend(items(src, l));
    }
    if let Some(s) = f.settings {
        let t = &mut spec.settings;
        let set = |dst: &mut f32, v: Option<f32>| {
            if let Some(v) = v {
                *dst = v;
            }
        };
        set(&mut t.hedge, s.hedge);
        set(&mut t.intensifier, s.intensifier);
        set(&mut t.contrast_after, s.contrast_after);
        set(&mut t.contrast_before, s.contrast_before);
        set(&mut t.conditional, s.conditional);
        set(&mut t.threshold, s.threshold);
        set(&mut t.min_weight, s.min_weight);
        if let Some(g) = s.gap {
            t.gap = g;
        }
    }
    let mut seen_here: FxHashMap<String, Loc> = FxHashMap::default();
    for th in f.theme {
        let tl = loc(src, &th.id);
        let id = th.id.into_inner();
        if id.trim().is_empty() {
            d.error(tl, "theme id is empty");
            continue;
        }
        if let Some(prev) = seen_here.insert(id.clone(), tl) {
            let (line, _) = d.sources[prev.src].line_col(prev.start);
            d.error(
                tl,
                format!("theme `{id}` is defined twice in this file (first at line {line})"),
            );
            continue;
        }
        let min_weight = th.min_weight.map(|w| {
            let v = *w.get_ref();
            if !(v.is_finite() && v > 0.0) {
                d.error(loc(src, &w), "min_weight must be a positive number");
            }
            v
        });
        let s = |x: Option<format::SStr>| x.map(|v| v.into_inner()).unwrap_or_default();
        let label = th
            .label
            .map(|v| v.into_inner())
            .unwrap_or_else(|| id.clone());
        let c = th.cues;
        let ts = ThemeSpec {
            info: ThemeInfo {
                id: id.clone(),
                label,
                description: s(th.description),
                pos: s(th.pos),
                neg: s(th.neg),
            },
            terms: items(src, th.terms),
            exclude: items(src, th.exclude),
            min_weight,
            cues: [
                items(src, c.pos),
                items(src, c.neg),
                items(src, c.pos_if),
                items(src, c.neg_if),
            ],
            loc: tl,
        };
        match spec.themes.iter_mut().find(|t| t.info.id == id) {
            Some(t) => *t = ts,
            None => spec.themes.push(ts),
        }
    }
    for (id, c) in f.cues {
        let l = loc(src, &id);
        let id = id.into_inner();
        let Some(t) = spec.themes.iter_mut().find(|t| t.info.id == id) else {
            d.error(l, format!("cues for unknown theme `{id}`"));
            continue;
        };
        for (i, list) in [c.pos, c.neg, c.pos_if, c.neg_if].into_iter().enumerate() {
            t.cues[i].extend(items(src, list));
        }
    }
    for t in f.test {
        let l = loc(src, &t.text);
        let mut expect = Vec::new();
        for (k, v) in t.expect.into_inner() {
            let kl = loc(src, &k);
            let k = k.into_inner();
            if !(-1..=1).contains(&v) {
                d.error(
                    kl,
                    format!("expected stance for `{k}` must be -1, 0 or 1, not {v}"),
                );
                continue;
            }
            if !spec.themes.iter().any(|th| th.info.id == k) {
                d.error(kl, format!("test expects unknown theme `{k}`"));
                continue;
            }
            expect.push((k, v as i8));
        }
        let line = d.sources[src].line_col(l.start).0;
        spec.tests.push(TestCase {
            line,
            text: t.text.into_inner(),
            expect,
            note: t.note,
            src,
            loc: l,
        });
    }
}

/// Parse an entry string into a pattern. `variants` folds single words.
pub fn parse_pattern(
    s: &str,
    variants: &FxHashMap<String, String>,
    gap: u8,
    toks: &mut Tokens,
) -> Result<PatternSpec, String> {
    let mut positions: Vec<PosSpec> = Vec::new();
    let mut pending_gap = 0u8;
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() {
        return Err("empty entry".into());
    }
    for (wi, w) in words.iter().enumerate() {
        if *w == "..." || *w == "…" {
            if positions.is_empty() || wi + 1 == words.len() {
                return Err(format!("`...` must stand between two words in `{s}`"));
            }
            if pending_gap > 0 {
                return Err(format!("two `...` in a row in `{s}`"));
            }
            pending_gap = gap;
            continue;
        }
        let alts_raw: Vec<&str> = w.split('|').collect();
        let single = alts_raw.len() == 1;
        let mut alts: Vec<AltSpec> = Vec::new();
        let mut expanded: Option<Vec<AltSpec>> = None;
        for a in alts_raw {
            if a.is_empty() {
                return Err(format!("empty alternative in `{w}`"));
            }
            let (body, glob) = match a.strip_suffix('*') {
                Some(b) => (b, true),
                None => (a, false),
            };
            if body.contains('*') {
                return Err(format!(
                    "`*` is only allowed at the end of a word (prefix glob): `{a}`"
                ));
            }
            if glob && body.is_empty() {
                return Err("a lone `*` matches everything; give a prefix".into());
            }
            let norms = norm_words(body, toks);
            if norms.is_empty() {
                return Err(format!("`{a}` has no letters or digits"));
            }
            let fold = |x: String| variants.get(&x).cloned().unwrap_or(x);
            if norms.len() > 1 {
                if !single {
                    return Err(format!(
                        "alternative `{a}` is several tokens; alternatives must be single tokens"
                    ));
                }
                let n = norms.len();
                let v: Vec<AltSpec> = norms
                    .into_iter()
                    .enumerate()
                    .map(|(i, x)| {
                        if glob && i + 1 == n {
                            AltSpec::Prefix(x)
                        } else {
                            AltSpec::Word(fold(x))
                        }
                    })
                    .collect();
                expanded = Some(v);
            } else {
                let x = norms.into_iter().next().expect("one");
                alts.push(if glob {
                    AltSpec::Prefix(x)
                } else {
                    AltSpec::Word(fold(x))
                });
            }
        }
        match expanded {
            Some(v) => {
                for (i, a) in v.into_iter().enumerate() {
                    positions.push(PosSpec {
                        gap: if i == 0 { pending_gap } else { 0 },
                        alts: vec![a],
                    });
                }
            }
            None => {
                alts.sort();
                alts.dedup();
                positions.push(PosSpec {
                    gap: pending_gap,
                    alts,
                });
            }
        }
        pending_gap = 0;
    }
    if positions.len() > 255 {
        return Err("entry is too long".into());
    }
    Ok(PatternSpec { positions })
}

/// Normalised word tokens of an entry word, as the tokenizer sees them.
fn norm_words(s: &str, toks: &mut Tokens) -> Vec<String> {
    // Clitics written alone ("n't", "'s") are kept literally.
    let folded: String = s
        .chars()
        .map(|c| {
            if matches!(c, '\u{2019}' | '\u{2018}') {
                '\''
            } else {
                c
            }
        })
        .collect();
    if folded.starts_with('\'') {
        return vec![folded.to_lowercase()];
    }
    if folded.eq_ignore_ascii_case("n't") {
        return vec!["n't".into()];
    }
    tokenize(&folded, toks);
    toks.tokens
        .iter()
        .filter(|t| t.kind != TokenKind::Punct)
        .map(|t| toks.norm_of(t).to_string())
        .collect()
}

/// Check a merged spec (entries parse, regexes compile, duplicates,
/// conflicts, empty themes). Returns the variant map for the matcher.
pub fn check(spec: &Spec, d: &mut Diags) -> FxHashMap<String, String> {
    let mut toks = Tokens::default();
    // Variants: single tokens both sides.
    let mut variants = FxHashMap::default();
    for (k, (v, l)) in &spec.variants {
        let nk = norm_words(k, &mut toks);
        let nv = norm_words(v, &mut toks);
        if nk.len() != 1 || nv.len() != 1 {
            d.error(
                *l,
                format!("variant `{k}` = `{v}`: both sides must be single words"),
            );
            continue;
        }
        let (nk, nv) = (nk[0].clone(), nv[0].clone());
        if nk == nv {
            d.warn(*l, format!("variant `{k}` maps to itself"));
            continue;
        }
        variants.insert(nk, nv);
    }
    // Chains (a = b, b = c) are resolved to the end.
    let keys: Vec<String> = variants.keys().cloned().collect();
    for k in keys {
        let mut v = variants[&k].clone();
        let mut steps = 0;
        while let Some(n) = variants.get(&v) {
            v = n.clone();
            steps += 1;
            if steps > 16 {
                break;
            }
        }
        variants.insert(k, v);
    }
    let gap = spec.settings.gap;
    let mut check_entry = |it: &Item, d: &mut Diags| -> Option<PatternSpec> {
        match &it.entry {
            Entry::Term { term, .. } => match parse_pattern(term, &variants, gap, &mut toks) {
                Ok(p) => Some(p),
                Err(e) => {
                    d.error(it.loc, format!("invalid entry `{term}`: {e}"));
                    None
                }
            },
            Entry::Regex { regex, .. } => {
                if let Err(e) = regex::Regex::new(regex) {
                    let e = e.to_string();
                    let e = e
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or("")
                        .trim();
                    d.error(it.loc, format!("invalid regex `{regex}`: {e}"));
                }
                None
            }
        }
    };
    let not_cue = |it: &Item, d: &mut Diags| {
        if it.entry.keeps_negation() {
            d.warn(
                it.loc,
                format!(
                    "`negation` only matters on cues; ignored on `{}`",
                    it.entry.written()
                ),
            );
        }
    };
    for (i, list) in spec.modifiers.iter().enumerate() {
        let mut seen: FxHashMap<PatternSpec, Loc> = FxHashMap::default();
        for it in list {
            not_cue(it, d);
            if let Some(p) = check_entry(it, d) {
                if seen.insert(p, it.loc).is_some() && it.loc.start != 0 {
                    d.warn(
                        it.loc,
                        format!(
                            "duplicate modifier `{}` in {:?} list",
                            it.entry.written(),
                            MOD_KINDS[i]
                        ),
                    );
                }
            }
        }
    }
    for th in &spec.themes {
        let id = &th.info.id;
        if th.terms.is_empty() && th.cues.iter().all(|c| c.is_empty()) {
            d.error(
                th.loc,
                format!("theme `{id}` is empty: it has no terms and no cues"),
            );
        } else if th.terms.is_empty() && th.cues[0].is_empty() && th.cues[1].is_empty() {
            d.warn(
                th.loc,
                format!("theme `{id}` has no terms and no strong cues: it can never be addressed"),
            );
        }
        let mut seen: FxHashMap<PatternSpec, Loc> = FxHashMap::default();
        for it in &th.terms {
            not_cue(it, d);
            if let Some(p) = check_entry(it, d) {
                if seen.insert(p, it.loc).is_some() {
                    d.warn(
                        it.loc,
                        format!("duplicate term `{}` in theme `{id}`", it.entry.written()),
                    );
                }
            }
        }
        for it in &th.exclude {
            not_cue(it, d);
            check_entry(it, d);
        }
        // Cues: same pattern with both poles = error; twice with one pole = warning.
        let mut poles: FxHashMap<PatternSpec, (i8, &'static str, Loc)> = FxHashMap::default();
        for (li, list) in th.cues.iter().enumerate() {
            let (lname, pole, _) = CUE_LISTS[li];
            for it in list {
                let Some(p) = check_entry(it, d) else {
                    continue;
                };
                match poles.get(&p) {
                    Some((pp, pl, ploc)) => {
                        let (line, _) = d.sources[ploc.src].line_col(ploc.start);
                        if *pp != pole {
                            d.error(
                                it.loc,
                                format!(
                                    "cue `{}` of theme `{id}` is in `{lname}` and in `{pl}` (line {line}): conflicting poles",
                                    it.entry.written()
                                ),
                            );
                        } else {
                            d.warn(
                                it.loc,
                                format!(
                                    "duplicate cue `{}` of theme `{id}` (also in `{pl}`, line {line})",
                                    it.entry.written()
                                ),
                            );
                        }
                    }
                    None => {
                        poles.insert(p, (pole, lname, it.loc));
                    }
                }
            }
        }
    }
    variants
}

/// Shared entry text for evidence.
pub fn written(e: &Entry) -> Arc<str> {
    Arc::from(e.written())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> Result<PatternSpec, String> {
        let mut v = FxHashMap::default();
        v.insert("kiev".to_string(), "kyiv".to_string());
        parse_pattern(s, &v, 4, &mut Tokens::default())
    }

    #[test]
    fn patterns_parse() {
        let p = pat("restore ... territorial integrity").unwrap();
        assert_eq!(p.positions.len(), 3);
        assert_eq!(p.positions[1].gap, 4);
        let p = pat("never recognise|recognize").unwrap();
        assert_eq!(p.positions[1].alts.len(), 2);
        let p = pat("annex*").unwrap();
        assert_eq!(p.positions[0].alts, [AltSpec::Prefix("annex".into())]);
        let p = pat("pro-Russian").unwrap();
        assert_eq!(p.positions.len(), 2);
        let p = pat("don't").unwrap();
        assert_eq!(p.positions.len(), 2);
        assert_eq!(
            pat("n't").unwrap().positions[0].alts,
            [AltSpec::Word("n't".into())]
        );
        assert_eq!(
            pat("Kiev").unwrap().positions[0].alts,
            [AltSpec::Word("kyiv".into())]
        );
        assert_eq!(
            pat("Zaporižžia").unwrap().positions[0].alts,
            [AltSpec::Word("zaporizzia".into())]
        );
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(pat("re*cognise").is_err());
        assert!(pat("*").is_err());
        assert!(pat("... peace").is_err());
        assert!(pat("peace ...").is_err());
        assert!(pat("a||b").is_err());
        assert!(pat("").is_err());
        assert!(pat("a ... ... b").is_err());
    }

    #[test]
    fn line_col() {
        let s = Source::new("x", "ab\ncdé\nf");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(3), (2, 1));
        assert_eq!(s.line_col(7), (2, 4));
        assert_eq!(s.line_col(8), (3, 1));
    }
}
