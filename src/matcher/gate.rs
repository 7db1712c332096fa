//! The theme gate: a pre-check on a claim's raw text, before it is even
//! tokenized, that rules out claims which cannot address any theme.
//!
//! In a real corpus nearly every sentence addresses no theme (UN speeches:
//! 19k of 1.18M claims), so the cost of the tagger is mostly the cost of
//! saying "no". The gate says it in one pass over the raw bytes with no
//! allocation: a word's first four characters index a 16 KB bitset, and
//! only words that pass it are hashed and looked up.
//!
//! Why it never drops a claim the tagger would tag (`tests` and the
//! `gate_is_conservative` property test check it):
//! - A claim addresses a theme only through a strong cue, or through terms
//!   whose weights add up to the theme's `min_weight` (see `stance`).
//! - An entry matches only if each of its positions matches a word of the
//!   claim, and a match uses distinct words; so an entry matches at most as
//!   often as its rarest position's words occur. The gate adds up those
//!   bounds per theme, ignoring order, clauses and exclusions.
//! - Positions whose alternatives include a common word (or a word that
//!   cannot be searched in raw text: non-ASCII, apostrophes) are not
//!   searched and count as satisfied.
//! - For a token that is ASCII in the raw text, the normal form is the
//!   lowercased raw bytes: a maximal run of ASCII letters and digits (or
//!   such a run minus a split-off `n't`).
//! - Texts where normalisation may rewrite a token (non-ASCII letters or
//!   combining marks, `O'Brien`-style joins) always pass.

use rustc_hash::FxHashMap;

use super::Role;
use crate::lexicon::compile::{AltSpec, PatternSpec, PosSpec};

/// Words not searched for: they occur in nearly every sentence, so a
/// position that allows one of them is treated as satisfied. This list only
/// decides what is searched, never what matches. It must hold `can`,
/// `will` and `shall`: the tokenizer rewrites `ca`/`wo`/`sha` + `n't` to them.
const COMMON_WORDS: &[&str] = &[
    "a", "about", "after", "against", "all", "also", "an", "and", "any", "are", "as", "at", "be",
    "been", "before", "being", "between", "both", "but", "by", "can", "could", "did", "do", "does",
    "each", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "may", "might", "more", "most", "must", "my",
    "no", "nor", "not", "now", "of", "on", "one", "only", "or", "other", "our", "out", "over",
    "own", "same", "shall", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under",
    "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
    "whom", "why", "will", "with", "would", "you", "your",
];

/// A term or strong cue, as the gate sees it.
#[derive(Debug, Clone)]
struct GateEntry {
    theme: u16,
    /// Term weight; `None` for a strong cue (one match addresses the theme).
    weight: Option<f32>,
    /// Per required position: the patterns that satisfy it. For an entry
    /// with a [`Window`], only the positions outside the window.
    positions: Vec<Vec<u32>>,
    /// Index into [`ThemeGate::windows`].
    window: Option<u32>,
}

/// The words next to an entry's anchor (its first required position), up
/// to the first `...` gap: checked in the raw text around each occurrence
/// of the anchor. Without it, "how long" would let every "long" through.
#[derive(Debug, Clone)]
struct Window {
    /// The anchor's patterns.
    anchor: Vec<u32>,
    /// Positions before the anchor, nearest first.
    before: Vec<Slot>,
    /// Positions after the anchor, nearest first.
    after: Vec<Slot>,
}

/// One position of a window: the raw words (lowercase) that satisfy it,
/// exactly or as a prefix, each with its [`load8`] key. A position with an
/// alternative that cannot be searched in raw text ends the window.
#[derive(Debug, Clone, Default)]
struct Slot {
    words: Vec<(u64, Box<[u8]>)>,
    prefixes: Vec<(u64, Box<[u8]>)>,
}

impl Slot {
    fn new(alts: &[AltSpec], spellings: &[(&str, &str)]) -> Option<Slot> {
        let mut slot = Slot::default();
        for (w, prefix) in alternatives(alts, spellings)? {
            let w = w.as_bytes();
            let key = load8(w, 0, w.len().min(8));
            if prefix {
                slot.prefixes.push((key, w.into()));
            } else {
                slot.words.push((key, w.into()));
            }
        }
        Some(slot)
    }

    /// Does the word `b[start..start + len]` (with [`load8`] key `key`)
    /// satisfy it?
    #[inline]
    fn accepts(&self, b: &[u8], start: usize, len: usize, key: u64) -> bool {
        let rest_eq = |w: &[u8]| w.len() <= 8 || b[start..start + w.len()].eq_ignore_ascii_case(w);
        self.words
            .iter()
            .any(|(k, w)| w.len() == len && *k == key && rest_eq(w))
            || self.prefixes.iter().any(|(k, p)| {
                let l = p.len().min(8);
                p.len() <= len && key & (u64::MAX >> (64 - 8 * l)) == *k && rest_eq(p)
            })
    }
}

#[derive(Debug, Clone)]
pub struct ThemeGate {
    /// `false`: every claim passes (a regex theme entry, an entry with no
    /// required position, or no theme entries at all).
    active: bool,
    /// Searched patterns: text (lowercase ASCII letters and digits) and
    /// whether it is a prefix.
    pats: Vec<(Box<str>, bool)>,
    /// Bloom-style bitset over the keys of words' first four characters
    /// ([`keys_of`], hashed by [`key_bit`]): set when some pattern can match a
    /// word with that key. Most words stop here.
    keys: Vec<u64>,
    /// Lengths by key, direct-mapped ([`lens_slot`]; keys that share a slot
    /// share their bits, so it tells a superset): bit `l` (1..=31) set if a
    /// prefix pattern of length `l` can match a word with that key, bit
    /// `32 + l` if an exact word of length `l` can (31: that length or more).
    /// Words that share a key with a pattern but not a length ("with" and
    /// `withdraw*`) stop here without hashing.
    lens: Vec<u64>,
    /// Open-addressing table of patterns by [`hash_at`] (exact words
    /// salted with [`EXACT`]).
    table: Vec<TableSlot>,
    entries: Vec<GateEntry>,
    windows: Vec<Window>,
    /// Per pattern: entries without a window whose first required position
    /// it satisfies.
    triggers: Vec<Vec<u32>>,
    /// Per pattern: entries with a window whose anchor it satisfies.
    anchored: Vec<Vec<u32>>,
    /// Per pattern: the same entries indexed by the word next to the anchor
    /// their window needs first ([`Anchored`]).
    by_neighbour: Vec<Anchored>,
    /// Per entry: one match addresses a theme (a strong cue or a heavy
    /// enough term, with no required position outside its window).
    entry_sufficient: Vec<bool>,
    /// Per pattern: one occurrence addresses a theme (a strong cue or a
    /// heavy enough term with no other required position).
    sufficient: Vec<bool>,
    /// Per theme: the term weight a claim needs to address it.
    min_weight: Vec<f32>,
    /// The shortest pattern that starts with a letter: shorter runs that
    /// start with a letter ("of", "to", "we") are not looked up. (Short
    /// letter words are common words, never searched.)
    min_letter_len: usize,
}

/// A slot of [`ThemeGate::table`]. The pattern's first eight bytes (as
/// [`load8`] reads a run) and length are kept in the slot, so a probe is
/// decided without reading the pattern's text (a cache miss each, which
/// were two thirds of the lookups' time): only bytes past the eighth are
/// compared there.
#[derive(Debug, Clone, Copy)]
struct TableSlot {
    hash: u64,
    head: u64,
    /// Pattern id; `u32::MAX` = empty.
    q: u32,
    len: u32,
}

