//! Matcher: finds theme terms, stance cues, exclusions and modifiers in a
//! claim's tokens in one pass.
//!
//! Every entry of the lexicon is compiled into one structure:
//! - a byte trie over normalised words (exact words, prefix globs and
//!   spelling variants), walked once per word token: it yields the word's id
//!   and the entries whose first position the word can start;
//! - the remaining positions of each entry, checked only for those
//!   candidates (consecutive words of one clause, `...` gaps, alternatives);
//! - regexes, run on the claim's normalised text (`Tokens::norm`) only when
//!   the lexicon has any.
//!
//! Overlapping matches of the same group (a theme's terms, a theme's cues, a
//! theme's exclusions, all modifiers) are resolved longest-first; matches
//! with the same span are all kept (a word may be both a contrast word and
//! a scope break).

use std::sync::Arc;

use rustc_hash::FxHashMap;

use crate::lexicon::compile::{AltSpec, ModKind, PatternSpec};

mod gate;
use crate::tokenize::{TokenKind, Tokens};
use gate::{GateScratch, ThemeGate};

const NONE: u32 = u32::MAX;

/// What an entry does when it matches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    Term {
        theme: u16,
        weight: f32,
    },
    Cue {
        theme: u16,
        pole: i8,
        strong: bool,
        weight: f32,
    },
    Exclude {
        theme: u16,
    },
    Modifier(ModKind),
}

impl Role {
    /// Overlap group: longest match wins within a group.
    fn group(&self) -> u32 {
        match *self {
            Role::Term { theme, .. } => 1 + theme as u32 * 3,
            Role::Cue { theme, .. } => 2 + theme as u32 * 3,
            Role::Exclude { theme } => 3 + theme as u32 * 3,
            // Rhetorical openings ("isn't") only matter at the claim start;
            // they must not hide the negator inside them elsewhere.
            Role::Modifier(ModKind::Rhetorical) => 0xFFFF,
            Role::Modifier(_) => 0,
        }
    }
}

#[derive(Debug, Clone)]
enum Alt {
    Word(u32),
    Prefix(Box<str>),
}

#[derive(Debug, Clone)]
struct Pos {
    gap: u8,
    alts: Vec<Alt>,
}

#[derive(Debug, Clone)]
pub struct Pattern {
    positions: Vec<Pos>,
    /// Word id required right after the first word (position 1 is one exact
    /// word with no gap), else NONE: a cheap filter before `verify`.
    next_word: u32,
    /// Overlap group (see [`Role::group`]).
    group: u32,
    pub role: Role,
    /// The entry as written in the lexicon.
    pub entry: Arc<str>,
}

/// Byte trie with dense transitions over the byte classes used by the lexicon.
/// A transition holds `child << 1 | has_prefix_entries(child)`, so the walk
/// touches only the transition table (0 = no child; the root is never a child).
#[derive(Debug, Clone)]
struct Trie {
    class: [u8; 256],
    nclass: usize,
    trans: Vec<u32>,
    /// The same table in 16 bits when the trie is small enough (it usually
    /// is): half the cache footprint for the hot walk.
    trans16: Vec<u16>,
    /// Per node: word id when a whole word ends here.
    word: Vec<u32>,
    /// Per node: variant target (index into `variant_to`) when a variant key ends here.
    variant: Vec<u32>,
    /// Per node: patterns whose first position has a prefix glob ending here.
    prefix_first: Vec<Vec<u32>>,
}

impl Trie {
    fn new(class: [u8; 256], nclass: usize) -> Self {
        let mut t = Trie {
            class,
            nclass,
            trans: Vec::new(),
            trans16: Vec::new(),
            word: Vec::new(),
            variant: Vec::new(),
            prefix_first: Vec::new(),
        };
        t.add_node();
        t
    }

    fn add_node(&mut self) -> u32 {
        let id = self.word.len() as u32;
        self.trans.extend(std::iter::repeat(0).take(self.nclass));
        self.word.push(NONE);
        self.variant.push(NONE);
        self.prefix_first.push(Vec::new());
        id
    }

    fn insert(&mut self, s: &str) -> u32 {
        let mut node = 0u32;
        for &b in s.as_bytes() {
            let c = self.class[b as usize] as usize;
            let i = node as usize * self.nclass + c;
            let next = self.trans[i] >> 1;
            node = if next == 0 {
                let n = self.add_node();
                self.trans[i] = n << 1;
                n
            } else {
                next
            };
        }
        node
    }

