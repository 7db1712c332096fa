//! `opstance lexicon check|test|suggest`.

use std::io::Write;
use std::path::PathBuf;

use super::claims::Dest;
use super::{Finished, Global};
use crate::eval::{data::Coded, suggest};
use crate::lexicon::{cases, Lexicon, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SuggestFormat {
    Text,
    Csv,
}

/// Rank words and phrases that mark a theme, or a pole of it, in coded claims.
///
/// CODED: JSONL claims with `id` and `text`, coded as in gold files (a
/// theme key holds null or the stance -1/0/1) or as `opstance tag` output
/// (a theme present in `themes` counts as coded). Candidates: uni-, bi- and
/// trigrams of normalised tokens (lexicon syntax), not across punctuation,
/// not starting or ending with a function word. Per theme, three contrasts:
/// `theme` = claims coded with it vs the rest; `pos` = its +1 claims vs
/// its -1 claims; `neg` the reverse. Score: log-odds ratio with an informative
/// Dirichlet prior (Monroe, Colaresi & Quinn 2008), prior = the whole
/// file's n-gram counts scaled to --alpha0 pseudo-counts, as a z-score.
///
/// Columns (text): rank, z, in (count on the marked side), out (count on
/// the other side), claims (claims on the marked side with it), ngram,
/// covered by (the term/cue/exclusion of the theme in the current lexicon
/// that matches the n-gram, e.g. `term:annex*`, `cue-:illegal*`; NEW when
/// none), then --kwic lines `pre [match] post (claim id)`.
/// CSV: theme, marks, rank, ngram, z, log_odds, count_in, count_out,
/// claims_in, covered, new (1 = not covered), kwic_id, kwic_pre,
/// kwic_match, kwic_post: one row per KWIC line (candidate columns
/// repeated), one row with empty kwic_* when there is none.
#[derive(Debug, Clone, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct SuggestArgs {
    /// Coded claims (JSONL).
    #[arg(value_name = "CODED.jsonl")]
    pub coded: PathBuf,
    /// Theme to contrast (repeatable) [default: every theme found].
    #[arg(long, value_name = "ID")]
    pub theme: Vec<String>,
    /// Candidates per contrast.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,
    /// Fewest occurrences on the marked side.
    #[arg(long, default_value_t = 3, value_name = "K")]
    pub min_count: u64,
    /// KWIC lines per candidate (claims on the marked side, file order).
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub kwic: usize,
    /// Total pseudo-count of the Dirichlet prior.
    #[arg(long, default_value_t = suggest::DEFAULT_ALPHA0, value_name = "A")]
    pub alpha0: f64,
    #[arg(long, value_enum, default_value = "text")]
    pub format: SuggestFormat,
    /// Lexicon file on top of the default, for `covered` (repeatable).
    #[arg(long, value_name = "FILE")]
    pub lexicon: Vec<PathBuf>,
    /// Field holding the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,
    /// Write here instead of stdout (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Report errors and warnings as `file:line:col: error|warning: message`;
    /// exit 1 on errors. A file with `name` is a full lexicon and is checked
    /// alone; a file without is an overlay, checked on top of the default.
    Check {
        file: PathBuf,
    },
    /// Run the file's [[test]] cases (full lexicon alone, overlay on top of
    /// the default); print each failure and `N passed, M failed`; exit 1 if
    /// any fail.
    Test {
        file: PathBuf,
    },
    Suggest(SuggestArgs),
}

fn run_suggest(a: &SuggestArgs) -> crate::Result<Finished> {
    if a.alpha0.is_nan() || a.alpha0 <= 0.0 {
        return Err(crate::Error::Usage("--alpha0 must be > 0".into()));
    }
    let lex = Lexicon::load(&a.lexicon)?;
    let coded = Coded::load(&a.coded)?;
    let opts = suggest::Options {
        themes: a.theme.clone(),
        preferred: lex.themes.iter().map(|t| t.id.clone()).collect(),
        top: a.top,
        min_count: a.min_count,
        kwic: a.kwic,
        alpha0: a.alpha0,
        text_field: a.text_field.clone(),
        kwic_width: 40,
    };
    let contrasts = suggest::suggest(&coded, &lex, &opts)?;
    let out = match a.format {
        SuggestFormat::Text => suggest::text(&contrasts, a.alpha0),
        SuggestFormat::Csv => suggest::csv(&contrasts),
    };
    let name = Dest::name(a.out.as_deref());
    let io = |e| crate::Error::io(name.clone(), e);
    let mut dest = Dest::open(a.out.as_deref())?;
    dest.write_all(out.as_bytes()).map_err(io)?;
    dest.finish().map_err(io)?;
    Ok(Finished::default())
}

pub fn run(cmd: &Command, g: &Global) -> crate::Result<Finished> {
    match cmd {
        Command::Suggest(a) => run_suggest(a),
        Command::Check { file } => {
            let loaded = Lexicon::load_file(file)?;
            let errors = loaded
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let warnings = loaded.diagnostics.len() - errors;
            for d in &loaded.diagnostics {
                println!("{d}");
            }
            if errors > 0 {
                return Err(crate::Error::Other(format!(
                    "{}: {errors} error(s), {warnings} warning(s)",
                    file.display()
                )));
            }
            if !g.quiet {
                let l = loaded.lexicon.as_ref().expect("no errors");
                eprintln!(
                    "{}: ok ({} themes, {} tests, {warnings} warning(s))",
                    file.display(),
                    l.themes.len(),
                    l.tests.len()
                );
            }
            Ok(Finished::default())
        }
        Command::Test { file } => {
            let loaded = Lexicon::load_file(file)?;
            let Some(lex) = loaded.lexicon else {
                for d in &loaded.diagnostics {
                    println!("{d}");
                }
                return Err(crate::Error::Other(format!(
                    "{}: the lexicon does not compile",
                    file.display()
                )));
            };
            let src = lex.sources.len() - 1;
            let outcome = cases::run(&lex, Some(src));
            for f in &outcome.failures {
                println!("FAIL {}:{}", file.display(), f.case.line);
                print!("{}", f.report);
            }
            println!(
                "{} passed, {} failed",
                outcome.passed,
                outcome.failures.len()
            );
            if outcome.failures.is_empty() {
                Ok(Finished::default())
            } else {
                Err(crate::Error::Other(format!(
                    "{} of {} lexicon test(s) failed",
                    outcome.failures.len(),
                    outcome.passed + outcome.failures.len()
                )))
            }
        }
    }
}
