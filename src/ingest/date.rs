//! Dates as sources write them, to a [`PartialDate`] at the precision given.
//!
//! Accepted: ISO dates and datetimes (`2022-05-17`, `2022-05-17T23:48:46`,
//! `2024-10-04 10:36:54-04:00`, `2022-06-24T17:30:00Z`; the time of day and
//! zone are ignored: the date is the one the source wrote, not converted to
//! UTC), `2022/05/17`, `February 23, 2022`, `Feb. 23, 2022`, `23 February 2022`,
//! an optional leading weekday (`Monday, …`), month-only (`2022-05`,
//! `May 2022`) and year-only (`2022`).

use crate::model::PartialDate;

/// Values that mean "no date" (not worth a warning).
pub fn is_missing(s: &str) -> bool {
    let s = s.trim();
    s.is_empty()
        || [
            "na", "n/a", "nan", "null", "none", "-", "unknown", "nd", "n.d.",
        ]
        .iter()
        .any(|m| s.eq_ignore_ascii_case(m))
}

/// Parse a date; `None` when the text is not a date we understand.
pub fn parse(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.as_bytes()[0].is_ascii_digit() {
        if let Some(d) = parse_numeric(s).or_else(|| parse_slashed(s)) {
            return Some(d);
        }
    }
    parse_words(s)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn make(year: i32, month: Option<u8>, day: Option<u8>) -> Option<PartialDate> {
    if !(1..=9999).contains(&year) {
        return None;
    }
    if let Some(m) = month {
        if !(1..=12).contains(&m) {
            return None;
        }
        if let Some(d) = day {
            if d == 0 || d > days_in_month(year, m) {
                return None;
            }
        }
    } else if day.is_some() {
        return None;
    }
    Some(PartialDate { year, month, day })
}

/// Leading run of ASCII digits: (value, length).
fn digits(b: &[u8]) -> (u32, usize) {
    let mut v: u32 = 0;
    let mut n = 0;
    while n < b.len() && b[n].is_ascii_digit() && n < 9 {
        v = v * 10 + u32::from(b[n] - b'0');
        n += 1;
    }
    (v, n)
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (or `/`), optionally followed by a time.
fn parse_numeric(s: &str) -> Option<PartialDate> {
    let b = s.as_bytes();
    let (year, n) = digits(b);
    if n != 4 {
        return None;
    }
    let rest = &b[4..];
    if rest.is_empty() {
        return make(year as i32, None, None);
    }
    let sep = rest[0];
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (month, mn) = digits(&rest[1..]);
    if mn == 0 || mn > 2 {
        return None;
    }
    let rest = &rest[1 + mn..];
    if rest.is_empty() {
        return make(year as i32, Some(month as u8), None);
    }
    if rest[0] != sep {
        return None;
    }
    let (day, dn) = digits(&rest[1..]);
    if dn == 0 || dn > 2 {
        return None;
    }
    let tail = &rest[1 + dn..];
    // A time part must be separated: `T`, a space, or nothing else.
    if !tail.is_empty() && tail[0] != b'T' && tail[0] != b't' && tail[0] != b' ' {
        return None;
    }
    make(year as i32, Some(month as u8), Some(day as u8))
}

/// `MM/DD/YYYY` (US order, as exported by US and Kremlin sites), or
/// `DD/MM/YYYY` when the first number cannot be a month; `.`-separated
/// dates are European `DD.MM.YYYY`. A time may follow after a space.
fn parse_slashed(s: &str) -> Option<PartialDate> {
    let s = s.split(' ').next().unwrap_or(s);
    let sep = if s.contains('/') { '/' } else { '.' };
    let mut it = s.split(sep);
    let (a, b, y) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 || a.len() > 2 || b.len() > 2 {
        return None;
    }
    let (a, b, y): (u8, u8, i32) = (a.parse().ok()?, b.parse().ok()?, y.parse().ok()?);
    let (m, d) = if sep == '.' || a > 12 { (b, a) } else { (a, b) };
    make(y, Some(m), Some(d))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Month number of a full or abbreviated (≥ 3 letters, `Sept`) English month name.
fn month_of(w: &str) -> Option<u8> {
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            m.len() >= w.len() && m.as_bytes()[..w.len()].eq_ignore_ascii_case(w.as_bytes())
        })
        .map(|i| i as u8 + 1)
}

fn is_weekday(w: &str) -> bool {
    let w = w.trim_end_matches('.');
    w.len() >= 3
        && WEEKDAYS.iter().any(|d| {
            d.len() >= w.len() && d.as_bytes()[..w.len()].eq_ignore_ascii_case(w.as_bytes())
        })
}

fn number(w: &str) -> Option<u32> {
    // Allow ordinals: 1st, 2nd, 23rd, 4th.
    let w = w
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .trim_end_matches('.');
    if w.is_empty() || w.len() > 4 || !w.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    w.parse().ok()
}

/// `February 23, 2022`, `Feb. 23 2022`, `23 February 2022`, `May 2022`.
fn parse_words(s: &str) -> Option<PartialDate> {
    let mut words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    if words.first().is_some_and(|w| is_weekday(w)) && words.len() > 1 {
        words.remove(0);
    }
    let year = |w: &str| number(w).filter(|&y| y >= 1000).map(|y| y as i32);
    match words.as_slice() {
        [m, d, y] => {
            if let Some(month) = month_of(m) {
                let day = number(d)?;
                return make(year(y)?, Some(month), Some(u8::try_from(day).ok()?));
            }
            let day = number(m)?;
            let month = month_of(d)?;
            make(year(y)?, Some(month), Some(u8::try_from(day).ok()?))
        }
        [m, y] => make(year(y)?, Some(month_of(m)?), None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        parse(s).map(|d| d.to_string())
    }

    #[test]
    fn iso_dates_and_datetimes() {
        assert_eq!(d("2022-05-17T23:48:46").as_deref(), Some("2022-05-17"));
        assert_eq!(
            d("2024-10-04 10:36:54-04:00").as_deref(),
            Some("2024-10-04")
        );
        assert_eq!(d("2012-05-15 18:00:00").as_deref(), Some("2012-05-15"));
        assert_eq!(d("2022-06-24T17:30:00Z").as_deref(), Some("2022-06-24"));
        assert_eq!(d("2022-5-7").as_deref(), Some("2022-05-07"));
        assert_eq!(d("2022/05/17").as_deref(), Some("2022-05-17"));
        assert_eq!(d("04/19/2022").as_deref(), Some("2022-04-19"));
        assert_eq!(d("12/06/2024").as_deref(), Some("2024-12-06"));
        assert_eq!(d("19/04/2022").as_deref(), Some("2022-04-19"));
        assert_eq!(d("19.04.2022").as_deref(), Some("2022-04-19"));
        assert_eq!(d("2022").as_deref(), Some("2022"));
        assert_eq!(d("2022-05").as_deref(), Some("2022-05"));
        assert_eq!(d(" 1946 ").as_deref(), Some("1946"));
    }

    #[test]
    fn written_dates() {
        assert_eq!(d("February 23, 2022").as_deref(), Some("2022-02-23"));
        assert_eq!(d("23 February 2022").as_deref(), Some("2022-02-23"));
        assert_eq!(d("Feb. 23, 2022").as_deref(), Some("2022-02-23"));
        assert_eq!(d("Sept. 3, 2022").as_deref(), Some("2022-09-03"));
        assert_eq!(
            d("Wednesday, February 23, 2022").as_deref(),
            Some("2022-02-23")
        );
        assert_eq!(d("March 1st, 2022").as_deref(), Some("2022-03-01"));
        assert_eq!(d("May 2022").as_deref(), Some("2022-05"));
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for s in [
            "NA",
            "",
            "2022-13-01",
            "2022-02-30",
            "2021-02-29",
            "tomorrow",
            "May",
            "123",
            "2022-05-17x",
            "32 May 2022",
            "Ma 3, 2022",
            "13/13/2022",
            "1/2/22",
        ] {
            assert_eq!(d(s), None, "{s}");
        }
        assert_eq!(d("2024-02-29").as_deref(), Some("2024-02-29"));
        assert!(is_missing("NA") && is_missing(" ") && !is_missing("2022"));
    }
}