    /// Renumber nodes breadth-first, so the shallow nodes every word walks
    /// through share a few cache lines.
    fn renumber_bfs(&mut self) {
        let n = self.word.len();
        let mut order = Vec::with_capacity(n);
        let mut new_id = vec![u32::MAX; n];
        order.push(0usize);
        new_id[0] = 0;
        let mut head = 0;
        while head < order.len() {
            let node = order[head];
            head += 1;
            for c in 0..self.nclass {
                let child = (self.trans[node * self.nclass + c] >> 1) as usize;
                if child != 0 && new_id[child] == u32::MAX {
                    new_id[child] = order.len() as u32;
                    order.push(child);
                }
            }
        }
        let mut trans = vec![0u32; n * self.nclass];
        let mut word = vec![NONE; n];
        let mut variant = vec![NONE; n];
        let mut prefix_first = vec![Vec::new(); n];
        for (new, &old) in order.iter().enumerate() {
            for c in 0..self.nclass {
                let t = self.trans[old * self.nclass + c];
                let child = (t >> 1) as usize;
                if child != 0 {
                    trans[new * self.nclass + c] = (new_id[child] << 1) | (t & 1);
                }
            }
            word[new] = self.word[old];
            variant[new] = self.variant[old];
            prefix_first[new] = std::mem::take(&mut self.prefix_first[old]);
        }
        self.trans = trans;
        self.word = word;
        self.variant = variant;
        self.prefix_first = prefix_first;
    }

    /// Set the has-prefix bit on every transition into a node with prefix entries.
    fn finish(&mut self) {
        self.renumber_bfs();
        for t in self.trans.iter_mut() {
            let child = (*t >> 1) as usize;
            if child != 0 && !self.prefix_first[child].is_empty() {
                *t |= 1;
            }
        }
        if self.word.len() < 1 << 15 {
            self.trans16 = self.trans.iter().map(|&t| t as u16).collect();
            self.trans = Vec::new();
        }
    }

    /// Walk `s`; calls `on_prefix` for every node reached that has prefix
    /// entries and returns the final node if all of `s` was consumed.
    #[inline]
    fn walk(&self, s: &[u8], on_prefix: impl FnMut(u32)) -> Option<u32> {
        if self.trans.is_empty() {
            walk_in(&self.trans16, &self.class, self.nclass, s, on_prefix)
        } else {
            walk_in(&self.trans, &self.class, self.nclass, s, on_prefix)
        }
    }
}

#[inline]
fn walk_in<T: Copy + Into<u32>>(
    trans: &[T],
    class: &[u8; 256],
    nclass: usize,
    s: &[u8],
    mut on_prefix: impl FnMut(u32),
) -> Option<u32> {
    let mut node = 0usize;
    for &b in s {
        let c = class[b as usize] as usize;
        if c == 0 {
            return None;
        }
        let t: u32 = trans[node * nclass + c].into();
        if t == 0 {
            return None;
        }
        node = (t >> 1) as usize;
        if t & 1 != 0 {
            on_prefix(node as u32);
        }
    }
    Some(node as u32)
}

/// A cheap, exact-free pre-check in front of the trie: most words of a text
/// are in no entry, and walking the trie for them costs a cache miss per
/// byte. A word can only yield something if it is a lexicon word or variant
/// key (bit set for its hash) or starts like a first-position prefix glob
/// (bit set for the hash of its first [`START`] bytes). No false negatives:
/// when the filter passes, the trie decides as before.
#[derive(Debug, Clone)]
struct WordFilter {
    exact: Vec<u64>,
    starts: Vec<u64>,
    /// Two-byte first-position prefix globs (`eu*`), by their two bytes.
    starts2: Vec<u64>,
    any_starts2: bool,
    /// A one-byte prefix glob: the filter cannot help.
    all: bool,
}

const START: usize = 3;
const EXACT_BITS: u32 = 18;
const START_BITS: u32 = 16;
const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

impl WordFilter {
    fn new() -> Self {
        WordFilter {
            exact: vec![0; 1 << (EXACT_BITS - 6)],
            starts: vec![0; 1 << (START_BITS - 6)],
            starts2: vec![0; 1 << (16 - 6)],
            any_starts2: false,
            all: false,
        }
    }

