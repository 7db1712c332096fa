//! `opstance tag`: tag claims (JSON Lines) with themes and stances.
//!
//! Streaming: input is read in bounded batches of lines, each batch is
//! tagged in parallel (order kept) and written and flushed before the next
//! is read, so memory stays flat on unbounded stdin and the command works as
//! a filter under `rdd.pipe` or GNU parallel.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use std::borrow::Cow;

use rayon::prelude::*;

use super::claims::Dest;
use super::{Finished, Global};
use crate::clean::{CleanOptions, Cleaner};
use crate::lexicon::Lexicon;
use crate::model::{modifier, Article, ClaimTags, EvidenceKind};
use crate::pipeline::Pipeline;
use crate::stance::{Scratch, Tagger};
use crate::write::cells;

mod record;
use record::{Record, Str};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

/// Tag claims with themes and stances.
///
/// Input: JSON Lines, one record per line with an `id` and a text field;
/// other fields are passed through. Output (JSONL): the record with `id`
/// first and `themes` last: `{"territory": {"stance", "score", "evidence":
/// [{"kind", "entry", "start", "end", "text", "pole", "weight",
/// "modifiers"}]}}`; themes not addressed are left out. Evidence offsets are
/// byte offsets into the record's text. CSV: one row per record and theme
/// addressed: id, theme, stance, score, cues, text.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// JSONL file; `-` or nothing reads stdin.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Split each text into claims first; one output line per claim, with
    /// id `<id>:<claim_index>` and claim_index, start, end.
    #[arg(long)]
    pub split: bool,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// Field holding the text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,
    /// Lexicon file on top of the default (repeatable): adds themes,
    /// replaces themes with the same id, merges modifiers and variants.
    #[arg(long, value_name = "FILE")]
    pub lexicon: Vec<PathBuf>,
    /// Write here instead of stdout (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Lines per parallel batch: bounds memory, keeps threads busy.
const BATCH_LINES: usize = 1024;
/// Output bytes of a chunk of lines, and its bad records (line, message).
type ChunkOut = (Vec<u8>, Vec<(u64, String)>);

/// Lines per parallel task inside a batch.
const CHUNK_LINES: usize = 64;
/// Bytes per batch, so a few huge records do not blow the bound.
const BATCH_BYTES: usize = 8 << 20;

/// Columns of `--format csv`.
pub const CSV_COLUMNS: [&str; 6] = ["id", "theme", "stance", "score", "cues", "text"];

pub fn run(args: &Args, g: &Global) -> crate::Result<Finished> {
    super::init_threads(g);
    let lexicon = Lexicon::load(&args.lexicon)?;
    let pipeline = Pipeline {
        cleaner: Cleaner::new(&CleanOptions::default())?,
        tagger: Some(Tagger::new(lexicon)),
    };
    let in_name = match &args.input {
        Some(p) if p.as_os_str() != "-" => p.display().to_string(),
        _ => "<stdin>".to_string(),
    };
    let source: Box<dyn std::io::Read + Send> = match &args.input {
        Some(p) if p.as_os_str() != "-" => {
            Box::new(std::fs::File::open(p).map_err(|e| crate::Error::io(p, e))?)
        }
        _ => Box::new(std::io::stdin()),
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, source);
    let out_name = Dest::name(args.out.as_deref());
    let io_err = |e: std::io::Error| crate::Error::io(out_name.clone(), e);
    let mut dest = Dest::open(args.out.as_deref())?;
    if args.format == Format::Csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_COLUMNS).expect("in memory");
        dest.write_all(&w.into_inner().expect("in memory"))
            .map_err(io_err)?;
    }
    let mut skipped = 0usize;
    let mut line_no = 0u64;
    let mut spare: Vec<String> = Vec::new();
    let read_err = |e: std::io::Error| crate::Error::io(in_name.clone(), e);
    let process = |batch: &[(u64, String)]| -> Vec<ChunkOut> {
        // Chunks of lines per task: one output buffer per chunk, not per line.
        batch
            .par_chunks(CHUNK_LINES)
            .map_init(Scratch::default, |scratch, chunk| {
                let mut out = Vec::with_capacity(chunk.len() * 512);
                let mut errs = Vec::new();
                for (ln, line) in chunk {
                    let mark = out.len();
                    if let Err(msg) = tag_line(*ln, line, args, &pipeline, scratch, &mut out) {
                        out.truncate(mark);
                        if !msg.is_empty() {
                            errs.push((*ln, msg));
                        }
                    }
                }
                (out, errs)
            })
            .collect()
    };
    let mut batch = read_batch(&mut reader, &mut line_no, &mut spare).map_err(read_err)?;
    while !batch.is_empty() {
        // Read the next batch while this one is tagged, unless the next read
        // may block on a slow pipe: then this batch is written first.
        let (results, next) = if reader.buffer().is_empty() {
            (process(&batch), None)
        } else {
            let (r, n) = rayon::join(
                || process(&batch),
                || read_batch(&mut reader, &mut line_no, &mut spare),
            );
            (r, Some(n.map_err(read_err)?))
        };
        for (bytes, errs) in results {
            dest.write_all(&bytes).map_err(io_err)?;
            for (ln, msg) in errs {
                skipped += 1;
                if !g.quiet {
                    eprintln!("skipped: {in_name}:{ln}: {msg}");
                }
            }
        }
        dest.flush().map_err(io_err)?;
        spare.extend(batch.drain(..).map(|(_, s)| s));
        batch = match next {
            Some(b) => b,
            None => read_batch(&mut reader, &mut line_no, &mut spare).map_err(read_err)?,
        };
    }
    dest.finish().map_err(io_err)?;
    if g.verbose > 0 {
        eprintln!("{line_no} lines, {skipped} skipped");
    }
    Ok(Finished { skipped })
}

