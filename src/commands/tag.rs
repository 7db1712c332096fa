//! `opstance tag`: tag claims (JSON Lines) with themes and stances.
//!
//! Streaming: input is read in bounded batches of whole lines (one block of
//! bytes each, see [`lines`]), each batch is tagged in parallel (order kept)
//! and written and flushed before the next is read, so memory stays flat on
//! unbounded stdin and the command works as a filter under `rdd.pipe` or GNU
//! parallel.

use std::io::Write;
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

mod lines;
mod record;
use lines::{Batch, LineReader};
use record::{recycle, Fields, Record};

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
///
/// A line that is not valid UTF-8, not a JSON object, or has no text is
/// skipped with its line number on stderr (exit code 3); blank lines and a
/// UTF-8 byte order mark are ignored.
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

/// Output bytes of a chunk of lines, and its bad records (line, message).
type ChunkOut = (Vec<u8>, Vec<(u64, String)>);

/// Lines per parallel task inside a batch.
const CHUNK_LINES: usize = 64;
/// Input bytes per batch (whole lines; a longer line makes a bigger one):
/// bounds memory, keeps threads busy.
const BATCH_BYTES: usize = 4 << 20;

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
    let (source, from_file): (Box<dyn std::io::Read + Send>, bool) = match &args.input {
        Some(p) if p.as_os_str() != "-" => {
            let f = std::fs::File::open(p).map_err(|e| crate::Error::io(p, e))?;
            let is_file = f.metadata().is_ok_and(|m| m.is_file());
            (Box::new(f), is_file)
        }
        _ => (Box::new(std::io::stdin()), stdin_is_file()),
    };
    let mut reader = LineReader::new(source, BATCH_BYTES);
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
    let mut lines_read = 0u64;
    let read_err = |e: std::io::Error| crate::Error::io(in_name.clone(), e);
    let process = |batch: &Batch| -> Vec<ChunkOut> {
        // Chunks of lines per task: one output buffer per chunk, not per line.
        batch
            .lines
            .par_chunks(CHUNK_LINES)
            .map_init(Default::default, |(scratch, fields), chunk| {
                let first = &chunk[0];
                let bytes = chunk.last().map_or(0, |l| l.2) - first.1;
                let mut out = Vec::with_capacity(bytes + bytes / 4 + 1024);
                let mut errs = Vec::new();
                for &(ln, s, e) in chunk {
                    let mark = out.len();
                    let line = match std::str::from_utf8(&batch.buf[s..e]) {
                        Ok(line) => line,
                        Err(err) => {
                            let at = err.valid_up_to() + 1;
                            errs.push((ln, format!("not valid UTF-8 (byte {at} of the line)")));
                            continue;
                        }
                    };
                    if let Err(msg) = tag_line(ln, line, args, &pipeline, scratch, fields, &mut out)
                    {
                        out.truncate(mark);
                        if !msg.is_empty() {
                            errs.push((ln, msg));
                        }
                    }
                }
                (out, errs)
            })
            .collect()
    };
    let mut spare: Vec<Vec<u8>> = Vec::new();
    let mut batch = reader.next_batch(Vec::new()).map_err(read_err)?;
    while !batch.lines.is_empty() {
        lines_read += batch.lines.len() as u64;
        // The next batch is read while this one is tagged only when reading
        // cannot block on a slow producer (a file): otherwise this batch is
        // written first, so output keeps pace with a pipe.
        let (results, next) = if from_file && !reader.at_end() {
            let buf = spare.pop().unwrap_or_default();
            let (r, n) = rayon::join(|| process(&batch), || reader.next_batch(buf));
            (r, Some(n.map_err(read_err)?))
        } else {
            (process(&batch), None)
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
        spare.push(std::mem::take(&mut batch.buf));
        batch = match next {
            Some(b) => b,
            None => {
                let buf = spare.pop().unwrap_or_default();
                reader.next_batch(buf).map_err(read_err)?
            }
        };
    }
    dest.finish().map_err(io_err)?;
    if g.verbose > 0 {
        eprintln!("{lines_read} lines, {skipped} skipped");
    }
    Ok(Finished { skipped })
}

/// Whether stdin is a regular file (`< FILE`), which a read never blocks on.
fn stdin_is_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Tag one input line, appending to `out` (the caller truncates on error).
/// `Err("")` = blank line (not a record). `fields` is a spare field list.
fn tag_line(
    ln: u64,
    line: &str,
    args: &Args,
    pipeline: &Pipeline,
    scratch: &mut Scratch,
    fields: &mut Fields<'static>,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let line = line.trim_end_matches(['\n', '\r']);
    // A byte order mark (files saved by Windows tools) is not part of the
    // first record.
    let line = if ln == 1 {
        line.strip_prefix('\u{feff}').unwrap_or(line)
    } else {
        line
    };
    if line.trim().is_empty() {
        return Err(String::new());
    }
    let rec = Record::parse_into(line, recycle(std::mem::take(fields)))
        .map_err(|e| format!("not a JSON object: {e}"))?;
    let result = tag_record(ln, line, &rec, args, pipeline, scratch, out);
    *fields = recycle(rec.fields);
    result
}

