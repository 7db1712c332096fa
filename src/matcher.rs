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

/// A cheap pre-check in front of the trie for words that are not in the
/// [`WordTable`]: such a word can only yield candidates if it starts like a
/// first-position prefix glob (bit set for the hash of its first [`START`]
/// bytes, or its first two bytes for two-byte globs). No false negatives:
/// when the filter passes, the trie decides as before.
#[derive(Debug, Clone)]
struct WordFilter {
    starts: Vec<u64>,
    /// Two-byte first-position prefix globs (`eu*`), by their two bytes.
    starts2: Vec<u64>,
    any_starts2: bool,
    /// A one-byte prefix glob: the filter cannot help.
    all: bool,
}

const START: usize = 3;
const START_BITS: u32 = 16;
const MUL: u64 = 0x9E37_79B9_7F4A_7C15;

impl WordFilter {
    fn new() -> Self {
        WordFilter {
            starts: vec![0; 1 << (START_BITS - 6)],
            starts2: vec![0; 1 << (16 - 6)],
            any_starts2: false,
            all: false,
        }
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
    fn may_start(&self, w: &[u8]) -> bool {
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
        false
    }
}

/// Every lexicon word and variant key with what the trie walk gives for it,
/// found with one hash probe. In the claims the gate passes, two words in
/// three are lexicon words ("the", "to", "nuclear": modifiers and the first
/// words of phrases), so a filter in front of the trie lets most through,
/// and the walk costs a dependent load per byte. Words of up to 16 bytes
/// are compared as two 8-byte loads and a length (no memcmp); a word not
/// in the table is no lexicon word, and only prefix globs can still start
/// at it (see [`Matcher::lookup`]).
#[derive(Debug, Clone)]
struct WordTable {
    slots: Vec<Slot>,
    /// `64 - log2(slots.len())`.
    shift: u32,
    entries: Vec<WordEntry>,
    /// Prefix-glob candidates of the entries' walks (ranges in `WordEntry`).
    pre: Vec<u32>,
    /// Keys longer than 16 bytes, compared in full.
    long: Vec<u8>,
}

/// `a`, `b`: the key's bytes (see [`WordTable::parts`]); `entry` NONE: empty.
#[derive(Debug, Clone, Copy)]
struct Slot {
    a: u64,
    b: u64,
    len: u32,
    entry: u32,
}

/// What [`Matcher::lookup_walk`] gives for a key.
#[derive(Debug, Clone, Copy)]
struct WordEntry {
    /// Word id (of the canonical word for a variant key).
    id: u32,
    /// Variant target when the key is a spelling variant, else NONE.
    variant: u32,
    pre_start: u32,
    pre_end: u32,
    /// Start of the key in `long` (keys longer than 16 bytes).
    long_at: u32,
}

#[inline]
fn load8(w: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(w[i..i + 8].try_into().expect("8 bytes"))
}

#[inline]
fn load4(w: &[u8], i: usize) -> u64 {
    u64::from(u32::from_le_bytes(w[i..i + 4].try_into().expect("4 bytes")))
}

impl WordTable {
    /// Two words that, with the length, are the key itself for keys of up
    /// to 16 bytes (overlapping loads cover every byte); longer keys fold
    /// the middle into `a` and are compared in full on a hit.
    #[inline]
    fn parts(w: &[u8]) -> (u64, u64) {
        let n = w.len();
        if n >= 8 {
            let b = load8(w, n - 8);
            let mut a = load8(w, 0);
            let mut i = 8;
            while i + 8 < n {
                a = (a ^ load8(w, i)).wrapping_mul(MUL).rotate_left(29);
                i += 8;
            }
            (a, b)
        } else if n >= 4 {
            (load4(w, 0), load4(w, n - 4))
        } else if n > 0 {
            let x = u64::from(w[0]) | u64::from(w[n / 2]) << 8 | u64::from(w[n - 1]) << 16;
            (x, 0)
        } else {
            (0, 0)
        }
    }

    #[inline]
    fn slot(&self, a: u64, b: u64, n: usize) -> usize {
        let h = (a.wrapping_mul(MUL) ^ b.rotate_left(31) ^ n as u64).wrapping_mul(MUL);
        (h >> self.shift) as usize
    }

    fn new(n_keys: usize) -> Self {
        let bits = (n_keys.max(1) * 2)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        WordTable {
            slots: vec![
                Slot {
                    a: 0,
                    b: 0,
                    len: 0,
                    entry: NONE,
                };
                1 << bits
            ],
            shift: 64 - bits,
            entries: Vec::new(),
            pre: Vec::new(),
            long: Vec::new(),
        }
    }