impl TableSlot {
    const EMPTY: TableSlot = TableSlot {
        hash: 0,
        head: 0,
        q: u32::MAX,
        len: 0,
    };
}

/// Per-thread buffers of the gate.
#[derive(Debug, Default, Clone)]
pub struct GateScratch {
    /// Word tokens (as [`crate::tokenize`] counts them) of the last text the
    /// gate scanned to its end; valid after `may_match` returned `false`.
    pub words: usize,
    /// Bit `i` set when byte `i` of the text is an ASCII letter or digit
    /// (a zero word at the end).
    runs: Vec<u64>,
    /// Occurrences per pattern (zero outside `found`).
    count: Vec<u16>,
    found: Vec<u32>,
    /// Per entry with a window: occurrences of its anchor whose window
    /// holds (zero outside `windowed`).
    window_count: Vec<u16>,
    windowed: Vec<u32>,
    /// Entries already added up (bitset, cleared after each claim).
    done: Vec<u64>,
    done_list: Vec<u32>,
    weight: Vec<f32>,
    any: Vec<bool>,
}

impl ThemeGate {
    /// A gate every claim passes.
    pub(super) fn open() -> ThemeGate {
        ThemeGate {
            active: false,
            pats: Vec::new(),
            keys: Vec::new(),
            lens: Vec::new(),
            table: Vec::new(),
            entries: Vec::new(),
            windows: Vec::new(),
            triggers: Vec::new(),
            anchored: Vec::new(),
            by_neighbour: Vec::new(),
            entry_sufficient: Vec::new(),
            sufficient: Vec::new(),
            min_weight: Vec::new(),
            min_letter_len: 0,
        }
    }

    /// Build from the terms and strong cues (words already folded through
    /// `variants`). Until [`ThemeGate::set_min_weight`] is called, any term
    /// passes. `Err(i)`: entry `i` has no position the gate can search, so
    /// every claim must pass.
    pub(super) fn new(
        entries: &[(&PatternSpec, Role)],
        variants: &FxHashMap<String, String>,
    ) -> Result<Self, usize> {
        // Spelling variants by what they fold to.
        let mut spellings: Vec<(&str, &str)> = variants
            .iter()
            .map(|(k, v)| (v.as_str(), k.as_str()))
            .collect();
        spellings.sort_unstable();
        let mut ids: FxHashMap<(&str, bool), u32> = FxHashMap::default();
        let mut pats: Vec<(Box<str>, bool)> = Vec::new();
        let mut gate_entries = Vec::new();
        let mut windows: Vec<Window> = Vec::new();
        for (ei, &(p, role)) in entries.iter().enumerate() {
            let (theme, weight) = match role {
                Role::Term { theme, weight } => (theme, Some(weight)),
                // The caller passes strong cues only.
                Role::Cue { theme, .. } => (theme, None),
                _ => continue,
            };
            let mut positions = Vec::new();
            let mut anchor_at = None;
            for (pi, pos) in p.positions.iter().enumerate() {
                if let Some(any_of) = required(&pos.alts, &spellings) {
                    let mut any_of: Vec<u32> = any_of
                        .into_iter()
                        .map(|(w, prefix)| {
                            *ids.entry((w, prefix)).or_insert_with(|| {
                                pats.push((w.into(), prefix));
                                pats.len() as u32 - 1
                            })
                        })
                        .collect();
                    any_of.sort_unstable();
                    any_of.dedup();
                    anchor_at.get_or_insert(pi);
                    positions.push((pi, any_of));
                }
            }
            let Some(a) = anchor_at else {
                // Nothing to search for: every claim may match this entry.
                return Err(ei);
            };
            // The anchor's window: adjacent positions up to a gap or a
            // position that cannot be searched.
            let ps = &p.positions;
            let mut lo = a;
            let mut before = Vec::new();
            while lo > 0 && ps[lo].gap == 0 && before.len() < MAX_SLOTS {
                let Some(slot) = Slot::new(&ps[lo - 1].alts, &spellings) else {
                    break;
                };
                before.push(slot);
                lo -= 1;
            }
            let mut hi = a;
            let mut after = Vec::new();
            while hi + 1 < ps.len() && ps[hi + 1].gap == 0 && after.len() < MAX_SLOTS {
                let Some(slot) = Slot::new(&ps[hi + 1].alts, &spellings) else {
                    break;
                };
                after.push(slot);
                hi += 1;
            }
            let window = if before.is_empty() && after.is_empty() {
                None
            } else {
                windows.push(Window {
                    anchor: positions[0].1.clone(),
                    before,
                    after,
                });
                // The window checks its own positions.
                positions.retain(|(pi, _)| !(lo..=hi).contains(pi));
                Some(windows.len() as u32 - 1)
            };
            gate_entries.push(GateEntry {
                theme,
                weight,
                positions: positions.into_iter().map(|(_, any_of)| any_of).collect(),
                window,
            });
        }
        if pats.is_empty() {
            return Ok(ThemeGate::open());
        }
        let mut triggers = vec![Vec::new(); pats.len()];
        let mut anchored = vec![Vec::new(); pats.len()];
        for (e, g) in gate_entries.iter().enumerate() {
            if let Some(w) = g.window {
                for &q in &windows[w as usize].anchor {
                    anchored[q as usize].push(e as u32);
                }
            } else {
                for &q in &g.positions[0] {
                    triggers[q as usize].push(e as u32);
                }
            }
        }
        let mut gate = ThemeGate {
            active: true,
            keys: vec![0; 1 << (KEY_BITS - 6)],
            lens: vec![0; 1 << LENS_BITS],
            table: vec![TableSlot::EMPTY; (pats.len() * 4).next_power_of_two()],
            triggers,
            by_neighbour: anchored
                .iter()
                .map(|list| Anchored::new(list, &gate_entries, &windows))
                .collect(),
            entries: gate_entries,
            windows,
            anchored,
            entry_sufficient: Vec::new(),
            sufficient: Vec::new(),
            min_weight: Vec::new(),
            min_letter_len: 0,
            pats: Vec::new(),
        };
        let mask = gate.table.len() - 1;
        for (q, (t, is_prefix)) in pats.iter().enumerate() {
            let w = t.as_bytes();
            let bit = 1u64 << (w.len().min(31) + if *is_prefix { 0 } else { 32 });
            for k in keys_of(w, *is_prefix) {
                let kb = key_bit(k);
                gate.keys[kb / 64] |= 1 << (kb % 64);
                gate.lens[lens_slot(k)] |= bit;
            }
            let h = hash_at(w, 0, w.len()) ^ if *is_prefix { 0 } else { EXACT };
            let mut i = h as usize & mask;
            while gate.table[i].q != u32::MAX {
                i = (i + 1) & mask;
            }
            gate.table[i] = TableSlot {
                hash: h,
                head: load8(w, 0, w.len().min(8)),
                q: q as u32,
                len: w.len() as u32,
            };
        }
        gate.min_letter_len = pats
            .iter()
            .filter(|(t, _)| t.as_bytes()[0].is_ascii_alphabetic())
            .map(|(t, _)| t.len())
            .min()
            .unwrap_or(usize::MAX);
        gate.pats = pats;
        gate.set_min_weight(&[]);
        Ok(gate)
    }

