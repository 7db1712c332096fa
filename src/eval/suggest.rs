//! `opstance lexicon suggest`: words and phrases that mark a theme, or a
//! pole of it, in coded claims — candidates for the lexicon.
//!
//! Candidates are the uni-, bi- and trigrams of a claim's normalised tokens
//! (the tokenizer's forms, so a candidate is written as a lexicon entry is:
//! `n't accept`, `1991 borders`): words and numbers, never across
//! punctuation (a clause end, a quote), except the possessive `'s` the
//! matcher skips too. N-grams that start or end with a function word
//! ([`STOPWORDS`]) are left out (`of the`, `the border`), inner ones kept
//! (`land for peace`).
//!
//! Score: the log-odds ratio with an informative Dirichlet prior of Monroe,
//! Colaresi & Quinn (2008, "Fightin' Words", eq. 22 and 24). For an n-gram
//! w counted y_a times among the n-grams of group a (n_a in all) and y_b
//! times in group b, with prior α_w = α0 · y_w / n from its count y_w among
//! all n of the whole file:
//!
//! ```text
//! δ_w = ln((y_a + α_w) / (n_a + α0 − y_a − α_w)) − ln((y_b + α_w) / (n_b + α0 − y_b − α_w))
//! σ²_w ≈ 1 / (y_a + α_w) + 1 / (y_b + α_w)
//! z_w = δ_w / σ_w
//! ```
//!
//! α0 (`--alpha0`, default [`DEFAULT_ALPHA0`]) is the prior's total
//! pseudo-count: how strongly rare n-grams are pulled toward the file's
//! overall rate. Contrasts: a theme's claims (coded with the theme: a
//! stance or 0) against the claims without it; its +1 claims against its −1
//! claims (both directions).

use std::fmt::Write;

use rustc_hash::FxHashMap;
use serde_json::Value;

use super::data::{label, Coded};
use crate::lexicon::Lexicon;
use crate::matcher::{MatchScratch, Role};
use crate::tokenize::{tokenize, TokenKind, Tokens};

/// Default total pseudo-count of the prior.
pub const DEFAULT_ALPHA0: f64 = 1000.0;

/// Function words an n-gram may not start or end with.
pub const STOPWORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "as", "and", "or",
    "is", "are", "was", "were", "be", "been", "being", "am", "it", "its", "this", "these", "those",
    "that", "which", "who", "whom", "has", "have", "had", "do", "does", "did", "he", "his", "him",
    "she", "her", "they", "their", "them", "you", "your", "i", "me", "my", "we", "our", "us",
    "there", "here", "so", "than", "then", "also", "into", "about", "such", "what", "if", "'s",
    "'ll", "'re", "'ve", "'d", "'m",
];

/// The log-odds z-score of one n-gram (see the module doc); also δ.
pub fn log_odds_z(ya: f64, yb: f64, na: f64, nb: f64, y: f64, n: f64, alpha0: f64) -> (f64, f64) {
    let a = if n > 0.0 { alpha0 * y / n } else { 0.0 };
    let delta = ((ya + a) / (na + alpha0 - ya - a)).ln() - ((yb + a) / (nb + alpha0 - yb - a)).ln();
    let var = 1.0 / (ya + a) + 1.0 / (yb + a);
    (delta / var.sqrt(), delta)
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Themes to contrast; empty: every theme found in the file.
    pub themes: Vec<String>,
    pub preferred: Vec<String>,
    pub top: usize,
    pub min_count: u64,
    pub kwic: usize,
    pub alpha0: f64,
    pub text_field: String,
    /// Characters of context on each side of a KWIC match.
    pub kwic_width: usize,
}

/// A keyword-in-context line.
#[derive(Debug, Clone, PartialEq)]
pub struct Kwic {
    pub id: String,
    pub pre: String,
    pub matched: String,
    pub post: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub ngram: String,
    pub z: f64,
    pub log_odds: f64,
    /// Count on the side it marks, and on the other side.
    pub count_in: u64,
    pub count_out: u64,
    /// Claims on the marked side that contain it.
    pub claims_in: u64,
    /// The lexicon entry of this theme that matches the n-gram itself:
    /// `term:crimea`, `cue+:land for peace`, `cue-:…`, `exclude:…`.
    pub covered: Option<String>,
    pub kwic: Vec<Kwic>,
}

/// One ranked contrast.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrast {
    pub theme: String,
    /// `theme` (theme vs rest), `pos` (+1 vs −1), `neg` (−1 vs +1).
    pub marks: String,
    pub n_claims_in: u64,
    pub n_claims_out: u64,
    pub candidates: Vec<Candidate>,
}

/// The contrasts per theme: theme vs rest, +1 vs −1, −1 vs +1.
pub const CONTRASTS: [&str; 3] = ["theme", "pos", "neg"];

