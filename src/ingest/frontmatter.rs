//! Front matter at the top of `.txt`/`.md` files: YAML between `---` lines
//! or TOML between `+++` lines.
//!
//! The YAML reader is deliberately small: front matter is flat `key: value`
//! metadata, so it reads plain, single- and double-quoted scalars (with YAML
//! escapes such as `\_` for a no-break space and `\u2019`, and line folding
//! of multi-line quoted titles), block scalars (`|`, `>`), flow lists
//! `[a, b]`, block lists (`- item`) and one level of nested keys (flattened
//! to `parent.child`). Anything else is reported as an error naming the line.

use std::ops::Range;

/// A front matter value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    List(Vec<String>),
}

impl Value {
    /// The value as one string (lists as a compact JSON array).
    pub fn to_meta(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::List(v) => serde_json::to_string(v).expect("strings serialise"),
        }
    }
}

/// What was found at the top of a text.
#[derive(Debug, PartialEq, Eq)]
pub enum FrontMatter {
    /// No front matter.
    None,
    /// Fields in order; the body starts at `end`.
    Parsed {
        fields: Vec<(String, Value)>,
        end: usize,
    },
    /// Front matter that could not be read. `end` is where the body starts
    /// when the block was closed (the block is still excluded from the body).
    Broken { end: Option<usize>, message: String },
}

/// Lines of `s` starting at `from`: (byte range without the line end, range with it).
fn lines(s: &str, from: usize) -> impl Iterator<Item = (Range<usize>, usize)> + '_ {
    let mut pos = from;
    std::iter::from_fn(move || {
        if pos >= s.len() {
            return None;
        }
        let start = pos;
        let (end, next) = match memchr::memchr(b'\n', &s.as_bytes()[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
            None => (s.len(), s.len()),
        };
        pos = next;
        let end = if end > start && s.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        Some((start..end, next))
    })
}

/// Read front matter starting at byte `start` of `text` (after a BOM).
pub fn parse(text: &str, start: usize) -> FrontMatter {
    let rest = &text[start..];
    let delim = if rest.starts_with("---") {
        "---"
    } else if rest.starts_with("+++") {
        "+++"
    } else {
        return FrontMatter::None;
    };
    let mut it = lines(text, start);
    let Some((first, content_start)) = it.next() else {
        return FrontMatter::None;
    };
    if text[first].trim_end() != delim {
        return FrontMatter::None;
    }
    let mut close = None;
    for (r, next) in it {
        let l = text[r.clone()].trim_end();
        if l == delim || (delim == "---" && l == "...") {
            close = Some((r.start, next));
            break;
        }
    }
    let Some((content_end, end)) = close else {
        return FrontMatter::Broken {
            end: None,
            message: format!("front matter opened by `{delim}` on line 1 is never closed"),
        };
    };
    let content = &text[content_start..content_end];
    let result = if delim == "---" {
        parse_yaml(content)
    } else {
        parse_toml(content)
    };
    match result {
        Ok(fields) => FrontMatter::Parsed { fields, end },
        // Content starts on file line 2.
        Err((line, msg)) => FrontMatter::Broken {
            end: Some(end),
            message: format!("front matter line {}: {msg}", line + 1),
        },
    }
}

type ParseResult = Result<Vec<(String, Value)>, (usize, String)>;

fn parse_toml(content: &str) -> ParseResult {
    let table: toml::Table = content.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| content[..s.start.min(content.len())].matches('\n').count() + 1)
            .unwrap_or(1);
        (line, e.message().to_string())
    })?;
    let mut out = Vec::new();
    flatten_toml("", &table, &mut out);
    Ok(out)
}

fn toml_scalar(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        // `Value`'s own Display does not print a bare datetime.
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    }
}

fn flatten_toml(prefix: &str, t: &toml::Table, out: &mut Vec<(String, Value)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(sub) => flatten_toml(&key, sub, out),
            toml::Value::Array(a) => {
                out.push((key, Value::List(a.iter().map(toml_scalar).collect())))
            }
            other => out.push((key, Value::Str(toml_scalar(other)))),
        }
    }
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start_matches([' ', '\t']).len()
}

/// Split `key: rest` (the colon must end the line or be followed by a space).
fn split_key(l: &str) -> Option<(&str, &str)> {
    let b = l.as_bytes();
    let mut i = 0;
    let (key, after) = if b.first() == Some(&b'"') || b.first() == Some(&b'\'') {
        let q = b[0];
        let close = l[1..].find(q as char)? + 1;
        i = close + 1;
        (&l[1..close], &l[i..])
    } else {
        while i < b.len() {
            if b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' ' || b[i + 1] == b'\t') {
                break;
            }
            i += 1;
        }
        if i == b.len() {
            return None;
        }
        (l[..i].trim_end(), &l[i..])
    };
    let after = after.trim_start();
    let rest = after.strip_prefix(':')?;
    if key.is_empty() || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, rest.trim()))
}

