//! One JSONL record of `opstance tag`: an object whose field values stay
//! raw (borrowed slices of the line), so fields pass through byte for byte
//! without building a `Value` tree.
//!
//! Most lines are read by a direct scan (strings found with `memchr`, no
//! allocation but the field list); whatever the scan does not accept —
//! escaped keys, deep nesting, anything malformed — goes to `serde_json`,
//! which reads the same valid lines into the same fields and words the
//! error for the invalid ones. The two are compared by a property test.

use std::borrow::Cow;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON object: (key, raw value) in input order, duplicates kept.
#[derive(Debug)]
pub struct Record<'a> {
    pub fields: Vec<(Cow<'a, str>, &'a str)>,
    /// The line is `{"key":value,...}` exactly: no whitespace outside the
    /// values, every key as written. Fields can then be copied as runs.
    pub compact: bool,
    /// Some string in the line has an escape (always true when unknown):
    /// without one, a string value is its own text.
    pub escapes: bool,
}

/// Field lists, kept between lines so that a line costs no allocation.
pub type Fields<'a> = Vec<(Cow<'a, str>, &'a str)>;

/// An empty field list reusing `v`'s allocation, for another line.
pub fn recycle<'b>(mut v: Fields<'_>) -> Fields<'b> {
    v.clear();
    // Same layout: the standard library collects in place.
    v.into_iter().map(|_| unreachable!()).collect()
}

/// Records are equal when their fields are (however they were written).
impl PartialEq for Record<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.fields == other.fields
    }
}

impl<'a> Record<'a> {
    /// Parse one line (without its line end).
    #[cfg(test)]
    pub fn parse(line: &'a str) -> Result<Record<'a>, serde_json::Error> {
        Record::parse_into(line, Vec::new())
    }

    /// [`Record::parse`], filling `fields` (an empty list, see [`recycle`]).
    pub fn parse_into(line: &'a str, fields: Fields<'a>) -> Result<Record<'a>, serde_json::Error> {
        match scan::object(line, fields) {
            Some(r) => Ok(r),
            None => serde_json::from_str::<SerdeRecord>(line).map(SerdeRecord::into_record),
        }
    }

    /// The raw value of the first field named `key`.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// Decode one of this record's raw values that should be a string.
    pub fn string(&self, raw: &'a str) -> Result<Str<'a>, serde_json::Error> {
        if !self.escapes && raw.len() >= 2 && raw.starts_with('"') {
            return Ok(Str(Cow::Borrowed(&raw[1..raw.len() - 1])));
        }
        Str::decode(raw)
    }
}

/// A JSON string, borrowed from the input line when it has no escapes.
pub struct Str<'a>(pub Cow<'a, str>);

impl<'a> Str<'a> {
    /// Decode a raw JSON value that should be a string.
    pub fn decode(raw: &'a str) -> Result<Str<'a>, serde_json::Error> {
        // Raw values are valid JSON: a quoted string without a backslash
        // is its own text.
        if raw.len() >= 2 && raw.starts_with('"') && !raw.contains('\\') {
            return Ok(Str(Cow::Borrowed(&raw[1..raw.len() - 1])));
        }
        serde_json::from_str(raw)
    }
}

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Append `s` as a JSON string, exactly as `serde_json` writes it
/// (`\"`, `\\`, `\b \f \n \r \t`, other control characters as `\u00xx`),
/// copying the runs between those bytes whole (found sixteen bytes at a
/// time) instead of one byte per step.
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut j = 0;
    while let Some(k) = scan::special(b, j) {
        out.extend_from_slice(&b[j..k]);
        match b[k] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0C => out.extend_from_slice(b"\\f"),
            c => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(c >> 4) as usize],
                HEX[(c & 15) as usize],
            ]),
        }
        j = k + 1;
    }
    out.extend_from_slice(&b[j..]);
    out.push(b'"');
}

/// The `serde_json` reading of a record (the fallback).
struct SerdeRecord<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> SerdeRecord<'a> {
    fn into_record(self) -> Record<'a> {
        Record {
            fields: self.0.into_iter().map(|(k, v)| (k, v.get())).collect(),
            compact: false,
            escapes: true,
        }
    }
}

impl<'de> Deserialize<'de> for SerdeRecord<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SerdeRecord<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<SerdeRecord<'de>, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = map.next_key::<Str<'de>>()? {
                    let val: &'de RawValue = map.next_value()?;
                    v.push((k.0, val));
                }
                Ok(SerdeRecord(v))
            }
        }
        d.deserialize_map(V)
    }
}

/// The direct scan. Every function returns the position after what it
/// read, or `None` to leave the line to `serde_json`.
mod scan {
    use super::{Fields, Record};
    use std::borrow::Cow;

    /// Nesting deeper than this goes to `serde_json` (its limit is 128).
    const MAX_DEPTH: usize = 32;

