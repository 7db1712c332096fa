//! One module per subcommand (xsv style). Each has an `Args` (clap) and a
//! `run` that returns the number of skipped inputs (exit code 3 when > 0).

pub mod claims;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod lexicon;
pub mod merge;
pub mod run;
pub mod tag;

use std::path::PathBuf;

use crate::ingest::IngestOptions;

/// Options every subcommand understands.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Global {
    /// Print nothing but errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Worker threads (default: all cores). Outputs do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
}

/// How a finished command went; `main` maps it to the exit code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Finished {
    /// Inputs (files or records) that were skipped.
    pub skipped: usize,
}

impl Finished {
    /// 0 when everything was read, 3 when some inputs were skipped.
    pub fn exit_code(&self) -> i32 {
        if self.skipped > 0 {
            3
        } else {
            0
        }
    }
}

/// Corpus-reading options shared by `claims`, `run` and `tag --split`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct IngestArgs {
    /// Field holding the text in JSONL/CSV input [default: text|body|content|…].
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub text_field: Option<String>,
    /// Field holding the author(s) [default: author|byline|speaker|commentator|…].
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub author_field: Option<String>,
    /// Field holding the date [default: date|published|pubdate|…].
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub date_field: Option<String>,
    /// Field holding the title [default: title|headline].
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub title_field: Option<String>,
    /// Field holding a record id [default: id].
    #[arg(long, value_name = "NAME", help_heading = "Input")]
    pub id_field: Option<String>,
    /// Sidecar CSV of metadata joined to text files by file stem, relative
    /// path, or the fields of --name-pattern.
    #[arg(long, value_name = "FILE.csv", help_heading = "Input")]
    pub metadata: Option<PathBuf>,
    /// Parse fields from file names, e.g. '{ISO Code}_{Session}_{Year}'; the
    /// names are sidecar columns to join on.
    #[arg(long, value_name = "PATTERN", help_heading = "Input")]
    pub name_pattern: Option<String>,
    /// Keep non-English documents (by default they are skipped, with a reason).
    #[arg(long, help_heading = "Input")]
    pub all_languages: bool,
}

impl IngestArgs {
    pub fn options(&self) -> IngestOptions {
        IngestOptions {
            text_field: self.text_field.clone(),
            author_field: self.author_field.clone(),
            date_field: self.date_field.clone(),
            title_field: self.title_field.clone(),
            id_field: self.id_field.clone(),
            metadata: self.metadata.clone(),
            name_pattern: self.name_pattern.clone(),
            all_languages: self.all_languages,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "text_field": self.text_field,
            "author_field": self.author_field,
            "date_field": self.date_field,
            "title_field": self.title_field,
            "id_field": self.id_field,
            "metadata": self.metadata,
            "name_pattern": self.name_pattern,
            "all_languages": self.all_languages,
        })
    }
}

/// Build the global rayon pool once, from `--threads`.
pub fn init_threads(g: &Global) {
    if let Some(n) = g.threads {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
}
