//! `opstance lexicon check|test`.

use std::path::PathBuf;

use super::{Finished, Global};
use crate::lexicon::{cases, Lexicon, Severity};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Report errors and warnings as `file:line:col: error|warning: message`;
    /// exit 1 on errors. A file with `name` is a full lexicon and is checked
    /// alone; a file without is an overlay, checked on top of the default.
    Check { file: PathBuf },
    /// Run the file's [[test]] cases (full lexicon alone, overlay on top of
    /// the default); print each failure and `N passed, M failed`; exit 1 if
    /// any fail.
    Test { file: PathBuf },
}

pub fn run(cmd: &Command, g: &Global) -> crate::Result<Finished> {
    match cmd {
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
