//! Aggregation of claim decisions per row key (commentator, outlet or
//! article) × period × theme, mergeable across shards.
//!
//! Memory is bounded by the aggregates: per group the claim counts per theme,
//! plus two small integers per article and theme (its `+1` and `-1` claims)
//! so the confidence interval can resample *articles*. No text is kept.
//!
//! Everything is ordered (`BTreeMap`, input order inside a group) so outputs
//! are byte-identical whatever the number of threads, and merging the
//! aggregates of shards `A`, `B` gives exactly the aggregates of `A B`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Article, ArticleResult, PartialDate};

/// Row key of an article with no author (or no outlet, for `--by outlet`).
pub const UNKNOWN: &str = "(unknown)";

/// Version of the output schema (`docs/schema.md`), written to the manifest
/// and to `aggregates.json`.
pub const SCHEMA_VERSION: &str = "1.0";

/// What a matrix row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// One row per author: a co-authored article counts in full for each co-author.
    Commentator,
    Outlet,
    /// The article id: one row per article.
    Article,
}

impl GroupBy {
    /// The row key of an article; [`UNKNOWN`] when the field is empty.
    /// The row keys an article counts for. A co-authored article counts
    /// once for each of its authors (with `--by commentator`), so a joint
    /// piece shows up in every co-author's row.
    pub fn keys(self, a: &Article) -> Vec<String> {
        self.keys_of(&a.id, &a.commentator(), a.outlet.as_deref().unwrap_or(""))
    }

    /// The row keys from the fields as written in `articles.csv` (co-authors
    /// joined with `"; "`).
    pub fn keys_of(self, id: &str, commentator: &str, outlet: &str) -> Vec<String> {
        let k = match self {
            GroupBy::Commentator => {
                return match commentator.trim() {
                    "" => vec![UNKNOWN.to_string()],
                    c => c.split("; ").map(str::to_string).collect(),
                }
            }
            GroupBy::Outlet => outlet,
            GroupBy::Article => id,
        };
        vec![if k.is_empty() { UNKNOWN } else { k }.to_string()]
    }
}

/// Time bucket of the rows of `stance_long.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    None,
    /// ISO 8601 week, 2024-W07 (needs a full date).
    Week,
    /// `2024-05` (needs a month).
    Month,
    /// `2024-Q2` (needs a month).
    Quarter,
    /// `2024`.
    Year,
}

impl Period {
    /// The period label of a date. Undated articles, and dates less precise
    /// than the period (a year-only date with `--period month`), get the
    /// empty label: they are kept, in their own period, not dropped.
    pub fn label(self, d: Option<PartialDate>) -> String {
        let Some(d) = d else { return String::new() };
        match (self, d.month, d.day) {
            (Period::None, _, _) => String::new(),
            (Period::Year, _, _) => format!("{:04}", d.year),
            (Period::Month, Some(m), _) => format!("{:04}-{m:02}", d.year),
            (Period::Quarter, Some(m), _) => format!("{:04}-Q{}", d.year, (m - 1) / 3 + 1),
            (Period::Week, Some(m), Some(day)) => {
                let (y, w) = iso_week(d.year, m as u32, day as u32);
                format!("{y:04}-W{w:02}")
            }
            _ => String::new(),
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// ISO 8601 week-numbering year and week (1–53) of a date.
pub fn iso_week(y: i32, m: u32, d: u32) -> (i32, u32) {
    let days = days_from_civil(y, m, d);
    // 1970-01-01 was a Thursday; ISO weekday 1 = Monday.
    let weekday = (days + 3).rem_euclid(7) + 1;
    // The week belongs to the year of its Thursday.
    let thursday = days - weekday + 4;
    let mut year = y + 1;
    while days_from_civil(year, 1, 1) > thursday {
        year -= 1;
    }
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    (year, week as u32)
}

/// Claim counts for one theme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Claims that address the theme.
    pub n_theme_claims: u64,
    pub n_pro: u64,
    pub n_con: u64,
    pub n_neutral: u64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.n_theme_claims += o.n_theme_claims;
        self.n_pro += o.n_pro;
        self.n_con += o.n_con;
        self.n_neutral += o.n_neutral;
    }

    /// Mean of the non-zero stances, in [−1, 1]; `None` when there is none.
    pub fn stance(&self) -> Option<f64> {
        let n = self.n_pro + self.n_con;
        (n > 0).then(|| (self.n_pro as f64 - self.n_con as f64) / n as f64)
    }

    /// `ln((n_pro + 0.5) / (n_con + 0.5))`: defined even with no stance.
    pub fn logit(&self) -> f64 {
        ((self.n_pro as f64 + 0.5) / (self.n_con as f64 + 0.5)).ln()
    }

    /// Share of `n_claims` that address the theme; `None` when `n_claims` is 0.
    pub fn salience(&self, n_claims: u64) -> Option<f64> {
        (n_claims > 0).then(|| self.n_theme_claims as f64 / n_claims as f64)
    }

    /// Claims with a non-zero stance.
    pub fn n_stance(&self) -> u64 {
        self.n_pro + self.n_con
    }
}

/// The counts of one article, per theme in lexicon order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleCounts {
    pub n_claims: u64,
    pub themes: Vec<Counts>,
}

