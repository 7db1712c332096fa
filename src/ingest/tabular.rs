//! JSON Lines and CSV/TSV files: one article per record, read incrementally
//! (a record at a time, so a 2 GB file is never in memory at once).
//!
//! Record numbers are 1-based: the line for JSONL, the data row (header not
//! counted) for CSV/TSV, whose skip reasons also give the file line.

use std::fs::File;
use std::io::{BufRead, BufReader};

use super::fields::{self, Role};
use super::frontmatter::Value;
use super::walk::Kind;
use super::{Corpus, FileJob, Unit};
use crate::model::{Article, Skipped};

enum State {
    Jsonl {
        r: BufReader<File>,
        line: u64,
        buf: Vec<u8>,
    },
    Csv {
        r: csv::Reader<File>,
        header: Vec<String>,
        row: u64,
        rec: csv::ByteRecord,
    },
    /// Something to report before stopping (open failure).
    Failed(Option<Skipped>),
    Done,
}

/// The records of one tabular file as [`Unit`]s.
pub struct Records<'a> {
    corpus: &'a Corpus,
    job: &'a FileJob,
    state: State,
    /// Units produced so far; a file that yields none is reported.
    produced: u64,
}

/// Open a CSV/TSV reader (flexible: ragged rows are reported, not fatal).
pub fn csv_reader(job: &FileJob, kind: Kind) -> Result<csv::Reader<File>, String> {
    let f = File::open(&job.path).map_err(|e| format!("cannot read: {e}"))?;
    Ok(csv::ReaderBuilder::new()
        .delimiter(if kind == Kind::Tsv { b'\t' } else { b',' })
        .flexible(true)
        .from_reader(f))
}