    fn insert(&mut self, key: &[u8], id: u32, variant: u32, pre: &[u32]) {
        debug_assert!(self.get(key).is_none());
        let (a, b) = Self::parts(key);
        let mask = self.slots.len() - 1;
        let mut i = self.slot(a, b, key.len());
        while self.slots[i].entry != NONE {
            i = (i + 1) & mask;
        }
        self.slots[i] = Slot {
            a,
            b,
            len: key.len() as u32,
            entry: self.entries.len() as u32,
        };
        let pre_start = self.pre.len() as u32;
        self.pre.extend_from_slice(pre);
        self.entries.push(WordEntry {
            id,
            variant,
            pre_start,
            pre_end: self.pre.len() as u32,
            long_at: self.long.len() as u32,
        });
        if key.len() > 16 {
            self.long.extend_from_slice(key);
        }
    }

    #[inline]
    fn get(&self, w: &[u8]) -> Option<&WordEntry> {
        let (a, b) = Self::parts(w);
        let mask = self.slots.len() - 1;
        let mut i = self.slot(a, b, w.len());
        loop {
            let sl = &self.slots[i];
            if sl.entry == NONE {
                return None;
            }
            if sl.a == a && sl.b == b && sl.len as usize == w.len() {
                let e = &self.entries[sl.entry as usize];
                if w.len() <= 16 || self.long[e.long_at as usize..][..w.len()] == *w {
                    return Some(e);
                }
            }
            i = (i + 1) & mask;
        }
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
    /// Lexicon words and variant keys: their id, variant and prefix globs.
    table: WordTable,
    /// For words not in `table`: can a prefix glob start here?
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
    /// Per pattern: the word ids its later positions require (a position
    /// that is one exact word, other than `next_word`): pattern `p` owns
    /// `need[need_at[p]..need_at[p + 1]]`. A candidate is verified only if
    /// the claim has all of them ("regime ... must end" needs "must" and
    /// "end" somewhere).
    need: Vec<u32>,
    need_at: Vec<u32>,
    /// Number of word ids.
    n_ids: usize,
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
    /// Variant target (or NONE) of each word.
    variants: Vec<u32>,
    /// (word, pattern) from prefix globs met in the trie walk.
    pre: Vec<(u32, u32)>,
    /// Candidates (word, pattern) whose required next word is there: theme
    /// entries and modifiers apart, each in word order.
    theme_cands: Vec<(u32, u32)>,
    mod_cands: Vec<(u32, u32)>,
    /// Per word id: `stamp` if the claim has the word (no clearing per claim).
    seen: Vec<u32>,
    stamp: u32,
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
        let mut keys: Vec<String> = word_ids.keys().chain(variants.keys()).cloned().collect();
        keys.sort_unstable();
        keys.dedup();
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
        let mut need = Vec::new();
        let mut need_at = vec![0u32];
        for p in &patterns {
            for (k, pos) in p.positions.iter().enumerate().skip(1) {
                if let [Alt::Word(id)] = pos.alts[..] {
                    let own = &need[*need_at.last().expect("starts with 0") as usize..];
                    let is_next = k == 1 && p.next_word == id;
                    if !is_next && !own.contains(&id) {
                        need.push(id);
                    }
                }
            }
            need_at.push(need.len() as u32);
        }
        let is_theme = patterns
            .iter()
            .map(|p: &Pattern| !matches!(p.role, Role::Modifier(_)))
            .collect();
        let mut m = Matcher {
            trie,
            table: WordTable::new(0),
            filter,
            first,
            first_at,
            variant_to,
            patterns,
            regexes,
            is_theme,
            next_word,
            need,
            need_at,
            n_ids: word_first.len(),
            gate,
            gate_opener,
        };
        m.table = m.word_table(&keys);
        m
    }

    /// The table of `keys` (every lexicon word and variant key), each with
    /// what the trie walk gives for it.
    fn word_table(&self, keys: &[String]) -> WordTable {
        let mut t = WordTable::new(keys.len());
        let mut pre = Vec::new();
        for k in keys {
            pre.clear();
            let id = self.lookup_walk(k.as_bytes(), 0, &mut pre);
            let pids: Vec<u32> = pre.iter().map(|&(_, p)| p).collect();
            t.insert(k.as_bytes(), id, self.variant_of(k.as_bytes()), &pids);
        }
        t
    }