    /// The term weight each theme needs (a theme not listed needs any term).
    pub(super) fn set_min_weight(&mut self, min_weight: &[f32]) {
        let themes = self.entries.iter().map(|e| e.theme as usize + 1).max();
        self.min_weight = (0..themes.unwrap_or(0))
            .map(|t| min_weight.get(t).copied().unwrap_or(f32::MIN))
            .collect();
        self.sufficient = vec![false; self.pats.len()];
        self.entry_sufficient = vec![false; self.entries.len()];
        for (ei, e) in self.entries.iter().enumerate() {
            let heavy = e
                .weight
                .map_or(true, |w| w >= self.min_weight[e.theme as usize] - 1e-6);
            if e.window.is_some() {
                self.entry_sufficient[ei] = heavy && e.positions.is_empty();
            } else if heavy && e.positions.len() == 1 {
                for &q in &e.positions[0] {
                    self.sufficient[q as usize] = true;
                }
            }
        }
    }

    /// The pattern with hash `h` (prefixes unsalted, exact words salted)
    /// whose text is the run bytes `b[at..at + len]` (ASCII letters and
    /// digits, compared ignoring case), if any.
    #[inline]
    fn lookup(&self, h: u64, b: &[u8], at: usize, len: usize) -> Option<u32> {
        let head = load8(b, at, len.min(8));
        let mask = self.table.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.table[i];
            if slot.q == u32::MAX {
                return None;
            }
            // The salt keeps a prefix and an exact word of the same text
            // apart; head and length decide words of up to eight bytes.
            if slot.hash == h && slot.head == head && slot.len as usize == len {
                let t = self.pats[slot.q as usize].0.as_bytes();
                if len <= 8 || t[8..].eq_ignore_ascii_case(&b[at + 8..at + len]) {
                    return Some(slot.q);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// `false` only if no theme can be addressed in `text`.
    pub(super) fn may_match(&self, text: &str, s: &mut GateScratch) -> bool {
        if !self.active {
            return true;
        }
        let b = text.as_bytes();
        // Apostrophes and non-ASCII bytes need the careful scan.
        let plain = !run_mask(b, &mut s.runs);
        if !plain && may_rewrite_tokens(text) {
            return true;
        }
        if s.count.len() < self.pats.len() {
            s.count.resize(self.pats.len(), 0);
        }
        if s.window_count.len() < self.entries.len() {
            s.window_count.resize(self.entries.len(), 0);
        }
        let found = if plain {
            self.scan_plain(b, s)
        } else {
            self.scan(b, s)
        };
        let pass = found || self.add_up(s);
        for &q in &s.found {
            s.count[q as usize] = 0;
        }
        s.found.clear();
        for &e in &s.windowed {
            s.window_count[e as usize] = 0;
        }
        s.windowed.clear();
        pass
    }

    /// [`ThemeGate::scan`] for a text with no apostrophe and no non-ASCII
    /// byte: every run of ASCII letters and digits is a token, and the runs
    /// come from the bit mask `s.runs` (a few bit operations per word
    /// instead of a branch per byte).
    fn scan_plain(&self, b: &[u8], s: &mut GateScratch) -> bool {
        let mut words = 0;
        let mut j = 0;
        let mut cur = s.runs[0];
        let last = s.runs.len() - 1;
        loop {
            while cur == 0 {
                if j == last {
                    s.words = words;
                    return false;
                }
                j += 1;
                cur = s.runs[j];
            }
            let start = j * 64 + cur.trailing_zeros() as usize;
            let mut z = !s.runs[j] & (u64::MAX << (start % 64));
            while z == 0 {
                j += 1;
                z = !s.runs[j];
            }
            let end = j * 64 + z.trailing_zeros() as usize;
            cur = s.runs[j] & (u64::MAX << (end % 64));
            // A run starting with a digit may still have a letter ("1990s").
            let letter = CODE[b[start] as usize] > 10
                || b[start..end].iter().any(|&c| CODE[c as usize] > 10);
            words += usize::from(letter);
            let short = end - start < self.min_letter_len && CODE[b[start] as usize] > 10;
            if !short && self.visit(b, start, end, s) {
                return true;
            }
        }
    }

    /// Count pattern occurrences into `s`; `true` as soon as one occurrence
    /// alone addresses a theme. Also counts the words the tokenizer would
    /// (runs with a letter, but not the `s` of a possessive `'s`), so that a
    /// claim the gate rejects needs no tokenizing at all.
    fn scan(&self, b: &[u8], s: &mut GateScratch) -> bool {
        let mut words = 0;
        // The previous run had a letter and ended right before `i`.
        let mut prev_letter_end = usize::MAX;
        let n = b.len();
        let mut i = 0;
        while i < n {
            if CODE[b[i] as usize] == 0 {
                i += 1;
                continue;
            }
            let start = i;
            while i < n && CODE[b[i] as usize] != 0 {
                i += 1;
            }
            // A run starting with a digit may still have a letter ("1990s").
            let letter = b[start..i].iter().any(|&c| CODE[c as usize] > 10);
            let word = &b[start..i];
            if letter {
                // `Russia's` is `russia` + `'s`, and `'s` is punctuation.
                let possessive = (word == b"s" || word == b"S")
                    && prev_letter_end != usize::MAX
                    && apostrophe_between(b, prev_letter_end, start);
                words += usize::from(!possessive);
                prev_letter_end = i;
            } else {
                prev_letter_end = usize::MAX;
            }
            // `don't` is `do` + `n't`: the stem has another key.
            if word.len() >= 3 && splits_nt(b, i - 1) {
                let stem = &word[..word.len() - 1];
                if stem.len() < 64 {
                    let h = hash_at(b, start, stem.len()) ^ EXACT;
                    if let Some(q) = self.lookup(h, b, start, stem.len()) {
                        // Not a run of its own: its window is not checked.
                        if self.seen(q, b, None, s) {
                            return true;
                        }
                    }
                }
            }
            if self.visit(b, start, i, s) {
                return true;
            }
        }
        s.words = words;
        false
    }

    /// Look up the run `b[start..end]` (the word and its prefixes) and
    /// record what it matches; `true` if that alone addresses a theme.
    /// Most words stop at the bitset; the rest take the out-of-line path.
    #[inline(always)]
    fn visit(&self, b: &[u8], start: usize, end: usize, s: &mut GateScratch) -> bool {
        let len = end - start;
        let k = load8(b, start, len.min(4)) as u32;
        let kb = key_bit(k);
        if self.keys[kb / 64] & (1 << (kb % 64)) == 0 {
            return false;
        }
        self.candidate(b, start, end, k, s)
    }

    #[inline(never)]
    fn candidate(&self, b: &[u8], start: usize, end: usize, k: u32, s: &mut GateScratch) -> bool {
        let len = end - start;
        let lens = self.lens[lens_slot(k)];
        let l31 = len.min(31);
        // Prefixes no longer than the word; an exact word of its length.
        let mut prefixes = lens & ((2u64 << l31) - 1) & !1;
        let exact = lens & (1u64 << (32 + l31)) != 0;
        while prefixes != 0 {
            let l = prefixes.trailing_zeros() as usize;
            prefixes &= prefixes - 1;
            // Bit 31: a prefix of 31 bytes or more.
            let ls = if l == 31 {
                31..len.min(63) + 1
            } else {
                l..l + 1
            };
            for l in ls {
                if let Some(q) = self.lookup(hash_at(b, start, l), b, start, l) {
                    if self.seen(q, b, Some((start, end)), s) {
                        return true;
                    }
                }
            }
        }
        if exact && len < 64 {
            if let Some(q) = self.lookup(hash_at(b, start, len) ^ EXACT, b, start, len) {
                if self.seen(q, b, Some((start, end)), s) {
                    return true;
                }
            }
        }
        false
    }

    /// Record an occurrence of pattern `q` (at the run `at` of `b`, or
    /// inside a run when `None`); `true` if it alone addresses a theme.
    #[inline]
    fn seen(&self, q: u32, b: &[u8], at: Option<(usize, usize)>, s: &mut GateScratch) -> bool {
        if self.sufficient[q as usize] {
            return true;
        }
        let c = &mut s.count[q as usize];
        if *c == 0 {
            s.found.push(q);
        }
        *c = c.saturating_add(1);
        if self.anchored[q as usize].is_empty() {
            return false;
        }
        let mut a = match at {
            Some((start, end)) => Around::new(b, start, end),
            None => Around::open(b),
        };
        if a.open {
            // Not a word of its own: every window holds.
            for &e in &self.anchored[q as usize] {
                if self.window_held(e, s) {
                    return true;
                }
            }
            return false;
        }
        let idx = &self.by_neighbour[q as usize];
        for (keyed, side) in [(&idx.after, Side::After), (&idx.before, Side::Before)] {
            if keyed.entries.is_empty() {
                continue;
            }
            match a.word(side, 0) {
                Near::End => {}
                Near::Word(_, _, key) => {
                    let key = key4(key);
                    let from = keyed.words.partition_point(|&(k, _)| k < key);
                    for &(k, e) in &keyed.words[from..] {
                        if k != key {
                            break;
                        }
                        if a.holds(self.window_of(e)) && self.window_held(e, s) {
                            return true;
                        }
                    }
                }
                // Every window of the list holds there.
                Near::Unknown => {
                    for &e in &keyed.entries {
                        if a.holds(self.window_of(e)) && self.window_held(e, s) {
                            return true;
                        }
                    }
                }
            }
        }
        for &e in &idx.rest {
            if a.holds(self.window_of(e)) && self.window_held(e, s) {
                return true;
            }
        }
        false
    }

    fn window_of(&self, e: u32) -> &Window {
        &self.windows[self.entries[e as usize].window.expect("anchored") as usize]
    }

    /// Count a match of entry `e`'s window; `true` if that alone addresses
    /// a theme.
    #[inline]
    fn window_held(&self, e: u32, s: &mut GateScratch) -> bool {
        if self.entry_sufficient[e as usize] {
            return true;
        }
        let c = &mut s.window_count[e as usize];
        if *c == 0 {
            s.windowed.push(e);
        }
        *c = c.saturating_add(1);
        false
    }

    /// Add up, per theme, the most weight the terms found could carry.
    fn add_up(&self, s: &mut GateScratch) -> bool {
        let nt = self.min_weight.len();
        s.weight.clear();
        s.weight.resize(nt, 0.0);
        s.any.clear();
        s.any.resize(nt, false);
        s.done.resize(self.entries.len().div_ceil(64), 0);
        let mut pass = false;
        let candidates = s
            .found
            .iter()
            .flat_map(|&q| &self.triggers[q as usize])
            .chain(&s.windowed);
        'found: for &e in candidates {
            {
                let ei = e as usize;
                if s.done[ei / 64] & (1 << (ei % 64)) != 0 {
                    continue;
                }
                s.done[ei / 64] |= 1 << (ei % 64);
                s.done_list.push(e);
                let g = &self.entries[ei];
                // Matches of one entry use distinct words: at most as many
                // as the rarest position has (the anchor: as many as the
                // occurrences whose window holds).
                let held = g.window.map(|_| u32::from(s.window_count[ei]));
                let bound = g
                    .positions
                    .iter()
                    .map(|any_of| {
                        any_of
                            .iter()
                            .map(|&r| u32::from(s.count[r as usize]))
                            .sum::<u32>()
                    })
                    .chain(held)
                    .min()
                    .unwrap_or(0);
                if bound == 0 {
                    continue;
                }
                let t = g.theme as usize;
                match g.weight {
                    None => {
                        pass = true;
                        break 'found;
                    }
                    Some(w) => {
                        s.any[t] = true;
                        s.weight[t] += w.max(0.0) * bound as f32;
                    }
                }
            }
        }
        pass = pass || (0..nt).any(|t| s.any[t] && s.weight[t] >= self.min_weight[t] - 1e-4);
        for &e in &s.done_list {
            s.done[e as usize / 64] = 0;
        }
        s.done_list.clear();
        pass
    }
}

/// Windows look at most this many positions on each side of the anchor.
const MAX_SLOTS: usize = 4;

/// The words around one occurrence of an anchor (the run
/// `b[start..end]`), read from the raw text once, as far as a window asks,
/// and shared by every window checked there.
///
/// Conservative: wherever the raw runs might not be the tokenizer's words
/// (an apostrophe or a number separator next to a run), a window holds. In
/// text without non-ASCII letters or `O'Brien` joins (those never reach the
/// scan), the matcher's words are the runs of ASCII letters and digits,
/// except that a possessive `'s` is punctuation, a number such as `1,000`
/// spans several runs, and clitics (`n't`, `'ll`, …) sit next to an
/// apostrophe. Punctuation and clause breaks between words are ignored
/// (the matcher is stricter).
struct Around<'b> {
    b: &'b [u8],
    /// The anchor might not be a word of its own: every window holds.
    open: bool,
    /// Per side ([`Side`] as index): the words read so far, nearest first.
    near: [[Near; MAX_SLOTS]; 2],
    read: [usize; 2],
    /// Per side: start of the farthest word before, end of the farthest
    /// word after, read so far.
    at: [usize; 2],
}

impl<'b> Around<'b> {
    /// An anchor that may not be a word of its own.
    fn open(b: &'b [u8]) -> Self {
        let mut a = Around::new(b, 0, 0);
        a.open = true;
        a
    }