/// Which side of contrast `marks` a claim with label `l` is on: `Some(true)`
/// the marked side, `Some(false)` the other, `None` neither.
fn side_of(marks: &str, l: Option<i8>) -> Option<bool> {
    match (marks, l) {
        ("theme", l) => Some(l.is_some()),
        ("pos", Some(1)) | ("neg", Some(-1)) => Some(true),
        ("pos", Some(-1)) | ("neg", Some(1)) => Some(false),
        _ => None,
    }
}

/// One claim's n-grams: (vocabulary id, first token, last token).
struct ClaimGrams {
    id: String,
    text: String,
    grams: Vec<(u32, u32, u32)>,
    tokens: Tokens,
}

/// Word runs of a claim: indices of word/number tokens, split at
/// punctuation other than the possessive `'s`.
fn runs(t: &Tokens) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new()];
    for (i, tok) in t.tokens.iter().enumerate() {
        match tok.kind {
            TokenKind::Word | TokenKind::Number => out.last_mut().expect("one").push(i as u32),
            TokenKind::Punct if t.norm_of(tok) == "'s" => {}
            TokenKind::Punct => {
                if !out.last().expect("one").is_empty() {
                    out.push(Vec::new());
                }
            }
        }
    }
    out
}

/// Rank candidates for each theme of a coded file.
pub fn suggest(coded: &Coded, lex: &Lexicon, opts: &Options) -> crate::Result<Vec<Contrast>> {
    let themes = if opts.themes.is_empty() {
        super::data::theme_keys(&[coded], &opts.preferred)
    } else {
        opts.themes.clone()
    };
    let stop: rustc_hash::FxHashSet<&str> = STOPWORDS.iter().copied().collect();
    let mut vocab: FxHashMap<String, u32> = FxHashMap::default();
    let mut words: Vec<String> = Vec::new();
    let mut claims: Vec<ClaimGrams> = Vec::new();
    let mut labels: Vec<Vec<Option<i8>>> = Vec::new();
    for (id, r) in &coded.rows {
        let text = match r.get(&opts.text_field) {
            Some(Value::String(s)) => s.clone(),
            _ => {
                return Err(crate::Error::Input {
                    path: coded.path.clone().into(),
                    line: 0,
                    message: format!("claim {id}: no string `{}` field", opts.text_field),
                })
            }
        };
        let mut l = Vec::new();
        for t in &themes {
            l.push(label(Some(r), t).map_err(|message| crate::Error::Input {
                path: coded.path.clone().into(),
                line: 0,
                message: format!("claim {id}: {message}"),
            })?);
        }
        labels.push(l);
        let mut tokens = Tokens::default();
        tokenize(&text, &mut tokens);
        let mut grams = Vec::new();
        for run in runs(&tokens) {
            for i in 0..run.len() {
                for len in 1..=3usize {
                    if i + len > run.len() {
                        break;
                    }
                    let span = &run[i..i + len];
                    let w = |k: u32| tokens.norm_of(&tokens.tokens[k as usize]);
                    if stop.contains(w(span[0])) || stop.contains(w(span[len - 1])) {
                        continue;
                    }
                    let g: Vec<&str> = span.iter().map(|&k| w(k)).collect();
                    let g = g.join(" ");
                    let next = words.len() as u32;
                    let gid = *vocab.entry(g).or_insert_with_key(|k| {
                        words.push(k.clone());
                        next
                    });
                    grams.push((gid, span[0], span[len - 1]));
                }
            }
        }
        claims.push(ClaimGrams {
            id: id.clone(),
            text,
            grams,
            tokens,
        });
    }
    let nv = words.len();
    let mut total = vec![0u64; nv];
    for c in &claims {
        for g in &c.grams {
            total[g.0 as usize] += 1;
        }
    }
    let n_all: u64 = total.iter().sum();
    let mut out = Vec::new();
    let mut scratch = MatchScratch::default();
    let mut ctoks = Tokens::default();
    for (ti, theme) in themes.iter().enumerate() {
        let lex_theme = lex.theme_index(theme);
        let mut covered = |g: &str| -> Option<String> {
            let t = lex_theme? as u16;
            tokenize(g, &mut ctoks);
            let m = &lex.engine.matcher;
            m.find(g, &ctoks, &mut scratch);
            let mut found: Option<String> = None;
            for mt in &scratch.matches {
                let p = &m.patterns[mt.pattern as usize];
                let tag = match p.role {
                    Role::Term { theme, .. } if theme == t => "term".to_string(),
                    Role::Cue { theme, pole, .. } if theme == t => {
                        format!("cue{}", if pole > 0 { "+" } else { "-" })
                    }
                    Role::Exclude { theme } if theme == t => "exclude".to_string(),
                    _ => continue,
                };
                let s = format!("{tag}:{}", p.entry);
                // Terms and cues before exclusions; then the first found.
                if found.as_ref().map_or(true, |f| f.starts_with("exclude:")) {
                    found = Some(s);
                }
            }
            found
        };
        for marks in CONTRASTS {
            let side = |l: Option<i8>| side_of(marks, l);
            let (mut ya, mut yb) = (vec![0u64; nv], vec![0u64; nv]);
            let mut ca = vec![0u64; nv];
            let (mut nca, mut ncb) = (0u64, 0u64);
            for (c, l) in claims.iter().zip(&labels) {
                match side(l[ti]) {
                    Some(true) => {
                        nca += 1;
                        let mut seen = rustc_hash::FxHashSet::default();
                        for g in &c.grams {
                            ya[g.0 as usize] += 1;
                            if seen.insert(g.0) {
                                ca[g.0 as usize] += 1;
                            }
                        }
                    }
                    Some(false) => {
                        ncb += 1;
                        for g in &c.grams {
                            yb[g.0 as usize] += 1;
                        }
                    }
                    None => {}
                }
            }
            let (na, nb): (u64, u64) = (ya.iter().sum(), yb.iter().sum());
            let mut ranked: Vec<(f64, f64, usize)> = (0..nv)
                .filter(|&w| ya[w] >= opts.min_count.max(1))
                .map(|w| {
                    let (z, d) = log_odds_z(
                        ya[w] as f64,
                        yb[w] as f64,
                        na as f64,
                        nb as f64,
                        total[w] as f64,
                        n_all as f64,
                        opts.alpha0,
                    );
                    (z, d, w)
                })
                .filter(|(z, _, _)| *z > 0.0)
                .collect();
            ranked.sort_by(|a, b| {
                b.0.total_cmp(&a.0)
                    .then_with(|| words[a.2].cmp(&words[b.2]))
            });
            ranked.truncate(opts.top);
            let candidates = ranked
                .into_iter()
                .map(|(z, d, w)| Candidate {
                    ngram: words[w].clone(),
                    z,
                    log_odds: d,
                    count_in: ya[w],
                    count_out: yb[w],
                    claims_in: ca[w],
                    covered: covered(&words[w]),
                    kwic: kwic(&claims, &labels, ti, marks, w as u32, opts),
                })
                .collect();
            out.push(Contrast {
                theme: theme.clone(),
                marks: marks.to_string(),
                n_claims_in: nca,
                n_claims_out: ncb,
                candidates,
            });
        }
    }
    Ok(out)
}

