//! `opstance run`: corpus → stance matrices, evidence, heatmap and manifest.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use super::{Finished, Global, IngestArgs};
use crate::aggregate::{Aggregates, ArticleCounts, GroupBy, Period, Setup, SCHEMA_VERSION};
use crate::clean::{CleanOptions, Cleaner};
use crate::ingest::Corpus;
use crate::lexicon::Lexicon;
use crate::pipeline::{Outcome, Pipeline};
use crate::stance::Tagger;
use crate::write::manifest::Manifest;
use crate::write::outputs::{self, ARTICLES, CLAIMS};
use crate::write::tables::{ArticlesWriter, ClaimsWriter};

/// Default `--seed` of the bootstrap.
pub const DEFAULT_SEED: u64 = 20_220_224;

/// The output files and their columns (shown by `run --help`, like xsv).
pub const OUTPUT_HELP: &str = "\
Outputs, written into DIR (created if needed), each file atomically. KEY
is the first column, named after --by (commentator, outlet or article; a
missing author or outlet is the row '(unknown)'). Missing values are empty
cells. Column types: docs/schema.md.

  stance_matrix.csv    KEY, n_articles, n_claims, then one column per theme
                       (lexicon order): mean of the non-zero claim
                       stances in [-1, 1]; empty when there is none.

  salience_matrix.csv  KEY, n_articles, n_claims, one column per theme:
                       share of the key's claims addressing the theme.

  stance_long.csv      KEY, period, theme, n_articles, n_claims,
                       n_theme_claims, salience, n_pro, n_con, n_neutral,
                       stance, stance_logit (ln((n_pro+0.5)/(n_con+0.5))),
                       ci_low, ci_high (95% percentile bootstrap over the
                       key's articles).

  claims.csv           article_id, commentator, date, claim_index, start,
                       end (byte offsets into the original text), theme,
                       stance (-1/0/1), score, cues, text: one row per
                       claim x theme addressed. cues = entries that fired,
                       `entry@start-end[term|cue,pole,weight{,modifier}]`
                       joined with '; '.

  articles.csv         article_id, commentator, date, outlet, title,
                       source, language, n_claims, n_words, then per theme
                       <theme>_stance, <theme>_salience.

  similarity.csv       KEY_a, KEY_b, distance, n_themes: pairs a < b (keys with >= 3 stances);
                       distance = mean |stance_a - stance_b| over the
                       n_themes both take a stance on (0..2).

  heatmap.svg          the stance matrix as a picture.

  aggregates.json      counts per KEY x period x theme and per article (for
                       diff, explain, merge).

  manifest.json        inputs seen, skipped (with reasons), warnings,
                       lexicon name/version/SHA-256, options, timings,
                       peak memory, schema_version.

With --partial only claims.csv, articles.csv, aggregates.json and
manifest.json are written; `opstance merge` combines partials.
";

/// Tag a corpus and write stance matrices with their evidence.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = OUTPUT_HELP)]
pub struct Args {
    /// Files or folders (recursive); `-` reads one plain-text article from stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub ingest: IngestArgs,
    /// Output folder (created if needed).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    /// Lexicon file(s) loaded on top of the default one (repeatable).
    #[arg(long = "lexicon", value_name = "FILE")]
    pub lexicons: Vec<PathBuf>,
    /// What a matrix row stands for.
    #[arg(long, value_enum, default_value = "commentator")]
    pub by: GroupBy,
    /// Split stance_long.csv by period (ISO week 2024-W07, 2024-05, 2024-Q2,
    /// 2024); undated articles go to the empty period.
    #[arg(long, value_enum, default_value = "none")]
    pub period: Period,
    /// Seed of the bootstrap (same seed, same intervals).
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "N")]
    pub seed: u64,
    /// Bootstrap resamples for the intervals (0: no intervals).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub bootstrap: u32,
    /// Write mergeable partial outputs only (see `opstance merge`).
    #[arg(long)]
    pub partial: bool,
}