impl ArticleCounts {
    /// Count the tagged claims of one article. Tags for a theme index beyond
    /// `n_themes` are ignored (they cannot come from the same lexicon).
    pub fn of(r: &ArticleResult, n_themes: usize) -> ArticleCounts {
        let mut themes = vec![Counts::default(); n_themes];
        for tags in &r.tags {
            for t in tags {
                if let Some(c) = themes.get_mut(t.theme) {
                    c.n_theme_claims += 1;
                    match t.stance.signum() {
                        1 => c.n_pro += 1,
                        -1 => c.n_con += 1,
                        _ => c.n_neutral += 1,
                    }
                }
            }
        }
        ArticleCounts {
            n_claims: r.claims.len() as u64,
            themes,
        }
    }
}

/// The aggregates of one row key × period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub n_articles: u64,
    pub n_claims: u64,
    /// Per theme, lexicon order.
    pub themes: Vec<Counts>,
    /// Per article (input order) and theme: `[n_pro, n_con]`, flattened
    /// (`2 * (article * n_themes + theme)`). What the bootstrap resamples.
    pub articles: Vec<u32>,
}

impl Group {
    fn new(n_themes: usize) -> Group {
        Group {
            themes: vec![Counts::default(); n_themes],
            ..Default::default()
        }
    }

    fn add(&mut self, c: &ArticleCounts) {
        self.n_articles += 1;
        self.n_claims += c.n_claims;
        for (acc, t) in self.themes.iter_mut().zip(&c.themes) {
            acc.add(t);
            self.articles.push(t.n_pro as u32);
            self.articles.push(t.n_con as u32);
        }
    }

    /// Append `o` (its articles after ours).
    fn extend(&mut self, o: &Group) {
        self.n_articles += o.n_articles;
        self.n_claims += o.n_claims;
        for (acc, t) in self.themes.iter_mut().zip(&o.themes) {
            acc.add(t);
        }
        self.articles.extend_from_slice(&o.articles);
    }

    /// The numbers of one theme.
    pub fn cell(&self, theme: usize) -> Cell {
        let c = self.themes[theme];
        Cell {
            n_articles: self.n_articles,
            n_claims: self.n_claims,
            counts: c,
            salience: c.salience(self.n_claims),
            stance: c.stance(),
            logit: c.logit(),
        }
    }
}

/// Everything the outputs say about one row key × period × theme.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub n_articles: u64,
    pub n_claims: u64,
    pub counts: Counts,
    pub salience: Option<f64>,
    pub stance: Option<f64>,
    pub logit: f64,
}

/// What was aggregated and how: two aggregates merge only when these agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    pub schema_version: String,
    pub lexicon_name: String,
    pub lexicon_version: String,
    pub lexicon_sha256: String,
    /// Theme ids, lexicon order.
    pub themes: Vec<String>,
    pub by: GroupBy,
    pub period: Period,
    pub seed: u64,
    pub bootstrap: u32,
}

/// The aggregates of a run (`aggregates.json`): row key → period → group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregates {
    pub setup: Setup,
    pub groups: BTreeMap<String, BTreeMap<String, Group>>,
}

impl Aggregates {
    pub fn new(setup: Setup) -> Aggregates {
        Aggregates {
            setup,
            groups: BTreeMap::new(),
        }
    }

    pub fn n_themes(&self) -> usize {
        self.setup.themes.len()
    }