    fn new(b: &'b [u8], start: usize, end: usize) -> Self {
        Around {
            b,
            open: in_number(b, start, end)
                || (joined(b, start, end) && !possessive_follows(b, start, end)),
            near: [[Near::End; MAX_SLOTS]; 2],
            read: [0; 2],
            at: [start, end],
        }
    }

    /// Does the window hold here?
    fn holds(&mut self, w: &Window) -> bool {
        if self.open {
            return true;
        }
        for (side, slots) in [(Side::Before, &w.before), (Side::After, &w.after)] {
            for (i, slot) in slots.iter().enumerate() {
                match self.word(side, i) {
                    Near::Word(s, e, key) if slot.accepts(self.b, s, e - s, key) => {}
                    Near::Unknown => return true,
                    _ => return false,
                }
            }
        }
        true
    }

    /// The `i`-th word from the anchor on one side (0: the nearest), read
    /// from the raw text the first time it is asked for.
    fn word(&mut self, side: Side, i: usize) -> Near {
        let k = side as usize;
        while self.read[k] <= i {
            let near = match side {
                Side::Before => word_before(self.b, self.at[k]),
                Side::After => word_after(self.b, self.at[k]),
            };
            if let Near::Word(s, e, _) = near {
                self.at[k] = match side {
                    Side::Before => s,
                    Side::After => e,
                };
            }
            self.near[k][self.read[k]] = near;
            self.read[k] += 1;
        }
        self.near[k][i]
    }
}

/// The entries anchored on one pattern, by what their window needs first:
/// `after` those whose first position after the anchor can be told by the
/// first four bytes of the word there (exact words, and prefixes of four
/// bytes or more: "weapon*"), `before` (of the rest) the same for the
/// position before, `rest` the others. An occurrence then checks only the
/// windows whose first word can be the one next to it.
#[derive(Debug, Clone, Default)]
struct Anchored {
    after: Keyed,
    before: Keyed,
    rest: Vec<u32>,
}

#[derive(Debug, Clone, Default)]
struct Keyed {
    /// ([`key4`] of a word the position accepts, entry), sorted.
    words: Vec<(u32, u32)>,
    entries: Vec<u32>,
}

/// The first four bytes of a [`load8`] key (all of a shorter word, zero
/// above): what a word must share with every word a prefix of four bytes
/// or more matches.
#[inline]
fn key4(key: u64) -> u32 {
    key as u32
}

impl Anchored {
    fn new(list: &[u32], entries: &[GateEntry], windows: &[Window]) -> Anchored {
        fn keyable(slot: Option<&Slot>) -> Option<&Slot> {
            slot.filter(|sl| sl.prefixes.iter().all(|(_, p)| p.len() >= 4))
        }
        let mut a = Anchored::default();
        for &e in list {
            let w = &windows[entries[e as usize].window.expect("anchored") as usize];
            let (keyed, slot) = if let Some(sl) = keyable(w.after.first()) {
                (&mut a.after, sl)
            } else if let Some(sl) = keyable(w.before.first()) {
                (&mut a.before, sl)
            } else {
                a.rest.push(e);
                continue;
            };
            keyed.entries.push(e);
            for (k, _) in sl_alternatives(slot) {
                keyed.words.push((key4(k), e));
            }
        }
        for keyed in [&mut a.after, &mut a.before] {
            keyed.words.sort_unstable();
            keyed.words.dedup();
        }
        a
    }
}

/// Every raw spelling a position accepts, exactly or as a prefix, with
/// its [`load8`] key.
fn sl_alternatives(slot: &Slot) -> impl Iterator<Item = (u64, &[u8])> {
    slot.words
        .iter()
        .chain(&slot.prefixes)
        .map(|(k, w)| (*k, &**w))
}

#[derive(Clone, Copy)]
enum Side {
    Before = 0,
    After = 1,
}

/// The matcher's word next to a run, as far as the raw text tells.
#[derive(Debug, Clone, Copy)]
enum Near {
    /// A run that is exactly one word: start, end, [`load8`] key.
    Word(usize, usize, u64),
    /// A run that may not be a word of its own ([`joined`]).
    Unknown,
    /// No word (the text ends).
    End,
}

#[inline]
fn is_run_byte(c: u8) -> bool {
    CODE[c as usize] != 0
}

/// The word before position `at` (the start of a run).
fn word_before(b: &[u8], mut at: usize) -> Near {
    loop {
        let mut e = at;
        while e > 0 && !is_run_byte(b[e - 1]) {
            e -= 1;
        }
        if e == 0 {
            return Near::End;
        }
        let mut s = e;
        while s > 0 && is_run_byte(b[s - 1]) {
            s -= 1;
        }
        match near(b, s, e) {
            Some(near) => return near,
            None => at = s,
        }
    }
}

/// The word after a run that ends at `end`.
fn word_after(b: &[u8], end: usize) -> Near {
    let n = b.len();
    let mut from = end;
    loop {
        let mut s = from;
        while s < n && !is_run_byte(b[s]) {
            s += 1;
        }
        if s == n {
            return Near::End;
        }
        let mut e = s;
        while e < n && is_run_byte(b[e]) {
            e += 1;
        }
        match near(b, s, e) {
            Some(near) => return near,
            None => from = e,
        }
    }
}

/// What the run `b[s..e]` is to the matcher; `None` for the `s` of a
/// possessive `'s`, which is punctuation (read on past it).
fn near(b: &[u8], s: usize, e: usize) -> Option<Near> {
    if is_possessive_s(b, s, e) {
        None
    } else if joined(b, s, e) {
        Some(Near::Unknown)
    } else {
        Some(Near::Word(s, e, load8(b, s, (e - s).min(8))))
    }
}

/// Is the run `b[s..e]` the `s` of a possessive `'s` (punctuation to the
/// tokenizer): an apostrophe right before it, right after a run with a
/// letter? (Mirrors the word count in [`ThemeGate::scan`].)
fn is_possessive_s(b: &[u8], s: usize, e: usize) -> bool {
    if e - s != 1 || (b[s] | 0x20) != b's' {
        return false;
    }
    let Some(a) = apostrophe_ending_at(b, s) else {
        return false;
    };
    let mut r = a;
    let mut letter = false;
    while r > 0 && is_run_byte(b[r - 1]) {
        letter |= CODE[b[r - 1] as usize] > 10;
        r -= 1;
    }
    letter
}

/// Start of an apostrophe the tokenizer knows that ends right at `at`.
fn apostrophe_ending_at(b: &[u8], at: usize) -> Option<usize> {
    if at >= 1 && b[at - 1] == b'\'' {
        return Some(at - 1);
    }
    ["\u{2019}", "\u{2018}", "\u{02BC}"]
        .iter()
        .find(|a| b[..at].ends_with(a.as_bytes()))
        .map(|a| at - a.len())
}

fn apostrophe_starting_at(b: &[u8], at: usize) -> bool {
    let rest = &b[at..];
    rest.first() == Some(&b'\'')
        || ["\u{2019}", "\u{2018}", "\u{02BC}"]
            .iter()
            .any(|a| rest.starts_with(a.as_bytes()))
}

/// Might the run `b[s..e]` not be a word of its own: next to an
/// apostrophe (a clitic, a stem), or part of a number such as `1,000`?
fn joined(b: &[u8], s: usize, e: usize) -> bool {
    apostrophe_ending_at(b, s).is_some() || apostrophe_starting_at(b, e) || in_number(b, s, e)
}

/// Is the run `b[s..e]` next to a `.` or `,` between digits?
fn in_number(b: &[u8], s: usize, e: usize) -> bool {
    let sep = |c: u8| c == b'.' || c == b',';
    (s >= 2 && sep(b[s - 1]) && b[s - 2].is_ascii_digit())
        || (e + 1 < b.len() && sep(b[e]) && b[e + 1].is_ascii_digit())
}

/// Is the run `b[start..end]` followed by a possessive `'s` and nothing
/// else next to an apostrophe?
fn possessive_follows(b: &[u8], start: usize, end: usize) -> bool {
    if apostrophe_ending_at(b, start).is_some() || !apostrophe_starting_at(b, end) {
        return false;
    }
    let mut s = end;
    while s < b.len() && !is_run_byte(b[s]) {
        s += 1;
    }
    let mut e = s;
    while e < b.len() && is_run_byte(b[e]) {
        e += 1;
    }
    s < e && is_possessive_s(b, s, e) && !apostrophe_starting_at(b, e)
}

/// A regex entry as a one-position pattern for the gate: the word
/// prefixes one of which every match starts with. Only for a regex that
/// starts at a word boundary (`\b…`) with a finite set of literal
/// prefixes; `None` otherwise (the gate then lets every claim through).
/// Regexes run on the normalised text, where a `\b` before a letter or
/// digit is the start of a run of them in the raw text.
pub(super) fn regex_prefixes(re: &str) -> Option<PatternSpec> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    use regex_syntax::hir::{HirKind, Look};
    let hir = regex_syntax::parse(re).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let starts_at_word = matches!(
        parts.first().map(|h| h.kind()),
        Some(HirKind::Look(
            Look::WordAscii
                | Look::WordUnicode
                | Look::WordStartAscii
                | Look::WordStartUnicode
                | Look::WordStartHalfAscii
                | Look::WordStartHalfUnicode
        ))
    );
    if !starts_at_word {
        return None;
    }
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let mut alts = Vec::new();
    for lit in seq.literals()? {
        // The letters and digits the match starts with.
        let word: String = lit
            .as_bytes()
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
        if word.is_empty() {
            return None;
        }
        alts.push(word);
    }
    // `concession` covers `concessions`.
    alts.sort();
    alts.dedup();
    let alts: Vec<AltSpec> = alts
        .iter()
        .filter(|w| !alts.iter().any(|p| p != *w && w.starts_with(p.as_str())))
        .map(|w| AltSpec::Prefix(w.clone()))
        .collect();
    if alts.is_empty() {
        return None;
    }
    Some(PatternSpec {
        positions: vec![PosSpec { gap: 0, alts }],
    })
}

