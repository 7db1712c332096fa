//! Ingestion: files and folders of `.txt`/`.md` (front matter, sidecar
//! metadata, file-name patterns), JSON Lines and CSV/TSV, decoded and
//! described as [`Article`]s; everything that cannot be read becomes a
//! [`Skipped`] entry with a reason.
//!
//! [`Corpus::open`] only lists the inputs (and loads the sidecar);
//! [`Corpus::units`] streams them in a deterministic order: tabular files a
//! record at a time, text files as [`FileJob`]s that [`Corpus::load`] reads
//! in parallel. So memory is bounded by what the pipeline keeps in flight,
//! not by the corpus.
//!
//! Decisions worth knowing:
//! - Broken front matter never loses a file: it is kept with a warning that
//!   names the line. A closed block that does not parse is still left out of
//!   the body; an unclosed `---` makes the whole text the body.
//! - Metadata precedence, lowest first: front matter, `--name-pattern`
//!   fields, sidecar row. `--author-field`/`--date-field`/`--title-field`
//!   pick among all of these (and among record fields); a name that is
//!   absent falls back to the default names. With no sidecar or pattern,
//!   a name that is not a column of a CSV/TSV (or of the first JSONL
//!   record) is an error naming the file and its columns.
//! - Without `--name-pattern`, the sidecar joins on `--id-field` or the first
//!   of its `file|filename|file_name|path|stem|name|id` columns, matched
//!   against the file's relative path (with or without extension) or stem.
//! - Non-English documents are skipped unless `all_languages` is set;
//!   `und` (too short to tell) is kept.
//! - Co-authors: see [`fields`] (joined with `"; "` as one commentator).

mod date;
mod decode;
pub mod fields;
pub mod frontmatter;
pub mod lang;
pub mod sidecar;
mod tabular;
pub mod url;
mod walk;

pub use date::{is_missing as date_is_missing, parse as parse_date};
pub use decode::{decode, Decoded};

use std::io::Read;
use std::path::PathBuf;

use crate::model::{Article, Skipped, Warning};
use frontmatter::{FrontMatter, Value};
use sidecar::{Pattern, Sidecar};
use walk::{Entry, Kind};

/// Options shared by every command that reads a corpus.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    pub text_field: Option<String>,
    pub author_field: Option<String>,
    pub date_field: Option<String>,
    pub title_field: Option<String>,
    pub id_field: Option<String>,
    /// Sidecar CSV joined to file-based articles.
    pub metadata: Option<PathBuf>,
    /// e.g. `{ISO Code}_{Session}_{Year}`: fields parsed from the file stem.
    pub name_pattern: Option<String>,
    /// Keep non-English documents instead of skipping them.
    pub all_languages: bool,
}

/// One unit of work produced by [`Corpus::units`], in deterministic order.
#[derive(Debug)]
pub enum Unit {
    /// An article already parsed (a record of a tabular file, or stdin).
    Ready(Box<Article>),
    /// An input that will not become an article.
    Skipped(Skipped),
    /// A text file to be read by [`Corpus::load`] (in parallel).
    File(FileJob),
}

#[derive(Debug, Clone)]
pub struct FileJob {
    pub path: PathBuf,
    /// Path relative to the input root (`/` separators), used for ids and
    /// sidecar joins; the file name when the file was given directly.
    pub rel: String,
}

/// A corpus opened from command-line inputs. `Sync`: [`Corpus::load`] is
/// called from many threads.
#[derive(Debug)]
pub struct Corpus {
    opts: IngestOptions,
    entries: Vec<Entry>,
    /// Documentation files found in the input folders (not articles, not errors).
    ignored: Vec<Skipped>,
    warnings: Vec<Warning>,
    sidecar: Option<Sidecar>,
    pattern: Option<Pattern>,
}

impl Corpus {
    /// Walk the inputs (files, folders recursively, `-` for stdin), in sorted
    /// order; load and index the sidecar; check explicitly named fields.
    pub fn open(inputs: &[PathBuf], opts: &IngestOptions) -> crate::Result<Corpus> {
        let pattern = opts
            .name_pattern
            .as_deref()
            .map(Pattern::parse)
            .transpose()
            .map_err(crate::Error::Usage)?;
        let sidecar = match &opts.metadata {
            Some(p) => Some(Sidecar::load(
                p,
                pattern.as_ref(),
                opts.id_field.as_deref(),
            )?),
            None => None,
        };
        let exclude = opts.metadata.as_ref().and_then(|p| p.canonicalize().ok());
        let (ignored, entries): (Vec<Entry>, Vec<Entry>) = walk::walk(inputs, exclude.as_deref())?
            .into_iter()
            .partition(|e| matches!(e, Entry::Ignored(_)));
        let ignored = ignored
            .into_iter()
            .filter_map(|e| match e {
                Entry::Ignored(s) => Some(s),
                _ => None,
            })
            .collect();
        let mut c = Corpus {
            opts: opts.clone(),
            entries,
            ignored,
            warnings: Vec::new(),
            sidecar,
            pattern,
        };
        c.check_named_fields()?;
        c.check_sidecar();
        Ok(c)
    }