pub fn run(args: &Args, g: &Global) -> crate::Result<Finished> {
    super::init_threads(g);
    let t0 = Instant::now();
    // The lexicon is compiled while the inputs are listed (both are
    // sequential, and together most of the setup); errors are reported in
    // the same order as before, the lexicon's first.
    let (prepared, corpus) = rayon::join(
        || -> crate::Result<(Setup, Pipeline)> {
            let lexicon = Lexicon::load(&args.lexicons)?;
            let setup = Setup {
                schema_version: SCHEMA_VERSION.into(),
                lexicon_name: lexicon.name.clone(),
                lexicon_version: lexicon.version.clone(),
                lexicon_sha256: lexicon.sha256.clone(),
                themes: lexicon.themes.iter().map(|t| t.id.clone()).collect(),
                by: args.by,
                period: args.period,
                seed: args.seed,
                bootstrap: args.bootstrap,
            };
            let pipeline = Pipeline {
                cleaner: Cleaner::new(&CleanOptions::default())?,
                tagger: Some(Tagger::new(lexicon)),
            };
            Ok((setup, pipeline))
        },
        || Corpus::open(&args.inputs, &args.ingest.options()),
    );
    let (setup, pipeline) = prepared?;
    let corpus = corpus?;
    let mut manifest = Manifest::new("run", options_json(args));
    manifest.inputs.files_seen = corpus.files_seen();
    manifest.inputs.ignored = corpus.ignored().to_vec();
    manifest.warnings.extend(corpus.warnings().iter().cloned());
    outputs::create_dir(&args.out)?;
    let t_setup = t0.elapsed().as_secs_f64();

    let mut claims = ClaimsWriter::create(&args.out.join(CLAIMS), &setup.themes)?;
    let mut articles = ArticlesWriter::create(&args.out.join(ARTICLES), &setup.themes)?;
    let mut agg = Aggregates::new(setup);
    let n_themes = agg.n_themes();
    let progress = progress_bar(g);
    let mut bytes_read = 0u64;
    let t1 = Instant::now();
    pipeline.drive_addressed(&corpus, |outcome| {
        match outcome {
            Outcome::Skipped(s) => manifest.inputs.skipped.push(s),
            Outcome::Article(r) => {
                manifest.inputs.articles += 1;
                manifest.inputs.claims += r.claims.len();
                bytes_read += r.article.text.len() as u64;
                for w in &r.article.warnings {
                    manifest.warnings.push(crate::model::Warning {
                        path: r.article.source.clone(),
                        record: r.article.record,
                        message: w.clone(),
                    });
                }
                let counts = ArticleCounts::of(&r, n_themes);
                claims.write(&r)?;
                articles.write(&r, &counts)?;
                agg.add_article(&r.article, &counts);
                progress.inc(1);
                if manifest.inputs.articles % 64 == 0 {
                    progress.set_message(format!("{:.1} MB", bytes_read as f64 / 1e6));
                }
            }
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    let t_pipeline = t1.elapsed().as_secs_f64();
    let streamed = vec![claims.finish()?, articles.finish()?];

    let t2 = Instant::now();
    let mb = bytes_read as f64 / 1e6;
    outputs::finish(
        &args.out,
        &agg,
        streamed,
        args.partial,
        &mut manifest,
        |m| {
            let t_aggregate = t2.elapsed().as_secs_f64();
            let total = t0.elapsed().as_secs_f64();
            m.extra.insert(
                "timings".into(),
                serde_json::json!({
                    "setup_seconds": round3(t_setup),
                    "pipeline_seconds": round3(t_pipeline),
                    "aggregate_write_seconds": round3(t_aggregate),
                    "total_seconds": round3(total),
                    "mb_read": round3(mb),
                    "mb_per_second": if t_pipeline > 0.0 { Some(round3(mb / t_pipeline)) } else { None },
                }),
            );
            m.extra.insert(
                "peak_rss_mb".into(),
                outputs::peak_rss_mb().map(round3).into(),
            );
        },
    )?;
    report(&manifest, g);
    Ok(Finished {
        skipped: manifest.inputs.skipped.len(),
    })
}

/// The options as recorded in the manifest (`merge` rebuilds the same object).
fn options_json(args: &Args) -> serde_json::Value {
    serde_json::json!({
        "inputs": args.inputs,
        "ingest": args.ingest.to_json(),
        "lexicons": args.lexicons,
        "by": args.by,
        "period": args.period,
        "seed": args.seed,
        "bootstrap": args.bootstrap,
        "partial": args.partial,
    })
}

pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A spinner on stderr, only for a person watching (terminal, not `-q`).
fn progress_bar(g: &Global) -> indicatif::ProgressBar {
    if g.quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new_spinner();
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} {pos} articles, {msg} ({elapsed})")
    {
        pb.set_style(style);
    }
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    pb
}

/// Skipped inputs (unless `-q`) and a summary (with `-v`) on stderr.
pub(crate) fn report(m: &Manifest, g: &Global) {
    if !g.quiet {
        for s in &m.inputs.skipped {
            eprintln!(
                "skipped: {}{}: {}",
                s.path,
                s.record.map(|r| format!(":{r}")).unwrap_or_default(),
                s.reason
            );
        }
    }
    if g.verbose > 0 {
        eprintln!(
            "{} files, {} articles, {} claims, {} skipped, {} warnings",
            m.inputs.files_seen,
            m.inputs.articles,
            m.inputs.claims,
            m.inputs.skipped.len(),
            m.warnings.len()
        );
    }
}
