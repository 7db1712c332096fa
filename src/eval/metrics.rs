//! The figures of `../shared/eval/score.py`, computed from counts per
//! document so that a bootstrap resample is a sum of documents.
//!
//! Per theme, over all gold claims (a claim without a prediction counts as
//! predicting "not addressed"):
//! - detection precision/recall/F1: gold and prediction both say the claim
//!   addresses the theme (any stance) = true positive;
//! - `F_pm`: the mean of the F1 of the +1 class and of the −1 class, each
//!   over all claims (SemEval-2016): detection and stance together;
//! - stance accuracy: the share of claims both sides say address the theme
//!   on which the stances (−1/0/+1) agree (NaN when there are none);
//! - cell r: Pearson r between gold and predicted mean stance per document
//!   (cell = document × theme) over the cells with ≥ 2 gold claims of stance
//!   ±1; the predicted mean is over the predicted ±1 stances of the
//!   document, 0 when it has none. NaN with fewer than 3 cells or no
//!   variance on a side.
//!
//! Pooled over themes: Pearson r of all cells, and the share of cells whose
//! gold and predicted means have the same sign (−, 0, +). Macro figures are
//! means over the themes of the figures that are not NaN.

/// Label categories, in confusion-matrix order: not addressed, −1, 0, +1.
pub const CATEGORIES: [&str; 4] = ["none", "-1", "0", "+1"];

/// Index of a label in [`CATEGORIES`].
pub fn category(l: Option<i8>) -> usize {
    match l {
        None => 0,
        Some(s) if s < 0 => 1,
        Some(0) => 2,
        Some(_) => 3,
    }
}

/// Counts of one theme over some claims.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThemeCounts {
    /// Detection: both addressed, predicted only, gold only.
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
    /// Per stance class (+1, −1): tp, fp, fn.
    pub cls: [[u64; 3]; 2],
    /// Claims both say address the theme, and those with equal stances.
    pub both: u64,
    pub agree: u64,
    /// Gold (rows) × prediction (columns), [`CATEGORIES`] order.
    pub confusion: [[u64; 4]; 4],
    /// Gold (rows) × second coding (columns), over claims in both files.
    pub second: [[u64; 4]; 4],
}

impl ThemeCounts {
    /// Count one claim: gold, prediction and (when known) second coding.
    pub fn add_claim(&mut self, g: Option<i8>, p: Option<i8>, second: Option<Option<i8>>) {
        match (g, p) {
            (Some(a), Some(b)) => {
                self.tp += 1;
                self.both += 1;
                self.agree += u64::from(a == b);
            }
            (None, Some(_)) => self.fp += 1,
            (Some(_), None) => self.fn_ += 1,
            (None, None) => {}
        }
        for (k, c) in [1i8, -1].into_iter().enumerate() {
            if p == Some(c) && g == Some(c) {
                self.cls[k][0] += 1;
            } else if p == Some(c) {
                self.cls[k][1] += 1;
            } else if g == Some(c) {
                self.cls[k][2] += 1;
            }
        }
        self.confusion[category(g)][category(p)] += 1;
        if let Some(s) = second {
            self.second[category(g)][category(s)] += 1;
        }
    }

    pub fn add(&mut self, o: &ThemeCounts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        for k in 0..2 {
            for j in 0..3 {
                self.cls[k][j] += o.cls[k][j];
            }
        }
        self.both += o.both;
        self.agree += o.agree;
        for i in 0..4 {
            for j in 0..4 {
                self.confusion[i][j] += o.confusion[i][j];
                self.second[i][j] += o.second[i][j];
            }
        }
    }
}

/// Precision, recall, F1 (0 for an empty denominator), as `score.py`'s `f1`.
pub fn f1(tp: u64, fp: u64, fn_: u64) -> (f64, f64, f64) {
    let (tp, fp, fn_) = (tp as f64, fp as f64, fn_ as f64);
    let p = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let r = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// Pearson r; NaN with fewer than 3 pairs or no variance on a side.
pub fn pearson(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len();
    if n < 3 {
        return f64::NAN;
    }
    let mx = xs.iter().sum::<f64>() / n as f64;
    let my = ys.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    if sxx != 0.0 && syy != 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        f64::NAN
    }
}