/// The words and prefixes that satisfy a position, variant spellings
/// included; `None` if the position is not required (it allows a common
/// word, or a word that cannot be searched in raw text).
fn required<'a>(
    alts: &'a [AltSpec],
    spellings: &[(&'a str, &'a str)],
) -> Option<Vec<(&'a str, bool)>> {
    let common = alts
        .iter()
        .any(|a| matches!(a, AltSpec::Word(w) if is_common(w)));
    if common {
        return None;
    }
    alternatives(alts, spellings)
}

/// The words and prefixes that satisfy a position, variant spellings
/// included; `None` if one cannot be searched in raw text.
fn alternatives<'a>(
    alts: &'a [AltSpec],
    spellings: &[(&'a str, &'a str)],
) -> Option<Vec<(&'a str, bool)>> {
    let mut any_of = Vec::new();
    for a in alts {
        let (w, prefix) = match a {
            AltSpec::Word(w) => (w.as_str(), false),
            AltSpec::Prefix(w) => (w.as_str(), true),
        };
        if !searchable(w) {
            return None;
        }
        any_of.push((w, prefix));
        // Spellings that fold to the word (or to a word the prefix starts).
        for &(canon, key) in spellings {
            let folds = if prefix {
                canon.starts_with(w)
            } else {
                canon == w
            };
            if folds {
                if !searchable(key) {
                    return None;
                }
                any_of.push((key, false));
            }
        }
    }
    Some(any_of)
}