    #[inline]
    fn exact_bit(w: &[u8]) -> usize {
        let mut h = (w.len() as u64).wrapping_mul(MUL);
        let mut chunks = w.chunks_exact(8);
        for c in &mut chunks {
            let x = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = (h ^ x).wrapping_mul(MUL).rotate_left(29);
        }
        let r = chunks.remainder();
        let mut buf = [0u8; 8];
        buf[..r.len()].copy_from_slice(r);
        h = (h ^ u64::from_le_bytes(buf)).wrapping_mul(MUL);
        (h >> (64 - EXACT_BITS)) as usize
    }

    #[inline]
    fn start2(w: &[u8]) -> usize {
        usize::from(w[0]) | usize::from(w[1]) << 8
    }

    #[inline]
    fn start_bit(w: &[u8]) -> usize {
        let x = u32::from(w[0]) | u32::from(w[1]) << 8 | u32::from(w[2]) << 16;
        (x.wrapping_mul(0x9E37_79B1) >> (32 - START_BITS)) as usize
    }

    fn add_word(&mut self, w: &str) {
        let i = Self::exact_bit(w.as_bytes());
        self.exact[i >> 6] |= 1 << (i & 63);
    }

    fn add_prefix(&mut self, p: &str) {
        if p.len() == 2 {
            let i = Self::start2(p.as_bytes());
            self.starts2[i >> 6] |= 1 << (i & 63);
            self.any_starts2 = true;
            return;
        }
        if p.len() < START {
            self.all = true;
            return;
        }
        let i = Self::start_bit(p.as_bytes());
        self.starts[i >> 6] |= 1 << (i & 63);
    }

    #[inline]
    fn may_match(&self, w: &[u8]) -> bool {
        if self.all {
            return true;
        }
        if w.len() >= START {
            let i = Self::start_bit(w);
            if self.starts[i >> 6] & (1 << (i & 63)) != 0 {
                return true;
            }
        }
        if self.any_starts2 && w.len() >= 2 {
            let i = Self::start2(w);
            if self.starts2[i >> 6] & (1 << (i & 63)) != 0 {
                return true;
            }
        }
        let i = Self::exact_bit(w);
        self.exact[i >> 6] & (1 << (i & 63)) != 0
    }
}

/// A regex entry.
#[derive(Debug, Clone)]
struct RegexEntry {
    re: regex::Regex,
    pattern: u32,
}

/// All entries of a lexicon, compiled.
#[derive(Debug, Clone)]
pub struct Matcher {
    trie: Trie,
    filter: WordFilter,
    /// Patterns whose first position has a given word, with their
    /// `next_word`: word id `i` owns `first[first_at[i]..first_at[i + 1]]`
    /// (sorted by pattern). Flat, so the candidate loop scans one run.
    first: Vec<(u32, u32)>,
    first_at: Vec<u32>,
    variant_to: Vec<Box<str>>,
    pub patterns: Vec<Pattern>,
    regexes: Vec<RegexEntry>,
    /// Per pattern: a term, cue or exclusion (not a modifier).
    is_theme: Vec<bool>,
    /// Per pattern: `Pattern::next_word`, packed for the candidate loop.
    next_word: Vec<u32>,
    /// Raw-text pre-check run before a claim is even tokenized.
    gate: ThemeGate,
    gate_opener: Option<u32>,
}

/// One match: entry `pattern` over words `first..=last` (word indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub pattern: u32,
    pub first: u32,
    pub last: u32,
    /// Number of positions matched (longest-match key).
    len: u32,
}

/// Reusable per-thread buffers of the matcher.
#[derive(Debug, Default, Clone)]
pub struct MatchScratch {
    /// Token index of each word (word and number tokens).
    pub words: Vec<u32>,
    /// Clause number of each word (clauses end at , ; : - ( ) . ? !).
    pub clause: Vec<u16>,
    /// Whether each word is inside double quotes.
    pub quoted: Vec<bool>,
    /// Word id (or NONE) of each word.
    ids: Vec<u32>,
    /// (word, pattern) from prefix globs met in the trie walk.
    pre: Vec<(u32, u32)>,
    /// Candidates (word, pattern) whose required next word is there: theme
    /// entries and modifiers apart, each in word order.
    theme_cands: Vec<(u32, u32)>,
    mod_cands: Vec<(u32, u32)>,
    raw: Vec<Match>,
    /// Accepted matches, sorted by (first, last).
    pub matches: Vec<Match>,
    gate: GateScratch,
}

