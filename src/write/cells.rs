//! CSV cells that open cleanly in pandas, polars, R and Excel.

use std::borrow::Cow;

/// Neutralise a text cell that a spreadsheet would read as a formula
/// (starts with `=`, `+`, `-`, `@`, tab or CR) by prefixing a `'`.
/// Only for text columns: numbers are written by [`number`] and never touched.
pub fn text(s: &str) -> Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// Undo [`text`] when reading a cell back (a `'` before a formula
/// character is dropped). A value that really began with `'=` reads back
/// without its quote: the one ambiguity of the neutralisation.
pub fn untext(s: &str) -> &str {
    match s.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &s[1..],
        _ => s,
    }
}

/// A float written plainly (no exponent, at most 6 decimals, trailing zeros
/// trimmed); NaN and infinities become an empty cell.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let mut s = format!("{x:.6}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

/// An optional value: empty cell when missing.
pub fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_not() {
        assert_eq!(text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(text("-Putin"), "'-Putin");
        assert_eq!(text("@x"), "'@x");
        assert_eq!(text("Anne"), "Anne");
        assert_eq!(text(""), "");
        for s in ["=SUM(A1)", "-Putin", "Anne", "", "'quoted"] {
            assert_eq!(untext(&text(s)), s);
        }
    }

    #[test]
    fn numbers_are_plain() {
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-1.0), "-1");
        assert_eq!(number(1e-9), "0");
        assert_eq!(number(-1e-9), "0");
        assert_eq!(number(f64::NAN), "");
        assert_eq!(number(123456.0), "123456");
    }
}
