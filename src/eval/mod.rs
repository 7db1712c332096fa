//! Evaluation against coded claims: the figures of `../shared/eval/score.py`
//! (same definitions, see [`metrics`]) with bootstrap intervals over
//! documents ([`bootstrap`]), confusion matrices, Cohen's κ against a second
//! coding, document-grouped folds ([`folds`]), and lexicon suggestions from
//! coded claims ([`suggest`]). `opstance eval` and `opstance lexicon
//! suggest` only wire arguments to this module; `docs/eval.md` explains the
//! figures.

pub mod bootstrap;
pub mod data;
pub mod folds;
pub mod metrics;
pub mod report;
pub mod suggest;

use std::path::PathBuf;

use rustc_hash::FxHashMap;
use serde_json::{json, Map, Value};

use crate::model::ClaimTags;
use crate::stance::{Scratch, Tagger};
use data::{doc_of, label, Coded};
use folds::{Folds, HOLDOUT};
use metrics::{doc_stats, ClaimLabels, Scores};

/// One coded set: its gold file, and either a prediction file or `None`
/// (then GOLD's texts are tagged), and optionally a second coding.
#[derive(Debug, Clone)]
pub struct Part {
    /// The set's name: its `set` column in the folds file.
    pub set: String,
    pub gold: PathBuf,
    pub pred: Option<PathBuf>,
    pub second: Option<PathBuf>,
}

/// Which claims are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every claim of every set (no folds file).
    All,
    /// The cross-validation pool: every fold but the holdout.
    Pool,
    /// The holdout documents only.
    Holdout,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Pool => "pool",
            Scope::Holdout => HOLDOUT,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Themes to score; `None`: found in the gold files (see
    /// [`data::theme_keys`]), `preferred` first.
    pub themes: Option<Vec<String>>,
    /// Theme ids listed first, in this order (the lexicon's).
    pub preferred: Vec<String>,
    pub bootstrap: u32,
    pub seed: u64,
    pub folds: Option<Folds>,
    pub holdout: bool,
    /// Field of GOLD holding the text, when GOLD is tagged.
    pub text_field: String,
}

/// What `opstance eval` reports.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub themes: Vec<String>,
    pub sets: Vec<String>,
    pub scope: Scope,
    pub scores: Scores,
    /// Intervals of `scores.figures()`.
    pub ci: Vec<Option<(f64, f64)>>,
    pub bootstrap: u32,
    pub seed: u64,
    pub has_second: bool,
    /// Per set, when the scored claims come from more than one.
    pub parts: Vec<(String, Scores)>,
    /// Per fold (pool scope only), in fold order.
    pub folds: Vec<(String, Scores)>,
}

impl Evaluation {
    /// Mean and sample standard deviation of the folds' macro F_pm.
    pub fn folds_f_pm(&self) -> Option<(f64, f64)> {
        let v: Vec<f64> = self.folds.iter().map(|f| f.1.macro_f_pm).collect();
        if v.is_empty() {
            return None;
        }
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let sd = if v.len() > 1 {
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            f64::NAN
        };
        Some((m, sd))
    }
}

/// Tag the claims of `gold` with what `opstance tag` runs for a record
/// ([`Tagger::tag_record`]), in document order: the claims of a document
/// (`doc` field) together, in file order, each told the result of the
/// previous claim of its document. Returns predictions in `tag`'s form.
pub fn tag_gold(tagger: &Tagger, gold: &Coded, text_field: &str) -> crate::Result<Coded> {
    let lex = tagger.lexicon();
    let docs: Vec<Option<String>> = gold
        .rows
        .iter()
        .map(|(_, v)| v.get("doc").map(data::id_string))
        .collect();
    let mut first = FxHashMap::<&str, usize>::default();
    for (i, d) in docs.iter().enumerate() {
        if let Some(d) = d {
            first.entry(d).or_insert(i);
        }
    }
    let mut order: Vec<usize> = (0..gold.len()).collect();
    order.sort_by_key(|&i| (docs[i].as_deref().map_or(i, |d| first[d]), i));
    let mut tagged: Vec<Option<Value>> = vec![None; gold.len()];
    let mut scratch = Scratch::default();
    let mut prev: Option<(usize, ClaimTags)> = None;
    for i in order {
        let (id, v) = &gold.rows[i];
        let text = match v.get(text_field) {
            Some(Value::String(s)) => s.as_str(),
            _ => {
                return Err(crate::Error::Input {
                    path: gold.path.clone().into(),
                    line: 0,
                    message: format!("claim {id}: no string `{text_field}` field to tag"),
                })
            }
        };
        let context = match (&prev, &docs[i]) {
            (Some((j, t)), Some(d)) if docs[*j].as_deref() == Some(d.as_str()) => {
                Some(t.as_slice())
            }
            _ => None,
        };
        let tags = tagger.tag_record(text, context, &mut scratch);
        let mut themes = Map::new();
        for t in &tags {
            themes.insert(
                lex.themes[t.theme].id.clone(),
                json!({"stance": t.stance, "score": t.score}),
            );
        }
        tagged[i] = Some(json!({"id": id, "themes": themes}));
        prev = Some((i, tags));
    }
    let mut out = Coded::new(&format!("{} (tagged)", gold.path));
    for ((id, _), v) in gold.rows.iter().zip(tagged) {
        out.insert(id.clone(), v.expect("every claim tagged"));
    }
    Ok(out)
}