impl MatchScratch {
    /// Word tokens of the last claim [`Matcher::may_address_theme`] rejected
    /// (counted by the gate's scan, equal to what the tokenizer would count).
    pub fn untokenized_words(&self) -> usize {
        self.gate.words
    }
}

/// Builder input: (pattern spec or regex, role, entry as written).
pub enum Source<'a> {
    Pattern(&'a PatternSpec),
    Regex(&'a str),
}

impl Matcher {
    /// Compile entries. Regexes must be valid (checked before).
    pub fn build<'a>(
        entries: impl IntoIterator<Item = (Source<'a>, Role, Arc<str>)>,
        variants: &FxHashMap<String, String>,
    ) -> Matcher {
        let entries: Vec<_> = entries.into_iter().collect();
        // Byte classes: every byte of every word, prefix and variant.
        let mut used = [false; 256];
        let mut mark = |s: &str| {
            for &b in s.as_bytes() {
                used[b as usize] = true;
            }
        };
        for (src, _, _) in &entries {
            if let Source::Pattern(p) = src {
                for pos in &p.positions {
                    for a in &pos.alts {
                        match a {
                            AltSpec::Word(w) | AltSpec::Prefix(w) => mark(w),
                        }
                    }
                }
            }
        }
        for (k, v) in variants {
            mark(k);
            mark(v);
        }
        let mut class = [0u8; 256];
        let mut n = 1usize;
        for b in 0..256 {
            if used[b] && n < 256 {
                class[b] = n as u8;
                n += 1;
            }
        }
        let mut trie = Trie::new(class, n);
        let mut word_ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut word_first: Vec<Vec<u32>> = Vec::new();
        let mut intern = |trie: &mut Trie, w: &str, word_first: &mut Vec<Vec<u32>>| -> u32 {
            if let Some(&id) = word_ids.get(w) {
                return id;
            }
            let id = word_first.len() as u32;
            word_first.push(Vec::new());
            word_ids.insert(w.to_string(), id);
            let node = trie.insert(w);
            trie.word[node as usize] = id;
            id
        };
        let mut filter = WordFilter::new();
        // Theme entries that can make a claim address a theme, for the gate.
        let mut gated: Vec<(&PatternSpec, Role)> = Vec::new();
        let mut gated_ids: Vec<u32> = Vec::new();
        let mut gated_regex: Vec<(PatternSpec, Role, u32)> = Vec::new();
        // The first entry the gate cannot search (it then passes every claim).
        let mut gate_opener: Option<u32> = None;
        let mut patterns = Vec::new();
        let mut regexes = Vec::new();
        for (src, role, entry) in entries {
            let pid = patterns.len() as u32;
            // Only terms and strong cues make a claim address a theme
            // (see `stance`); exclusions and weak cues need a term.
            let addresses = matches!(role, Role::Term { .. } | Role::Cue { strong: true, .. });
            match src {
                Source::Regex(r) => {
                    if addresses {
                        match gate::regex_prefixes(r) {
                            Some(spec) => gated_regex.push((spec, role, pid)),
                            None => {
                                gate_opener.get_or_insert(pid);
                            }
                        }
                    }
                    if let Ok(re) = regex::Regex::new(r) {
                        regexes.push(RegexEntry { re, pattern: pid });
                    }
                    patterns.push(Pattern {
                        positions: Vec::new(),
                        next_word: NONE,
                        group: role.group(),
                        role,
                        entry,
                    });
                }
                Source::Pattern(p) => {
                    if addresses {
                        gated.push((p, role));
                        gated_ids.push(pid);
                    }
                    let mut positions = Vec::with_capacity(p.positions.len());
                    for (pi, pos) in p.positions.iter().enumerate() {
                        let mut alts = Vec::with_capacity(pos.alts.len());
                        for a in &pos.alts {
                            match a {
                                AltSpec::Word(w) => {
                                    let id = intern(&mut trie, w, &mut word_first);
                                    if pi == 0 {
                                        word_first[id as usize].push(pid);
                                    }
                                    alts.push(Alt::Word(id));
                                }
                                AltSpec::Prefix(w) => {
                                    if pi == 0 {
                                        filter.add_prefix(w);
                                        let node = trie.insert(w);
                                        trie.prefix_first[node as usize].push(pid);
                                    }
                                    alts.push(Alt::Prefix(w.as_str().into()));
                                }
                            }
                        }
                        positions.push(Pos { gap: pos.gap, alts });
                    }
                    let next_word = match positions.get(1) {
                        Some(Pos { gap: 0, alts }) if alts.len() == 1 => match alts[0] {
                            Alt::Word(id) => id,
                            Alt::Prefix(_) => NONE,
                        },
                        _ => NONE,
                    };
                    patterns.push(Pattern {
                        positions,
                        next_word,
                        group: role.group(),
                        role,
                        entry,
                    });
                }
            }
        }
        let mut variant_to = Vec::new();
        for w in word_ids.keys() {
            filter.add_word(w);
        }
        let gate = if gate_opener.is_some() {
            ThemeGate::open()
        } else {
            gated.extend(gated_regex.iter().map(|(p, r, _)| (p, *r)));
            gated_ids.extend(gated_regex.iter().map(|(_, _, pid)| *pid));
            ThemeGate::new(&gated, variants).unwrap_or_else(|i| {
                gate_opener = Some(gated_ids[i]);
                ThemeGate::open()
            })
        };
        for (k, v) in variants {
            filter.add_word(k);
            let node = trie.insert(k);
            trie.variant[node as usize] = variant_to.len() as u32;
            variant_to.push(v.as_str().into());
        }
        for l in &mut word_first {
            l.sort_unstable();
            l.dedup();
        }
        trie.finish();
        let next_word: Vec<u32> = patterns.iter().map(|p: &Pattern| p.next_word).collect();
        let mut first = Vec::new();
        let mut first_at = vec![0u32];
        for l in &word_first {
            first.extend(l.iter().map(|&p| (p, next_word[p as usize])));
            first_at.push(first.len() as u32);
        }
        let is_theme = patterns
            .iter()
            .map(|p: &Pattern| !matches!(p.role, Role::Modifier(_)))
            .collect();
        Matcher {
            trie,
            filter,
            first,
            first_at,
            variant_to,
            patterns,
            regexes,
            is_theme,
            next_word,
            gate,
            gate_opener,
        }
    }

    /// The entry (pattern id) that keeps the theme gate from rejecting any
    /// claim, if one does: `lexicon check` warns about it.
    pub fn gate_opener(&self) -> Option<u32> {
        self.gate_opener
    }

    /// Can a claim with this (raw, untokenized) text address a theme — a
    /// strong cue, or terms reaching the theme's `min_weight`? `false` is
    /// certain: the claim needs no tokenizing or matching. In a typical
    /// corpus most claims stop here (see `gate`).
    #[inline]
    pub fn may_address_theme(&self, text: &str, s: &mut MatchScratch) -> bool {
        self.gate.may_match(text, &mut s.gate)
    }

    /// The term weight each theme needs to be addressed (what the gate may
    /// rely on; see [`Matcher::may_address_theme`]).
    pub fn set_min_weight(&mut self, min_weight: &[f32]) {
        self.gate.set_min_weight(min_weight);
    }

    /// Find all matches in the tokens of one claim. Results are in
    /// `s.matches` (sorted by first word, then last word).
    pub fn find(&self, _text: &str, toks: &Tokens, s: &mut MatchScratch) {
        s.words.clear();
        s.clause.clear();
        s.quoted.clear();
        s.ids.clear();
        s.pre.clear();
        s.theme_cands.clear();
        s.mod_cands.clear();
        s.raw.clear();
        s.matches.clear();
        let norm_bytes = toks.norm.as_bytes();
        let n = toks.tokens.len();
        s.words.reserve(n);
        s.clause.reserve(n);
        s.quoted.reserve(n);
        s.ids.reserve(n);
        let mut clause = 0u16;
        let mut quoted = false;
        for (ti, t) in toks.tokens.iter().enumerate() {
            if t.kind == TokenKind::Punct {
                match norm_bytes[t.norm_start as usize] {
                    b',' | b';' | b':' | b'-' | b'(' | b')' | b'.' | b'?' | b'!' => {
                        clause = clause.saturating_add(1)
                    }
                    b'"' => quoted = !quoted,
                    _ => {}
                }
                continue;
            }
            let wi = s.words.len() as u32;
            s.words.push(ti as u32);
            s.clause.push(clause);
            s.quoted.push(quoted);
            let norm = &norm_bytes[t.norm_start as usize..t.norm_end as usize];
            let id = self.lookup(norm, wi, &mut s.pre);
            s.ids.push(id);
        }
        if !self.regexes.is_empty() {
            self.find_regex(toks, s);
        }
        let nw = s.words.len();
        self.candidates(s, nw);
        // Theme entries first: most claims have none, and then modifiers
        // do not matter.
        if !s.theme_cands.is_empty() {
            let cands = std::mem::take(&mut s.theme_cands);
            self.verify_cands(&cands, toks, s, nw);
            s.theme_cands = cands;
        }
        if !s.raw.iter().any(|m| self.is_theme[m.pattern as usize]) {
            s.raw.clear();
            return;
        }
        let cands = std::mem::take(&mut s.mod_cands);
        self.verify_cands(&cands, toks, s, nw);
        s.mod_cands = cands;
        self.resolve(s);
    }

    /// Candidates of each word in order: its prefix globs, then the entries
    /// its word starts. An entry whose second position is one exact word
    /// (`next_word`) is dropped here unless that word follows in the same
    /// clause: common first words ("the", "nuclear") start dozens of
    /// entries, and most are decided by this test alone.
    fn candidates(&self, s: &mut MatchScratch, nw: usize) {
        let MatchScratch {
            ids,
            clause,
            pre,
            theme_cands,
            mod_cands,
            ..
        } = s;
        let follows = |wi: usize, next: u32| {
            next == NONE || (wi + 1 < nw && ids[wi + 1] == next && clause[wi + 1] == clause[wi])
        };
        let mut push = |wi: usize, pid: u32| {
            if self.is_theme[pid as usize] {
                theme_cands.push((wi as u32, pid));
            } else {
                mod_cands.push((wi as u32, pid));
            }
        };
        let mut k = 0;
        for (wi, &id) in ids.iter().enumerate() {
            while k < pre.len() && pre[k].0 as usize == wi {
                let pid = pre[k].1;
                if follows(wi, self.next_word[pid as usize]) {
                    push(wi, pid);
                }
                k += 1;
            }
            if id == NONE {
                continue;
            }
            let run = self.first_at[id as usize] as usize..self.first_at[id as usize + 1] as usize;
            for &(pid, next) in &self.first[run] {
                if follows(wi, next) {
                    push(wi, pid);
                }
            }
        }
    }

    /// Verify candidates (already filtered on their next word).
    fn verify_cands(&self, cands: &[(u32, u32)], toks: &Tokens, s: &mut MatchScratch, nw: usize) {
        for &(wi, pid) in cands {
            let p = &self.patterns[pid as usize];
            if let Some(last) = self.verify(p, 1, wi as usize, toks, s, nw) {
                s.raw.push(Match {
                    pattern: pid,
                    first: wi,
                    last: last as u32,
                    len: p.positions.len() as u32,
                });
            }
        }
    }

    /// Trie lookup of one word: pushes the candidates of its prefix globs,
    /// returns the word id.
    #[inline]
    fn lookup(&self, norm: &[u8], wi: u32, cands: &mut Vec<(u32, u32)>) -> u32 {
        if !self.filter.may_match(norm) {
            return NONE;
        }
        let trie = &self.trie;
        let end = trie.walk(norm, |node| {
            for &p in &trie.prefix_first[node as usize] {
                cands.push((wi, p));
            }
        });
        let Some(node) = end else { return NONE };
        // Entries are folded through the variants, so a node is a word or a
        // variant key, never both: check the (more common) word first.
        if trie.word[node as usize] != NONE {
            return self.word_at(node);
        }
        let v = trie.variant[node as usize];
        if v != NONE {
            // A spelling variant: look up the canonical form instead. The
            // prefixes already pushed for the variant spelling are kept.
            let canon = self.variant_to[v as usize].as_bytes();
            let end = trie.walk(canon, |node| {
                for &p in &trie.prefix_first[node as usize] {
                    cands.push((wi, p));
                }
            });
            return match end {
                Some(n) => self.word_at(n),
                None => NONE,
            };
        }
        self.word_at(node)
    }

    #[inline]
    fn word_at(&self, node: u32) -> u32 {
        self.trie.word[node as usize]
    }

    fn alt_matches(&self, alts: &[Alt], wi: usize, toks: &Tokens, s: &MatchScratch) -> bool {
        alts.iter().any(|a| match a {
            Alt::Word(id) => s.ids[wi] == *id,
            Alt::Prefix(p) => {
                let t = &toks.tokens[s.words[wi] as usize];
                let norm = toks.norm_of(t);
                norm.starts_with(&**p) || self.canonical(s.ids[wi], norm).starts_with(&**p)
            }
        })
    }

    /// For prefix checks on a variant spelling: the canonical text.
    fn canonical<'a>(&'a self, _id: u32, norm: &'a str) -> &'a str {
        if let Some(node) = self.trie.walk(norm.as_bytes(), |_| {}) {
            let v = self.trie.variant[node as usize];
            if v != NONE {
                return &self.variant_to[v as usize];
            }
        }
        norm
    }

    /// Match positions `k..` after word `prev`; returns the last word.
    fn verify(
        &self,
        p: &Pattern,
        k: usize,
        prev: usize,
        toks: &Tokens,
        s: &MatchScratch,
        nw: usize,
    ) -> Option<usize> {
        if k == p.positions.len() {
            return Some(prev);
        }
        let pos = &p.positions[k];
        let clause = s.clause[prev];
        for j in prev + 1..=(prev + 1 + pos.gap as usize).min(nw.saturating_sub(1)) {
            if j >= nw || s.clause[j] != clause {
                break;
            }
            if self.alt_matches(&pos.alts, j, toks, s) {
                if let Some(l) = self.verify(p, k + 1, j, toks, s, nw) {
                    return Some(l);
                }
            }
        }
        None
    }

    /// Regexes run on [`Tokens::norm`] (normalised tokens separated by
    /// single spaces); a match covers the words it overlaps.
    fn find_regex(&self, toks: &Tokens, s: &mut MatchScratch) {
        let hay = toks.norm.as_str();
        for r in &self.regexes {
            for m in r.re.find_iter(hay) {
                if m.start() == m.end() {
                    continue;
                }
                // Tokens overlapping the match, then the words among them.
                let t0 = toks
                    .tokens
                    .partition_point(|t| (t.norm_end as usize) <= m.start());
                let t1 = toks
                    .tokens
                    .partition_point(|t| (t.norm_start as usize) < m.end());
                let w0 = s.words.partition_point(|&w| (w as usize) < t0);
                let w1 = s.words.partition_point(|&w| (w as usize) < t1);
                if w0 >= w1 {
                    continue;
                }
                s.raw.push(Match {
                    pattern: r.pattern,
                    first: w0 as u32,
                    last: (w1 - 1) as u32,
                    len: (w1 - w0) as u32,
                });
            }
        }
    }

    /// Longest match wins within a group; identical spans are all kept.
    fn resolve(&self, s: &mut MatchScratch) {
        let pats = &self.patterns;
        // Group, then longest (positions, then span) first, then leftmost.
        s.raw.sort_unstable_by_key(|m| {
            let g = (pats[m.pattern as usize].group as u64).min(0xFFFF);
            let len = 0xFFFF - (m.len.min(0xFFFF) as u64);
            let span = 0xFFFF - ((m.last - m.first).min(0xFFFF) as u64);
            let first = m.first.min(0xFFFF) as u64;
            ((g << 48) | (len << 32) | (span << 16) | first, m.pattern)
        });
        s.raw.dedup();
        let mut group_start = 0;
        for i in 0..s.raw.len() {
            let m = s.raw[i];
            let g = pats[m.pattern as usize].group;
            if i > 0 && pats[s.raw[i - 1].pattern as usize].group != g {
                group_start = s.matches.len();
            }
            let ok = s.matches[group_start..].iter().all(|a| {
                a.last < m.first || m.last < a.first || (a.first == m.first && a.last == m.last)
            });
            if ok {
                s.matches.push(m);
            }
        }
        s.matches
            .sort_unstable_by_key(|m| (m.first, m.last, m.pattern));
    }

    pub fn has_regexes(&self) -> bool {
        !self.regexes.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::compile::parse_pattern;
    use crate::tokenize::tokenize;

    fn build(entries: &[(&str, Role)]) -> Matcher {
        let mut v = FxHashMap::default();
        v.insert("kiev".to_string(), "kyiv".to_string());
        v.insert("donbass".to_string(), "donbas".to_string());
        let specs: Vec<_> = entries
            .iter()
            .map(|(e, _)| parse_pattern(e, &v, 4, &mut Tokens::default()).unwrap())
            .collect();
        Matcher::build(
            specs
                .iter()
                .zip(entries)
                .map(|(p, (e, r))| (Source::Pattern(p), *r, Arc::from(*e))),
            &v,
        )
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        let mut t = Tokens::default();
        tokenize(text, &mut t);
        let mut s = MatchScratch::default();
        m.find(text, &t, &mut s);
        s.matches
            .iter()
            .map(|x| {
                let a = t.tokens[s.words[x.first as usize] as usize].start as usize;
                let b = t.tokens[s.words[x.last as usize] as usize].end as usize;
                format!("{}={}", m.patterns[x.pattern as usize].entry, &text[a..b])
            })
            .collect()
    }

    const T: Role = Role::Term {
        theme: 0,
        weight: 1.0,
    };

    #[test]
    fn words_globs_phrases_variants() {
        let m = build(&[
            ("crimea", T),
            ("annex*", T),
            ("territorial integrity", T),
            ("donbas", T),
            ("kyiv*", T),
        ]);
        assert_eq!(
            found(&m, "Annexation of CRIMEA violates territorial integrity"),
            [
                "annex*=Annexation",
                "crimea=CRIMEA",
                "territorial integrity=territorial integrity"
            ]
        );
        assert_eq!(
            found(&m, "Donbass and Kiev"),
            ["donbas=Donbass", "kyiv*=Kiev"]
        );
        assert!(found(&m, "territorial, integrity").is_empty());
    }

    #[test]
    fn longest_match_and_gaps() {
        let m = build(&[
            ("territor*", T),
            ("occupied territor*", T),
            ("restore ... integrity", T),
        ]);
        assert_eq!(
            found(&m, "the occupied territories"),
            ["occupied territor*=occupied territories"]
        );
        assert_eq!(
            found(&m, "restore its full integrity"),
            ["restore ... integrity=restore its full integrity"]
        );
        assert!(found(&m, "restore a b c d e integrity").is_empty());
        assert!(found(&m, "restore, integrity").is_empty());
    }

    #[test]
    fn claims_without_theme_words_are_skipped_but_variants_and_globs_are_not() {
        let neg = Role::Modifier(crate::lexicon::ModKind::Negator);
        let m = build(&[("kyiv", T), ("negotiat*", T), ("not", neg)]);
        // Only a modifier: the theme pre-check ends the claim early.
        assert!(found(&m, "We will not go.").is_empty());
        // A variant spelling and a glob of theme entries get through it.
        assert_eq!(found(&m, "Kiev will not"), ["kyiv=Kiev", "not=not"]);
        assert_eq!(found(&m, "no negotiations"), ["negotiat*=negotiations"]);
    }
}

#[cfg(test)]
mod filter_tests {
    use super::WordFilter;

    #[test]
    fn word_filter_has_no_false_negatives() {
        let mut f = WordFilter::new();
        let words = ["kyiv", "not", "a", "security", "internationally-recognised"];
        let globs = ["arm", "negotiat", "withdraw", "territorialintegrity"];
        for w in words {
            f.add_word(w);
        }
        for g in globs {
            f.add_prefix(g);
        }
        for w in words {
            assert!(f.may_match(w.as_bytes()), "{w}");
        }
        for g in globs {
            for tail in ["", "s", "ations", "ing-and-more-letters"] {
                let w = format!("{g}{tail}");
                assert!(f.may_match(w.as_bytes()), "{w}");
            }
        }
        // Most other words are filtered out (a few may collide).
        let others = [
            "the", "of", "and", "to", "in", "that", "is", "for", "it", "as",
        ];
        let passed = others.iter().filter(|w| f.may_match(w.as_bytes())).count();
        assert!(passed <= 2, "{passed} of {} passed", others.len());
        // A two-byte glob is checked on words' first two bytes; a one-byte
        // glob disables the filter.
        f.add_prefix("un");
        assert!(f.may_match(b"un") && f.may_match(b"unless"));
        assert!(!f.may_match(b"the"));
        f.add_prefix("x");
        assert!(f.may_match(b"the"));
    }
}
