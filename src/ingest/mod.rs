//! Ingestion: files and folders of `.txt`/`.md` (front matter, sidecar
//! metadata, file-name patterns), JSON Lines and CSV/TSV, decoded and
//! described as [`Article`]s; everything that cannot be read becomes a
//! [`Skipped`] entry with a reason. (Stub: plain text files only.)

use std::path::{Path, PathBuf};

use crate::model::{Article, Skipped, Warning};

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
    /// Path relative to the input root, used for ids and sidecar joins.
    pub rel: String,
}

/// A corpus opened from command-line inputs.
#[derive(Debug)]
pub struct Corpus {
    opts: IngestOptions,
    files: Vec<FileJob>,
    warnings: Vec<Warning>,
}

impl Corpus {
    /// Walk the inputs (files, folders recursively, `-` for stdin), in sorted order.
    pub fn open(inputs: &[PathBuf], opts: &IngestOptions) -> crate::Result<Corpus> {
        let mut files = Vec::new();
        for input in inputs {
            walk(input, input, &mut files)?;
        }
        Ok(Corpus {
            opts: opts.clone(),
            files,
            warnings: Vec::new(),
        })
    }

    /// Number of input files found (tabular files count once).
    pub fn files_seen(&self) -> usize {
        self.files.len()
    }

    /// Corpus-level warnings (e.g. sidecar rows that matched no file).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The units of work, lazily, in deterministic order.
    pub fn units(&self) -> Box<dyn Iterator<Item = Unit> + Send + '_> {
        Box::new(self.files.iter().cloned().map(Unit::File))
    }

    /// Read and describe one text file. Safe to call from many threads.
    pub fn load(&self, job: &FileJob) -> Result<Article, Skipped> {
        let _ = &self.opts;
        let text = std::fs::read_to_string(&job.path).map_err(|e| Skipped {
            path: job.path.display().to_string(),
            record: None,
            reason: e.to_string(),
        })?;
        Ok(Article {
            id: job.rel.clone(),
            source: job.path.display().to_string(),
            language: "en".into(),
            body: 0..text.len(),
            text,
            ..Default::default()
        })
    }
}

fn walk(root: &Path, p: &Path, out: &mut Vec<FileJob>) -> crate::Result<()> {
    let md = std::fs::metadata(p).map_err(|e| crate::Error::io(p, e))?;
    if md.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p)
            .map_err(|e| crate::Error::io(p, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            walk(root, &e, out)?;
        }
    } else {
        let rel = p.strip_prefix(root).unwrap_or(p).display().to_string();
        out.push(FileJob {
            path: p.to_path_buf(),
            rel,
        });
    }
    Ok(())
}