fn tag_record(
    ln: u64,
    line: &str,
    rec: &Record,
    args: &Args,
    pipeline: &Pipeline,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let text_raw = rec
        .get(&args.text_field)
        .ok_or_else(|| format!("no `{}` field", args.text_field))?;
    let text = rec
        .string(text_raw)
        .map_err(|_| format!("field `{}` is not a string", args.text_field))?;
    let text: &str = &text.0;
    let id: Cow<str> = match rec.get("id") {
        None => ln.to_string().into(),
        Some(raw) => match rec.string(raw) {
            Ok(s) => s.0,
            // No id: the line number stands in, so outputs still join back.
            Err(_) if raw == "null" => ln.to_string().into(),
            Err(_) => raw.into(),
        },
    };
    let tagger = pipeline.tagger.as_ref().expect("tag has a tagger");
    let lex = tagger.lexicon();
    if !args.split {
        let tags = tagger.tag_record(text, None, scratch);
        write_record(out, line, args, lex, &id, rec, text, None, &tags);
        return Ok(());
    }
    let article = Article {
        id: id.to_string(),
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
            rec,
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
    record::write_json_str(out, s);
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
        Format::Jsonl if claim.is_none() && id_first_as_is(rec) => {
            // The record as it stands, but for its closing brace.
            out.extend_from_slice(&line.as_bytes()[..line.len() - 1]);
            write_themes(out, lex, text, tags);
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
            for (key, v) in &rec.fields {
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
            write_themes(out, lex, text, tags);
        }
    }
}

/// Whether the record, written as it stands, is already what
/// [`write_record`] writes before `themes`: compact, `id` first as a plain
/// string, no other `id` or `themes`.
fn id_first_as_is(rec: &Record) -> bool {
    let Some(((k, v), rest)) = rec.fields.split_first() else {
        return false;
    };
    // A string without escapes is written back as it was.
    rec.compact
        && k == "id"
        && v.starts_with('"')
        && !v.contains('\\')
        && rest.iter().all(|(k, _)| k != "id" && k != "themes")
}

/// `,"themes":{…}}` and the line end.
fn write_themes(out: &mut Vec<u8>, lex: &Lexicon, text: &str, tags: &ClaimTags) {
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

#[cfg(test)]
mod tests {
    use super::record::Str;
    use super::*;

    /// What `tag` writes for one line, with the as-is copy allowed or not.
    fn written(line: &str, as_is: bool) -> Vec<u8> {
        let args = Args {
            input: None,
            split: false,
            format: Format::Jsonl,
            text_field: "text".into(),
            lexicon: Vec::new(),
            out: None,
        };
        static TAGGER: std::sync::OnceLock<Tagger> = std::sync::OnceLock::new();
        let tagger = TAGGER.get_or_init(|| Tagger::new(Lexicon::load(&[]).unwrap()));
        let mut rec = Record::parse(line).unwrap();
        rec.compact &= as_is;
        let text = Str::decode(rec.get("text").unwrap()).unwrap().0;
        let id = Str::decode(rec.get("id").unwrap()).map_or("1".into(), |s| s.0);
        let tags = tagger.tag(&text, &mut Scratch::default());
        let mut out = Vec::new();
        write_record(
            &mut out,
            line,
            &args,
            tagger.lexicon(),
            &id,
            &rec,
            &text,
            None,
            &tags,
        );
        out
    }

    proptest::proptest! {
        /// Copying a compact record as it stands writes what writing it
        /// field by field does.
        #[test]
        fn as_is_copy_equals_the_field_by_field_writing(
            id in proptest::sample::select(vec![r#""a:1""#, r#""é \u00e9""#, "7", "null", r#""q\"x""#]),
            fields in proptest::collection::vec(proptest::sample::select(vec![
                r#""x":1"#, r#""y":[1, 2]"#, r#""k":{"n":null}"#, r#""themes":3"#,
                r#""id":"b""#, r#""s":"v w""#, r#""zA":"q""#,
            ]), 0..5),
            text in proptest::sample::select(vec![
                "Nothing here.", "Ukraine must never cede Crimea.", "Kyiv\u{2019}s \\\"allies\\\" stall.",
            ]),
            at in 0usize..6,
            id_first in proptest::bool::ANY,
        ) {
            let mut parts: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            parts.insert(at.min(parts.len()), format!(r#""text":"{text}""#));
            let id = format!(r#""id":{id}"#);
            if id_first { parts.insert(0, id) } else { parts.push(id) }
            let line = format!("{{{}}}", parts.join(","));
            proptest::prop_assert_eq!(
                String::from_utf8(written(&line, true)).unwrap(),
                String::from_utf8(written(&line, false)).unwrap(),
                "{}", line
            );
        }
    }
}