fn parse_yaml(content: &str) -> ParseResult {
    let ls: Vec<&str> = content.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        let line_no = i + 1;
        let l = ls[i];
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            i += 1;
            continue;
        }
        if indent(l) > 0 {
            return Err((line_no, "unexpected indentation".into()));
        }
        let Some((key, rest)) = split_key(l) else {
            return Err((
                line_no,
                format!("expected `key: value`, found `{}`", l.trim()),
            ));
        };
        // Continuation: following lines that are indented or blank.
        let mut j = i + 1;
        while j < ls.len() && (ls[j].trim().is_empty() || indent(ls[j]) > 0) {
            j += 1;
        }
        while j > i + 1 && ls[j - 1].trim().is_empty() {
            j -= 1;
        }
        let cont = &ls[i + 1..j];
        let key = key.to_string();
        if rest.is_empty() {
            // Block list, nested keys, or an empty value.
            let items: Vec<&str> = cont
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect();
            if items.is_empty() {
                out.push((key, Value::Str(String::new())));
            } else if items.iter().all(|l| *l == "-" || l.starts_with("- ")) {
                let mut list = Vec::new();
                for (n, it) in items.iter().enumerate() {
                    let v = it.trim_start_matches('-').trim();
                    list.push(scalar(v, &[]).map_err(|m| (line_no + 1 + n, m))?);
                }
                out.push((key, Value::List(list)));
            } else {
                for (n, l) in cont.iter().enumerate() {
                    if l.trim().is_empty() || l.trim_start().starts_with('#') {
                        continue;
                    }
                    let Some((sub, v)) = split_key(l.trim()) else {
                        return Err((
                            line_no + 1 + n,
                            format!("expected `key: value`, found `{}`", l.trim()),
                        ));
                    };
                    let v = if v.starts_with('[') {
                        Value::List(flow_list(v).map_err(|m| (line_no + 1 + n, m))?)
                    } else {
                        Value::Str(scalar(v, &[]).map_err(|m| (line_no + 1 + n, m))?)
                    };
                    out.push((format!("{key}.{sub}"), v));
                }
            }
        } else if rest.starts_with('[') {
            let mut all = rest.to_string();
            for c in cont {
                all.push(' ');
                all.push_str(c.trim());
            }
            out.push((key, Value::List(flow_list(&all).map_err(|m| (line_no, m))?)));
        } else if rest.starts_with('|') || rest.starts_with('>') {
            let base = cont
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| indent(l))
                .min()
                .unwrap_or(0);
            let body: Vec<&str> = cont.iter().map(|l| l.get(base..).unwrap_or("")).collect();
            let v = if rest.starts_with('|') {
                body.join("\n")
            } else {
                fold_plain(&body)
            };
            out.push((key, Value::Str(v)));
        } else {
            out.push((
                key,
                Value::Str(scalar(rest, cont).map_err(|m| (line_no, m))?),
            ));
        }
        i = j;
    }
    Ok(out)
}

/// Join lines with single spaces (plain multi-line scalars, `>` blocks).
fn fold_plain(lines: &[&str]) -> String {
    let mut out = String::new();
    for l in lines {
        let l = l.trim();
        if l.is_empty() {
            out.push('\n');
        } else {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            out.push_str(l);
        }
    }
    out
}

/// A scalar that starts on the key's line (`first`) and may continue on `cont`.
fn scalar(first: &str, cont: &[&str]) -> Result<String, String> {
    match first.as_bytes().first() {
        Some(b'"') | Some(b'\'') => {
            let mut raw = first.to_string();
            for c in cont {
                raw.push('\n');
                raw.push_str(c);
            }
            let (v, used) = quoted(&raw)?;
            let tail = raw[used..].trim();
            if !tail.is_empty() && !tail.starts_with('#') {
                return Err(format!("unexpected `{tail}` after a quoted value"));
            }
            Ok(v)
        }
        _ => {
            let first = strip_comment(first);
            let mut all = vec![first];
            all.extend(cont.iter().map(|l| strip_comment(l)));
            Ok(fold_plain(&all))
        }
    }
}

fn strip_comment(s: &str) -> &str {
    match s.find(" #") {
        Some(i) => s[..i].trim_end(),
        None => s.trim(),
    }
}

