//! `opstance claims`: split a corpus into claims (sentences).

use std::io::Write;
use std::path::PathBuf;

use super::{Finished, Global, IngestArgs};
use crate::clean::{CleanOptions, Cleaner};
use crate::ingest::Corpus;
use crate::model::{Article, Claim};
use crate::pipeline::{Outcome, Pipeline};
use crate::write::atomic::AtomicFile;
use crate::write::cells;
use crate::write::manifest::Manifest;

/// Columns of `--format csv`, in order.
pub const CSV_COLUMNS: [&str; 16] = [
    "article_id",
    "commentator",
    "date",
    "outlet",
    "title",
    "claim_index",
    "start",
    "end",
    "text",
    "speaker",
    "source",
    "record",
    "url",
    "language",
    "n_authors",
    "metadata",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

/// Split articles into claims.
///
/// Output, one claim per line (JSONL) or row (CSV): id (JSONL only:
/// `article_id:claim_index`, so the output feeds `opstance tag`), article_id, commentator,
/// date (ISO 8601 at the precision given), outlet, title, claim_index
/// (0-based), start, end (byte offsets into the original file or record
/// text), text (the claim as read, whitespace folded), speaker (transcript
/// turn), source, record, url, language, n_authors, and the article's other
/// metadata (JSONL: as fields; CSV: one JSON object in `metadata`).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Files or folders (recursive); `-` reads one plain-text article from stdin.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub ingest: IngestArgs,
    /// Write here instead of stdout (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Write a manifest (inputs seen, skipped with reasons, warnings).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
}

pub fn run(args: &Args, g: &Global) -> crate::Result<Finished> {
    super::init_threads(g);
    let corpus = Corpus::open(&args.inputs, &args.ingest.options())?;
    let pipeline = Pipeline {
        cleaner: Cleaner::new(&CleanOptions::default())?,
        tagger: None,
    };
    let mut manifest = Manifest::new(
        "claims",
        serde_json::json!({
            "inputs": args.inputs,
            "ingest": args.ingest.to_json(),
            "format": format!("{:?}", args.format).to_lowercase(),
        }),
    );
    manifest.inputs.files_seen = corpus.files_seen();
    manifest.inputs.ignored = corpus.ignored().to_vec();
    manifest.warnings.extend(corpus.warnings().iter().cloned());

    let out_name = Dest::name(args.out.as_deref());
    let io_err = |e: std::io::Error| crate::Error::io(out_name.clone(), e);
    let dest = Dest::open(args.out.as_deref())?;
    let mut out = match args.format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().from_writer(dest);
            w.write_record(CSV_COLUMNS).map_err(csv_err)?;
            Out::Csv(Box::new(w))
        }
        Format::Jsonl => Out::Jsonl(dest),
    };
    let mut line = Vec::with_capacity(1 << 12);
    pipeline.drive(&corpus, |outcome| {
        match outcome {
            Outcome::Skipped(s) => manifest.inputs.skipped.push(s),
            Outcome::Article(r) => {
                manifest.inputs.articles += 1;
                manifest.inputs.claims += r.claims.len();
                for w in &r.article.warnings {
                    manifest.warnings.push(crate::model::Warning {
                        path: r.article.source.clone(),
                        record: r.article.record,
                        message: w.clone(),
                    });
                }
                let json = ArticleJson::new(&r.article);
                for c in &r.claims {
                    match &mut out {
                        Out::Csv(w) => write_csv_row(w, &r.article, c).map_err(csv_err)?,
                        Out::Jsonl(w) => {
                            line.clear();
                            json.write(c, &mut line)
                                .map_err(|e| crate::Error::Other(e.to_string()))?;
                            line.push(b'\n');
                            w.write_all(&line).map_err(io_err)?;
                        }
                    }
                }
            }
        }
        Ok(())
    })?;
    let dest = match out {
        Out::Csv(w) => w.into_inner().map_err(|e| io_err(e.into_error()))?,
        Out::Jsonl(d) => d,
    };
    dest.finish().map_err(io_err)?;
    let skipped = manifest.inputs.skipped.len();
    if let Some(p) = &args.manifest {
        let json = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
        crate::write::atomic::write_file(p, &json)?;
    }
    super::run::report(&manifest, g);
    Ok(Finished { skipped })
}

/// Where output goes: an atomic file, or stdout.
pub(crate) enum Dest {
    File(AtomicFile),
    Stdout(std::io::BufWriter<std::io::Stdout>),
}