/// A scored claim: its part (set) index, its fold, its labels.
type Scored = (usize, Option<String>, ClaimLabels);

/// A claim's labels on `themes`; errors name the file.
fn labels(c: &Coded, r: Option<&Value>, themes: &[String]) -> crate::Result<Vec<Option<i8>>> {
    themes
        .iter()
        .map(|t| label(r, t))
        .collect::<Result<_, _>>()
        .map_err(|message| crate::Error::Input {
            path: c.path.clone().into(),
            line: 0,
            message,
        })
}

/// Score the parts: load (or tag) everything, select by folds, score with
/// intervals, per set and per fold.
pub fn evaluate(
    parts: &[Part],
    tagger: Option<&Tagger>,
    opts: &Options,
) -> crate::Result<Evaluation> {
    if parts.is_empty() {
        return Err(crate::Error::Usage("nothing to score: give GOLD".into()));
    }
    let mut golds = Vec::new();
    for p in parts {
        golds.push(Coded::load(&p.gold)?);
    }
    let themes = match &opts.themes {
        Some(t) => t.clone(),
        None => data::theme_keys(&golds.iter().collect::<Vec<_>>(), &opts.preferred),
    };
    if themes.is_empty() {
        return Err(crate::Error::Other(
            "no theme keys found in GOLD (give --themes)".into(),
        ));
    }
    let several = parts.len() > 1 || opts.folds.is_some();
    let mut claims: Vec<Scored> = Vec::new();
    for (k, (p, gold)) in parts.iter().zip(&golds).enumerate() {
        let pred = match (&p.pred, tagger) {
            (Some(path), _) => Coded::load(path)?,
            (None, Some(t)) => tag_gold(t, gold, &opts.text_field)?,
            (None, None) => {
                return Err(crate::Error::Usage(format!(
                    "set `{}`: no predictions and no tagger",
                    p.set
                )))
            }
        };
        let second = p.second.as_deref().map(Coded::load).transpose()?;
        if let Some(f) = &opts.folds {
            if !f.has_set(&p.set) {
                return Err(crate::Error::Usage(format!(
                    "{}: no documents of set `{}` (name the set with --set or --gold SET=FILE)",
                    f.path, p.set
                )));
            }
        }
        for (id, g) in &gold.rows {
            let doc = doc_of(g);
            let fold = match &opts.folds {
                None => None,
                Some(f) => Some(
                    f.fold(&p.set, &doc)
                        .ok_or_else(|| crate::Error::Input {
                            path: f.path.clone().into(),
                            line: 0,
                            message: format!(
                                "document `{doc}` of set `{}` (claim {id}) has no fold",
                                p.set
                            ),
                        })?
                        .to_string(),
                ),
            };
            let pr = pred.get(id);
            let sr = second.as_ref().and_then(|s| s.get(id).map(|r| (s, r)));
            claims.push((
                k,
                fold,
                ClaimLabels {
                    doc: if several {
                        format!("{}:{doc}", p.set)
                    } else {
                        doc
                    },
                    gold: labels(gold, Some(g), &themes)?,
                    pred: pr.map(|r| labels(&pred, Some(r), &themes)).transpose()?,
                    second: sr.map(|(s, r)| labels(s, Some(r), &themes)).transpose()?,
                },
            ));
        }
    }
    let scope = match (&opts.folds, opts.holdout) {
        (None, false) => Scope::All,
        (None, true) => return Err(crate::Error::Usage("--holdout needs --folds FILE".into())),
        (Some(_), false) => Scope::Pool,
        (Some(_), true) => Scope::Holdout,
    };
    claims.retain(|(_, f, _)| match scope {
        Scope::All => true,
        Scope::Pool => f.as_deref() != Some(HOLDOUT),
        Scope::Holdout => f.as_deref() == Some(HOLDOUT),
    });
    if claims.is_empty() {
        return Err(crate::Error::Other(format!(
            "no claims to score in scope `{}`",
            scope.name()
        )));
    }
    let n = themes.len();
    let select = |keep: &dyn Fn(&Scored) -> bool| {
        let c: Vec<ClaimLabels> = claims
            .iter()
            .filter(|c| keep(c))
            .map(|c| c.2.clone())
            .collect();
        Scores::of(&doc_stats(&c, n), n)
    };
    let all: Vec<ClaimLabels> = claims.iter().map(|c| c.2.clone()).collect();
    let docs = doc_stats(&all, n);
    let scores = Scores::of(&docs, n);
    let ci = bootstrap::intervals(&docs, n, opts.bootstrap, opts.seed, scope.name());
    let mut used: Vec<usize> = claims.iter().map(|c| c.0).collect();
    used.dedup();
    let mut used_parts: Vec<usize> = Vec::new();
    for k in used {
        if !used_parts.contains(&k) {
            used_parts.push(k);
        }
    }
    let part_scores = if used_parts.len() > 1 {
        used_parts
            .iter()
            .map(|&k| (parts[k].set.clone(), select(&|c| c.0 == k)))
            .collect()
    } else {
        Vec::new()
    };
    let mut fold_names: Vec<String> = Vec::new();
    if scope == Scope::Pool {
        fold_names = claims.iter().filter_map(|c| c.1.clone()).collect();
        fold_names.sort();
        fold_names.dedup();
    }
    let fold_scores = fold_names
        .iter()
        .map(|f| (f.clone(), select(&|c| c.1.as_deref() == Some(f))))
        .collect();
    Ok(Evaluation {
        themes,
        sets: parts.iter().map(|p| p.set.clone()).collect(),
        scope,
        scores,
        ci,
        bootstrap: opts.bootstrap,
        seed: opts.seed,
        has_second: parts.iter().any(|p| p.second.is_some()),
        parts: part_scores,
        folds: fold_scores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, lines: &[&str]) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, lines.join("\n")).unwrap();
        p
    }

    fn opts(folds: Option<Folds>, holdout: bool) -> Options {
        Options {
            themes: None,
            preferred: vec!["land".into(), "aid".into()],
            bootstrap: 0,
            seed: 1,
            folds,
            holdout,
            text_field: "text".into(),
        }
    }

    /// Flat gold, predictions in both forms, one missing; by hand:
    ///
    /// ```text
    /// id doc  gold land/aid   pred land/aid
    /// 1  x    -1 / null       -1 / null      (flat)
    /// 2  x    -1 / 1          -1 / 0         (themes form)
    /// 3  y    null / 1        (missing)
    /// 4  y    1 / null        null / null    (themes: {})
    /// ```
    /// land: det tp 2, fn 1 → P 1, R 2/3; −1 F1 1, +1 F1 0 → F_pm 0.5.
    /// aid: det tp 1, fn 1 → P 1, R 1/2; +1: fn 2 → F1 0; −1 none → 0.
    #[test]
    fn evaluate_reads_both_forms_and_missing_predictions() {
        let dir = tempfile::tempdir().unwrap();
        let gold = write(
            &dir,
            "g.jsonl",
            &[
                r#"{"id":1,"doc":"x","land":-1,"aid":null,"n":5}"#,
                r#"{"id":2,"doc":"x","land":-1,"aid":1,"n":6}"#,
                r#"{"id":3,"doc":"y","land":null,"aid":1,"n":7}"#,
                r#"{"id":4,"doc":"y","land":1,"aid":null,"n":8}"#,
            ],
        );
        let pred = write(
            &dir,
            "p.jsonl",
            &[
                r#"{"id":1,"land":-1,"aid":null}"#,
                r#"{"id":"2","themes":{"land":{"stance":-1},"aid":{"stance":0}}}"#,
                r#"{"id":4,"themes":{}}"#,
            ],
        );
        let part = Part {
            set: "s".into(),
            gold,
            pred: Some(pred),
            second: None,
        };
        let e = evaluate(std::slice::from_ref(&part), None, &opts(None, false)).unwrap();
        assert_eq!(e.themes, ["land", "aid"], "`n` is no theme");
        let (land, aid) = (e.scores.themes[0], e.scores.themes[1]);
        assert_eq!(e.scores.n_missing_predictions, 1);
        assert_eq!((land.detect_p, land.detect_r), (1.0, 2.0 / 3.0));
        assert_eq!(land.f_pm, 0.5);
        assert_eq!(land.stance_acc, 1.0);
        assert_eq!((aid.detect_p, aid.detect_r), (1.0, 0.5));
        assert_eq!(aid.f_pm, 0.0);
        assert_eq!(aid.stance_acc, 0.0);
        // Cells: only x has ≥ 2 gold land stances → r NaN.
        assert_eq!(land.n_cells, 1);
        assert!(land.cell_r.is_nan());
        assert_eq!(e.scores.macro_f_pm, 0.25);
        // Folds: x in fold 0, y held out.
        let f = Folds::parse("f", "set,doc,fold\ns,x,0\ns,y,holdout\n").unwrap();
        let pool = evaluate(
            std::slice::from_ref(&part),
            None,
            &opts(Some(f.clone()), false),
        )
        .unwrap();
        assert_eq!((pool.scope, pool.scores.n_claims), (Scope::Pool, 2));
        assert_eq!(pool.folds.len(), 1);
        assert_eq!(pool.folds_f_pm().unwrap().0, pool.scores.macro_f_pm);
        let hold = evaluate(std::slice::from_ref(&part), None, &opts(Some(f), true)).unwrap();
        assert_eq!((hold.scope, hold.scores.n_claims), (Scope::Holdout, 2));
        assert!(hold.folds.is_empty());
    }
}
