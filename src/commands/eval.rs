//! `opstance eval`: score predictions (or the tagger itself) against coded
//! claims. The logic is in [`crate::eval`]; this file wires arguments.

use std::io::Write;
use std::path::PathBuf;

use super::claims::Dest;
use super::run::DEFAULT_SEED;
use super::{Finished, Global};
use crate::eval::{self, folds::Folds, Options, Part};
use crate::lexicon::Lexicon;
use crate::stance::Tagger;

/// Score predictions against coded claims, with bootstrap intervals.
///
/// GOLD and PRED are JSON Lines with an `id` per claim. GOLD: the theme
/// keys hold null (not addressed) or the stance -1/0/1 (as in
/// ../shared/eval/*/gold.jsonl), with `doc` naming the document. PRED:
/// `opstance tag` output (`themes: {theme: {stance, ...}}`, a theme left
/// out = not addressed) or the same flat form as GOLD. A claim of GOLD
/// missing from PRED counts as addressing no theme. Without PRED, GOLD's
/// `text`s are tagged (default lexicon plus --lexicon files), one document
/// at a time in reading order, as `opstance tag` tags a record.
///
/// The figures are ../shared/eval/score.py's, per theme (rows) and macro-
/// averaged over the themes (NaN themes left out):
///
///   gold, pred   claims gold / the prediction say address the theme
///   det P/R/F1   detection: does the claim address the theme at all
///   F_pm         mean F1 of the +1 and -1 classes over all claims
///   st acc       stance accuracy on claims both say address the theme
///   cell r       Pearson r of gold vs predicted mean stance per document x
///                theme cell with >= 2 gold stances +-1 (NaN under 3 cells)
///   kappa        Cohen's kappa, GOLD vs --second, categories none/-1/0/+1
///   cells        cells in cell r
///
/// then the pooled cell r over all themes with the share of cells of the
/// same sign, and a confusion matrix per theme (rows gold none/-1/0/+1,
/// columns predicted). Under each figure, [lo,hi]: its 95% percentile
/// bootstrap interval, resampling documents with replacement (--bootstrap
/// resamples, --seed; same seed, same intervals).
///
/// Folds: with --folds eval/folds.csv, each set's documents are looked up
/// by (set, doc); the pool (every fold but `holdout`) is scored, then one
/// line per set and per fold (n, macro F_pm, macro det F1, pooled r,
/// F_pm per theme, as eval/pool.py) and the mean and sd of the folds'
/// F_pm. --holdout scores the holdout documents instead. Several sets are
/// one pool: `--gold train=T.jsonl --pred train=PT.jsonl --gold dev=D.jsonl
/// --pred dev=PD.jsonl`. --json prints everything as JSON: score.py's keys
/// (NaN as null), `ci` intervals, `confusion`, `parts`, `folds`.
#[derive(Debug, Clone, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Gold claims (JSONL).
    #[arg(value_name = "GOLD")]
    pub gold: Option<PathBuf>,
    /// Predictions for GOLD (JSONL); none: tag GOLD's texts.
    #[arg(value_name = "PRED")]
    pub pred: Option<PathBuf>,
    /// Set name of the positional GOLD (its `set` in --folds) [default: gold].
    #[arg(long, value_name = "NAME")]
    pub set: Option<String>,
    /// Another gold set, scored with the others as one pool (repeatable).
    #[arg(long = "gold", value_name = "SET=FILE")]
    pub golds: Vec<String>,
    /// Predictions for a set (repeatable); `FILE` alone when there is one set.
    #[arg(long = "pred", value_name = "[SET=]FILE")]
    pub preds: Vec<String>,
    /// A second coding of a set's claims: Cohen's kappa per theme against
    /// GOLD, over the claims in both (repeatable like --pred).
    #[arg(long, value_name = "[SET=]FILE")]
    pub second: Vec<String>,
    /// Lexicon file on top of the default when tagging GOLD (repeatable, as
    /// for `tag`).
    #[arg(long, value_name = "FILE")]
    pub lexicon: Vec<PathBuf>,
    /// Document-grouped folds (CSV set,doc,fold; eval/folds.csv).
    #[arg(long, value_name = "FILE.csv")]
    pub folds: Option<PathBuf>,
    /// With --folds: score only the holdout documents.
    #[arg(long, requires = "folds")]
    pub holdout: bool,
    /// Bootstrap resamples for the intervals (0: no intervals).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: u32,
    /// Seed of the bootstrap (same seed, same intervals).
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "N")]
    pub seed: u64,
    /// Themes to score, comma-separated [default: the lexicon's themes found
    /// in GOLD, then other theme keys of GOLD].
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub themes: Option<Vec<String>>,
    /// Field of GOLD holding the text to tag.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,
    /// Print JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Write here instead of stdout (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `SET=FILE` → (Some(SET), FILE); a plain path → (None, path). A name