/// Column names of a CSV/TSV header (BOM and surrounding spaces removed).
pub fn csv_header(r: &mut csv::Reader<File>) -> Result<Vec<String>, String> {
    let h = r
        .byte_headers()
        .map_err(|e| format!("cannot read header: {e}"))?;
    Ok(h.iter()
        .map(|f| {
            String::from_utf8_lossy(f)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect())
}

/// Field names of the first JSON object of a JSONL file (for checking
/// explicitly named fields), `None` if there is none.
pub fn jsonl_first_keys(job: &FileJob) -> Option<Vec<String>> {
    let r = BufReader::new(File::open(&job.path).ok()?);
    for line in r.split(b'\n').take(1000) {
        let line = line.ok()?;
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(trim_line(&line)) {
            return Some(m.keys().cloned().collect());
        }
    }
    None
}

fn trim_line(l: &[u8]) -> &[u8] {
    let l = l.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(l);
    let mut end = l.len();
    while end > 0 && matches!(l[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    &l[..end]
}

impl<'a> Records<'a> {
    pub fn open(corpus: &'a Corpus, job: &'a FileJob, kind: Kind) -> Records<'a> {
        let fail = |reason: String| {
            State::Failed(Some(Skipped {
                path: job.path.display().to_string(),
                record: None,
                reason,
            }))
        };
        let state = match kind {
            Kind::Jsonl => match File::open(&job.path) {
                Ok(f) => State::Jsonl {
                    r: BufReader::with_capacity(1 << 16, f),
                    line: 0,
                    buf: Vec::new(),
                },
                Err(e) => fail(format!("cannot read: {e}")),
            },
            _ => match csv_reader(job, kind).and_then(|mut r| csv_header(&mut r).map(|h| (r, h))) {
                Ok((r, header)) => State::Csv {
                    r,
                    header,
                    row: 0,
                    rec: csv::ByteRecord::new(),
                },
                Err(e) => fail(e),
            },
        };
        Records {
            corpus,
            job,
            state,
            produced: 0,
        }
    }

    fn skipped(&self, record: Option<u64>, reason: String) -> Unit {
        Unit::Skipped(Skipped {
            path: self.job.path.display().to_string(),
            record,
            reason,
        })
    }

    fn next_unit(&mut self) -> Option<Unit> {
        loop {
            match &mut self.state {
                State::Done => return None,
                State::Failed(s) => {
                    let s = s.take();
                    self.state = State::Done;
                    return s.map(Unit::Skipped);
                }
                State::Jsonl { r, line, buf } => {
                    buf.clear();
                    match r.read_until(b'\n', buf) {
                        Ok(0) => {
                            self.state = State::Done;
                            return None;
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let at = *line + 1;
                            self.state = State::Done;
                            return Some(self.skipped(Some(at), format!("read error: {e}")));
                        }
                    }
                    *line += 1;
                    let n = *line;
                    let l = trim_line(buf);
                    if l.iter().all(u8::is_ascii_whitespace) {
                        continue; // blank lines are not records
                    }
                    let parsed = serde_json::from_slice::<serde_json::Value>(l);
                    return Some(match parsed {
                        Ok(serde_json::Value::Object(m)) => {
                            let fields = m
                                .into_iter()
                                .filter_map(|(k, v)| json_value(v).map(|v| (k, v)))
                                .collect();
                            self.corpus.record(self.job, n, fields, Vec::new())
                        }
                        Ok(_) => self.skipped(Some(n), format!("line {n}: not a JSON object")),
                        Err(e) => self.skipped(Some(n), format!("line {n}: not valid JSON: {e}")),
                    });
                }
                State::Csv {
                    r,
                    header,
                    row,
                    rec,
                } => {
                    match r.read_byte_record(rec) {
                        Ok(false) => {
                            self.state = State::Done;
                            return None;
                        }
                        Ok(true) => {}
                        Err(e) => {
                            *row += 1;
                            let n = *row;
                            // Quote errors are not recoverable; I/O errors neither.
                            let line = e.position().map_or(0, |p| p.line());
                            self.state = State::Done;
                            return Some(self.skipped(
                                Some(n),
                                format!("line {line}: {e}; rest of the file not read"),
                            ));
                        }
                    }
                    *row += 1;
                    let n = *row;
                    let line = rec.position().map_or(0, |p| p.line());
                    if rec.len() != header.len() {
                        let msg = format!(
                            "line {line}: row has {} fields, header has {}",
                            rec.len(),
                            header.len()
                        );
                        return Some(self.skipped(Some(n), msg));
                    }
                    let mut warnings = Vec::new();
                    let mut fields = Vec::with_capacity(header.len());
                    for (name, raw) in header.iter().zip(rec.iter()) {
                        let v = match std::str::from_utf8(raw) {
                            Ok(s) => s.to_string(),
                            Err(e) => {
                                warnings.push(format!(
                                    "invalid UTF-8 in column '{name}' at byte {}; decoded lossily",
                                    e.valid_up_to()
                                ));
                                String::from_utf8_lossy(raw).into_owned()
                            }
                        };
                        fields.push((name.clone(), Value::Str(v)));
                    }
                    return Some(self.corpus.record(self.job, n, fields, warnings));
                }
            }
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        match self.next_unit() {
            Some(u) => {
                self.produced += 1;
                Some(u)
            }
            None if self.produced == 0 => {
                self.produced = 1;
                Some(self.skipped(None, "no records".into()))
            }
            None => None,
        }
    }
}

/// A JSON value as a field: strings as is, lists of scalars as lists,
/// other values as compact JSON; `null` is no value.
fn json_value(v: serde_json::Value) -> Option<Value> {
    use serde_json::Value as J;
    Some(match v {
        J::Null => return None,
        J::String(s) => Value::Str(s),
        J::Array(a) if a.iter().all(|x| !x.is_array() && !x.is_object()) => Value::List(
            a.into_iter()
                .filter_map(|x| match x {
                    J::String(s) => Some(s),
                    J::Null => None,
                    other => Some(other.to_string()),
                })
                .collect(),
        ),
        other => Value::Str(other.to_string()),
    })
}

impl Corpus {
    /// One record to an article, or the reason it is skipped.
    pub(crate) fn record(
        &self,
        job: &FileJob,
        n: u64,
        mut fields: Vec<(String, Value)>,
        warnings: Vec<String>,
    ) -> Unit {
        let skipped = |reason: String| {
            Unit::Skipped(Skipped {
                path: job.path.display().to_string(),
                record: Some(n),
                reason,
            })
        };
        let o = &self.opts;
        let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        let Some(ti) = fields::pick(&names, Role::Text, o) else {
            let wanted = match &o.text_field {
                Some(f) => format!("'{f}'"),
                None => fields::defaults(Role::Text).join("|"),
            };
            return skipped(format!(
                "no text field ({wanted}); fields: {}",
                names.join(", ")
            ));
        };
        let id = fields::pick(&names, Role::Id, o);
        let (text_name, text) = fields.remove(ti);
        let text = match text {
            Value::Str(s) => s,
            Value::List(l) => l.join("\n\n"),
        };
        if text.trim().is_empty() {
            return skipped(format!("empty text in field '{text_name}'"));
        }
        let id = match id.map(|i| if i > ti { i - 1 } else { i }) {
            Some(i) => {
                let v = fields.remove(i).1.to_meta();
                Some(v.trim().to_string()).filter(|v| !v.is_empty())
            }
            None => None,
        };
        let mut a = Article {
            // With the extension: `a.csv` and `a.jsonl` may sit side by side.
            id: id.unwrap_or_else(|| format!("{}#{n}", job.rel)),
            source: job.path.display().to_string(),
            record: Some(n),
            body: 0..text.len(),
            text,
            warnings,
            ..Default::default()
        };
        fields::apply(&mut a, fields, o);
        match self.finish(a) {
            Ok(a) => Unit::Ready(Box::new(a)),
            Err(reason) => skipped(reason),
        }
    }
}