    /// `fields` must be empty; it is filled and handed back in the record.
    pub fn object<'a>(line: &'a str, mut fields: Fields<'a>) -> Option<Record<'a>> {
        let b = line.as_bytes();
        let mut i = ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i = ws(b, i + 1);
        let mut esc = false;
        if b.get(i) == Some(&b'}') {
            i = ws(b, i + 1);
        } else {
            loop {
                let mut key_esc = false;
                let k_end = string(b, i, &mut key_esc)?;
                if key_esc {
                    return None; // an escaped key: let serde decode it
                }
                let key = &line[i + 1..k_end - 1];
                i = ws(b, k_end);
                if b.get(i) != Some(&b':') {
                    return None;
                }
                let v_start = ws(b, i + 1);
                let v_end = value(b, v_start, 0, &mut esc)?;
                fields.push((Cow::Borrowed(key), &line[v_start..v_end]));
                i = ws(b, v_end);
                match b.get(i) {
                    Some(b',') => i = ws(b, i + 1),
                    Some(b'}') => {
                        i = ws(b, i + 1);
                        break;
                    }
                    _ => return None,
                }
            }
        }
        let compact = i == b.len() && is_compact(b, &fields);
        (i == b.len()).then_some(Record {
            fields,
            compact,
            escapes: esc,
        })
    }

