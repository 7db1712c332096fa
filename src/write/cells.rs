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
    let mut s = String::new();
    push_number(&mut s, x);
    s
}

/// [`number`], appended to `out`. Exactly the text of `format!("{x:.6}")`
/// trimmed, but without `core::fmt`'s exact-decimal machinery in the common
/// case (it was ~3% of a `run`, mostly for `similarity.csv`): `|x| * 1e6` is
/// rounded in floating point, which is the correctly rounded value unless
/// the product lies within its rounding error of a half, and those rare
/// near-ties (and large values) go through `format!`.
pub fn push_number(out: &mut String, x: f64) {
    if !x.is_finite() {
        return;
    }
    let scaled = x.abs() * 1e6;
    // Below 2^40 the product is within 2^-13 of the exact one, so a
    // fractional part farther than 1e-3 from .5 rounds the same way.
    if scaled < (1u64 << 40) as f64 && (scaled - scaled.floor() - 0.5).abs() > 1e-3 {
        let n = scaled.round() as u64;
        if n == 0 {
            out.push('0');
            return;
        }
        if x < 0.0 {
            out.push('-');
        }
        push_u64(out, n / 1_000_000);
        let mut frac = n % 1_000_000;
        if frac != 0 {
            let mut digits = 6;
            while frac % 10 == 0 {
                frac /= 10;
                digits -= 1;
            }
            out.push('.');
            let mut buf = [b'0'; 6];
            for d in buf[..digits].iter_mut().rev() {
                *d = b'0' + (frac % 10) as u8;
                frac /= 10;
            }
            out.push_str(std::str::from_utf8(&buf[..digits]).expect("ASCII digits"));
        }
        return;
    }
    out.push_str(&number_fmt(x));
}

/// The reference formatting of [`number`] (the slow path).
fn number_fmt(x: f64) -> String {
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

/// Decimal digits of `n`, appended to `out`.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("ASCII digits"));
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
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(0.0078125), number_fmt(0.0078125));
        assert_eq!(number(1e300), number_fmt(1e300));
    }

    #[test]
    fn fast_numbers_match_format() {
        // Near-ties, halves of powers of two, f32 values as written for
        // scores and weights, and the ratios the aggregates produce.
        let mut xs = vec![
            0.0,
            1.0,
            0.5,
            0.25,
            0.125,
            2.5e-7,
            5e-7,
            4.999999e-7,
            1.0 / 3.0,
        ];
        for k in 0..60 {
            xs.push(0.5f64.powi(k));
            xs.push(1.5 * 0.5f64.powi(k));
        }
        for a in 0..400u32 {
            for b in 1..60u32 {
                xs.push(f64::from(a) / f64::from(b));
                xs.push(f64::from(f64::from(a) as f32 / b as f32));
                xs.push((f64::from(a) + 0.5) / f64::from(b) * 1e-6);
            }
        }
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let m = (seed >> 11) as f64 / (1u64 << 53) as f64;
            xs.push(m * 10f64.powi((seed % 20) as i32 - 8));
        }
        for x in xs {
            for x in [x, -x] {
                assert_eq!(number(x), number_fmt(x), "{x:e}");
            }
        }
    }
}
