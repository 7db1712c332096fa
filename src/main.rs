//! The `opstance` binary: parse arguments, call the library, map the result
//! to an exit code (0 ok, 1 error, 2 usage, 3 finished with skipped inputs).

use clap::{Parser, Subcommand};
use opstance::commands::{self, Global};

#[derive(Debug, Parser)]
#[command(
    name = "opstance",
    version,
    about = "Turn a corpus of opinion articles into evidence-linked stance matrices",
    after_help = "Exit codes: 0 ok, 1 error, 2 usage error, 3 finished but some inputs were skipped (see the manifest)."
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    // The help of each command is its `Args`' doc comment: the first line
    // here, the rest (output columns) under `opstance <command> --help`.
    Claims(commands::claims::Args),
    Tag(commands::tag::Args),
    /// Corpus → stance matrices, evidence, heatmap and manifest.
    Run(commands::run::Args),
    Diff(commands::diff::Args),
    Explain(commands::explain::Args),
    Merge(commands::merge::Args),
    Eval(commands::eval::Args),
    /// Check or test a lexicon file; suggest entries from coded claims.
    #[command(subcommand)]
    Lexicon(commands::lexicon::Command),
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let g = &cli.global;
    let result = match &cli.command {
        Command::Claims(a) => commands::claims::run(a, g),
        Command::Tag(a) => commands::tag::run(a, g),
        Command::Run(a) => commands::run::run(a, g),
        Command::Diff(a) => commands::diff::run(a, g),
        Command::Explain(a) => commands::explain::run(a, g),
        Command::Merge(a) => commands::merge::run(a, g),
        Command::Eval(a) => commands::eval::run(a, g),
        Command::Lexicon(c) => commands::lexicon::run(c, g),
    };
    match result {
        Ok(done) => std::process::exit(done.exit_code()),
        Err(e) if e.is_broken_pipe() => std::process::exit(0),
        Err(e) => {
            eprintln!("opstance: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