    /// Add one article's counts under its row key and period.
    pub fn add_article(&mut self, a: &Article, counts: &ArticleCounts) {
        let period = self.setup.period.label(a.date);
        for key in self.setup.by.keys(a) {
            self.add(key, period.clone(), counts);
        }
    }

    pub fn add(&mut self, key: String, period: String, counts: &ArticleCounts) {
        let n = self.n_themes();
        self.groups
            .entry(key)
            .or_default()
            .entry(period)
            .or_insert_with(|| Group::new(n))
            .add(counts);
    }

    /// Append the aggregates of a later shard (its articles come after ours).
    pub fn merge(&mut self, other: &Aggregates) -> Result<(), String> {
        if self.setup != other.setup {
            return Err(format!(
                "partials were made with different settings: {:?} vs {:?}",
                self.setup, other.setup
            ));
        }
        let n = self.n_themes();
        for (key, periods) in &other.groups {
            let mine = self.groups.entry(key.clone()).or_default();
            for (p, g) in periods {
                mine.entry(p.clone())
                    .or_insert_with(|| Group::new(n))
                    .extend(g);
            }
        }
        Ok(())
    }

    /// One group per row key over all periods (articles in period order,
    /// then input order).
    pub fn totals(&self) -> BTreeMap<&str, Group> {
        let n = self.n_themes();
        self.groups
            .iter()
            .map(|(k, periods)| {
                let mut g = Group::new(n);
                for p in periods.values() {
                    g.extend(p);
                }
                (k.as_str(), g)
            })
            .collect()
    }

    /// The rows of `stance_long.csv`, sorted by key, period, theme (lexicon
    /// order), with their bootstrap intervals. Groups run in parallel; each
    /// has its own seed, so the result does not depend on the threads.
    pub fn long_rows(&self) -> Vec<LongRow<'_>> {
        use rayon::prelude::*;
        let boot = Bootstrap::from(&self.setup);
        let n = self.n_themes();
        let groups: Vec<(&str, &str, &Group)> = self
            .groups
            .iter()
            .flat_map(|(k, ps)| ps.iter().map(move |(p, g)| (k.as_str(), p.as_str(), g)))
            .collect();
        groups
            .par_iter()
            .flat_map_iter(|&(key, period, g)| {
                let cis = boot.group(g, n, &[key, period]);
                (0..n).map(move |t| LongRow {
                    key,
                    period,
                    theme: t,
                    cell: g.cell(t),
                    ci: cis[t],
                })
            })
            .collect()
    }
}

/// One row of `stance_long.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LongRow<'a> {
    pub key: &'a str,
    pub period: &'a str,
    pub theme: usize,
    pub cell: Cell,
    pub ci: Option<(f64, f64)>,
}

/// One row of `similarity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Similarity<'a> {
    pub a: &'a str,
    pub b: &'a str,
    /// Mean absolute difference of the stances on the themes both take a
    /// stance on, in [0, 2]; `None` when there is no such theme.
    pub distance: Option<f64>,
    pub n_themes: usize,
}

/// Distances between the stance vectors of every pair of row keys `a < b`.
pub fn similarity<'a>(totals: &BTreeMap<&'a str, Group>) -> Vec<Similarity<'a>> {
    let vectors = similarity_vectors(totals);
    let mut out = Vec::new();
    for i in 0..vectors.len() {
        similarities_of(&vectors, i, |p| out.push(p));
    }
    out
}

/// A key takes part in `similarity.csv` only with at least this many `+1`/`-1`
/// claims over all themes.
pub const MIN_SIMILARITY_CLAIMS: u64 = 3;

/// The stance vector of every key that takes part in `similarity.csv`, in
/// key order.
pub fn similarity_vectors<'a>(
    totals: &BTreeMap<&'a str, Group>,
) -> Vec<(&'a str, Vec<Option<f64>>)> {
    // Keys with fewer than MIN_SIMILARITY_CLAIMS stance-bearing claims are
    // left out: their distances are noise, and on a corpus with thousands of
    // speakers who touch a theme once, they would make the table millions of
    // rows long.
    totals
        .iter()
        .filter(|(_, g)| {
            g.themes.iter().map(|c| c.n_pro + c.n_con).sum::<u64>() >= MIN_SIMILARITY_CLAIMS
        })
        .map(|(k, g)| (*k, g.themes.iter().map(Counts::stance).collect::<Vec<_>>()))
        .collect()
}