/// has no `/` (so a path with `=` in a folder name stays a path).
fn named(s: &str) -> (Option<&str>, PathBuf) {
    match s.split_once('=') {
        Some((n, p)) if !n.is_empty() && !n.contains('/') && !n.contains('\\') => {
            (Some(n), PathBuf::from(p))
        }
        _ => (None, PathBuf::from(s)),
    }
}

/// The sets named on the command line.
pub fn parts(args: &Args) -> crate::Result<Vec<Part>> {
    let usage = |m: String| crate::Error::Usage(m);
    let mut parts: Vec<Part> = Vec::new();
    if let Some(g) = &args.gold {
        parts.push(Part {
            set: args.set.clone().unwrap_or_else(|| "gold".into()),
            gold: g.clone(),
            pred: args.pred.clone(),
            second: None,
        });
    }
    let alone = args.gold.is_none() && args.golds.len() == 1;
    for g in &args.golds {
        let (name, path) = named(g);
        let set = match (name, alone) {
            (Some(n), _) => n.to_string(),
            (None, true) => args.set.clone().unwrap_or_else(|| "gold".into()),
            (None, false) => return Err(usage(format!("--gold {g}: name the set, SET=FILE"))),
        };
        if parts.iter().any(|p| p.set == set) {
            return Err(usage(format!("set `{set}` given twice")));
        }
        parts.push(Part {
            set,
            gold: path,
            pred: None,
            second: None,
        });
    }
    if parts.is_empty() {
        return Err(usage("give GOLD (or --gold SET=FILE)".into()));
    }
    let mut assign = |list: &[String], what: &str, second: bool| -> crate::Result<()> {
        for v in list {
            let (name, path) = named(v);
            let k = match name {
                Some(n) => parts.iter().position(|p| p.set == n),
                None if parts.len() == 1 => Some(0),
                None => None,
            }
            .ok_or_else(|| {
                usage(format!(
                    "{what} {v}: which set? (SET=FILE, sets given with GOLD/--gold)"
                ))
            })?;
            let slot = if second {
                &mut parts[k].second
            } else {
                &mut parts[k].pred
            };
            if slot.is_some() {
                return Err(usage(format!(
                    "{what}: set `{}` has one already",
                    parts[k].set
                )));
            }
            *slot = Some(path);
        }
        Ok(())
    };
    assign(&args.preds, "--pred", false)?;
    assign(&args.second, "--second", true)?;
    Ok(parts)
}

pub fn run(args: &Args, _g: &Global) -> crate::Result<Finished> {
    let parts = parts(args)?;
    let tag = parts.iter().any(|p| p.pred.is_none());
    if !tag && !args.lexicon.is_empty() {
        return Err(crate::Error::Usage(
            "--lexicon is for tagging GOLD, but every set has predictions".into(),
        ));
    }
    let lexicon = if tag {
        Lexicon::load(&args.lexicon)?
    } else {
        Lexicon::default_lexicon()
    };
    let preferred = lexicon.themes.iter().map(|t| t.id.clone()).collect();
    let tagger = tag.then(|| Tagger::new(lexicon));
    let opts = Options {
        themes: args.themes.clone(),
        preferred,
        bootstrap: args.bootstrap,
        seed: args.seed,
        folds: args.folds.as_deref().map(Folds::load).transpose()?,
        holdout: args.holdout,
        text_field: args.text_field.clone(),
    };
    let e = eval::evaluate(&parts, tagger.as_ref(), &opts)?;
    let out = if args.json {
        let mut s = serde_json::to_string_pretty(&eval::report::json(&e)).expect("JSON");
        s.push('\n');
        s
    } else {
        eval::report::text(&e)
    };
    let name = Dest::name(args.out.as_deref());
    let io = |e| crate::Error::io(name.clone(), e);
    let mut dest = Dest::open(args.out.as_deref())?;
    dest.write_all(out.as_bytes()).map_err(io)?;
    dest.finish().map_err(io)?;
    Ok(Finished::default())
}