impl Dest {
    pub(crate) fn open(path: Option<&std::path::Path>) -> crate::Result<Dest> {
        Ok(match path {
            Some(p) => Dest::File(AtomicFile::create(p)?),
            None => Dest::Stdout(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            )),
        })
    }

    /// How error messages name the destination.
    pub(crate) fn name(path: Option<&std::path::Path>) -> String {
        path.map_or_else(|| "<stdout>".into(), |p| p.display().to_string())
    }

    /// Flush; an atomic file is renamed into place.
    pub(crate) fn finish(self) -> std::io::Result<()> {
        match self {
            Dest::File(f) => f.commit().map_err(std::io::Error::other),
            Dest::Stdout(mut s) => s.flush(),
        }
    }
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Dest::File(f) => f.write(buf),
            Dest::Stdout(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Dest::File(f) => f.flush(),
            Dest::Stdout(s) => s.flush(),
        }
    }
}

enum Out {
    Csv(Box<csv::Writer<Dest>>),
    Jsonl(Dest),
}

fn csv_err(e: csv::Error) -> crate::Error {
    crate::Error::Other(format!("writing CSV: {e}"))
}

/// Keys every JSONL claim line has, in order; metadata fields with one of
/// these names are not repeated.
const JSON_KEYS: [&str; 16] = [
    "id",
    "article_id",
    "commentator",
    "date",
    "outlet",
    "title",
    "claim_index",
    "start",
    "end",
    "text",
    "speaker",
    "source",
    "record",
    "url",
    "language",
    "authors",
];

/// What the JSONL lines of one article share, worked out once per article
/// (a speech has hundreds of claims).
pub struct ArticleJson<'a> {
    a: &'a Article,
    commentator: Option<String>,
    date: Option<String>,
    meta: Vec<(&'a str, &'a str)>,
}

impl<'a> ArticleJson<'a> {
    pub fn new(a: &'a Article) -> Self {
        ArticleJson {
            a,
            commentator: Some(a.commentator()).filter(|s| !s.is_empty()),
            date: a.date.map(|d| d.to_string()),
            meta: a
                .meta
                .iter()
                .filter(|(k, _)| !JSON_KEYS.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        }
    }

    /// Append one claim as a JSON object (no newline).
    pub fn write(&self, c: &Claim, out: &mut Vec<u8>) -> serde_json::Result<()> {
        use serde::ser::{SerializeMap, Serializer};
        struct Id<'s>(&'s str, u32);
        impl serde::Serialize for Id<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&format_args!("{}:{}", self.0, self.1))
            }
        }
        let a = self.a;
        let mut ser = serde_json::Serializer::new(out);
        let mut m = ser.serialize_map(None)?;
        // `id` makes the output valid input for `opstance tag` (claims | tag).
        m.serialize_entry("id", &Id(&a.id, c.index))?;
        m.serialize_entry("article_id", &a.id)?;
        m.serialize_entry("commentator", &self.commentator)?;
        m.serialize_entry("date", &self.date)?;
        m.serialize_entry("outlet", &a.outlet)?;
        m.serialize_entry("title", &a.title)?;
        m.serialize_entry("claim_index", &c.index)?;
        m.serialize_entry("start", &c.start)?;
        m.serialize_entry("end", &c.end)?;
        m.serialize_entry("text", &c.text)?;
        m.serialize_entry("speaker", &c.speaker)?;
        m.serialize_entry("source", &a.source)?;
        m.serialize_entry("record", &a.record)?;
        m.serialize_entry("url", &a.url)?;
        m.serialize_entry("language", &a.language)?;
        m.serialize_entry("authors", &a.authors)?;
        for (k, v) in &self.meta {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

fn write_csv_row<W: Write>(w: &mut csv::Writer<W>, a: &Article, c: &Claim) -> csv::Result<()> {
    let meta = serde_json::to_string(&a.meta).expect("map serialises");
    w.write_record([
        cells::text(&a.id).as_ref(),
        cells::text(&a.commentator()).as_ref(),
        &cells::opt(a.date),
        cells::text(a.outlet.as_deref().unwrap_or("")).as_ref(),
        cells::text(a.title.as_deref().unwrap_or("")).as_ref(),
        &c.index.to_string(),
        &c.start.to_string(),
        &c.end.to_string(),
        cells::text(&c.text).as_ref(),
        cells::text(c.speaker.as_deref().unwrap_or("")).as_ref(),
        cells::text(&a.source).as_ref(),
        &cells::opt(a.record),
        cells::text(a.url.as_deref().unwrap_or("")).as_ref(),
        &a.language,
        &a.authors.len().to_string(),
        if a.meta.is_empty() { "" } else { &meta },
    ])
}