/// The pairs `(vectors[i], vectors[j])`, `j > i`, that share a theme.
pub fn similarities_of<'a>(
    vectors: &[(&'a str, Vec<Option<f64>>)],
    i: usize,
    mut f: impl FnMut(Similarity<'a>),
) {
    similarities_of_index(vectors, i, |_, p| f(p));
}

/// [`similarities_of`], with the index `j` of the second key.
pub fn similarities_of_index<'a>(
    vectors: &[(&'a str, Vec<Option<f64>>)],
    i: usize,
    mut f: impl FnMut(usize, Similarity<'a>),
) {
    let (a, va) = &vectors[i];
    for (j, (b, vb)) in vectors.iter().enumerate().skip(i + 1) {
        let (mut sum, mut n) = (0.0, 0);
        for (x, y) in va.iter().zip(vb) {
            if let (Some(x), Some(y)) = (x, y) {
                sum += (x - y).abs();
                n += 1;
            }
        }
        if n > 0 {
            f(
                j,
                Similarity {
                    a,
                    b,
                    distance: Some(sum / n as f64),
                    n_themes: n,
                },
            );
        }
    }
}

/// One row of `opstance diff`: the change of one key × theme between two
/// runs, or between two consecutive periods of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRow<'a> {
    pub key: &'a str,
    /// Empty when comparing two runs.
    pub period_old: &'a str,
    pub period_new: &'a str,
    pub theme: usize,
    /// `None` when the key is absent on that side.
    pub old: Option<Counts>,
    pub new: Option<Counts>,
    /// `stance_new − stance_old`, when both have a stance.
    pub delta: Option<f64>,
    pub ci: Option<(f64, f64)>,
    /// The interval excludes 0 and both sides have at least `min_claims`
    /// stance-bearing claims.
    pub significant: bool,
}

/// Compare two groups (either may be missing) theme by theme.
pub fn compare<'a>(
    boot: &Bootstrap,
    (key, period_old, period_new): (&'a str, &'a str, &'a str),
    old: Option<&Group>,
    new: Option<&Group>,
    n_themes: usize,
    min_claims: u64,
) -> Vec<DiffRow<'a>> {
    let cis = match (old, new) {
        (Some(o), Some(n)) => boot.delta(o, n, n_themes, &["diff", key, period_old, period_new]),
        _ => vec![None; n_themes],
    };
    (0..n_themes)
        .map(|t| {
            let o = old.map(|g| g.themes[t]);
            let n = new.map(|g| g.themes[t]);
            let delta = match (o.and_then(|c| c.stance()), n.and_then(|c| c.stance())) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            let ci = cis[t];
            let enough = |c: Option<Counts>| c.is_some_and(|c| c.n_stance() >= min_claims);
            let significant =
                ci.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0) && enough(o) && enough(n);
            DiffRow {
                key,
                period_old,
                period_new,
                theme: t,
                old: o,
                new: n,
                delta,
                ci,
                significant,
            }
        })
        .collect()
}

/// Compare the per-key totals of two runs: every key of either run, sorted.
pub fn diff_runs<'a>(
    old: &BTreeMap<&'a str, Group>,
    new: &BTreeMap<&'a str, Group>,
    n_themes: usize,
    boot: &Bootstrap,
    min_claims: u64,
) -> Vec<DiffRow<'a>> {
    let keys: std::collections::BTreeSet<&'a str> = old.keys().chain(new.keys()).copied().collect();
    keys.into_iter()
        .flat_map(|k| {
            compare(
                boot,
                (k, "", ""),
                old.get(k),
                new.get(k),
                n_themes,
                min_claims,
            )
        })
        .collect()
}

/// Compare consecutive periods of each key within one run (the key's own
/// dated periods in order; the undated, empty period is left out).
pub fn diff_periods<'a>(
    agg: &'a Aggregates,
    boot: &Bootstrap,
    min_claims: u64,
) -> Vec<DiffRow<'a>> {
    let n = agg.n_themes();
    let mut out = Vec::new();
    for (key, periods) in &agg.groups {
        let dated: Vec<(&String, &Group)> = periods.iter().filter(|(p, _)| !p.is_empty()).collect();
        for w in dated.windows(2) {
            let (po, go) = w[0];
            let (pn, gn) = w[1];
            out.extend(compare(
                boot,
                (key, po, pn),
                Some(go),
                Some(gn),
                n,
                min_claims,
            ));
        }
    }
    out
}

