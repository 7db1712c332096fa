//! Cleaning: boilerplate removal, line re-joining, de-hyphenation, speaker
//! labels and character normalisation, producing a cleaned text plus a map
//! back to byte offsets in the original text.
//!
//! One pass over the lines of the body. Lines are gathered into paragraphs
//! (a blank line ends one); boilerplate lines are dropped as they are read;
//! each paragraph is then emitted with its line breaks decided:
//!
//! * a blank line becomes `"\n\n"`, a hard sentence boundary;
//! * a break kept between separate items (list items, a short heading-like
//!   line followed by a capitalised line, a paragraph of short unpunctuated
//!   lines) becomes `"\n"`, also a hard boundary for the segmenter;
//! * any other break becomes a space, or disappears after a word hyphenated
//!   across lines (see [`rules::keep_hyphen`]).
//!
//! Characters are normalised on the way: NBSP and other spaces → ` `, curly
//! quotes → straight, soft hyphens, zero-width characters and BOMs dropped,
//! CR/CRLF treated as line ends. Every emitted byte is recorded in a run map
//! (see [`map`]), so any cleaned range maps back to the original bytes.

mod map;
mod rules;

use std::ops::Range;

use memchr::{memchr, memchr2, memchr3};

use map::{Builder, Run};
use rules::{Boilerplate, Continue};

#[derive(Debug, Clone, Default)]
pub struct CleanOptions {
    /// Extra boilerplate line patterns (regex, matched case-insensitively
    /// against a whole trimmed line), added to the built-in ones.
    pub boilerplate: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Cleaner {
    boilerplate: Boilerplate,
}

impl Cleaner {
    /// Fails with a usage error naming the pattern if an extra boilerplate
    /// pattern does not compile.
    pub fn new(opts: &CleanOptions) -> crate::Result<Self> {
        Ok(Cleaner {
            boilerplate: Boilerplate::new(&opts.boilerplate)?,
        })
    }

    /// Clean `text[body]`. Offsets of the result map back into `text`.
    pub fn clean(&self, text: &str, body: Range<usize>) -> Cleaned {
        let mut st = State {
            text,
            bp: &self.boilerplate,
            b: Builder::with_capacity(body.len()),
            speakers: Vec::new(),
            para: Vec::with_capacity(64),
            para_label: None,
            pending_break: None,
            pending_speaker: None,
            para_started: false,
        };
        st.run(body.clone());
        Cleaned {
            text: st.b.out,
            base: body.start,
            runs: st.b.runs,
            speakers: st.speakers,
        }
    }
}

/// Cleaned text with the map back to the original.
#[derive(Debug, Clone)]
pub struct Cleaned {
    pub text: String,
    base: usize,
    runs: Vec<Run>,
    /// `(clean_offset, label)`: a speaker turn begins at `clean_offset`.
    pub speakers: Vec<(usize, String)>,
}

impl Cleaned {
    /// Original byte offset of cleaned byte offset `off` (`off == text.len()` allowed).
    pub fn to_original(&self, off: usize) -> usize {
        map::start_of(&self.runs, self.text.len(), self.base, off)
    }

    /// Original byte range of cleaned range `r` (end mapped as an exclusive
    /// end, so a range ending at a replaced character still covers it).
    pub fn original_range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.to_original(r.start);
        if r.end <= r.start {
            return start..start;
        }
        start..map::end_of(&self.runs, self.text.len(), self.base, r.end)
    }

    /// The speaker whose turn contains cleaned offset `off`.
    pub fn speaker_at(&self, off: usize) -> Option<&str> {
        let i = self.speakers.partition_point(|(o, _)| *o <= off);
        i.checked_sub(1).map(|i| self.speakers[i].1.as_str())
    }
}

/// One physical line: `start..end` its content (without the line end),
/// `ts..te` the content trimmed of spacing, `term` the length of the line end.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    ts: usize,
    te: usize,
    term: usize,
}

impl Line {
    fn len(&self) -> usize {
        self.te - self.ts
    }
}

/// How two consecutive lines of a paragraph are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    Space,
    Hard,
    /// Word broken across lines: `true` keeps the hyphen.
    Hyphen(bool),
}