/// Cohen's κ of a square table of counts: (p_o − p_e) / (1 − p_e); NaN
/// when the table is empty or chance agreement is 1 (both coders used one
/// category only).
pub fn kappa(t: &[[u64; 4]; 4]) -> f64 {
    let n: u64 = t.iter().flatten().sum();
    if n == 0 {
        return f64::NAN;
    }
    let n = n as f64;
    let po = (0..4).map(|i| t[i][i] as f64).sum::<f64>() / n;
    let pe = (0..4)
        .map(|i| {
            let row: u64 = t[i].iter().sum();
            let col: u64 = t.iter().map(|r| r[i]).sum();
            row as f64 * col as f64
        })
        .sum::<f64>()
        / (n * n);
    if pe >= 1.0 {
        f64::NAN
    } else {
        (po - pe) / (1.0 - pe)
    }
}

/// Mean of the values that are not NaN; NaN when there are none.
pub fn mean_not_nan(vals: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for v in vals {
        if !v.is_nan() {
            s += v;
            n += 1;
        }
    }
    if n > 0 {
        s / n as f64
    } else {
        f64::NAN
    }
}

/// One document's counts: per theme, its counts and its stance-matrix
/// cell (gold mean, predicted mean) when it has ≥ 2 gold stances ±1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocStats {
    pub doc: String,
    pub n_claims: u64,
    pub n_missing: u64,
    /// Claims also in the second coding.
    pub n_second: u64,
    pub themes: Vec<ThemeCounts>,
    pub cells: Vec<Option<(f64, f64)>>,
}

/// One claim's labels, per theme in the scored order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimLabels {
    pub doc: String,
    pub gold: Vec<Option<i8>>,
    /// `None`: no prediction for this claim (all themes "not addressed").
    pub pred: Option<Vec<Option<i8>>>,
    /// `None`: no second coding for this claim.
    pub second: Option<Vec<Option<i8>>>,
}

/// Group claims by document (in order of first appearance, as `score.py`
/// keys its cells) and count each.
pub fn doc_stats(claims: &[ClaimLabels], n_themes: usize) -> Vec<DocStats> {
    let mut at = rustc_hash::FxHashMap::<&str, usize>::default();
    let mut docs: Vec<DocStats> = Vec::new();
    // Per document and theme: sums and counts of gold and predicted ±1.
    let mut sums: Vec<Vec<(i64, u64, i64, u64)>> = Vec::new();
    for c in claims {
        let i = *at.entry(&c.doc).or_insert_with(|| {
            docs.push(DocStats {
                doc: c.doc.clone(),
                themes: vec![ThemeCounts::default(); n_themes],
                ..Default::default()
            });
            sums.push(vec![(0, 0, 0, 0); n_themes]);
            docs.len() - 1
        });
        let d = &mut docs[i];
        d.n_claims += 1;
        d.n_missing += u64::from(c.pred.is_none());
        d.n_second += u64::from(c.second.is_some());
        for t in 0..n_themes {
            let g = c.gold[t];
            let p = c.pred.as_ref().and_then(|p| p[t]);
            let s = c.second.as_ref().map(|s| s[t]);
            d.themes[t].add_claim(g, p, s);
            let cell = &mut sums[i][t];
            if let Some(g @ (1 | -1)) = g {
                cell.0 += i64::from(g);
                cell.1 += 1;
            }
            if let Some(p @ (1 | -1)) = p {
                cell.2 += i64::from(p);
                cell.3 += 1;
            }
        }
    }
    for (d, s) in docs.iter_mut().zip(&sums) {
        d.cells = s
            .iter()
            .map(|&(gs, gn, ps, pn)| {
                (gn >= 2).then(|| {
                    let y = if pn > 0 { ps as f64 / pn as f64 } else { 0.0 };
                    (gs as f64 / gn as f64, y)
                })
            })
            .collect();
    }
    docs
}