    /// The variant target of `w` if it is a spelling variant key (by the trie).
    fn variant_of(&self, w: &[u8]) -> u32 {
        self.trie
            .walk(w, |_| {})
            .map_or(NONE, |node| self.trie.variant[node as usize])
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
        s.variants.clear();
        s.pre.clear();
        s.theme_cands.clear();
        s.mod_cands.clear();
        s.raw.clear();
        s.matches.clear();
        let norm_bytes = toks.norm.as_bytes();
        let n = toks.tokens.len();
        s.words.reserve(n);
        if s.seen.len() != self.n_ids || s.stamp == u32::MAX {
            s.seen.clear();
            s.seen.resize(self.n_ids, 0);
            s.stamp = 0;
        }
        s.stamp += 1;
        s.clause.reserve(n);
        s.quoted.reserve(n);
        s.ids.reserve(n);
        s.variants.reserve(n);
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
            let mut variant = NONE;
            let id = self.lookup(norm, wi, &mut s.pre, &mut variant);
            s.ids.push(id);
            s.variants.push(variant);
            if id != NONE {
                s.seen[id as usize] = s.stamp;
            }
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
    /// entries, and most are decided by this test alone. So is an entry
    /// whose later words (`need`) are not all in the claim.
    fn candidates(&self, s: &mut MatchScratch, nw: usize) {
        let MatchScratch {
            ids,
            clause,
            pre,
            theme_cands,
            mod_cands,
            seen,
            stamp,
            ..
        } = s;
        let stamp = *stamp;
        let follows = |wi: usize, pid: u32, next: u32| {
            (next == NONE || (wi + 1 < nw && ids[wi + 1] == next && clause[wi + 1] == clause[wi]))
                && self.need
                    [self.need_at[pid as usize] as usize..self.need_at[pid as usize + 1] as usize]
                    .iter()
                    .all(|&id| seen[id as usize] == stamp)
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
                if follows(wi, pid, self.next_word[pid as usize]) {
                    push(wi, pid);
                }
                k += 1;
            }
            if id == NONE {
                continue;
            }
            let run = self.first_at[id as usize] as usize..self.first_at[id as usize + 1] as usize;
            for &(pid, next) in &self.first[run] {
                if follows(wi, pid, next) {
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

    /// Look up one word: pushes the candidates of its prefix globs, returns
    /// the word id and sets `variant` (its variant target, or NONE). The
    /// same as [`Matcher::lookup_walk`] and [`Matcher::variant_of`]: a
    /// lexicon word or variant key has it precomputed in the table; any
    /// other word has no id, and its prefix globs come from the trie when
    /// the filter says one may start it.
    #[inline]
    fn lookup(&self, norm: &[u8], wi: u32, pre: &mut Vec<(u32, u32)>, variant: &mut u32) -> u32 {
        if let Some(e) = self.table.get(norm) {
            for &p in &self.table.pre[e.pre_start as usize..e.pre_end as usize] {
                pre.push((wi, p));
            }
            *variant = e.variant;
            return e.id;
        }
        *variant = NONE;
        if self.filter.may_start(norm) {
            let trie = &self.trie;
            trie.walk(norm, |node| {
                for &p in &trie.prefix_first[node as usize] {
                    pre.push((wi, p));
                }
            });
        }
        NONE
    }

    /// Trie lookup of one word: pushes the candidates of its prefix globs,
    /// returns the word id. The reference [`Matcher::lookup`] is built from
    /// (and tested against).
    fn lookup_walk(&self, norm: &[u8], wi: u32, cands: &mut Vec<(u32, u32)>) -> u32 {
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
                norm.starts_with(&**p) || self.canonical(s.variants[wi], norm).starts_with(&**p)
            }
        })
    }

    /// For prefix checks on a variant spelling: the canonical text.
    fn canonical<'a>(&'a self, variant: u32, norm: &'a str) -> &'a str {
        if variant != NONE {
            return &self.variant_to[variant as usize];
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
        let globs = ["arm", "negotiat", "withdraw", "territorialintegrity"];
        for g in globs {
            f.add_prefix(g);
        }
        for g in globs {
            for tail in ["", "s", "ations", "ing-and-more-letters"] {
                let w = format!("{g}{tail}");
                assert!(f.may_start(w.as_bytes()), "{w}");
            }
        }
        // Most other words are filtered out (a few may collide).
        let others = [
            "the", "of", "and", "to", "in", "that", "is", "for", "it", "as", "kyiv", "security",
        ];
        let passed = others.iter().filter(|w| f.may_start(w.as_bytes())).count();
        assert!(passed <= 2, "{passed} of {} passed", others.len());
        // A two-byte glob is checked on words' first two bytes; a one-byte
        // glob disables the filter.
        f.add_prefix("un");
        assert!(f.may_start(b"un") && f.may_start(b"unless"));
        assert!(!f.may_start(b"the"));
        f.add_prefix("x");
        assert!(f.may_start(b"the"));
    }
}

/// The word table against the trie walk it replaces: same id, same prefix
/// candidates in the same order, same variant, for lexicon words, their
/// neighbours (one byte more or less, other case of length, long words) and
/// random words over the lexicon's letters.
#[cfg(test)]
mod table_tests {
    use super::*;
    use crate::lexicon::Lexicon;

    fn same(m: &Matcher, w: &[u8]) -> Result<(), String> {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut va = NONE;
        let ia = m.lookup(w, 7, &mut a, &mut va);
        let ib = m.lookup_walk(w, 7, &mut b);
        let vb = m.variant_of(w);
        if (ia, &a, va) != (ib, &b, vb) {
            return Err(format!(
                "{:?}: table ({ia}, {a:?}, {va}) vs walk ({ib}, {b:?}, {vb})",
                String::from_utf8_lossy(w)
            ));
        }
        Ok(())
    }

    fn default_matcher() -> &'static Matcher {
        static M: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
        &M.get_or_init(Lexicon::default_lexicon).engine.matcher
    }

    /// The words of the lexicon (ids and variant keys), as the trie has them.
    fn keys(m: &Matcher) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut stack = vec![(0usize, Vec::new())];
        let mut byte_of = [0u8; 256];
        for b in 0..256 {
            byte_of[m.trie.class[b] as usize] = b as u8;
        }
        let trans = |i: usize| -> u32 {
            if m.trie.trans.is_empty() {
                u32::from(m.trie.trans16[i])
            } else {
                m.trie.trans[i]
            }
        };
        while let Some((node, w)) = stack.pop() {
            if m.trie.word[node] != NONE || m.trie.variant[node] != NONE {
                out.push(w.clone());
            }
            for (c, &byte) in byte_of.iter().enumerate().take(m.trie.nclass).skip(1) {
                let t = trans(node * m.trie.nclass + c);
                if t != 0 {
                    let mut w2 = w.clone();
                    w2.push(byte);
                    stack.push(((t >> 1) as usize, w2));
                }
            }
        }
        out
    }