/// Read up to one batch of lines (numbered from `line_no + 1`). Stops
/// early when nothing is buffered, so a slow pipe never holds output back.
fn read_batch<R: std::io::Read>(
    reader: &mut std::io::BufReader<R>,
    line_no: &mut u64,
    spare: &mut Vec<String>,
) -> std::io::Result<Vec<(u64, String)>> {
    let mut batch = Vec::with_capacity(BATCH_LINES);
    let mut bytes = 0;
    while batch.len() < BATCH_LINES && bytes < BATCH_BYTES {
        if !batch.is_empty() && reader.buffer().is_empty() {
            break;
        }
        let mut s = spare.pop().unwrap_or_default();
        s.clear();
        let n = reader.read_line(&mut s)?;
        if n == 0 {
            break;
        }
        *line_no += 1;
        bytes += n;
        batch.push((*line_no, s));
    }
    Ok(batch)
}

/// Tag one input line, appending to `out` (the caller truncates on error).
/// `Err("")` = blank line (not a record).
fn tag_line(
    ln: u64,
    line: &str,
    args: &Args,
    pipeline: &Pipeline,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let line = line.trim_end_matches(['\n', '\r']);
    if line.trim().is_empty() {
        return Err(String::new());
    }
    let rec = Record::parse(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let text_raw = rec
        .get(&args.text_field)
        .ok_or_else(|| format!("no `{}` field", args.text_field))?;
    let text = Str::decode(text_raw)
        .map_err(|_| format!("field `{}` is not a string", args.text_field))?;
    let text: &str = &text.0;
    let id: String = match rec.get("id") {
        None => ln.to_string(),
        Some(raw) => match Str::decode(raw) {
            Ok(s) => s.0.into_owned(),
            // No id: the line number stands in, so outputs still join back.
            Err(_) if raw == "null" => ln.to_string(),
            Err(_) => raw.to_string(),
        },
    };
    let tagger = pipeline.tagger.as_ref().expect("tag has a tagger");
    let lex = tagger.lexicon();
    if !args.split {
        let tags = tagger.tag(text, scratch);
        write_record(out, line, args, lex, &id, &rec, text, None, &tags);
        return Ok(());
    }
    let article = Article {
        id: id.clone(),
        language: "en".into(),
        body: 0..text.len(),
        text: text.to_string(),
        ..Default::default()
    };
    let r = pipeline.process(article, scratch);
    for (c, tags) in r.claims.iter().zip(&r.tags) {
        let cid = format!("{id}:{}", c.index);
        write_record(
            out,
            line,
            args,
            lex,
            &cid,
            &rec,
            text,
            Some((c.index, c.start, c.end, &c.text)),
            tags,
        );
    }
    Ok(())
}

/// Where the field `"key":value` stands in `line`, if `key` and `value`
/// are slices of it written exactly so (no space around the colon): its
/// bytes are then what [`write_record`] would write.
fn field_span(line: &str, key: &str, value: &str) -> Option<(usize, usize)> {
    let base = line.as_ptr() as usize;
    let offset = |s: &str| {
        let p = s.as_ptr() as usize;
        (p >= base && p + s.len() <= base + line.len()).then(|| p - base)
    };
    let (ko, vo) = (offset(key)?, offset(value)?);
    let b = line.as_bytes();
    let ke = ko + key.len();
    let exact = ko >= 1 && b[ko - 1] == b'"' && b.get(ke) == Some(&b'"') && vo == ke + 2;
    (exact && b[ke + 1] == b':').then(|| (ko - 1, vo + value.len()))
}

fn round4(x: f32) -> f64 {
    let r = ((x as f64) * 10_000.0).round() / 10_000.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn json_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("write to Vec");
}

/// Write one output record. `text` is what evidence offsets point into;
/// `claim` is (index, start, end, text) under `--split`.
#[allow(clippy::too_many_arguments)]
fn write_record(
    out: &mut Vec<u8>,
    line: &str,
    args: &Args,
    lex: &Lexicon,
    id: &str,
    rec: &Record,
    text: &str,
    claim: Option<(u32, usize, usize, &str)>,
    tags: &ClaimTags,
) {
    match args.format {
        Format::Csv => {
            let claim_text = claim.map_or(text, |c| c.3);
            let mut w = csv::Writer::from_writer(&mut *out);
            for t in tags {
                let cues: Vec<String> = t
                    .evidence
                    .iter()
                    .filter(|e| e.kind == EvidenceKind::Cue)
                    .map(|e| {
                        let mut s = format!("{} {:+} {}", e.entry, e.pole, round4(e.weight));
                        for (f, name) in modifier::NAMES {
                            if e.modifiers & f != 0 {
                                s.push(' ');
                                s.push_str(name);
                            }
                        }
                        s
                    })
                    .collect();
                let score = cells::number(round4(t.score));
                let cues = cues.join("; ");
                w.write_record([
                    cells::text(id).as_ref(),
                    cells::text(&lex.themes[t.theme].id).as_ref(),
                    &t.stance.to_string(),
                    &score,
                    cells::text(&cues).as_ref(),
                    cells::text(claim_text).as_ref(),
                ])
                .expect("write to Vec");
            }
            w.flush().expect("write to Vec");
        }
        Format::Jsonl => {
            out.extend_from_slice(b"{\"id\":");
            json_str(out, id);
            // Fields written as they stand in the line are copied in runs:
            // one copy for a compact run of fields, not three per field.
            let mut run: Option<(usize, usize)> = None;
            let flush = |out: &mut Vec<u8>, run: &mut Option<(usize, usize)>| {
                if let Some((a, b)) = run.take() {
                    out.push(b',');
                    out.extend_from_slice(&line.as_bytes()[a..b]);
                }
            };
            for (key, v) in &rec.0 {
                let k: &str = key;
                if k == "id" || k == "themes" {
                    continue;
                }
                if claim.is_some()
                    && (k == args.text_field || k == "claim_index" || k == "start" || k == "end")
                {
                    continue;
                }
                // Borrowed = had no escapes in the input: safe to copy.
                let span = match key {
                    Cow::Borrowed(k) => field_span(line, k, v),
                    Cow::Owned(_) => None,
                };
                match (span, run) {
                    (Some((a, b)), Some((ra, rb)))
                        if a == rb + 1 && line.as_bytes()[rb] == b',' =>
                    {
                        run = Some((ra, b));
                    }
                    (Some(sp), _) => {
                        flush(out, &mut run);
                        run = Some(sp);
                    }
                    (None, _) => {
                        flush(out, &mut run);
                        out.push(b',');
                        if matches!(key, Cow::Borrowed(_)) {
                            out.push(b'"');
                            out.extend_from_slice(k.as_bytes());
                            out.extend_from_slice(b"\":");
                        } else {
                            json_str(out, k);
                            out.push(b':');
                        }
                        out.extend_from_slice(v.as_bytes());
                    }
                }
            }
            flush(out, &mut run);
            if let Some((index, start, end, ctext)) = claim {
                out.extend_from_slice(b",\"claim_index\":");
                out.extend_from_slice(index.to_string().as_bytes());
                out.extend_from_slice(b",\"start\":");
                out.extend_from_slice(start.to_string().as_bytes());
                out.extend_from_slice(b",\"end\":");
                out.extend_from_slice(end.to_string().as_bytes());
                out.push(b',');
                json_str(out, &args.text_field);
                out.push(b':');
                json_str(out, ctext);
            }
            out.extend_from_slice(b",\"themes\":{");
            for (i, t) in tags.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json_str(out, &lex.themes[t.theme].id);
                out.extend_from_slice(b":{\"stance\":");
                out.extend_from_slice(t.stance.to_string().as_bytes());
                out.extend_from_slice(b",\"score\":");
                serde_json::to_writer(&mut *out, &round4(t.score)).expect("write to Vec");
                out.extend_from_slice(b",\"evidence\":[");
                for (j, e) in t.evidence.iter().enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(match e.kind {
                        EvidenceKind::Term => b"{\"kind\":\"term\",\"entry\":",
                        EvidenceKind::Cue => b"{\"kind\":\"cue\",\"entry\":",
                    });
                    json_str(out, &e.entry);
                    out.extend_from_slice(b",\"start\":");
                    out.extend_from_slice(e.start.to_string().as_bytes());
                    out.extend_from_slice(b",\"end\":");
                    out.extend_from_slice(e.end.to_string().as_bytes());
                    out.extend_from_slice(b",\"text\":");
                    json_str(out, text.get(e.start..e.end).unwrap_or(""));
                    out.extend_from_slice(b",\"pole\":");
                    out.extend_from_slice(e.pole.to_string().as_bytes());
                    out.extend_from_slice(b",\"weight\":");
                    serde_json::to_writer(&mut *out, &round4(e.weight)).expect("write to Vec");
                    out.extend_from_slice(b",\"modifiers\":[");
                    let mut first = true;
                    for (f, name) in modifier::NAMES {
                        if e.modifiers & f != 0 {
                            if !first {
                                out.push(b',');
                            }
                            first = false;
                            json_str(out, name);
                        }
                    }
                    out.extend_from_slice(b"]}");
                }
                out.extend_from_slice(b"]}");
            }
            out.extend_from_slice(b"}}\n");
        }
    }
}