/// Parse a quoted scalar at the start of `s`; returns the value and the
/// bytes consumed. Line breaks fold to a space (blank lines to `\n`); in
/// double quotes a `\` at the end of a line joins the lines.
fn quoted(s: &str) -> Result<(String, usize), String> {
    let q = s.as_bytes()[0] as char;
    let mut out = String::new();
    let mut chars = s[1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == q => {
                if q == '\'' && chars.peek().map(|p| p.1) == Some('\'') {
                    chars.next();
                    out.push('\'');
                    continue;
                }
                return Ok((out, i + 2));
            }
            '\n' => {
                while out.ends_with([' ', '\t']) {
                    out.pop();
                }
                let mut blank = 0;
                while let Some(&(_, p)) = chars.peek() {
                    match p {
                        ' ' | '\t' | '\r' => {
                            chars.next();
                        }
                        '\n' => {
                            blank += 1;
                            chars.next();
                        }
                        _ => break,
                    }
                }
                if blank == 0 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat('\n').take(blank));
                }
            }
            '\\' if q == '"' => {
                let Some((_, e)) = chars.next() else { break };
                let simple = match e {
                    '0' => Some('\0'),
                    'a' => Some('\x07'),
                    'b' => Some('\x08'),
                    't' | '\t' => Some('\t'),
                    'n' => Some('\n'),
                    'v' => Some('\x0B'),
                    'f' => Some('\x0C'),
                    'r' => Some('\r'),
                    'e' => Some('\x1B'),
                    ' ' => Some(' '),
                    '"' => Some('"'),
                    '/' => Some('/'),
                    '\\' => Some('\\'),
                    'N' => Some('\u{85}'),
                    '_' => Some('\u{A0}'),
                    'L' => Some('\u{2028}'),
                    'P' => Some('\u{2029}'),
                    _ => None,
                };
                if let Some(c) = simple {
                    out.push(c);
                    continue;
                }
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    '\r' | '\n' => {
                        // Escaped line break: join without a space.
                        while let Some(&(_, p)) = chars.peek() {
                            if matches!(p, ' ' | '\t' | '\r' | '\n') {
                                chars.next();
                            } else {
                                break;
                            }
                        }
                        continue;
                    }
                    other => return Err(format!("unknown escape `\\{other}` in a quoted value")),
                };
                let hex: String = (0..n).filter_map(|_| chars.next().map(|x| x.1)).collect();
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == n)
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("bad escape `\\{e}{hex}` in a quoted value"))?;
                out.push(c);
            }
            c => out.push(c),
        }
    }
    Err(format!("unterminated {q}-quoted value"))
}

/// `[a, "b, c", 'd']`.
fn flow_list(s: &str) -> Result<Vec<String>, String> {
    let s = s.trim();
    let inner = s
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or_else(|| format!("unterminated list `{s}`"))?;
    split_list(inner, false)
}

/// Items of a comma-separated list whose items may be quoted (used for YAML
/// flow lists and Python-style list strings such as `['a', 'b']`).
pub fn split_list(inner: &str, python: bool) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        if rest.starts_with(['"', '\'']) {
            let (v, used) = if python {
                python_quoted(rest)?
            } else {
                quoted(rest)?
            };
            out.push(v);
            rest = rest[used..].trim_start();
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let v = rest[..end].trim();
            out.push(v.to_string());
            rest = &rest[end..];
        }
        if let Some(r) = rest.strip_prefix(',') {
            rest = r.trim_start();
        } else if !rest.is_empty() {
            return Err(format!("expected `,` in list before `{rest}`"));
        }
    }
    Ok(out)
}