/// Up to `opts.kwic` occurrences of n-gram `w` in claims of the marked side,
/// in file order, one per claim.
fn kwic(
    claims: &[ClaimGrams],
    labels: &[Vec<Option<i8>>],
    ti: usize,
    marks: &str,
    w: u32,
    opts: &Options,
) -> Vec<Kwic> {
    let mut out = Vec::new();
    for (c, l) in claims.iter().zip(labels) {
        if out.len() >= opts.kwic {
            break;
        }
        if side_of(marks, l[ti]) != Some(true) {
            continue;
        }
        let Some(&(_, a, b)) = c.grams.iter().find(|g| g.0 == w) else {
            continue;
        };
        let s = c.tokens.tokens[a as usize].start as usize;
        let e = c.tokens.tokens[b as usize].end as usize;
        let flat = |x: &str| x.split_whitespace().collect::<Vec<_>>().join(" ");
        let pre: String = {
            let p = flat(&c.text[..s]);
            let n = p.chars().count();
            p.chars().skip(n.saturating_sub(opts.kwic_width)).collect()
        };
        let post: String = flat(&c.text[e..]).chars().take(opts.kwic_width).collect();
        out.push(Kwic {
            id: c.id.clone(),
            pre,
            matched: c.text[s..e].to_string(),
            post,
        });
    }
    out
}

/// Columns of `--format csv`: one row per KWIC line (candidate columns
/// repeated), or one per candidate with empty KWIC columns when it has none.
pub const CSV_COLUMNS: [&str; 15] = [
    "theme",
    "marks",
    "rank",
    "ngram",
    "z",
    "log_odds",
    "count_in",
    "count_out",
    "claims_in",
    "covered",
    "new",
    "kwic_id",
    "kwic_pre",
    "kwic_match",
    "kwic_post",
];