/// SplitMix64: a tiny, well-mixed PRNG; enough for resampling indices.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is below 2^-32 for any
    /// corpus size).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// FNV-1a over the parts (with a separator), to give each cell its own stream.
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.as_bytes().iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Percentile bootstrap over articles: resample a group's articles with
/// replacement, recompute the mean of the non-zero stances, and take the
/// 2.5th and 97.5th percentiles. Resamples in which the theme has no stance
/// are left out. Each cell's random stream is seeded from `--seed` and the
/// cell's labels, so an interval does not depend on the other cells.
#[derive(Debug, Clone, Copy)]
pub struct Bootstrap {
    pub resamples: u32,
    pub seed: u64,
}

impl From<&Setup> for Bootstrap {
    fn from(s: &Setup) -> Self {
        Bootstrap {
            resamples: s.bootstrap,
            seed: s.seed,
        }
    }
}

/// Fewest articles a group needs for an interval: resampling a single
/// article always gives back the same stance, a zero-width interval that
/// would look like certainty.
pub const MIN_ARTICLES: u64 = 2;

/// Coverage of the intervals.
pub const CI_LEVEL: f64 = 0.95;

impl Bootstrap {
    fn rng(&self, labels: &[&str]) -> SplitMix64 {
        let mut r = SplitMix64::new(self.seed ^ fnv1a(labels));
        r.next_u64();
        r
    }

    /// One resample of `g`: per theme, (sum of stances, non-zero claims).
    fn resample(rng: &mut SplitMix64, g: &Group, n_themes: usize, acc: &mut [(i64, u64)]) {
        acc.iter_mut().for_each(|a| *a = (0, 0));
        let n = g.n_articles as usize;
        for _ in 0..n {
            let i = rng.below(n);
            let row = &g.articles[2 * i * n_themes..2 * (i + 1) * n_themes];
            for (a, pc) in acc.iter_mut().zip(row.chunks_exact(2)) {
                a.0 += i64::from(pc[0]) - i64::from(pc[1]);
                a.1 += u64::from(pc[0]) + u64::from(pc[1]);
            }
        }
    }

    /// Intervals of the stance of every theme of a group.
    pub fn group(&self, g: &Group, n_themes: usize, labels: &[&str]) -> Vec<Option<(f64, f64)>> {
        let mut draws: Vec<Vec<f64>> = vec![Vec::new(); n_themes];
        let has_stance = g.themes.iter().any(|c| c.n_stance() > 0);
        if self.resamples > 0 && has_stance && g.n_articles >= MIN_ARTICLES {
            let mut rng = self.rng(labels);
            let mut acc = vec![(0i64, 0u64); n_themes];
            for _ in 0..self.resamples {
                Self::resample(&mut rng, g, n_themes, &mut acc);
                for (d, &(s, n)) in draws.iter_mut().zip(&acc) {
                    if n > 0 {
                        d.push(s as f64 / n as f64);
                    }
                }
            }
        }
        draws.into_iter().map(percentile_interval).collect()
    }

    /// Intervals of `stance(new) − stance(old)` per theme, resampling the
    /// articles of both groups independently.
    pub fn delta(
        &self,
        old: &Group,
        new: &Group,
        n_themes: usize,
        labels: &[&str],
    ) -> Vec<Option<(f64, f64)>> {
        let mut draws: Vec<Vec<f64>> = vec![Vec::new(); n_themes];
        if self.resamples > 0 && old.n_articles >= MIN_ARTICLES && new.n_articles >= MIN_ARTICLES {
            let mut rng = self.rng(labels);
            let mut a = vec![(0i64, 0u64); n_themes];
            let mut b = vec![(0i64, 0u64); n_themes];
            for _ in 0..self.resamples {
                Self::resample(&mut rng, old, n_themes, &mut a);
                Self::resample(&mut rng, new, n_themes, &mut b);
                for ((d, &(sa, na)), &(sb, nb)) in draws.iter_mut().zip(&a).zip(&b) {
                    if na > 0 && nb > 0 {
                        d.push(sb as f64 / nb as f64 - sa as f64 / na as f64);
                    }
                }
            }
        }
        draws.into_iter().map(percentile_interval).collect()
    }
}