struct State<'a> {
    text: &'a str,
    bp: &'a Boilerplate,
    b: Builder,
    speakers: Vec<(usize, String)>,
    para: Vec<Line>,
    /// Speaker label at the start of the paragraph being gathered: its byte
    /// length and text.
    para_label: Option<(usize, String)>,
    /// Original `(offset, len)` of the break owed before the next paragraph.
    pending_break: Option<(usize, usize)>,
    pending_speaker: Option<String>,
    /// Has the paragraph being emitted written any text yet?
    para_started: bool,
}

/// Spacing that trimming removes: Unicode whitespace plus invisible characters.
fn is_space(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}'
        )
}

/// Strip closing quotes and brackets from the end of `s`.
fn strip_closers(s: &str) -> &str {
    s.trim_end_matches(['"', '\'', '’', '”', ')', ']', '»', '*'])
}

/// Does the (trimmed) line end a sentence?
fn ends_sentence(s: &str) -> bool {
    strip_closers(s).ends_with(['.', '?', '!', '…'])
}

impl State<'_> {
    fn run(&mut self, body: Range<usize>) {
        let bytes = self.text.as_bytes();
        let mut pos = body.start;
        let mut skip_cont: Option<(Continue, usize)> = None;
        while pos < body.end {
            let (end, term) = match memchr2(b'\n', b'\r', &bytes[pos..body.end]) {
                Some(i) => {
                    let e = pos + i;
                    let t = if bytes[e] == b'\r'
                        && bytes.get(e + 1) == Some(&b'\n')
                        && e + 1 < body.end
                    {
                        2
                    } else {
                        1
                    };
                    (e, t)
                }
                None => (body.end, 0),
            };
            let line = self.line(pos, end, term);
            pos = end + term;
            if line.len() == 0 {
                skip_cont = None;
                self.flush();
                continue;
            }
            let content = &self.text[line.ts..line.te];
            // continuation of a removed boilerplate line?
            if let Some((kind, left)) = skip_cont.take() {
                let fits = match kind {
                    Continue::Url => !content.contains(char::is_whitespace),
                    _ => content.len() <= rules::BUILTIN_MAX_LINE,
                };
                if fits && left > 0 {
                    if kind == Continue::Url || !ends_sentence(content) {
                        skip_cont = Some((kind, left - 1));
                    }
                    continue;
                }
            }
            if let Some(kind) = self.bp.check(content) {
                self.flush();
                let unfinished = kind == Continue::Url || !ends_sentence(content);
                if kind != Continue::No && unfinished {
                    skip_cont = Some((kind, if kind == Continue::Url { 3 } else { 2 }));
                }
                continue;
            }
            // speaker label: at a paragraph start, or after a finished sentence
            let at_para_start = self.para.is_empty();
            let after_sentence = self
                .para
                .last()
                .is_some_and(|l| ends_sentence(&self.text[l.ts..l.te]));
            if at_para_start || after_sentence {
                if let Some((n, label)) = rules::speaker_label(content, at_para_start) {
                    self.flush();
                    self.para_label = Some((n, label));
                }
            }
            self.para.push(line);
        }
        self.flush();
    }

    fn line(&self, start: usize, end: usize, term: usize) -> Line {
        let s = &self.text[start..end];
        let t = s.trim_start_matches(is_space);
        let ts = end - t.len();
        let te = ts + t.trim_end_matches(is_space).len();
        Line {
            start,
            end,
            ts,
            te,
            term,
        }
    }

    /// Emit the gathered paragraph.
    fn flush(&mut self) {
        let label = self.para_label.take();
        if self.para.is_empty() {
            if let Some((_, l)) = label {
                // a label alone on its line: the turn starts with the next text
                self.pending_speaker = Some(l);
            }
            return;
        }
        let para = std::mem::take(&mut self.para);
        self.para_started = false;
        let n = para.len();
        let max_len = para.iter().map(Line::len).max().unwrap_or(0);
        let list_like = n >= 2
            && para
                .iter()
                .all(|l| l.len() < 50 && !ends_sentence(&self.text[l.ts..l.te]));
        let mut from = para[0].ts;
        if let Some((skip, l)) = label {
            from += skip;
            self.pending_speaker = Some(l);
        }
        for i in 0..n {
            let l = para[i];
            let from_here = from.min(l.te);
            if i + 1 == n {
                self.emit_line(from_here, l.te);
                self.pending_break = Some((l.te, l.end + l.term - l.te));
                break;
            }
            let next = para[i + 1];
            match self.join(&l, &next, list_like, max_len) {
                Join::Hyphen(keep) => {
                    self.emit_line(from_here, if keep { l.te } else { l.te - 1 });
                    from = next.ts;
                }
                Join::Hard => {
                    self.emit_line(from_here, l.te);
                    self.separator("\n", l.te, l.end + l.term - l.te);
                    from = next.ts;
                }
                Join::Space => {
                    self.emit_line(from_here, l.end);
                    self.separator(" ", l.end, l.term);
                    from = next.start;
                }
            }
        }
        self.para = para;
        self.para.clear();
    }

    fn join(&self, l: &Line, next: &Line, list_like: bool, max_len: usize) -> Join {
        let t = self.text;
        let cur = &t[l.ts..l.te];
        let nxt = &t[next.ts..next.te];
        if rules::starts_list_item(nxt) {
            return Join::Hard;
        }
        if let Some(before) = cur.strip_suffix('-') {
            let word_start = before.rfind(|c: char| !c.is_alphanumeric()).map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
            let word = &before[word_start..];
            let letter_before = word.chars().last().is_some_and(char::is_alphabetic);
            let letter_after = nxt.chars().next().is_some_and(char::is_alphanumeric);
            if letter_before && letter_after {
                return Join::Hyphen(rules::keep_hyphen(word, nxt));
            }
        }
        if list_like {
            return Join::Hard;
        }
        let heading_like = l.len() < 50
            && l.len() * 10 < max_len * 6
            && cur
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == ')');
        if heading_like && nxt.chars().next().is_some_and(char::is_uppercase) {
            return Join::Hard;
        }
        Join::Space
    }

    /// A line separator inside the paragraph; nothing before its first text
    /// (a label alone on its line), so the paragraph break stays first.
    fn separator(&mut self, s: &str, orig: usize, len: usize) {
        if self.para_started {
            self.b.replace(s, orig, len);
        }
    }

    /// Emit part of a line, leaving out inline stage directions such as
    /// `(Applause.)` (a transcript's own lines of them are boilerplate).
    fn emit_line(&mut self, mut from: usize, to: usize) {
        let bytes = self.text.as_bytes();
        let mut at = from;
        while at < to {
            let Some(k) = memchr(b'(', &bytes[at..to]) else {
                break;
            };
            let p = at + k;
            if let Some(len) = rules::stage_direction(&self.text[p..to]) {
                self.emit(from, p);
                let rest = &self.text[p + len..to];
                from = p + len + (rest.len() - rest.trim_start().len());
                at = from;
            } else {
                at = p + 1;
            }
        }
        self.emit(from, to);
    }

    /// Copy `text[from..to]` with character normalisation.
    fn emit(&mut self, from: usize, to: usize) {
        if from >= to {
            return;
        }
        self.para_started = true;
        if let Some((p, len)) = self.pending_break.take() {
            if !self.b.out.is_empty() {
                self.b.replace("\n\n", p, len);
            }
        }
        if let Some(l) = self.pending_speaker.take() {
            self.speakers.push((self.b.out.len(), l));
        }
        let bytes = self.text.as_bytes();
        let mut i = from;
        while i < to {
            let Some(k) = memchr3(0xC2, 0xE2, 0xEF, &bytes[i..to]) else {
                self.b.copy(&self.text[i..to], i);
                return;
            };
            let j = i + k;
            self.b.copy(&self.text[i..j], i);
            let ch = self.text[j..].chars().next().unwrap_or('\0');
            let n = ch.len_utf8();
            match ch {
                '\u{A0}'
                | '\u{2000}'..='\u{200A}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{2028}'
                | '\u{2029}' => self.b.replace(" ", j, n),
                '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' => {}
                '‘' | '’' | '‚' | '‛' => self.b.replace("'", j, n),
                '“' | '”' | '„' | '‟' => self.b.replace("\"", j, n),
                _ => self.b.copy(&self.text[j..j + n], j),
            }
            i = j + n;
        }
    }
}

#[cfg(test)]
mod tests;