/// The CSV report.
pub fn csv(contrasts: &[Contrast]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS).expect("in memory");
    for c in contrasts {
        for (r, k) in c.candidates.iter().enumerate() {
            let base = [
                c.theme.clone(),
                c.marks.clone(),
                (r + 1).to_string(),
                k.ngram.clone(),
                format!("{:.3}", k.z),
                format!("{:.4}", k.log_odds),
                k.count_in.to_string(),
                k.count_out.to_string(),
                k.claims_in.to_string(),
                k.covered.clone().unwrap_or_default(),
                if k.covered.is_some() { "0" } else { "1" }.to_string(),
            ];
            let rows: Vec<[String; 4]> = if k.kwic.is_empty() {
                vec![Default::default()]
            } else {
                k.kwic
                    .iter()
                    .map(|q| {
                        [
                            q.id.clone(),
                            q.pre.clone(),
                            q.matched.clone(),
                            q.post.clone(),
                        ]
                    })
                    .collect()
            };
            for q in rows {
                let rec: Vec<&str> = base.iter().chain(q.iter()).map(String::as_str).collect();
                let cells: Vec<std::borrow::Cow<str>> =
                    rec.iter().map(|s| crate::write::cells::text(s)).collect();
                w.write_record(cells.iter().map(|c| c.as_ref()))
                    .expect("in memory");
            }
        }
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

/// The text report.
pub fn text(contrasts: &[Contrast], alpha0: f64) -> String {
    let mut o = String::new();
    for c in contrasts {
        let what = match c.marks.as_str() {
            "theme" => format!(
                "{}: claims coded with the theme ({}) vs without ({})",
                c.theme, c.n_claims_in, c.n_claims_out
            ),
            m => {
                let (a, b) = if m == "pos" {
                    ("+1", "-1")
                } else {
                    ("-1", "+1")
                };
                format!(
                    "{} {m}: its {a} claims ({}) vs its {b} claims ({})",
                    c.theme, c.n_claims_in, c.n_claims_out
                )
            }
        };
        let _ = writeln!(o, "== {what}; log-odds z, Dirichlet prior alpha0 {alpha0}");
        if c.candidates.is_empty() {
            let _ = writeln!(o, "   (no candidate)\n");
            continue;
        }
        let _ = writeln!(
            o,
            "{:>4} {:>7} {:>6} {:>6} {:>6}  {:<32} covered by",
            "rank", "z", "in", "out", "claims", "ngram"
        );
        for (r, k) in c.candidates.iter().enumerate() {
            let _ = writeln!(
                o,
                "{:>4} {:>7.2} {:>6} {:>6} {:>6}  {:<32} {}",
                r + 1,
                k.z,
                k.count_in,
                k.count_out,
                k.claims_in,
                k.ngram,
                k.covered.as_deref().unwrap_or("NEW")
            );
            for q in &k.kwic {
                let _ = writeln!(
                    o,
                    "      {:>40} [{}] {:<40}  ({})",
                    q.pre, q.matched, q.post, q.id
                );
            }
        }
        let _ = writeln!(o);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: y_a = 10, y_b = 2, n_a = 100, n_b = 200, y = 12,
    /// n = 300, α0 = 30 → α_w = 1.2;
    /// δ = ln(11.2 / 118.8) − ln(3.2 / 226.8) = −2.361528 + 4.260918 = 1.899390;
    /// σ² = 1/11.2 + 1/3.2 = 0.401786; z = δ / 0.633866 = 2.996518.
    #[test]
    fn log_odds_by_hand() {
        let (z, d) = log_odds_z(10.0, 2.0, 100.0, 200.0, 12.0, 300.0, 30.0);
        let d_hand = (11.2f64 / 118.8).ln() - (3.2f64 / 226.8).ln();
        assert!((d - d_hand).abs() < 1e-12);
        assert!((d - 1.899_390).abs() < 1e-5, "{d}");
        assert!((z - 2.996_518).abs() < 1e-5, "{z}");
        // Symmetric: swapping the sides flips the sign.
        let (z2, d2) = log_odds_z(2.0, 10.0, 200.0, 100.0, 12.0, 300.0, 30.0);
        assert!((z + z2).abs() < 1e-12 && (d + d2).abs() < 1e-12);
        // Equal rates: 0.
        let (z3, _) = log_odds_z(5.0, 10.0, 100.0, 200.0, 15.0, 300.0, 30.0);
        assert!(z3.abs() < 0.05, "{z3}");
    }

    #[test]
    fn runs_split_at_punctuation_but_not_the_possessive() {
        let mut t = Tokens::default();
        tokenize("Putin's regime, they say: don't yield.", &mut t);
        let r: Vec<Vec<&str>> = runs(&t)
            .iter()
            .map(|r| {
                r.iter()
                    .map(|&k| t.norm_of(&t.tokens[k as usize]))
                    .collect()
            })
            .filter(|r: &Vec<&str>| !r.is_empty())
            .collect();
        assert_eq!(
            r,
            vec![
                vec!["putin", "regime"],
                vec!["they", "say"],
                vec!["do", "n't", "yield"]
            ]
        );
    }
}