/// The central [`CI_LEVEL`] interval of the draws (linear interpolation
/// between order statistics); `None` without draws.
pub fn percentile_interval(mut d: Vec<f64>) -> Option<(f64, f64)> {
    if d.is_empty() {
        return None;
    }
    d.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = p * (d.len() - 1) as f64;
        let lo = h.floor() as usize;
        let hi = h.ceil() as usize;
        d[lo] + (h - lo as f64) * (d[hi] - d[lo])
    };
    let tail = (1.0 - CI_LEVEL) / 2.0;
    Some((q(tail), q(1.0 - tail)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Claim, ThemeResult};

    fn setup(period: Period) -> Setup {
        Setup {
            schema_version: SCHEMA_VERSION.into(),
            lexicon_name: "t".into(),
            lexicon_version: "1".into(),
            lexicon_sha256: String::new(),
            themes: vec!["territory".into(), "guarantees".into()],
            by: GroupBy::Commentator,
            period,
            seed: 7,
            bootstrap: 200,
        }
    }

    /// An article by `author` whose claims carry `tags[i]` = (theme, stance).
    fn article(author: &str, date: Option<PartialDate>, tags: &[&[(usize, i8)]]) -> ArticleResult {
        let claims = (0..tags.len())
            .map(|i| Claim {
                index: i as u32,
                start: 0,
                end: 0,
                clean: 0..0,
                text: String::new(),
                speaker: None,
            })
            .collect();
        let tags = tags
            .iter()
            .map(|ts| {
                ts.iter()
                    .map(|&(theme, stance)| ThemeResult {
                        theme,
                        stance,
                        score: f32::from(stance),
                        evidence: Vec::new(),
                    })
                    .collect()
            })
            .collect();
        ArticleResult {
            article: Article {
                authors: if author.is_empty() {
                    vec![]
                } else {
                    vec![author.into()]
                },
                date,
                id: author.to_string(),
                ..Default::default()
            },
            claims,
            tags,
            n_words: 0,
        }
    }
    fn date(y: i32, m: u8, d: u8) -> Option<PartialDate> {
        Some(PartialDate {
            year: y,
            month: Some(m),
            day: Some(d),
        })
    }

    fn aggregate(setup: Setup, arts: &[ArticleResult]) -> Aggregates {
        let mut agg = Aggregates::new(setup);
        for r in arts {
            let c = ArticleCounts::of(r, agg.n_themes());
            agg.add_article(&r.article, &c);
        }
        agg
    }

    #[test]
    fn stance_is_mean_of_nonzero_and_salience_share_of_claims() {
        let arts = [
            article("Anne", None, &[&[(0, 1)], &[(0, -1), (1, 0)], &[]]),
            article("Anne", None, &[&[(0, 1)], &[]]),
        ];
        let agg = aggregate(setup(Period::None), &arts);
        let g = &agg.groups["Anne"][""];
        let t = g.cell(0);
        assert_eq!(t.n_claims, 5);
        assert_eq!(t.n_articles, 2);
        assert_eq!(
            (t.counts.n_pro, t.counts.n_con, t.counts.n_neutral),
            (2, 1, 0)
        );
        assert!((t.stance.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!((t.salience.unwrap() - 0.6).abs() < 1e-12);
        assert!((t.logit - (2.5f64 / 1.5).ln()).abs() < 1e-12);
        // Only neutral claims: addressed (salience) but no stance.
        let g1 = g.cell(1);
        assert_eq!(g1.stance, None);
        assert!((g1.salience.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(g1.logit, 0.0);
    }

    #[test]
    fn co_authored_article_counts_for_each_author() {
        let mut joint = article("Anne", None, &[&[(0, 1)]]);
        joint.article.authors = vec!["Anne".into(), "Bo".into()];
        let arts = [joint, article("Bo", None, &[&[(0, -1)]])];
        let agg = aggregate(setup(Period::None), &arts);
        assert_eq!(agg.groups["Anne"][""].cell(0).n_articles, 1);
        let bo = agg.groups["Bo"][""].cell(0);
        assert_eq!((bo.n_articles, bo.counts.n_pro, bo.counts.n_con), (2, 1, 1));
        assert!(!agg.groups.contains_key("Anne; Bo"));
    }

    #[test]
    fn unknown_author_gets_its_own_row() {
        let agg = aggregate(setup(Period::None), &[article("", None, &[&[(0, 1)]])]);
        assert!(agg.groups.contains_key(UNKNOWN));
        // A single article has a stance but no interval.
        let rows = agg.long_rows();
        assert_eq!(rows[0].cell.stance, Some(1.0));
        assert_eq!(rows[0].ci, None);
    }

    #[test]
    fn iso_weeks_at_year_boundaries() {
        assert_eq!(iso_week(2021, 1, 3), (2020, 53));
        assert_eq!(iso_week(2021, 1, 4), (2021, 1));
        assert_eq!(iso_week(2024, 12, 30), (2025, 1));
        assert_eq!(iso_week(2024, 2, 14), (2024, 7));
        assert_eq!(iso_week(2026, 12, 31), (2026, 53));
        assert_eq!(Period::Week.label(date(2024, 2, 14)), "2024-W07");
        assert_eq!(Period::Month.label(date(2024, 5, 1)), "2024-05");
        assert_eq!(Period::Quarter.label(date(2024, 5, 1)), "2024-Q2");
        assert_eq!(Period::Quarter.label(date(2024, 12, 1)), "2024-Q4");
        assert_eq!(Period::Year.label(date(2024, 5, 1)), "2024");
        assert_eq!(Period::None.label(date(2024, 5, 1)), "");
        assert_eq!(Period::Month.label(None), "");
        let year_only = Some(PartialDate {
            year: 2024,
            month: None,
            day: None,
        });
        assert_eq!(Period::Month.label(year_only), "");
        assert_eq!(Period::Year.label(year_only), "2024");
    }

    #[test]
    fn bootstrap_is_seeded_and_covers_the_estimate() {
        // Articles of varied length and balance, so the resampled means vary.
        let arts: Vec<_> = (0..30)
            .map(|i| {
                let mut claims: Vec<&[(usize, i8)]> = vec![&[(0, 1)]; i % 5 + 1];
                claims.extend(std::iter::repeat(&[(0, -1)][..]).take(i % 3));
                article("Anne", None, &claims)
            })
            .collect();
        let agg = aggregate(setup(Period::None), &arts);
        let a = agg.long_rows();
        let b = agg.long_rows();
        assert_eq!(a, b);
        let r = a[0];
        let (lo, hi) = r.ci.unwrap();
        let est = r.cell.stance.unwrap();
        assert!(lo <= est && est <= hi && lo < hi, "{lo} {est} {hi}");
        assert!(lo > -1.0 && hi <= 1.0);
        // No stance on theme 1: no interval.
        assert_eq!(a[1].ci, None);
        // Another seed gives another (but still valid) interval.
        let mut s = setup(Period::None);
        s.seed = 8;
        let other_agg = aggregate(s, &arts);
        let other = other_agg.long_rows();
        assert_ne!(other[0].ci, r.ci);
    }

    #[test]
    fn merging_shards_equals_one_pass() {
        let arts: Vec<_> = (0..12)
            .map(|i| {
                let who = ["Anne", "Bob", ""][i % 3];
                let s = [1, -1, 0, 1][i % 4];
                article(who, date(2024, 1 + (i % 5) as u8, 3), &[&[(i % 2, s)], &[]])
            })
            .collect();
        let whole = aggregate(setup(Period::Month), &arts);
        let mut first = aggregate(setup(Period::Month), &arts[..5]);
        let second = aggregate(setup(Period::Month), &arts[5..]);
        first.merge(&second).unwrap();
        assert_eq!(first, whole);
        assert_eq!(first.long_rows(), whole.long_rows());
        let mut other = setup(Period::Month);
        other.by = GroupBy::Outlet;
        assert!(first.merge(&Aggregates::new(other)).is_err());
    }

    #[test]
    fn similarity_uses_shared_themes_only() {
        let arts = [
            article("A", None, &[&[(0, 1)], &[(1, 1)], &[(1, 1)]]),
            article("B", None, &[&[(0, -1)], &[(0, -1)], &[(0, -1)]]),
            article("C", None, &[&[(1, 0)], &[(1, 0)], &[(1, 0)]]),
            article("D", None, &[&[(0, 1)], &[(1, 1)]]),
        ];
        let agg = aggregate(setup(Period::None), &arts);
        let totals = agg.totals();
        let s = similarity(&totals);
        // C takes no stance and D too few: only A–B remains.
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].a, s[0].b, s[0].distance, s[0].n_themes),
            ("A", "B", Some(2.0), 1)
        );
    }

    #[test]
    fn delta_interval_excludes_zero_for_a_real_shift() {
        let old: Vec<_> = (0..40).map(|_| article("A", None, &[&[(0, -1)]])).collect();
        let new: Vec<_> = (0..40).map(|_| article("A", None, &[&[(0, 1)]])).collect();
        let o = aggregate(setup(Period::None), &old);
        let n = aggregate(setup(Period::None), &new);
        let b = Bootstrap::from(&o.setup);
        let ci = b.delta(&o.groups["A"][""], &n.groups["A"][""], 2, &["A"]);
        assert_eq!(ci[0], Some((2.0, 2.0)));
        assert_eq!(ci[1], None);
    }

    #[test]
    fn diff_flags_only_shifts_with_enough_claims() {
        let mut s = setup(Period::Year);
        s.bootstrap = 300;
        let mut arts = Vec::new();
        for i in 0..20 {
            // Anne moves from -1 to +1 on territory between 2022 and 2023.
            let st = if i < 10 { -1 } else { 1 };
            arts.push(article(
                "Anne",
                date(2022 + i32::from(i >= 10), 3, 1),
                &[&[(0, st)]],
            ));
        }
        // Bob: one claim each year, also flipping, but too few claims.
        arts.push(article("Bob", date(2022, 3, 1), &[&[(0, -1)]]));
        arts.push(article("Bob", date(2023, 3, 1), &[&[(0, 1)]]));
        arts.push(article("Bob", None, &[&[(0, 1)]]));
        let agg = aggregate(s, &arts);
        let boot = Bootstrap::from(&agg.setup);
        let rows = diff_periods(&agg, &boot, 3);
        assert_eq!(rows.len(), 4);
        let anne = &rows[0];
        assert_eq!(
            (anne.key, anne.period_old, anne.period_new),
            ("Anne", "2022", "2023")
        );
        assert_eq!(anne.delta, Some(2.0));
        assert!(anne.significant);
        assert!(!rows[1].significant && rows[1].delta.is_none());
        let bob = &rows[2];
        assert_eq!((bob.key, bob.delta), ("Bob", Some(2.0)));
        assert!(!bob.significant, "one claim a side is not enough");
        assert_eq!(bob.ci, None, "one article a side gives no interval");

        let totals = agg.totals();
        let empty = BTreeMap::new();
        let rows = diff_runs(&totals, &empty, 2, &boot, 3);
        assert_eq!(rows.len(), 4);
        assert!(rows
            .iter()
            .all(|r| r.new.is_none() && !r.significant && r.ci.is_none()));
    }

    proptest::proptest! {
        /// Any split of any corpus merges back into the one-pass aggregates.
        #[test]
        fn any_split_merges_back(
            arts in proptest::collection::vec(
                (0usize..4, 0u8..13, proptest::collection::vec((0usize..2, -1i8..=1), 0..5)),
                0..25,
            ),
            cut in 0usize..25,
        ) {
            let arts: Vec<ArticleResult> = arts
                .iter()
                .map(|(who, month, tags)| {
                    let d = (*month > 0).then_some(PartialDate {
                        year: 2024,
                        month: Some(*month),
                        day: None,
                    });
                    let claims: Vec<Vec<(usize, i8)>> = tags.iter().map(|t| vec![*t]).collect();
                    let refs: Vec<&[(usize, i8)]> = claims.iter().map(Vec::as_slice).collect();
                    article(["A", "B", "C", ""][*who], d, &refs)
                })
                .collect();
            let cut = cut.min(arts.len());
            let whole = aggregate(setup(Period::Quarter), &arts);
            let mut first = aggregate(setup(Period::Quarter), &arts[..cut]);
            first.merge(&aggregate(setup(Period::Quarter), &arts[cut..])).unwrap();
            proptest::prop_assert_eq!(&first, &whole);
            proptest::prop_assert_eq!(first.long_rows(), whole.long_rows());
        }
    }

    #[test]
    fn percentiles_interpolate() {
        let d: Vec<f64> = (0..=100).map(f64::from).collect();
        let (lo, hi) = percentile_interval(d).unwrap();
        assert!((lo - 2.5).abs() < 1e-9 && (hi - 97.5).abs() < 1e-9);
        assert_eq!(percentile_interval(vec![]), None);
    }
}
