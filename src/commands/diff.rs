//! `opstance diff`: what changed between two runs, or between consecutive
//! periods of one run, with a bootstrap interval for each change.

use std::path::PathBuf;

use super::{Finished, Global};
use crate::aggregate::{self, Bootstrap};
use crate::write::outputs;
use crate::write::tables::{csv_err, key_column};

/// Compare two runs, or consecutive periods within one run.
///
/// Reads each run's aggregates.json. Output CSV (stdout unless --out):
///
///   KEY, [period_old, period_new,] theme, stance_old, stance_new, delta,
///   n_old, n_new, ci_low, ci_high, significant
///
/// KEY is named after the run's --by. n_* = stance-bearing (non-zero)
/// claims; delta = stance_new - stance_old; ci = 95% percentile bootstrap
/// of delta, resampling the articles of both sides independently;
/// significant = the interval excludes 0 and both sides have at least
/// --min-claims stance-bearing claims. Two runs: every key of either run,
/// over all periods. --by-period: each key's consecutive dated periods.
#[derive(Debug, Clone, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// OLD and NEW run folders (one folder with --by-period).
    #[arg(required = true, num_args = 1..=2, value_name = "RUN")]
    pub runs: Vec<PathBuf>,
    /// Compare consecutive periods within one run (made with --period).
    #[arg(long)]
    pub by_period: bool,
    /// Write the CSV here (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Stance-bearing claims each side needs for `significant`.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub min_claims: u64,
    /// Bootstrap seed [default: the (old) run's --seed].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Bootstrap resamples [default: the (old) run's --bootstrap].
    #[arg(long, value_name = "N")]
    pub bootstrap: Option<u32>,
}

pub fn run(args: &Args, g: &Global) -> crate::Result<Finished> {
    super::init_threads(g);
    let old = outputs::load_aggregates(&args.runs[0])?;
    let mut boot = Bootstrap::from(&old.setup);
    if let Some(s) = args.seed {
        boot.seed = s;
    }
    if let Some(b) = args.bootstrap {
        boot.resamples = b;
    }
    let themes = &old.setup.themes;
    let new_run;
    let old_totals;
    let new_totals;
    let rows = if args.by_period {
        if args.runs.len() != 1 {
            return Err(crate::Error::Usage(
                "--by-period compares periods within ONE run".into(),
            ));
        }
        if old.setup.period == aggregate::Period::None {
            return Err(crate::Error::Usage(format!(
                "{} was made without --period: nothing to compare",
                args.runs[0].display()
            )));
        }
        aggregate::diff_periods(&old, &boot, args.min_claims)
    } else {
        if args.runs.len() != 2 {
            return Err(crate::Error::Usage(
                "give OLD and NEW run folders (or one with --by-period)".into(),
            ));
        }
        new_run = outputs::load_aggregates(&args.runs[1])?;
        if new_run.setup.themes != old.setup.themes || new_run.setup.by != old.setup.by {
            return Err(crate::Error::Usage(format!(
                "the runs differ in themes or --by ({:?} by {:?} vs {:?} by {:?})",
                old.setup.themes, old.setup.by, new_run.setup.themes, new_run.setup.by
            )));
        }
        old_totals = old.totals();
        new_totals = new_run.totals();
        aggregate::diff_runs(
            &old_totals,
            &new_totals,
            themes.len(),
            &boot,
            args.min_claims,
        )
    };

    let dest = super::claims::Dest::open(args.out.as_deref())?;
    let mut w = csv::Writer::from_writer(dest);
    let mut header = vec![key_column(old.setup.by)];
    if args.by_period {
        header.extend(["period_old", "period_new"]);
    }
    header.extend([
        "theme",
        "stance_old",
        "stance_new",
        "delta",
        "n_old",
        "n_new",
        "ci_low",
        "ci_high",
        "significant",
    ]);
    w.write_record(&header).map_err(csv_err)?;
    let num = |x: Option<f64>| x.map(crate::write::cells::number).unwrap_or_default();
    let count =
        |c: Option<aggregate::Counts>| c.map(|c| c.n_stance().to_string()).unwrap_or_default();
    for r in &rows {
        let mut rec = vec![crate::write::cells::text(r.key).into_owned()];
        if args.by_period {
            rec.push(r.period_old.to_string());
            rec.push(r.period_new.to_string());
        }
        rec.extend([
            themes[r.theme].clone(),
            num(r.old.and_then(|c| c.stance())),
            num(r.new.and_then(|c| c.stance())),
            num(r.delta),
            count(r.old),
            count(r.new),
            num(r.ci.map(|c| c.0)),
            num(r.ci.map(|c| c.1)),
            r.significant.to_string(),
        ]);
        w.write_record(&rec).map_err(csv_err)?;
    }
    let dest = w
        .into_inner()
        .map_err(|e| crate::Error::Other(format!("writing CSV: {}", e.error())))?;
    dest.finish().map_err(|e| crate::Error::io("<output>", e))?;
    Ok(Finished::default())
}