/// The figures of one theme (`score.py`'s JSON keys).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThemeScores {
    pub detect_p: f64,
    pub detect_r: f64,
    pub detect_f1: f64,
    pub f_pm: f64,
    pub stance_acc: f64,
    pub n_both: u64,
    pub cell_r: f64,
    pub n_cells: u64,
    pub n_gold: u64,
    pub n_pred: u64,
    /// Cohen's κ between gold and the second coding (NaN without one).
    pub kappa: f64,
}

/// All figures of a set of documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub n_claims: u64,
    pub n_missing_predictions: u64,
    pub n_docs: u64,
    pub n_second: u64,
    pub themes: Vec<ThemeScores>,
    /// Summed counts per theme (confusion matrices).
    pub counts: Vec<ThemeCounts>,
    pub pooled_cell_r: f64,
    pub pooled_cell_sign_agree: f64,
    pub n_pooled_cells: u64,
    pub macro_detect_f1: f64,
    pub macro_f_pm: f64,
    pub macro_stance_acc: f64,
    pub macro_cell_r: f64,
    pub macro_kappa: f64,
}

/// Figures with an interval, in [`Scores::figures`] order: per theme these,
/// then [`POOLED_FIGURES`].
pub const THEME_FIGURES: [&str; 7] = [
    "detect_p",
    "detect_r",
    "detect_f1",
    "f_pm",
    "stance_acc",
    "cell_r",
    "kappa",
];
pub const POOLED_FIGURES: [&str; 7] = [
    "macro_detect_f1",
    "macro_f_pm",
    "macro_stance_acc",
    "macro_cell_r",
    "macro_kappa",
    "pooled_cell_r",
    "pooled_cell_sign_agree",
];

impl ThemeScores {
    pub fn figures(&self) -> [f64; 7] {
        [
            self.detect_p,
            self.detect_r,
            self.detect_f1,
            self.f_pm,
            self.stance_acc,
            self.cell_r,
            self.kappa,
        ]
    }
}