    /// Explicit field names must exist where they will be looked up.
    fn check_named_fields(&self) -> crate::Result<()> {
        let o = &self.opts;
        let meta_given = self.sidecar.is_some() || self.pattern.is_some();
        let mut wanted: Vec<(&str, &str)> = Vec::new();
        if let Some(f) = &o.text_field {
            wanted.push((f, "--text-field"));
        }
        if !meta_given {
            for (f, flag) in [
                (&o.author_field, "--author-field"),
                (&o.date_field, "--date-field"),
                (&o.title_field, "--title-field"),
                (&o.id_field, "--id-field"),
            ] {
                if let Some(f) = f {
                    wanted.push((f, flag));
                }
            }
        }
        if let Some(s) = &self.sidecar {
            // Fields meant for the sidecar (or the name pattern).
            let mut cols: Vec<String> = s.header.clone();
            if let Some(p) = &self.pattern {
                cols.extend(p.fields().map(str::to_string));
            }
            for (f, flag) in [
                (&o.author_field, "--author-field"),
                (&o.date_field, "--date-field"),
                (&o.title_field, "--title-field"),
            ] {
                if let Some(f) = f {
                    if sidecar::find_column(&cols, f).is_none() {
                        return Err(crate::Error::Input {
                            path: s.path.clone(),
                            line: 1,
                            message: format!(
                                "unknown column '{f}' ({flag}); available columns: {}",
                                s.header.join(", ")
                            ),
                        });
                    }
                }
            }
        }
        if wanted.is_empty() {
            return Ok(());
        }
        for e in &self.entries {
            let Entry::Table(job, kind) = e else { continue };
            let cols = match kind {
                Kind::Jsonl => tabular::jsonl_first_keys(job),
                _ => tabular::csv_reader(job, *kind)
                    .and_then(|mut r| tabular::csv_header(&mut r))
                    .ok(),
            };
            // Unreadable files are reported as skipped when streamed.
            let Some(cols) = cols else { continue };
            for (f, flag) in &wanted {
                if sidecar::find_column(&cols, f).is_none() {
                    return Err(crate::Error::Input {
                        path: job.path.clone(),
                        line: 1,
                        message: format!(
                            "unknown column '{f}' ({flag}); available {}: {}",
                            if *kind == Kind::Jsonl {
                                "fields (first record)"
                            } else {
                                "columns"
                            },
                            cols.join(", ")
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Sidecar rows no file matched, and duplicate keys, become warnings.
    fn check_sidecar(&mut self) {
        let Some(s) = &self.sidecar else { return };
        let mut matched = vec![false; s.rows.len()];
        for e in &self.entries {
            if let Entry::Text(job) = e {
                if let Ok(i) = s.lookup(&job.rel, self.pattern.as_ref()) {
                    matched[i] = true;
                }
            }
        }
        let path = s.path.display().to_string();
        let unmatched = s.unmatched(&matched);
        if !unmatched.is_empty() {
            let shown: Vec<String> = unmatched.iter().take(5).map(|&i| s.row_key(i)).collect();
            self.warnings.push(Warning {
                path: path.clone(),
                record: None,
                message: format!(
                    "{} metadata row(s) matched no input file (e.g. {}{})",
                    unmatched.len(),
                    shown.join("; "),
                    if unmatched.len() > 5 { "; …" } else { "" }
                ),
            });
        }
        if !s.duplicates.is_empty() {
            self.warnings.push(Warning {
                path,
                record: None,
                message: format!(
                    "{} metadata row(s) repeat a key already seen; the first row is used",
                    s.duplicates.len()
                ),
            });
        }
    }

    /// Number of input files found (tabular files count once, stdin once;
    /// hidden and ignored files count too, so that
    /// `files_seen = files read + skipped files + ignored`).
    pub fn files_seen(&self) -> usize {
        self.entries.len() + self.ignored.len()
    }

    /// Documentation files (README, LICENSE, …) found in input folders.
    pub fn ignored(&self) -> &[Skipped] {
        &self.ignored
    }

    /// Corpus-level warnings (e.g. sidecar rows that matched no file).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The units of work, lazily, in deterministic order.
    pub fn units(&self) -> Box<dyn Iterator<Item = Unit> + Send + '_> {
        Box::new(Units {
            corpus: self,
            next: 0,
            records: None,
        })
    }

    /// Read and describe one text file. Safe to call from many threads.
    pub fn load(&self, job: &FileJob) -> Result<Article, Skipped> {
        let skip = |reason: String| Skipped {
            path: job.path.display().to_string(),
            record: None,
            reason,
        };
        let bytes = std::fs::read(&job.path).map_err(|e| skip(format!("cannot read: {e}")))?;
        let d = decode::decode(bytes).map_err(skip)?;
        let mut a = Article {
            id: sidecar::strip_ext(&job.rel).to_string(),
            source: job.path.display().to_string(),
            warnings: d.warnings,
            ..Default::default()
        };
        let mut fields = Vec::new();
        let start = match frontmatter::parse(&d.text, d.bom) {
            FrontMatter::None => d.bom,
            FrontMatter::Parsed { fields: f, end } => {
                fields = f;
                end
            }
            FrontMatter::Broken { end, message } => {
                a.warnings.push(format!("{message}; front matter ignored"));
                end.unwrap_or(d.bom)
            }
        };
        if let Some(p) = &self.pattern {
            let stem = sidecar::strip_ext(job.rel.rsplit('/').next().unwrap_or(&job.rel));
            match p.matches(stem) {
                Some(pf) => {
                    for (k, v) in pf {
                        fields::set(&mut fields, k, Value::Str(v));
                    }
                }
                None if self.sidecar.is_none() => a
                    .warnings
                    .push(format!("file name `{stem}` does not match --name-pattern")),
                None => {}
            }
        }
        if let Some(s) = &self.sidecar {
            match s.lookup(&job.rel, self.pattern.as_ref()) {
                Ok(row) => {
                    for (k, v) in s.header.iter().zip(&s.rows[row]) {
                        fields::set(&mut fields, k.clone(), Value::Str(v.clone()));
                    }
                }
                Err(key) => a.warnings.push(format!(
                    "no row in metadata {} for this file ({key})",
                    s.path.display()
                )),
            }
        }
        fields::apply(&mut a, fields, &self.opts);
        a.body = start..d.text.len();
        a.text = d.text;
        self.finish(a).map_err(skip)
    }

    /// Steps common to files, records and stdin: source URL and what it
    /// tells, then the language gate. `Err` is the reason to skip.
    fn finish(&self, mut a: Article) -> Result<Article, String> {
        if a.url.is_none() {
            a.url = url::trailing_url(&a.text[a.body.clone()]);
        }
        if let Some(u) = &a.url {
            if a.outlet.is_none() {
                a.outlet = url::outlet(u);
            }
            if a.date.is_none() {
                a.date = url::date(u);
            }
        }
        let lang = lang::detect(&a.text[a.body.clone()]);
        a.language = lang.to_string();
        if lang != "en" && lang != "und" && !self.opts.all_languages {
            return Err(format!(
                "language {lang}: not tagged by the English lexicon (use --all-languages to keep)"
            ));
        }
        Ok(a)
    }

    /// Stdin as one plain-text article (no front matter, no sidecar).
    fn stdin_unit(&self) -> Unit {
        let skip = |reason: String| {
            Unit::Skipped(Skipped {
                path: "-".into(),
                record: None,
                reason,
            })
        };
        let mut bytes = Vec::new();
        if let Err(e) = std::io::stdin().lock().read_to_end(&mut bytes) {
            return skip(format!("cannot read stdin: {e}"));
        }
        let d = match decode::decode(bytes) {
            Ok(d) => d,
            Err(r) => return skip(r),
        };
        let a = Article {
            id: "stdin".into(),
            source: "-".into(),
            body: d.bom..d.text.len(),
            text: d.text,
            warnings: d.warnings,
            ..Default::default()
        };
        match self.finish(a) {
            Ok(a) => Unit::Ready(Box::new(a)),
            Err(r) => skip(r),
        }
    }
}

/// The lazy iterator behind [`Corpus::units`].
struct Units<'a> {
    corpus: &'a Corpus,
    next: usize,
    records: Option<tabular::Records<'a>>,
}

impl Iterator for Units<'_> {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        loop {
            if let Some(r) = &mut self.records {
                if let Some(u) = r.next() {
                    return Some(u);
                }
                self.records = None;
            }
            let e = self.corpus.entries.get(self.next)?;
            self.next += 1;
            match e {
                Entry::Text(job) => return Some(Unit::File(job.clone())),
                Entry::Skipped(s) => return Some(Unit::Skipped(s.clone())),
                Entry::Ignored(_) => continue,
                Entry::Stdin => return Some(self.corpus.stdin_unit()),
                Entry::Table(job, kind) => {
                    self.records = Some(tabular::Records::open(self.corpus, job, *kind))
                }
            }
        }
    }
}

/// Compile-time check: the pipeline shares a `&Corpus` between threads.
const _: fn() = || {
    fn sync<T: Sync + Send>() {}
    sync::<Corpus>();
};

#[cfg(test)]
mod tests;