    /// Whether the fields fill the line as `{"k":v,"k":v}`, nothing between.
    fn is_compact(b: &[u8], fields: &[(Cow<'_, str>, &str)]) -> bool {
        if fields.is_empty() {
            return b == b"{}";
        }
        let base = b.as_ptr() as usize;
        let mut at = 1; // after the `{`
        for (k, v) in fields {
            let (ko, vo) = (k.as_ptr() as usize - base, v.as_ptr() as usize - base);
            if ko != at + 1 || vo != ko + k.len() + 2 {
                return false;
            }
            at = vo + v.len() + 1; // past the `,` or `}`
        }
        b.first() == Some(&b'{') && at == b.len()
    }

    fn ws(b: &[u8], mut i: usize) -> usize {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        i
    }

    /// A value starting at `i`; `esc` is set when a string in it has an escape.
    fn value(b: &[u8], i: usize, depth: usize, esc: &mut bool) -> Option<usize> {
        match *b.get(i)? {
            b'"' => string(b, i, esc),
            b'{' | b'[' if depth < MAX_DEPTH => container(b, i, depth + 1, esc),
            b't' => literal(b, i, b"true"),
            b'f' => literal(b, i, b"false"),
            b'n' => literal(b, i, b"null"),
            b'-' | b'0'..=b'9' => number(b, i),
            _ => None,
        }
    }

    fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
        b[i..].starts_with(word).then_some(i + word.len())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(b: &[u8], mut i: usize) -> Option<usize> {
        let digits = |i: usize| i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if b[i] == b'-' {
            i += 1;
        }
        match b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => i = digits(i),
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            let j = digits(i + 1);
            if j == i + 1 {
                return None;
            }
            i = j;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let j = digits(i);
            if j == i {
                return None;
            }
            i = j;
        }
        Some(i)
    }

    /// An object or array starting at `i`.
    fn container(b: &[u8], i: usize, depth: usize, esc: &mut bool) -> Option<usize> {
        let close = if b[i] == b'{' { b'}' } else { b']' };
        let mut i = ws(b, i + 1);
        if b.get(i) == Some(&close) {
            return Some(i + 1);
        }
        loop {
            if close == b'}' {
                i = ws(b, string(b, i, esc)?);
                if b.get(i) != Some(&b':') {
                    return None;
                }
                i = ws(b, i + 1);
            }
            i = ws(b, value(b, i, depth, esc)?);
            match *b.get(i)? {
                b',' => i = ws(b, i + 1),
                c if c == close => return Some(i + 1),
                _ => return None,
            }
        }
    }

    /// A string starting at `i` (its opening quote): escapes checked,
    /// control characters refused, as JSON requires.
    pub fn string(b: &[u8], i: usize, esc: &mut bool) -> Option<usize> {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let mut j = i + 1;
        loop {
            let k = special(b, j)?;
            if b[k] < 0x20 {
                return None;
            }
            if b[k] == b'"' {
                return Some(k + 1);
            }
            // An escape.
            *esc = true;
            match *b.get(k + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => j = k + 2,
                b'u' if b.len() >= k + 6 && b[k + 2..k + 6].iter().all(u8::is_ascii_hexdigit) => {
                    j = k + 6
                }
                _ => return None,
            }
        }
    }

    /// The first quote, backslash or control byte at or after `j`: sixteen
    /// bytes at a time (SSE2 on x86_64), then a plain loop for the tail.
    #[inline]
    pub fn special(b: &[u8], mut j: usize) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        while let Some(c) = b.get(j..j + 16) {
            use std::arch::x86_64::*;
            // SAFETY: SSE2 is part of x86_64; the load reads exactly `c`.
            let m = unsafe {
                let v = _mm_loadu_si128(c.as_ptr().cast());
                let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
                let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
                // c < 0x20 unsigned, as a signed compare after flipping the top bit.
                let control = _mm_cmplt_epi8(
                    _mm_xor_si128(v, _mm_set1_epi8(-128)),
                    _mm_set1_epi8((0x20u8 ^ 0x80) as i8),
                );
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
            };
            if m != 0 {
                return Some(j + m.trailing_zeros() as usize);
            }
            j += 16;
        }
        b[j..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            .map(|k| j + k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `serde_json` alone makes of a line.
    fn by_serde(line: &str) -> Option<Record<'_>> {
        serde_json::from_str::<SerdeRecord>(line)
            .ok()
            .map(SerdeRecord::into_record)
    }

    #[test]
    fn scan_reads_claim_lines_and_defers_the_rest() {
        let line = r#"{"id":"a:1","authors":["X","Y"],"n":-1.5e3,"ok":true,"m":null,"o":{"k":[1,{"z":"\u00e9"}]},"text":"It is \"so\"."}"#;
        let r = scan::object(line, Vec::new()).expect("scanned directly");
        assert_eq!(Some(&r), by_serde(line).as_ref());
        assert_eq!(r.get("authors"), Some(r#"["X","Y"]"#));
        assert_eq!(
            &*Str::decode(r.get("text").unwrap()).unwrap().0,
            "It is \"so\"."
        );
        assert_eq!(&*Str::decode(r.get("id").unwrap()).unwrap().0, "a:1");
        // Left to serde (valid or not): escaped key, bad number, control
        // character, trailing garbage, bad escape.
        for line in [
            r#"{"t\u0065xt":"x"}"#,
            r#"{"n":01}"#,
            "{\"t\":\"a\tb\"}",
            r#"{"t":"x"} x"#,
            r#"{"t":"\q"}"#,
            r#"{"t":1.}"#,
            r#"["t"]"#,
        ] {
            assert!(scan::object(line, Vec::new()).is_none(), "{line}");
        }
        assert_eq!(
            Record::parse(r#"{"t\u0065xt":"x"}"#).unwrap().get("text"),
            Some(r#""x""#)
        );
        assert!(Record::parse(r#"{"n":01}"#).is_err());
    }

    #[test]
    fn compact_means_nothing_between_fields() {
        for (line, compact) in [
            (r#"{"id":"a","n":[1, 2],"t":"x y"}"#, true),
            ("{}", true),
            (r#"{"id":"a", "t":"x"}"#, false),
            (r#"{ "id":"a"}"#, false),
            (r#"{"id" :"a"}"#, false),
            (r#"{"id":"a"} "#, false),
            (r#"{"t\u0065xt":"x"}"#, false),
            ("{ }", false),
        ] {
            assert_eq!(Record::parse(line).unwrap().compact, compact, "{line}");
        }
    }

    proptest::proptest! {
        /// Strings are written as `serde_json` writes them.
        #[test]
        fn json_strings_are_written_as_serde_writes_them(s in proptest::string::string_regex(
            "([a-z \u{e9}\u{2019}\u{1F600}\"\\\\/]|[\u{0}-\u{1f}]|\u{7f}){0,40}"
        ).unwrap()) {
            let mut ours = Vec::new();
            write_json_str(&mut ours, &s);
            proptest::prop_assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&s).unwrap()
            );
        }
    }

    proptest::proptest! {
        /// Whatever the scan accepts, serde accepts with the same fields.
        #[test]
        fn scan_agrees_with_serde(parts in proptest::collection::vec(
            proptest::sample::select(vec![
                "{", "}", "[", "]", ",", ":", " ", "\"", "\"k\"", "\"text\"", "\"a b\"",
                "\\", "\\n", "\\u00e9", "\\x", "\t", "1", "-", "0", ".", "e", "+", "2",
                "true", "null", "fals", "é", "\u{1}",
            ]),
            0..30,
        )) {
            let line: String = parts.concat();
            if let Some(r) = scan::object(&line, Vec::new()) {
                proptest::prop_assert_eq!(Some(r), by_serde(&line), "{}", line);
            }
        }

        /// Records built from valid pieces: the scan takes them, and agrees.
        #[test]
        fn scan_takes_valid_records(fields in proptest::collection::vec(
            ("[a-z_]{1,8}", proptest::sample::select(vec![
                "\"plain\"", "\"with \\\"quotes\\\" and \\\\ \\n \\u00e9\"", "\"é ü — ’\"",
                "0", "-12.5e-3", "1E9", "true", "false", "null", "[]", "{}",
                "[1, \"a\", {\"b\": [null]}]", "{\"x\": {\"y\": \"z\"}}",
            ])),
            0..8,
        ), spaced in proptest::bool::ANY) {
            let sep = if spaced { ", " } else { "," };
            let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let line = format!("{{{}}}", body.join(sep));
            let r = scan::object(&line, Vec::new());
            proptest::prop_assert!(r.is_some(), "{}", line);
            let r = r.unwrap();
            // Strings read through the record decode as on their own.
            for (_, v) in &r.fields {
                let (a, b) = (r.string(v).map(|s| s.0), Str::decode(v).map(|s| s.0));
                proptest::prop_assert_eq!(a.ok(), b.ok(), "{}", v);
            }
            let compact = r.compact;
            let r = Some(r);
            proptest::prop_assert_eq!(compact, !spaced || fields.len() < 2, "{}", line);
            proptest::prop_assert_eq!(r, by_serde(&line));
        }
    }
}
