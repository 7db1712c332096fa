//! Stance: turns the matches of one claim into a decision per theme, applying
//! negation scope, hedges, intensifiers, contrast, questions, conditionals
//! and reported speech (rules in `docs/lexicon.md`).

use crate::lexicon::{Engine, Lexicon, ModKind};
use crate::matcher::{Match, MatchScratch, Role};
use crate::model::{modifier, ClaimTags, Evidence, EvidenceKind, ThemeResult};
use crate::tokenize::TokenKind;

/// Per-thread scratch buffers, so tagging allocates nothing per token.
#[derive(Debug, Default)]
pub struct Scratch {
    pub tokens: crate::tokenize::Tokens,
    pub matches: MatchScratch,
    /// Whether the last claim tagged was tokenized into `tokens` (claims
    /// that cannot address a theme are not).
    pub tokenized: bool,
    mods: Vec<(ModKind, u32, u32)>,
    cues: Vec<Match>,
}

/// Tags claims with themes and stances according to a lexicon.
#[derive(Debug, Clone)]
pub struct Tagger {
    lexicon: Lexicon,
}

/// A word span `first..=last` (word indices).
#[derive(Clone, Copy)]
struct Span {
    first: u32,
    last: u32,
}

impl Span {
    fn of(m: &Match) -> Span {
        Span {
            first: m.first,
            last: m.last,
        }
    }
    fn overlaps(&self, o: Span) -> bool {
        !(self.last < o.first || o.last < self.first)
    }
    fn inside(&self, o: Span) -> bool {
        o.first <= self.first && self.last <= o.last
    }
}

impl Scratch {
    /// Word tokens of the last claim tagged, whether or not it was
    /// tokenized (the gate counts the words of the claims it rejects).
    pub fn n_words(&self) -> usize {
        if self.tokenized {
            self.tokens
                .tokens
                .iter()
                .filter(|t| t.kind == TokenKind::Word)
                .count()
        } else {
            self.matches.untokenized_words()
        }
    }
}