impl Scores {
    /// Score the documents in the order given (each one its own cells, also
    /// when a resample draws a document twice).
    pub fn of<'a>(docs: impl IntoIterator<Item = &'a DocStats>, n_themes: usize) -> Scores {
        let mut counts = vec![ThemeCounts::default(); n_themes];
        let mut cells: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); n_themes];
        let (mut n_claims, mut n_missing, mut n_docs, mut n_second) = (0, 0, 0, 0);
        for d in docs {
            n_claims += d.n_claims;
            n_missing += d.n_missing;
            n_second += d.n_second;
            n_docs += 1;
            for t in 0..n_themes {
                counts[t].add(&d.themes[t]);
                if let Some((x, y)) = d.cells[t] {
                    cells[t].0.push(x);
                    cells[t].1.push(y);
                }
            }
        }
        let themes: Vec<ThemeScores> = counts
            .iter()
            .zip(&cells)
            .map(|(c, (xs, ys))| {
                let (p, r, f) = f1(c.tp, c.fp, c.fn_);
                let f_pm = (f1(c.cls[0][0], c.cls[0][1], c.cls[0][2]).2
                    + f1(c.cls[1][0], c.cls[1][1], c.cls[1][2]).2)
                    / 2.0;
                ThemeScores {
                    detect_p: p,
                    detect_r: r,
                    detect_f1: f,
                    f_pm,
                    stance_acc: if c.both > 0 {
                        c.agree as f64 / c.both as f64
                    } else {
                        f64::NAN
                    },
                    n_both: c.both,
                    cell_r: pearson(xs, ys),
                    n_cells: xs.len() as u64,
                    n_gold: c.tp + c.fn_,
                    n_pred: c.tp + c.fp,
                    kappa: kappa(&c.second),
                }
            })
            .collect();
        // Pooled in `score.py`'s order: theme by theme, documents in order.
        let xs: Vec<f64> = cells.iter().flat_map(|c| c.0.iter().copied()).collect();
        let ys: Vec<f64> = cells.iter().flat_map(|c| c.1.iter().copied()).collect();
        let same = xs
            .iter()
            .zip(&ys)
            .filter(|(x, y)| (**x > 0.0) == (**y > 0.0) && (**x < 0.0) == (**y < 0.0))
            .count();
        let macro_of = |f: fn(&ThemeScores) -> f64| mean_not_nan(themes.iter().map(f));
        Scores {
            n_claims,
            n_missing_predictions: n_missing,
            n_docs,
            n_second,
            pooled_cell_r: pearson(&xs, &ys),
            pooled_cell_sign_agree: if xs.is_empty() {
                f64::NAN
            } else {
                same as f64 / xs.len() as f64
            },
            n_pooled_cells: xs.len() as u64,
            macro_detect_f1: macro_of(|t| t.detect_f1),
            macro_f_pm: macro_of(|t| t.f_pm),
            macro_stance_acc: macro_of(|t| t.stance_acc),
            macro_cell_r: macro_of(|t| t.cell_r),
            macro_kappa: macro_of(|t| t.kappa),
            themes,
            counts,
        }
    }

    /// Every figure that gets an interval: per theme [`THEME_FIGURES`],
    /// then [`POOLED_FIGURES`].
    pub fn figures(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.themes.iter().flat_map(|t| t.figures()).collect();
        v.extend([
            self.macro_detect_f1,
            self.macro_f_pm,
            self.macro_stance_acc,
            self.macro_cell_r,
            self.macro_kappa,
            self.pooled_cell_r,
            self.pooled_cell_sign_agree,
        ]);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(doc: &str, g: &[Option<i8>], p: Option<&[Option<i8>]>) -> ClaimLabels {
        ClaimLabels {
            doc: doc.into(),
            gold: g.to_vec(),
            pred: p.map(|p| p.to_vec()),
            second: None,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12
    }

    /// One theme, eight claims in three documents, worked by hand.
    ///
    /// ```text
    /// doc  gold  pred
    /// d1   -1    -1
    /// d1   -1    0
    /// d1   none  +1
    /// d2   +1    (no prediction)
    /// d2   +1    +1
    /// d2   0     none
    /// d3   -1    -1
    /// d3   +1    -1
    /// ```
    #[test]
    fn hand_computed_figures() {
        let n = None;
        let c = vec![
            claim("d1", &[Some(-1)], Some(&[Some(-1)])),
            claim("d1", &[Some(-1)], Some(&[Some(0)])),
            claim("d1", &[n], Some(&[Some(1)])),
            claim("d2", &[Some(1)], None),
            claim("d2", &[Some(1)], Some(&[Some(1)])),
            claim("d2", &[Some(0)], Some(&[n])),
            claim("d3", &[Some(-1)], Some(&[Some(-1)])),
            claim("d3", &[Some(1)], Some(&[Some(-1)])),
        ];
        let docs = doc_stats(&c, 1);
        assert_eq!(docs.len(), 3);
        let s = Scores::of(&docs, 1);
        let t = s.themes[0];
        // Detection: gold addressed 7, predicted 6; both 5 (rows 1,2,5,7,8).
        assert_eq!((t.n_gold, t.n_pred, t.n_both), (7, 6, 5));
        assert!(close(t.detect_p, 5.0 / 6.0));
        assert!(close(t.detect_r, 5.0 / 7.0));
        assert!(close(t.detect_f1, 2.0 * 5.0 / (6.0 + 7.0)));
        // +1: tp 1 (row 5), fp 1 (row 3), fn 2 (rows 4, 8) → P 1/2, R 1/3, F1 0.4.
        // −1: tp 2 (rows 1, 7), fp 1 (row 8), fn 1 (row 2) → P 2/3, R 2/3, F1 2/3.
        assert!(close(t.f_pm, (0.4 + 2.0 / 3.0) / 2.0));
        // Stance agrees on rows 1, 5, 7 of the 5 both-addressed.
        assert!(close(t.stance_acc, 3.0 / 5.0));
        // Cells: d1 gold (−1,−1) → −1, pred (−1, +1) → 0; d2 gold (+1,+1) → 1,
        // pred (+1) → 1; d3 gold (−1,+1) → 0, pred (−1,−1) → −1.
        assert_eq!(docs[0].themes[0].cls, [[0, 1, 0], [1, 0, 1]]);
        assert_eq!(docs[0].cells[0], Some((-1.0, 0.0)));
        assert_eq!(docs[1].cells[0], Some((1.0, 1.0)));
        assert_eq!(docs[2].cells[0], Some((0.0, -1.0)));
        // x = (−1, 1, 0), y = (0, 1, −1): sxy = 0·… → (−1)(0) + (1)(1) + 0 = 1,
        // sxx = 2, syy = 2 → r = 0.5.
        assert!(close(t.cell_r, 0.5));
        assert!(close(s.pooled_cell_r, 0.5));
        // Same sign: d2 only (d1: − vs 0, d3: 0 vs −).
        assert!(close(s.pooled_cell_sign_agree, 1.0 / 3.0));
        assert_eq!(s.n_missing_predictions, 1);
        assert_eq!(s.n_claims, 8);
        // Confusion: gold −1 row: pred −1 ×2, 0 ×1.
        assert_eq!(s.counts[0].confusion[1], [0, 2, 1, 0]);
        assert_eq!(s.counts[0].confusion[3], [1, 1, 0, 1]);
        assert!(t.kappa.is_nan(), "no second coding");
        assert!(close(s.macro_f_pm, t.f_pm));
    }

    #[test]
    fn nan_cells_and_themes_drop_out_of_the_macro_average() {
        // Theme 0: no claim both-addressed → stance acc NaN; fewer than 3
        // cells → cell r NaN. Theme 1: one agreement.
        let n = None;
        let c = vec![
            claim("a", &[Some(1), Some(0)], Some(&[n, Some(0)])),
            claim("a", &[Some(1), n], Some(&[n, n])),
        ];
        let s = Scores::of(&doc_stats(&c, 2), 2);
        assert!(s.themes[0].stance_acc.is_nan());
        assert!(s.themes[0].cell_r.is_nan());
        assert_eq!(s.themes[0].n_cells, 1);
        assert!(close(s.themes[1].stance_acc, 1.0));
        assert!(close(s.macro_stance_acc, 1.0), "NaN left out, not 0");
        assert!(s.macro_cell_r.is_nan(), "all NaN → NaN");
        // The one cell: gold +1, predicted none → 0: different signs.
        assert!(close(s.pooled_cell_sign_agree, 0.0));
        assert!(s.pooled_cell_r.is_nan());
        // F_pm of theme 1: no ±1 anywhere → 0.
        assert!(close(s.themes[1].f_pm, 0.0));
    }

    #[test]
    fn pearson_edge_cases() {
        assert!(pearson(&[1.0, 2.0], &[1.0, 2.0]).is_nan());
        assert!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
        assert!(close(pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0));
    }

    /// κ by hand: 10 claims, gold vs second.
    ///
    /// ```text
    ///            second: none  -1   0  +1
    /// gold none          4     0    1   0
    /// gold -1            0     2    0   0
    /// gold 0             0     1    0   0
    /// gold +1            0     0    0   2
    /// ```
    /// p_o = 8/10; row sums 5,2,1,2; column sums 4,3,1,2;
    /// p_e = (20 + 6 + 1 + 4)/100 = 0.31; κ = (0.8 − 0.31)/0.69.
    #[test]
    fn kappa_by_hand() {
        let t = [[4, 0, 1, 0], [0, 2, 0, 0], [0, 1, 0, 0], [0, 0, 0, 2]];
        assert!(close(kappa(&t), (0.8 - 0.31) / 0.69));
        assert!(kappa(&[[0; 4]; 4]).is_nan());
        assert!(kappa(&[[5, 0, 0, 0], [0; 4], [0; 4], [0; 4]]).is_nan());
        // Through the claims: the same table from labels.
        let cats = [None, Some(-1), Some(0), Some(1)];
        let mut c = Vec::new();
        for (i, row) in t.iter().enumerate() {
            for (j, &k) in row.iter().enumerate() {
                for _ in 0..k {
                    c.push(ClaimLabels {
                        doc: "d".into(),
                        gold: vec![cats[i]],
                        pred: Some(vec![cats[i]]),
                        second: Some(vec![cats[j]]),
                    });
                }
            }
        }
        let s = Scores::of(&doc_stats(&c, 1), 1);
        assert_eq!(s.counts[0].second, t);
        assert!(close(s.themes[0].kappa, (0.8 - 0.31) / 0.69));
        assert_eq!(s.n_second, 10);
    }
}