/// Letters and digits to 1..=36 (case folded), everything else to 0.
static CODE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = 1 + i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 26 {
        t[b'a' as usize + i] = 11 + i as u8;
        t[b'A' as usize + i] = 11 + i as u8;
        i += 1;
    }
    t
};

/// The keys ([`ThemeGate::keys`]) of the words a pattern can match: its
/// first four characters; a prefix shorter than four leaves the last ones
/// free (the word may also end there).
fn keys_of(w: &[u8], prefix: bool) -> Vec<u32> {
    let k = load8(w, 0, w.len().min(4)) as u32;
    if !prefix || w.len() >= 4 {
        return vec![k];
    }
    let chars: Vec<u8> = (b'0'..=b'9').chain(b'a'..=b'z').collect();
    let mut keys = vec![k];
    let mut level = vec![k];
    for at in w.len()..4 {
        level = level
            .iter()
            .flat_map(|&k| chars.iter().map(move |&c| k | u32::from(c) << (8 * at)))
            .collect();
        keys.extend(&level);
    }
    keys
}

const KEY_BITS: u32 = 17;
const LENS_BITS: u32 = 14;

/// Slot of a key in [`ThemeGate::lens`].
#[inline]
fn lens_slot(k: u32) -> usize {
    (k.wrapping_mul(0x85EB_CA77) >> (32 - LENS_BITS)) as usize
}

/// Bit of a key in [`ThemeGate::keys`].
#[inline]
fn key_bit(k: u32) -> usize {
    (k.wrapping_mul(0x9E37_79B1) >> (32 - KEY_BITS)) as usize
}

/// Salt that tells an exact word's hash from a prefix's.
const EXACT: u64 = 0x9E37_79B9_7F4A_7C15;

/// Bytes `at..at + len` (len ≤ 8) of a run of ASCII letters and digits,
/// lowercased, little-endian, zero above: one unaligned load when the
/// text allows.
#[inline]
fn load8(b: &[u8], at: usize, len: usize) -> u64 {
    debug_assert!(len <= 8 && at + len <= b.len());
    let x = match b.get(at..at + 8) {
        Some(c) => u64::from_le_bytes(c.try_into().expect("8 bytes")),
        None => {
            let mut buf = [0u8; 8];
            buf[..len].copy_from_slice(&b[at..at + len]);
            u64::from_le_bytes(buf)
        }
    };
    // `| 0x20` lowercases ASCII letters and leaves digits alone.
    (x | 0x2020_2020_2020_2020) & LOW_BYTES[len]
}

/// `LOW_BYTES[n]`: the low `n` bytes of a `u64` set.
const LOW_BYTES: [u64; 9] = {
    let mut t = [u64::MAX; 9];
    let mut n = 0;
    while n < 8 {
        t[n] = (1u64 << (8 * n)) - 1;
        n += 1;
    }
    t
};

/// Hash of bytes `at..at + len` of a run (case-folded): eight bytes at a
/// time. Patterns are hashed with the same function.
#[inline]
fn hash_at(b: &[u8], at: usize, len: usize) -> u64 {
    let mut h = (len as u64).wrapping_mul(0x243F_6A88_85A3_08D3);
    let mut off = 0;
    loop {
        let x = load8(b, at + off, (len - off).min(8));
        h = (h ^ x).wrapping_mul(0x9FB2_1C65_1E98_DF25);
        h ^= h >> 29;
        off += 8;
        if off >= len {
            return h;
        }
    }
}

/// Fill `runs` with the run mask of `b` (see [`GateScratch::runs`]);
/// `true` if `b` has an apostrophe or a non-ASCII byte.
fn run_mask(b: &[u8], runs: &mut Vec<u64>) -> bool {
    runs.clear();
    runs.resize(b.len() / 64 + 2, 0);
    let mut special = false;
    let mut chunks = b.chunks_exact(16);
    for (j, c) in (&mut chunks).enumerate() {
        let (m, sp) = mask16(c.try_into().expect("16 bytes"));
        runs[j / 4] |= u64::from(m) << (16 * (j % 4));
        special |= sp;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let j = b.len() / 16;
        let mut buf = [0u8; 16];
        buf[..rest.len()].copy_from_slice(rest);
        let (m, sp) = mask16(&buf);
        runs[j / 4] |= u64::from(m) << (16 * (j % 4));
        special |= sp;
    }
    special
}

/// Letters-and-digits mask of 16 bytes, and whether any is an apostrophe
/// or non-ASCII.
#[cfg(target_arch = "x86_64")]
#[inline]
fn mask16(c: &[u8; 16]) -> (u16, bool) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86_64; the load reads exactly `c`.
    unsafe {
        let v = _mm_loadu_si128(c.as_ptr().cast());
        let m = _mm_movemask_epi8(crate::simd::alnum_and_digits(v).0) as u16;
        let high = _mm_movemask_epi8(v);
        let apostrophe = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\'' as i8)));
        (m, (high | apostrophe) != 0)
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn mask16(c: &[u8; 16]) -> (u16, bool) {
    let mut m = 0u16;
    let mut special = false;
    for (i, &x) in c.iter().enumerate() {
        m |= u16::from(x.is_ascii_alphanumeric()) << i;
        special |= x >= 0x80 || x == b'\'';
    }
    (m, special)
}