impl Tagger {
    pub fn new(lexicon: Lexicon) -> Self {
        Tagger { lexicon }
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Tag one claim. Evidence offsets are relative to `text`.
    pub fn tag(&self, text: &str, scratch: &mut Scratch) -> ClaimTags {
        self.tag_with_context(text, scratch, &[])
    }

    /// Tag one record of a claims file: what `opstance tag` runs for each
    /// input record and `opstance eval` for each claim of a gold file, so a
    /// change of how a record is decided reaches both. `prev` is the result
    /// of the previous record of the same document when the caller knows it
    /// (`eval` reads claims in document order; `tag` does not know yet and
    /// passes `None`). It is not used yet: a context-aware decider belongs
    /// here.
    pub fn tag_record(
        &self,
        text: &str,
        prev: Option<&[ThemeResult]>,
        scratch: &mut Scratch,
    ) -> ClaimTags {
        let _ = prev;
        self.tag(text, scratch)
    }

    /// Tag one claim read in its passage: `prev` is the result of the
    /// previous claim of the same document (empty at a document start).
    /// A theme the previous claim addressed needs only half its
    /// `min_weight` of terms in this claim: coders read "the border" right
    /// after a sentence about Crimea as about territory.
    pub fn tag_with_context(
        &self,
        text: &str,
        scratch: &mut Scratch,
        prev: &[ThemeResult],
    ) -> ClaimTags {
        self.tag_inner(text, scratch, prev, true)
    }

    /// Tag one claim without the raw-text gate of the matcher: the same
    /// result, slower. The reference the gate is tested against.
    pub fn tag_ungated(&self, text: &str, scratch: &mut Scratch) -> ClaimTags {
        self.tag_inner(text, scratch, &[], false)
    }

    fn tag_inner(
        &self,
        text: &str,
        scratch: &mut Scratch,
        prev: &[ThemeResult],
        gate: bool,
    ) -> ClaimTags {
        let eng: &Engine = &self.lexicon.engine;
        let matcher = &eng.matcher;
        // Most claims address no theme: the gate says so from the raw text.
        // It assumes the full `min_weight`; in context a theme needs less.
        scratch.tokenized =
            !gate || !prev.is_empty() || matcher.may_address_theme(text, &mut scratch.matches);
        if !scratch.tokenized {
            return Vec::new();
        }
        crate::tokenize::tokenize(text, &mut scratch.tokens);
        matcher.find(text, &scratch.tokens, &mut scratch.matches);
        let Scratch {
            tokens,
            matches: ms,
            mods,
            cues,
            ..
        } = scratch;
        let pats = &matcher.patterns;
        if !ms
            .matches
            .iter()
            .any(|m| !matches!(pats[m.pattern as usize].role, Role::Modifier(_)))
        {
            return Vec::new();
        }
        mods.clear();
        for m in &ms.matches {
            if let Role::Modifier(k) = pats[m.pattern as usize].role {
                // A negator inside a term or cue ("no-fly zone", "never
                // recognise") belongs to that entry, not to the clause.
                let inside_entry = k == ModKind::Negator
                    && ms.matches.iter().any(|o| {
                        matches!(
                            pats[o.pattern as usize].role,
                            Role::Term { .. } | Role::Cue { .. }
                        ) && Span::of(o).overlaps(Span::of(m))
                    });
                if !inside_entry {
                    mods.push((k, m.first, m.last));
                }
            }
        }
        // Scope: a claim about another conflict or state, with nothing of
        // this war in it, addresses no theme.
        let (mut other, mut anchor) = (false, false);
        for &(k, _, _) in mods.iter() {
            other |= k == ModKind::ScopeOther;
            anchor |= k == ModKind::ScopeAnchor;
        }
        if other && !anchor {
            return Vec::new();
        }
        let last_clause = ms.clause.last().copied().unwrap_or(0);
        // Question: the last punctuation (ignoring closing quotes and brackets) is '?'.
        let mut question = false;
        for t in tokens.tokens.iter().rev() {
            if t.kind != TokenKind::Punct {
                break;
            }
            match tokens.norm.as_bytes()[t.norm_start as usize] {
                b'"' | b'\'' | b')' => continue,
                b'?' => {
                    question = true;
                    break;
                }
                _ => break,
            }
        }
        // A rhetorical question asserts the opposite of its negated opening:
        // "Isn't it time to accept …?" accepts. Its span (first words) is
        // then not a negation.
        let rhetorical_span = mods
            .iter()
            .filter(|m| question && m.0 == ModKind::Rhetorical && m.1 == 0)
            .map(|m| m.2)
            .max();
        let rhetorical = rhetorical_span.is_some();
        let s = &eng.settings;
        let word_start = |w: u32| tokens.tokens[ms.words[w as usize] as usize].start as usize;
        let word_end = |w: u32| tokens.tokens[ms.words[w as usize] as usize].end as usize;
        let clause = |w: u32| ms.clause[w as usize];
        let word_norm = |w: u32| tokens.norm_of(&tokens.tokens[ms.words[w as usize] as usize]);
        // The token right after word `w` ("that", ":", a quote).
        let next_token = |w: u32| {
            tokens
                .tokens
                .get(ms.words[w as usize] as usize + 1)
                .map_or("", |t| tokens.norm_of(t))
        };
        // First word of the clause of word `w`.
        let clause_start = |w: u32| {
            let c = clause(w);
            let mut i = w;
            while i > 0 && clause(i - 1) == c {
                i -= 1;
            }
            i
        };

        // Contrast: the last contrast word that is not also concessive.
        let last_contrast = mods
            .iter()
            .filter(|m| {
                m.0 == ModKind::Contrast
                    && !mods
                        .iter()
                        .any(|c| c.0 == ModKind::Concessive && c.1 == m.1 && c.2 == m.2)
            })
            .map(|m| m.1)
            .max();
        let concessive_clauses: Vec<u16> = mods
            .iter()
            .filter(|m| m.0 == ModKind::Concessive)
            .map(|m| clause(m.1))
            .collect();

        let mut out: ClaimTags = Vec::new();
        for (ti, &min_weight) in eng.min_weight.iter().enumerate() {
            let theme = ti as u16;
            // Exclusion spans of this theme.
            let excluded = |sp: Span| {
                ms.matches.iter().any(|m| {
                    matches!(pats[m.pattern as usize].role, Role::Exclude { theme: t } if t == theme)
                        && sp.inside(Span::of(m))
                })
            };
            let mut term_weight = 0.0f32;
            let mut strong = false;
            let mut any = false;
            cues.clear();
            for m in &ms.matches {
                match pats[m.pattern as usize].role {
                    Role::Term { theme: t, weight } if t == theme && !excluded(Span::of(m)) => {
                        term_weight += weight;
                        any = true;
                    }
                    Role::Cue {
                        theme: t,
                        strong: st,
                        ..
                    } if t == theme && !excluded(Span::of(m)) => {
                        strong |= st;
                        cues.push(*m);
                    }
                    _ => {}
                }
            }
            let in_context = prev.iter().any(|r| r.theme == ti);
            let need = if in_context {
                0.5 * min_weight
            } else {
                min_weight
            };
            let addressed = strong || (any && term_weight >= need - 1e-6);
            if !addressed {
                continue;
            }
            let mut evidence = Vec::new();
            for m in &ms.matches {
                if let Role::Term { theme: t, weight } = pats[m.pattern as usize].role {
                    if t == theme && !excluded(Span::of(m)) {
                        evidence.push(Evidence {
                            kind: EvidenceKind::Term,
                            entry: pats[m.pattern as usize].entry.clone(),
                            start: word_start(m.first),
                            end: word_end(m.last),
                            pole: 0,
                            weight,
                            modifiers: 0,
                        });
                    }
                }
            }
            let mut score = 0.0f32;
            for c in cues.iter() {
                let Role::Cue { pole, weight, .. } = pats[c.pattern as usize].role else {
                    continue;
                };
                let sp = Span::of(c);
                let cl = clause(c.first);
                let in_any_cue = |x: Span| cues.iter().any(|o| x.overlaps(Span::of(o)));
                let mut w = weight;
                let mut flags = 0u8;
                // Negation: a negator earlier in the same clause, with no
                // scope break between it and the cue. Two negators cancel
                // ("cannot … without restoring"); a `negation = "keep"` cue
                // keeps its pole ("no nuclear war" still fears it).
                let negators = mods
                    .iter()
                    .filter(|&&(k, f, l)| {
                        k == ModKind::Negator
                            && l < c.first
                            && clause(l) == cl
                            && !in_any_cue(Span { first: f, last: l })
                            && rhetorical_span.map_or(true, |r| f > r)
                            && !mods.iter().any(|&(k2, f2, _)| {
                                // A conditional opens a clause of its own:
                                // "will not talk unless Russia withdraws".
                                matches!(k2, ModKind::ScopeBreak | ModKind::Conditional)
                                    && f2 > l
                                    && f2 < c.first
                            })
                    })
                    .count();
                let negated = negators % 2 == 1 && !eng.keep_negation[c.pattern as usize];
                if negated {
                    w = -w;
                    flags |= modifier::NEGATED;
                }
                let in_clause = |k: ModKind| {
                    mods.iter().any(|&(k2, f, l)| {
                        k2 == k && clause(f) == cl && !Span { first: f, last: l }.overlaps(sp)
                    })
                };
                if in_clause(ModKind::Hedge) {
                    w *= s.hedge;
                    flags |= modifier::HEDGED;
                }
                if in_clause(ModKind::Intensifier) {
                    w *= s.intensifier;
                    flags |= modifier::INTENSIFIED;
                }
                // Contrast.
                if let Some(p) = last_contrast {
                    if c.first > p {
                        w *= s.contrast_after;
                    } else {
                        w *= s.contrast_before;
                    }
                    flags |= modifier::CONTRAST;
                } else if !concessive_clauses.is_empty() {
                    if concessive_clauses.contains(&cl) {
                        w *= s.contrast_before;
                    } else {
                        w *= s.contrast_after;
                    }
                    flags |= modifier::CONTRAST;
                }
                // Conditional: the cue's clause is introduced by if/unless/would
                // (the conditional word comes before the cue).
                let conditional = mods
                    .iter()
                    .any(|&(k, f, l)| k == ModKind::Conditional && clause(f) == cl && l < c.first);
                if conditional {
                    w *= s.conditional;
                    flags |= modifier::CONDITIONAL;
                }
                // Reported speech. A reporting word in an earlier clause
                // reaches the cue unless its clause is an aside ("As the
                // President said, …") or the cue's clause has its own
                // first-person subject ("…, we will …") and the reporting
                // word does not open a complement (`that`, `:`, a quote).
                let reaches = |f: u32, l: u32, cue: u32, cl: u16| {
                    let opens = matches!(next_token(l), "that" | ":" | "\"" | "'");
                    if opens {
                        return true;
                    }
                    if word_norm(clause_start(f)) == "as" {
                        return false;
                    }
                    let own_subject = mods.iter().any(|&(k, f2, _)| {
                        k == ModKind::SelfSubject && clause(f2) == cl && f2 < cue
                    });
                    !own_subject
                };
                let reported = ms.quoted[c.first as usize]
                    || mods.iter().any(|&(k, f, l)| {
                        if k != ModKind::Reporting || (Span { first: f, last: l }).overlaps(sp) {
                            return false;
                        }
                        let self_subject = mods.iter().any(|&(k2, _, l2)| {
                            k2 == ModKind::SelfSubject && l2 < f && l2 + 2 >= f
                        });
                        if self_subject {
                            return false;
                        }
                        if l < c.first {
                            return clause(l) == cl || reaches(f, l, c.first, cl);
                        }
                        // A trailing ", he said" clause.
                        clause(f) != cl && clause(f) == last_clause
                    });
                if reported {
                    flags |= modifier::REPORTED;
                    let outside = |k: ModKind| {
                        mods.iter()
                            .any(|&(k2, f, l)| k2 == k && !Span { first: f, last: l }.overlaps(sp))
                    };
                    if outside(ModKind::Endorse) {
                        // The author endorses the reported position.
                    } else if outside(ModKind::Reject) {
                        w = -w;
                    } else {
                        w = 0.0;
                    }
                }
                if question {
                    flags |= modifier::QUESTION;
                    if !rhetorical {
                        w = 0.0;
                    }
                }
                score += pole as f32 * w;
                evidence.push(Evidence {
                    kind: EvidenceKind::Cue,
                    entry: pats[c.pattern as usize].entry.clone(),
                    start: word_start(c.first),
                    end: word_end(c.last),
                    pole,
                    weight: w,
                    modifiers: flags,
                });
            }
            evidence.sort_by_key(|e| (e.start, e.end, e.kind == EvidenceKind::Cue));
            let score = score.clamp(-1.0, 1.0);
            let stance = if score.abs() >= s.threshold && score != 0.0 {
                score.signum() as i8
            } else {
                0
            };
            out.push(ThemeResult {
                theme: ti,
                stance,
                score,
                evidence,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagger() -> &'static Tagger {
        static T: std::sync::OnceLock<Tagger> = std::sync::OnceLock::new();
        T.get_or_init(|| Tagger::new(Lexicon::default_lexicon()))
    }

    #[test]
    fn scratch_reuse_gives_the_same_result() {
        let t = tagger();
        let mut s = Scratch::default();
        let a = "Russia must withdraw from all occupied territories of Ukraine.";
        let first = t.tag(a, &mut s);
        t.tag("Will NATO ever admit Ukraine? Nobody knows.", &mut s);
        assert_eq!(first, t.tag(a, &mut s));
        assert!(!first.is_empty());
    }

    #[test]
    fn context_lowers_the_term_threshold_for_the_previous_themes() {
        let src = "name = \"t\"\n[[theme]]\nid = \"land\"\nterms = [\"crimea\", { term = \"border*\", weight = 0.5 }]\n[[theme]]\nid = \"nuke\"\nterms = [\"nuclear\", { term = \"arsenal\", weight = 0.5 }]\n";
        let lex = Lexicon::from_sources(vec![("t.toml".into(), src.into())])
            .lexicon
            .expect("compiles");
        let t = Tagger::new(lex);
        let mut s = Scratch::default();
        let weak = "The border is long and the arsenal is old.";
        assert!(t.tag(weak, &mut s).is_empty());
        let prev = t.tag("Crimea is Ukraine.", &mut s);
        assert_eq!(prev.len(), 1);
        let got = t.tag_with_context(weak, &mut s, &prev);
        // Only the theme of the previous claim gets the lower threshold.
        assert_eq!(got.iter().map(|r| r.theme).collect::<Vec<_>>(), [0]);
        assert_eq!(t.tag_with_context(weak, &mut s, &[]), t.tag(weak, &mut s));
    }

    proptest::proptest! {
        #[test]
        fn results_are_well_formed(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zA-Zé’'\"?,;()—-]{1,8}").unwrap(),
                    proptest::sample::select(vec![
                        "Crimea".to_string(), "not".into(), "annexation".into(), "illegal".into(),
                        "NATO".into(), "nuclear".into(), "Putin".into(), "regime".into(),
                        "said".into(), "if".into(), "but".into(), "never".into(), "“".into(), "?".into(),
                    ]),
                ],
                0..30,
            )
        ) {
            let text = words.join(" ");
            let t = tagger();
            let mut s = Scratch::default();
            let tags = t.tag(&text, &mut s);
            let mut last = None;
            for r in &tags {
                proptest::prop_assert!(last.map_or(true, |l| l < r.theme));
                last = Some(r.theme);
                proptest::prop_assert!((-1..=1).contains(&r.stance));
                proptest::prop_assert!(r.score.abs() <= 1.0);
                for e in &r.evidence {
                    proptest::prop_assert!(e.start < e.end && e.end <= text.len());
                    proptest::prop_assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
                }
            }
        }
    }
}
