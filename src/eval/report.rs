//! `opstance eval`'s output: a plain table like `score.py`'s with the
//! intervals under each figure, or JSON with `score.py`'s keys (NaN as
//! `null`) plus intervals (`ci`), confusion matrices, κ, sets and folds.

use std::fmt::Write;

use serde_json::{json, Map, Value};

use super::metrics::{Scores, CATEGORIES, POOLED_FIGURES, THEME_FIGURES};
use super::{Evaluation, Scope};
use crate::aggregate::CI_LEVEL;

/// A figure with three decimals, `nan` as `score.py` prints it.
fn f3(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else {
        format!("{x:.3}")
    }
}

fn ci3(ci: Option<(f64, f64)>) -> String {
    match ci {
        Some((lo, hi)) => format!("[{},{}]", f3(lo), f3(hi)),
        None => "-".into(),
    }
}

fn num(x: f64) -> Value {
    if x.is_nan() {
        Value::Null
    } else {
        json!(x)
    }
}

fn ci_json(ci: Option<(f64, f64)>) -> Value {
    match ci {
        Some((lo, hi)) => json!([lo, hi]),
        None => Value::Null,
    }
}

const W: usize = 13;

/// The plain-text report.
pub fn text(e: &Evaluation) -> String {
    let s = &e.scores;
    let mut o = String::new();
    let scope = match e.scope {
        Scope::All => String::new(),
        Scope::Pool => format!(
            "  scope: pool of sets {} (all folds but holdout)",
            e.sets.join("+")
        ),
        Scope::Holdout => format!("  scope: holdout documents of sets {}", e.sets.join("+")),
    };
    let _ = writeln!(
        o,
        "claims: {}  without prediction: {}  documents: {}{scope}",
        s.n_claims, s.n_missing_predictions, s.n_docs
    );
    if e.bootstrap > 0 {
        let _ = writeln!(
            o,
            "[lo,hi]: {:.0}% percentile bootstrap over documents, {} resamples, seed {}",
            CI_LEVEL * 100.0,
            e.bootstrap,
            e.seed
        );
    }
    let mut heads = vec!["det P", "det R", "det F1", "F_pm", "st acc", "cell r"];
    let nf = if e.has_second { 7 } else { 6 };
    if e.has_second {
        heads.push("kappa");
    }
    let _ = write!(o, "{:<11} {:>5} {:>5}", "theme", "gold", "pred");
    for h in &heads {
        let _ = write!(o, " {h:>W$}");
    }
    let _ = writeln!(o, " {:>5}", "cells");
    let tf = THEME_FIGURES.len();
    for (i, (th, t)) in e.themes.iter().zip(&s.themes).enumerate() {
        let _ = write!(o, "{th:<11} {:>5} {:>5}", t.n_gold, t.n_pred);
        for v in &t.figures()[..nf] {
            let _ = write!(o, " {:>W$}", f3(*v));
        }
        let _ = writeln!(o, " {:>5}", t.n_cells);
        if e.bootstrap > 0 {
            let _ = write!(o, "{:<23}", "");
            for k in 0..nf {
                let _ = write!(o, " {:>W$}", ci3(e.ci[i * tf + k]));
            }
            let _ = writeln!(o);
        }
    }
    let p = e.themes.len() * tf;
    let pooled = |name: &str| {
        let k = POOLED_FIGURES
            .iter()
            .position(|f| *f == name)
            .expect("known");
        (s.figures()[p + k], e.ci.get(p + k).copied().flatten())
    };
    let with_ci = |(v, ci): (f64, Option<(f64, f64)>)| {
        if e.bootstrap > 0 {
            format!("{} {}", f3(v), ci3(ci))
        } else {
            f3(v)
        }
    };
    let _ = write!(
        o,
        "macro: detect F1 {}  F_pm {}  stance acc {}  cell r {}",
        with_ci(pooled("macro_detect_f1")),
        with_ci(pooled("macro_f_pm")),
        with_ci(pooled("macro_stance_acc")),
        with_ci(pooled("macro_cell_r")),
    );
    if e.has_second {
        let _ = write!(o, "  kappa {}", with_ci(pooled("macro_kappa")));
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "stance matrix cells (document x theme, >= 2 gold stances): {}  pooled r {}  same sign {}",
        s.n_pooled_cells,
        with_ci(pooled("pooled_cell_r")),
        with_ci(pooled("pooled_cell_sign_agree")),
    );
    if e.has_second {
        let _ = writeln!(
            o,
            "kappa: GOLD vs --second over the {} claims in both (categories none/-1/0/+1)",
            s.n_second
        );
    }
    let _ = writeln!(
        o,
        "\nconfusion per theme: rows gold, columns predicted (none = not addressed)"
    );
    for (th, c) in e.themes.iter().zip(&s.counts) {
        let _ = write!(o, "{th:<11}");
        for h in CATEGORIES {
            let _ = write!(o, " {h:>6}");
        }
        let _ = writeln!(o);
        for (h, row) in CATEGORIES.iter().zip(&c.confusion) {
            let _ = write!(o, "  {h:<9}");
            for v in row {
                let _ = write!(o, " {v:>6}");
            }
            let _ = writeln!(o);
        }
    }
    if e.scope != Scope::All || !e.parts.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "{}", fold_line(e, e.scope.name(), s));
        for (name, ps) in &e.parts {
            let _ = writeln!(o, "{}", fold_line(e, &format!("{name} part"), ps));
        }
        for (name, fs) in &e.folds {
            let _ = writeln!(o, "{}", fold_line(e, &format!("fold {name}"), fs));
        }
        if let Some((m, sd)) = e.folds_f_pm() {
            let _ = writeln!(o, "mean of folds F_pm {} (sd {})", f3(m), f3(sd));
        }
    }
    o
}