/// Not worth searching: a function word, or a letter or two ("u", "eu"),
/// which would occur in most texts. Numbers are always searched.
fn is_common(w: &str) -> bool {
    (w.len() < 3 && !w.bytes().all(|b| b.is_ascii_digit())) || COMMON_WORDS.contains(&w)
}

/// Can this word be searched for in raw text? (ASCII letters and digits:
/// its raw spelling is then its normal form up to case; under 64 bytes.)
fn searchable(w: &str) -> bool {
    (1..64).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Could a token's normal form differ from its lowercased raw bytes? True
/// for non-ASCII letters and marks (accent folding, Unicode lowercasing) and
/// apostrophes inside a word that the tokenizer joins (`O'Brien` →
/// `obrien`); clitics (`'s`, `n't`, `'ll`, …) split into runs of the raw
/// text and are fine.
fn may_rewrite_tokens(text: &str) -> bool {
    let b = text.as_bytes();
    // Only the non-ASCII characters need decoding.
    let mut i = 0;
    while let Some(k) = first_non_ascii(&b[i..]) {
        i += k;
        let ch = text[i..].chars().next().expect("char boundary");
        if ch.is_alphanumeric() || matches!(ch as u32, 0x300..=0x36F) {
            return true;
        }
        if matches!(ch, '\u{2019}' | '\u{2018}' | '\u{02BC}') && joins_at(b, i, ch.len_utf8()) {
            return true;
        }
        i += ch.len_utf8();
    }
    memchr::memchr_iter(b'\'', b).any(|i| joins_at(b, i, 1))
}

/// Index of the first byte ≥ 0x80, eight bytes at a time.
#[inline]
fn first_non_ascii(b: &[u8]) -> Option<usize> {
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().expect("8 bytes")) & 0x8080_8080_8080_8080;
        if x != 0 {
            return Some(at + x.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c >= 0x80)
        .map(|k| at + k)
}

/// Is `b[from..to]` exactly one apostrophe the tokenizer knows?
fn apostrophe_between(b: &[u8], from: usize, to: usize) -> bool {
    let gap = &b[from..to];
    gap == b"'"
        || ["\u{2019}", "\u{2018}", "\u{02BC}"]
            .iter()
            .any(|a| gap == a.as_bytes())
}

/// Does `n't` (with any apostrophe the tokenizer knows) start at `i`?
fn splits_nt(b: &[u8], i: usize) -> bool {
    if (b[i] | 0x20) != b'n' {
        return false;
    }
    let rest = &b[i + 1..];
    let after = if rest.first() == Some(&b'\'') {
        &rest[1..]
    } else if ["\u{2019}", "\u{2018}", "\u{02BC}"]
        .iter()
        .any(|a| rest.starts_with(a.as_bytes()))
    {
        &rest[3..]
    } else {
        return false;
    };
    after.first().is_some_and(|c| (c | 0x20) == b't')
        && !after.get(1).is_some_and(|c| c.is_ascii_alphabetic())
}

/// Does the apostrophe at `i` (of `len` bytes) join two parts of one word
/// (anything but a clitic the tokenizer splits off), or end a clitic
/// inside a run of letters and digits?
fn joins_at(b: &[u8], i: usize, len: usize) -> bool {
    let word_before = i > 0 && b[i - 1].is_ascii_alphanumeric();
    let a = i + len;
    let rest_len = b[a..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if !word_before || rest_len == 0 {
        return false;
    }
    // The run before the apostrophe is itself a clitic (`won't's`): the
    // tokenizer reads what follows as a new word.
    let run_start = i - b[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let before = &b[..run_start];
    if before.ends_with(b"'")
        || ["\u{2019}", "\u{2018}", "\u{02BC}"]
            .iter()
            .any(|a| before.ends_with(a.as_bytes()))
    {
        return true;
    }
    if b.get(a + rest_len).is_some_and(u8::is_ascii_digit) {
        // `Russia's1991`: the clitic ends at the digit, not the run.
        return true;
    }
    let rest = &b[a..a + rest_len];
    let is = |w: &str| rest.eq_ignore_ascii_case(w.as_bytes());
    if is("t") {
        // n't splits only after at least two word characters ending in n.
        return !((b[i - 1] | 0x20) == b'n' && i >= 2 && b[i - 2].is_ascii_alphanumeric());
    }
    !(is("s") || is("ll") || is("re") || is("ve") || is("d") || is("m"))
}

#[cfg(test)]
mod tests {
    use crate::lexicon::Lexicon;
    use crate::stance::{Scratch, Tagger};
    use crate::tokenize::{tokenize, TokenKind, Tokens};

    fn tagger() -> &'static Tagger {
        static T: std::sync::OnceLock<Tagger> = std::sync::OnceLock::new();
        T.get_or_init(|| Tagger::new(Lexicon::default_lexicon()))
    }

    /// The gate changes nothing: tagging with it equals tagging without it,
    /// and a claim it rejects gets the tokenizer's word count.
    fn check(tagger: &Tagger, text: &str, s: &mut Scratch) -> Result<bool, String> {
        let gated = tagger.tag(text, s);
        let passed = s.tokenized;
        let words = s.matches.untokenized_words();
        let full = tagger.tag_ungated(text, s);
        if format!("{gated:?}") != format!("{full:?}") {
            return Err(format!("gate changed the tags of {text:?}: {full:?}"));
        }
        if !passed {
            let mut t = Tokens::default();
            tokenize(text, &mut t);
            let n = t
                .tokens
                .iter()
                .filter(|k| k.kind == TokenKind::Word)
                .count();
            if n != words {
                return Err(format!(
                    "{text:?}: gate counted {words} words, tokenizer {n}"
                ));
            }
        }
        Ok(passed)
    }

    #[test]
    fn rejects_claims_without_theme_words_and_keeps_the_rest() {
        let tagger = tagger();
        let mut s = Scratch::default();
        for text in [
            "The weather in Geneva was pleasant this week.",
            "We thank the President for his able leadership of the session.",
            "Don't we all agree? Russia's delegates weren't there; we'll see.",
            "In the 1990's, the 3.5% rate and 1,000th meeting; O'Brien spoke.",
        ] {
            check(tagger, text, &mut s).unwrap();
        }
        // Nothing about the themes: rejected without tokenizing.
        assert!(!check(tagger, "The weather in Geneva was pleasant.", &mut s).unwrap());
        // Theme words whose entries need neighbours that are not there
        // ("for as long as", "more weapons", "F-16"): rejected too.
        for text in [
            "The debate lasted long into the night.",
            "Disarmament talks on conventional weapons resumed.",
            "Resolution 16 was adopted by consensus.",
            "Our people expressed their gratitude.",
        ] {
            assert!(!check(tagger, text, &mut s).unwrap(), "{text}");
        }
        // Theme words, in any case, behind a hyphen or a possessive: passed.
        for text in [
            "CRIMEA is Ukraine.",
            "The annexation of Crimea is illegal.",
            "We reject Russia's nuclear blackmail.",
            "A ceasefire along the front line.",
            "Kiev's security guarantees.",
            "Putin's regime must fall.",
            // The same words with their neighbours.
            "We will stand with Ukraine for as long as it takes.",
            "They asked for F-16 jets.",
            // A regex entry, anchored on its literal prefix.
            "Concessions — territorial and otherwise — may be made.",
        ] {
            assert!(check(tagger, text, &mut s).unwrap(), "{text}");
            assert!(!tagger.tag(text, &mut s).is_empty(), "{text}");
        }
    }

    /// The table finds each pattern by its text (any case) and kind, and
    /// nothing else: checked against a plain search of the pattern list on
    /// every pattern and near misses of it (same first eight bytes, same
    /// length; one byte more or less; the other kind).
    #[test]
    fn lookup_finds_each_pattern_by_its_text_and_kind_only() {
        let gate = &tagger().lexicon().engine.matcher.gate;
        let plain = |t: &str, prefix: bool| {
            let t = t.to_ascii_lowercase();
            gate.pats
                .iter()
                .position(|(p, k)| **p == *t && *k == prefix)
                .map(|q| q as u32)
        };
        let probe = |t: &str, prefix: bool| {
            let b = t.as_bytes();
            let salt = if prefix { 0 } else { super::EXACT };
            gate.lookup(super::hash_at(b, 0, b.len()) ^ salt, b, 0, b.len())
        };
        // Both kinds of one text exist in the default lexicon ("support",
        // "support*"): the kind must tell them apart.
        assert!(gate
            .pats
            .iter()
            .any(|(t, k)| *k && gate.pats.iter().any(|(u, j)| !*j && u == t)));
        for (t, _) in &gate.pats {
            let t: &str = t;
            let last = t.len() - 1;
            let other = if t.as_bytes()[last] == b'z' { "y" } else { "z" };
            let texts = [
                t.to_string(),
                t.to_ascii_uppercase(),
                format!("{}{other}", &t[..last]),
                format!("{t}s"),
                t[..last].to_string(),
            ];
            for text in texts.iter().filter(|x| !x.is_empty() && x.len() < 64) {
                for kind in [false, true] {
                    assert_eq!(probe(text, kind), plain(text, kind), "{text} prefix={kind}");
                }
            }
        }
    }

    #[test]
    fn regex_entries_are_anchored_on_their_literal_prefix() {
        let spec =
            super::regex_prefixes(r"\bconcessions? (?:[^.?!; ]+ ){0,6}?territorial\b").unwrap();
        assert_eq!(
            format!("{:?}", spec.positions[0].alts),
            r#"[Prefix("concession")]"#
        );
        let spec = super::regex_prefixes(r"\b(?:Land|soil) swaps?").unwrap();
        assert_eq!(
            format!("{:?}", spec.positions[0].alts),
            r#"[Prefix("land"), Prefix("soil")]"#
        );
        // Not at a word start, or no finite literal prefix: no anchor.
        assert!(super::regex_prefixes(r"concessions?").is_none());
        assert!(super::regex_prefixes(r"\b\w+ swaps?").is_none());
    }

    /// A lexicon made of entries whose anchors need their neighbours:
    /// digits, prefixes, clitics and spelling variants inside windows.
    fn window_tagger() -> &'static Tagger {
        static T: std::sync::OnceLock<Tagger> = std::sync::OnceLock::new();
        T.get_or_init(|| {
            let src = r#"
name = "w"
[variants]
defence = "defense"
[[theme]]
id = "a"
terms = ["for as long as", "f-16* jets", "article 5 of the", "5 km", "the 16 of", "no defense",
  { term = "more arms", weight = 0.5 }, { term = "arms for", weight = 0.5 }, "do n't arm",
  "as it* takes", "we 'll arm", "how long ... arms"]
[[theme]]
id = "b"
terms = ["long 1,000 km", "of 3.5 miles", "arms ... we", "is arm*"]
"#;
            let lex = Lexicon::from_sources(vec![("w.toml".into(), src.into())])
                .lexicon
                .expect("compiles");
            Tagger::new(lex)
        })
    }

    /// [`check`] on the words joined by the separators.
    fn check_joined(
        tagger: &Tagger,
        words: &[&str],
        seps: &[&str],
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let mut text = String::new();
        for (w, sep) in words.iter().zip(seps) {
            text.push_str(w);
            text.push_str(sep);
        }
        check(tagger, &text, &mut Scratch::default())
            .map(|_| ())
            .map_err(proptest::test_runner::TestCaseError::fail)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Random claims around the window lexicon's words.
        #[test]
        fn windows_are_conservative(words in proptest::collection::vec(
            proptest::sample::select(vec![
                "for", "as", "long", "how", "F", "f", "16", "16s", "16.5", "5", "5,0", "1,000",
                "3.5", "km", "miles", "article", "Article", "of", "the", "no", "defense", "defence",
                "more", "arms", "arm", "armed", "do", "don't", "n't", "it", "its", "takes",
                "we", "we'll", "'ll", "'s", "s", "is", "isn't", "as's", "long's", "jets",
                "'", "’", "’s", ",", ".", "-", "?", "\"", "1", "0", "jets'", "1990s",
                "for as long as", "f-16 jets", "F-16.5 jets", "article 5 of the", "5 km", "the 16 of",
                "no defence", "more arms", "arms for", "don't arm", "as it takes", "we'll arm",
                "how long", "long 1,000 km", "of 3.5 miles", "is arming", "isn't arm", "16s jets",
            ]),
            0..16,
        ), seps in proptest::collection::vec(
            proptest::sample::select(vec![" ", "", "  ", "-", "'", ","]), 16,
        )) {
            let tagger = window_tagger();
            let mut s = Scratch::default();
            assert!(!check(tagger, "Nothing here.", &mut s).unwrap(), "the gate is active");
            check_joined(tagger, &words, &seps)?;
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Random claims from lexicon words, function words and tricky
        /// punctuation (apostrophes, hyphens, digits, accents).
        #[test]
        fn gate_is_conservative(words in proptest::collection::vec(
            proptest::sample::select(vec![
                "crimea", "Crimea", "annexation", "annex", "territorial", "integrity",
                "nuclear", "weapons", "blackmail", "escalation", "red", "lines", "bluff",
                "security", "guarantees", "NATO", "membership", "troops", "regime", "Putin",
                "Putin's", "Kremlin", "fall", "must", "not", "never", "no", "the", "of", "a",
                "we", "will", "won't", "don't", "can't", "isn't", "Russia's", "allies'",
                "O'Brien", "Kiev", "Donbass", "Zaporizhzhia", "Zaporižžja", "e\u{301}", "1991",
                "1,000", "3.5", "1990s", "self-defence", "-", "—", ",", ".", "?", "\"", "’s",
                "n’t", "'", "(", ")", "said", "claims", "if", "but", "peace", "war", "border",
                "borders", "occupied", "territories", "world", "third", "ceasefire", "line",
                "front", "recognise", "recognize", "restore", "sham", "referendums", "concessions",
                "territorial", "otherwise", "land", "swap", "U.S.", "1,000th", "12,3a", "security guarantees",
                "nuclear weapons", "world war", "threat to world peace", "armed forces", "for as long as it takes",
                "for", "as", "long", "how", "more", "military", "F-16", "f-16s", "16", "16.5", "expressed",
                "their", "recognition", "recognized", "lasting", "durable", "as's", "we'll", "long's",
                "regime's", "Long", "MORE", "more's", "1,5", "expressed their will", "no recognition of",
                "not be recognized", "lasting peace", "for as long", "how long",
            ]),
            0..24,
        ), seps in proptest::collection::vec(proptest::sample::select(vec![" ", "", "  ", "-"]), 24)) {
            check_joined(tagger(), &words, &seps)?;
        }
    }
}