/// A Python string literal (`'…'` or `"…"`, backslash escapes the next character).
fn python_quoted(s: &str) -> Result<(String, usize), String> {
    let q = s.as_bytes()[0] as char;
    let mut out = String::new();
    let mut chars = s[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == q => return Ok((out, i + 2)),
            '\\' => {
                if let Some((_, e)) = chars.next() {
                    out.push(e);
                }
            }
            c => out.push(c),
        }
    }
    Err(format!("unterminated {q}-quoted value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(text: &str) -> (Vec<(String, Value)>, usize) {
        match parse(text, 0) {
            FrontMatter::Parsed { fields, end } => (fields, end),
            other => panic!("{other:?}"),
        }
    }

    fn s(v: &str) -> Value {
        Value::Str(v.into())
    }

    #[test]
    fn yaml_like_whitehouse_files() {
        let text = "---\r\ndate: '2022-02-22'\r\nmodified_time: 2022-02-22 23:13:41-05:00\r\n\
            title: \"Press Briefing by Jen\\_Psaki and Deputy\\\r\n  \\ Advisor, February\\\r\n  \\ 22,\\_2022\"\r\n\
            note: \"Biden\\u2019\\\n  s call\"\r\n---\r\nBody.";
        let (f, end) = fields(text);
        assert_eq!(&text[end..], "Body.");
        assert_eq!(f[0], ("date".into(), s("2022-02-22")));
        assert_eq!(
            f[1],
            ("modified_time".into(), s("2022-02-22 23:13:41-05:00"))
        );
        assert_eq!(
            f[2],
            (
                "title".into(),
                s("Press Briefing by Jen\u{a0}Psaki and Deputy Advisor, February 22,\u{a0}2022")
            )
        );
        assert_eq!(f[3], ("note".into(), s("Biden\u{2019}s call")));
    }

    #[test]
    fn yaml_lists_folding_nesting_and_comments() {
        let text = "---\nauthors: [Ann Lee, 'Bo, Jr.', \"Cy\"]\ntags:\n  - war\n  - peace\n\
            title: 'It''s a long\n  title'\nplain: one # comment\n  two\nsite:\n  name: Kyiv Post\n\
            empty:\nblock: |\n  line 1\n  line 2\n---\n";
        let (f, _) = fields(text);
        assert_eq!(
            f[0].1,
            Value::List(vec!["Ann Lee".into(), "Bo, Jr.".into(), "Cy".into()])
        );
        assert_eq!(f[1].1, Value::List(vec!["war".into(), "peace".into()]));
        assert_eq!(f[2].1, s("It's a long title"));
        assert_eq!(f[3].1, s("one two"));
        assert_eq!(f[4], ("site.name".into(), s("Kyiv Post")));
        assert_eq!(f[5].1, s(""));
        assert_eq!(f[6].1, s("line 1\nline 2"));
    }

    #[test]
    fn toml_front_matter() {
        let text = "+++\ntitle = \"Peace\"\nauthors = [\"A\", \"B\"]\ndate = 2022-05-01\n[extra]\nx = 1\n+++\nBody";
        let (f, end) = fields(text);
        assert_eq!(&text[end..], "Body");
        assert!(f.contains(&("title".into(), s("Peace"))));
        assert!(f.contains(&("date".into(), s("2022-05-01"))), "{f:?}");
        assert!(f.contains(&("extra.x".into(), s("1"))));
        assert!(f.contains(&("authors".into(), Value::List(vec!["A".into(), "B".into()]))));
    }

    #[test]
    fn broken_front_matter_names_the_line() {
        let unclosed = parse("---\ntitle: x\nno end", 0);
        assert!(
            matches!(unclosed, FrontMatter::Broken { end: None, ref message } if message.contains("line 1"))
        );
        let bad = parse("---\ntitle: ok\nthis is not yaml\n---\nbody", 0);
        match bad {
            FrontMatter::Broken {
                end: Some(e),
                message,
            } => {
                assert!(message.contains("line 3"), "{message}");
                assert_eq!(e, "---\ntitle: ok\nthis is not yaml\n---\n".len());
            }
            other => panic!("{other:?}"),
        }
        let bad_toml = parse("+++\ntitle = \n+++\n", 0);
        assert!(
            matches!(bad_toml, FrontMatter::Broken { end: Some(_), ref message } if message.contains("line 2"))
        );
        assert!(matches!(parse("\"unterminated", 0), FrontMatter::None));
        let q = parse("---\ntitle: \"open\n---\n", 0);
        assert!(matches!(q, FrontMatter::Broken { .. }));
    }

    #[test]
    fn after_a_bom_with_crlf() {
        let text = "\u{feff}---\r\ntitle: x\r\n---\r\nBody";
        let (f, end) = match parse(text, 3) {
            FrontMatter::Parsed { fields, end } => (fields, end),
            other => panic!("{other:?}"),
        };
        assert_eq!(f, vec![("title".to_string(), s("x"))]);
        assert_eq!(&text[end..], "Body");
    }

    #[test]
    fn not_front_matter() {
        assert_eq!(parse("--- not a delimiter\n", 0), FrontMatter::None);
        assert_eq!(parse("Plain text", 0), FrontMatter::None);
        assert_eq!(parse("----\n", 0), FrontMatter::None);
    }

    #[test]
    fn python_style_lists() {
        assert_eq!(
            split_list("'Володимир Зеленський', \"O'Neil\", 'a\\'b'", true).unwrap(),
            vec!["Володимир Зеленський", "O'Neil", "a'b"]
        );
    }
}