    #[test]
    fn table_equals_walk_on_lexicon_words_and_neighbours() {
        let mut v = FxHashMap::default();
        v.insert("kiev".to_string(), "kyiv".to_string());
        v.insert("donbass".to_string(), "donbas".to_string());
        v.insert("kharkov".to_string(), "kharkiv".to_string());
        let entries = [
            "kyiv*",
            "kyiv",
            "donbas region",
            "kharkiv",
            "eu*",
            "x",
            "internationally-recognised borders",
            "territorialintegrityofallstates",
            "territorialintegrityofallstatesandpeoples*",
        ];
        let specs: Vec<_> = entries
            .iter()
            .map(|e| {
                crate::lexicon::compile::parse_pattern(e, &v, 4, &mut Tokens::default()).unwrap()
            })
            .collect();
        let small = Matcher::build(
            specs.iter().zip(entries).map(|(p, e)| {
                let r = Role::Term {
                    theme: 0,
                    weight: 1.0,
                };
                (Source::Pattern(p), r, Arc::from(e))
            }),
            &v,
        );
        for m in [default_matcher(), &small] {
            let ks = keys(m);
            assert!(ks.len() > 5);
            for k in &ks {
                same(m, k).unwrap();
                for cut in 0..k.len() {
                    same(m, &k[..cut]).unwrap();
                }
                for tail in [&b"s"[..], b"ation", b"-", b"\xc3\xa9", b"abcdefghijklmnopq"] {
                    same(m, &[&k[..], tail].concat()).unwrap();
                }
                let mut up = k.clone();
                up[0] ^= 0x20;
                same(m, &up).unwrap();
                if k.len() > 16 {
                    // Same length, last eight bytes and folded middle as
                    // the key: only the full comparison tells them apart.
                    let mut twin = k.clone();
                    twin[0] ^= 1;
                    twin[8] ^= 1;
                    assert_eq!(WordTable::parts(&twin), WordTable::parts(k));
                    same(m, &twin).unwrap();
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn table_equals_walk_on_random_words(
            w in proptest::string::string_regex("[a-z']{0,3}(the|nuclear|kyiv|annex|non|un|eu|russia|war)?[a-z0-9,.-]{0,20}").unwrap(),
        ) {
            same(default_matcher(), w.as_bytes()).map_err(proptest::test_runner::TestCaseError::fail)?;
        }
    }
}
