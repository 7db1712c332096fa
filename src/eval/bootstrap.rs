//! Percentile bootstrap over documents for every figure of [`Scores`]:
//! draw as many documents as there are, with replacement, score them
//! (a document drawn twice gives two stance-matrix cells), repeat; the
//! interval is the 2.5th to 97.5th percentile of the draws that are not NaN.
//! The random stream is the project's [`SplitMix64`], seeded from `--seed`
//! and a label, so an interval depends on nothing but its documents, the
//! seed, the label and the number of resamples.

use super::metrics::{DocStats, Scores};
use crate::aggregate::{fnv1a, percentile_interval, SplitMix64};

/// Intervals of [`Scores::figures`] (same order); `None` for a figure
/// that is NaN on the documents themselves (an undefined figure has no
/// interval, even when resamples that draw a document twice make it
/// defined) or in every resample, and for all when `resamples` is 0 or
/// there are no documents.
pub fn intervals(
    docs: &[DocStats],
    n_themes: usize,
    resamples: u32,
    seed: u64,
    label: &str,
) -> Vec<Option<(f64, f64)>> {
    let estimate = Scores::of(docs, n_themes).figures();
    let n_figures = estimate.len();
    let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(resamples as usize); n_figures];
    if resamples > 0 && !docs.is_empty() {
        let mut rng = SplitMix64::new(seed ^ fnv1a(&["eval", label]));
        rng.next_u64();
        let n = docs.len();
        let mut pick: Vec<&DocStats> = Vec::with_capacity(n);
        for _ in 0..resamples {
            pick.clear();
            pick.extend((0..n).map(|_| &docs[rng.below(n)]));
            let s = Scores::of(pick.iter().copied(), n_themes);
            for (d, v) in draws.iter_mut().zip(s.figures()) {
                if !v.is_nan() {
                    d.push(v);
                }
            }
        }
    }
    draws
        .into_iter()
        .zip(estimate)
        .map(|(d, e)| {
            if e.is_nan() {
                None
            } else {
                percentile_interval(d)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::metrics::{doc_stats, ClaimLabels};
    use super::*;

    fn docs() -> Vec<DocStats> {
        let mut c = Vec::new();
        for d in 0..12 {
            for k in 0..6usize {
                let g = match (d + k) % 4 {
                    0 => None,
                    1 => Some(-1),
                    2 => Some(1),
                    _ => Some(0),
                };
                let p = if (d * 7 + k) % 5 == 0 { Some(-1) } else { g };
                c.push(ClaimLabels {
                    doc: format!("d{d}"),
                    gold: vec![g],
                    pred: Some(vec![p]),
                    second: Some(vec![if k == 0 { None } else { g }]),
                });
            }
        }
        doc_stats(&c, 1)
    }

    #[test]
    fn same_seed_same_intervals_and_they_cover_the_estimate() {
        let d = docs();
        let a = intervals(&d, 1, 300, 7, "x");
        assert_eq!(a, intervals(&d, 1, 300, 7, "x"), "deterministic");
        assert_ne!(a, intervals(&d, 1, 300, 8, "x"), "the seed matters");
        assert_ne!(a, intervals(&d, 1, 300, 7, "y"), "so does the label");
        let est = Scores::of(&d, 1).figures();
        assert_eq!(a.len(), est.len());
        for (i, (ci, e)) in a.iter().zip(&est).enumerate() {
            if e.is_nan() {
                assert!(ci.is_none(), "figure {i} is NaN but has an interval");
                continue;
            }
            let (lo, hi) = ci.unwrap_or_else(|| panic!("figure {i} has no interval"));
            assert!(
                lo <= hi && lo <= *e + 1e-9 && *e <= hi + 1e-9,
                "{i}: {lo} {e} {hi}"
            );
        }
        // F_pm (figure 3) is not certain on twelve documents.
        let (lo, hi) = a[3].unwrap();
        assert!(hi - lo > 0.01, "{lo} {hi}");
        assert!(intervals(&d, 1, 0, 7, "x").iter().all(Option::is_none));
        assert!(intervals(&[], 1, 10, 7, "x").iter().all(Option::is_none));
    }
}