/// One line of `eval/pool.py`.
fn fold_line(e: &Evaluation, label: &str, s: &Scores) -> String {
    let per: Vec<String> = e
        .themes
        .iter()
        .zip(&s.themes)
        .map(|(th, t)| {
            let short: String = th.chars().take(4).collect();
            format!("{short} {}", f3(t.f_pm))
        })
        .collect();
    format!(
        "{label:<8} n={:>5}  F_pm {}  detF1 {}  r {}  | {}",
        s.n_claims,
        f3(s.macro_f_pm),
        f3(s.macro_detect_f1),
        f3(s.pooled_cell_r),
        per.join(" ")
    )
}

/// `score.py`'s JSON for some scores; with intervals when `ci` is given.
pub fn scores_json(
    themes: &[String],
    s: &Scores,
    ci: Option<&[Option<(f64, f64)>]>,
    second: bool,
) -> Value {
    let tf = THEME_FIGURES.len();
    let mut th = Map::new();
    for (i, (name, t)) in themes.iter().zip(&s.themes).enumerate() {
        let mut m = Map::new();
        m.insert("detect_p".into(), num(t.detect_p));
        m.insert("detect_r".into(), num(t.detect_r));
        m.insert("detect_f1".into(), num(t.detect_f1));
        m.insert("f_pm".into(), num(t.f_pm));
        m.insert("stance_acc".into(), num(t.stance_acc));
        m.insert("n_both".into(), json!(t.n_both));
        m.insert("cell_r".into(), num(t.cell_r));
        m.insert("n_cells".into(), json!(t.n_cells));
        m.insert("n_gold".into(), json!(t.n_gold));
        m.insert("n_pred".into(), json!(t.n_pred));
        if second {
            m.insert("kappa".into(), num(t.kappa));
        }
        let c = &s.counts[i];
        m.insert(
            "confusion".into(),
            json!({"categories": CATEGORIES, "gold_by_pred": c.confusion}),
        );
        if second {
            m.insert(
                "second_confusion".into(),
                json!({"categories": CATEGORIES, "gold_by_second": c.second}),
            );
        }
        if let Some(ci) = ci {
            let mut cm = Map::new();
            for (k, f) in THEME_FIGURES.iter().enumerate() {
                if *f != "kappa" || second {
                    cm.insert((*f).into(), ci_json(ci[i * tf + k]));
                }
            }
            m.insert("ci".into(), Value::Object(cm));
        }
        th.insert(name.clone(), Value::Object(m));
    }
    let mut out = Map::new();
    out.insert("n_claims".into(), json!(s.n_claims));
    out.insert(
        "n_missing_predictions".into(),
        json!(s.n_missing_predictions),
    );
    out.insert("n_docs".into(), json!(s.n_docs));
    out.insert("themes".into(), Value::Object(th));
    out.insert("pooled_cell_r".into(), num(s.pooled_cell_r));
    out.insert(
        "pooled_cell_sign_agree".into(),
        num(s.pooled_cell_sign_agree),
    );
    out.insert("n_pooled_cells".into(), json!(s.n_pooled_cells));
    out.insert("macro_detect_f1".into(), num(s.macro_detect_f1));
    out.insert("macro_f_pm".into(), num(s.macro_f_pm));
    out.insert("macro_stance_acc".into(), num(s.macro_stance_acc));
    out.insert("macro_cell_r".into(), num(s.macro_cell_r));
    if second {
        out.insert("macro_kappa".into(), num(s.macro_kappa));
        out.insert("n_second".into(), json!(s.n_second));
    }
    if let Some(ci) = ci {
        let p = themes.len() * tf;
        let mut cm = Map::new();
        for (k, f) in POOLED_FIGURES.iter().enumerate() {
            if *f != "macro_kappa" || second {
                cm.insert((*f).into(), ci_json(ci[p + k]));
            }
        }
        out.insert("ci".into(), Value::Object(cm));
    }
    Value::Object(out)
}

/// The whole evaluation as JSON.
pub fn json(e: &Evaluation) -> Value {
    let ci = (e.bootstrap > 0).then_some(e.ci.as_slice());
    let mut out = match scores_json(&e.themes, &e.scores, ci, e.has_second) {
        Value::Object(m) => m,
        _ => unreachable!("scores are an object"),
    };
    out.insert("scope".into(), json!(e.scope.name()));
    out.insert("sets".into(), json!(e.sets));
    out.insert(
        "bootstrap".into(),
        json!({"resamples": e.bootstrap, "seed": e.seed, "level": CI_LEVEL, "over": "documents"}),
    );
    if !e.parts.is_empty() {
        let mut m = Map::new();
        for (name, s) in &e.parts {
            m.insert(name.clone(), scores_json(&e.themes, s, None, e.has_second));
        }
        out.insert("parts".into(), Value::Object(m));
    }
    if !e.folds.is_empty() {
        let mut m = Map::new();
        for (name, s) in &e.folds {
            m.insert(name.clone(), scores_json(&e.themes, s, None, e.has_second));
        }
        out.insert("folds".into(), Value::Object(m));
        if let Some((mean, sd)) = e.folds_f_pm() {
            out.insert("folds_f_pm_mean".into(), num(mean));
            out.insert("folds_f_pm_sd".into(), num(sd));
        }
    }
    Value::Object(out)
}
