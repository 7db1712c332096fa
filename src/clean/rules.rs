//! The small, explicit rules the cleaner applies to lines: which lines are
//! boilerplate, which start a speaker turn or a list item, and how a word
//! hyphenated across a line break is put back together.

use regex::RegexSet;

/// What to do after a boilerplate line that does not end a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Continue {
    /// The line stands alone (bylines, time stamps, stage directions).
    No,
    /// Wrapped prose (a disclaimer): the next short lines belong to it.
    Prose,
    /// A URL that may wrap: following lines without spaces belong to it.
    Url,
}

const MONTH: &str = "(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

/// Built-in boilerplate line patterns, matched against a whole trimmed line.
/// The first letter is case-sensitive on purpose: a hard-wrapped prose line
/// may well begin with "subscribe to the view" or "by the Government".
fn builtins() -> Vec<(String, Continue)> {
    let name = r"(?:\p{Lu}[\p{L}'’-]*\.?|\p{Lu}\.)";
    let names = format!(r"{name}(?:\s+{name}){{0,3}}");
    let time = r"\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?\s?[Mm]\.?)?(?:\s+\p{Lu}{2,4})?";
    let date = format!(
        r"(?:(?i:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:{MONTH}\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{MONTH}\.?,?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    );
    vec![
        // "The views expressed in opinion pieces do not necessarily reflect …"
        (
            r"(?:(?:The|THE) (?i:views|opinions)|(?:V|O)(?i:iews|pinions)) (?i:expressed|in this)(?-u:\b).*".into(),
            Continue::Prose,
        ),
        (
            r"(?:R(?i:elated)|S(?i:ee also)|R(?i:ead more|ead also)|A(?i:lso read)|M(?i:ore on this)|R(?i:ecommended))(?i: articles?| stories| content| reading)?\s*:.*".into(),
            Continue::Prose,
        ),
        (
            r"(?:O(?i:riginal url|riginal article)|S(?i:ource)(?i: url)?|URL|Link)\s*:.*"
                .into(),
            Continue::Url,
        ),
        (r"(?:https?://|www\.)\S+".into(), Continue::Url),
        (format!(r"B(?i:y)\s+{names}(?:(?:\s*,\s*|\s+and\s+){names}){{0,3}}"), Continue::No),
        (
            format!(r"(?:(?:P(?i:ublished)|U(?i:pdated)|P(?i:osted)|L(?i:ast updated))\s*:?\s*(?i:on\s+)?)?{date}(?:,?\s*(?i:at\s+)?{time})?"),
            Continue::No,
        ),
        (r"(?:S(?i:ubscribe)|S(?i:ign up))(?-u:\b).*".into(), Continue::Prose),
        (r"(?:©|\([Cc]\)|C(?i:opyright)(?-u:\b)).*".into(), Continue::Prose),
        (r"A(?i:ll rights reserved)\.?".into(), Continue::No),
        // transcripts: time stamps, "END", stage directions like "(Applause.)"
        (time.into(), Continue::No),
        (format!(r"END(?:\s+{time})?"), Continue::No),
        (r"\(\p{Lu}[^()]{0,60}\)\.?".into(), Continue::No),
    ]
}

/// Length of an inline stage direction at the start of `s` (`(Applause.)`,
/// `(Laughter)`, `(Cross-talk.)`), if there is one.
pub(crate) fn stage_direction(s: &str) -> Option<usize> {
    const KINDS: &[&str] = &[
        "Applause",
        "Cross-talk",
        "Crosstalk",
        "Inaudible",
        "Laughs",
        "Laughter",
    ];
    let inner = s.strip_prefix('(')?;
    if !KINDS.iter().any(|k| inner.starts_with(k)) {
        return None;
    }
    let close = inner.as_bytes().iter().take(40).position(|&c| c == b')')?;
    Some(close + 2)
}

/// Longest line the built-in patterns look at: boilerplate lines are short,
/// so the long lines of paragraph-per-line text never reach the regexes.
pub(crate) const BUILTIN_MAX_LINE: usize = 300;
/// Longest line user patterns look at.
pub(crate) const USER_MAX_LINE: usize = 1000;

#[derive(Debug, Clone)]
pub(crate) struct Boilerplate {
    builtin: RegexSet,
    kinds: Vec<Continue>,
    user: Option<RegexSet>,
}

impl Boilerplate {
    pub fn new(extra: &[String]) -> crate::Result<Self> {
        let (pats, kinds): (Vec<String>, Vec<Continue>) = builtins()
            .into_iter()
            .map(|(p, k)| (format!("^(?:{p})$"), k))
            .unzip();
        let builtin = RegexSet::new(&pats)
            .map_err(|e| crate::Error::Other(format!("built-in boilerplate pattern: {e}")))?;
        let user = if extra.is_empty() {
            None
        } else {
            for p in extra {
                regex::Regex::new(p).map_err(|e| {
                    crate::Error::Usage(format!("bad boilerplate pattern {p:?}: {e}"))
                })?;
            }
            let pats: Vec<String> = extra.iter().map(|p| format!("(?i)^(?:{p})$")).collect();
            Some(
                RegexSet::new(&pats)
                    .map_err(|e| crate::Error::Usage(format!("bad boilerplate pattern: {e}")))?,
            )
        };
        Ok(Boilerplate {
            builtin,
            kinds,
            user,
        })
    }

    /// `Some(how the line continues)` if the trimmed `line` is boilerplate.
    pub fn check(&self, line: &str) -> Option<Continue> {
        if line.len() <= BUILTIN_MAX_LINE && may_be_builtin(line) && self.builtin.is_match(line) {
            // rare path: find which pattern, to know how it continues
            let m = self.builtin.matches(line);
            return m.iter().map(|i| self.kinds[i]).max_by_key(|k| *k as u8);
        }
        match &self.user {
            Some(u) if line.len() <= USER_MAX_LINE && u.is_match(line) => Some(Continue::No),
            _ => None,
        }
    }
}

/// First words of the built-in patterns, lowercase and sorted: lines starting with any
/// other word never reach the regexes.
fn is_first_word(w: &str) -> bool {
    matches!(
        w,
        "all"
            | "also"
            | "apr"
            | "april"
            | "aug"
            | "august"
            | "by"
            | "copyright"
            | "dec"
            | "december"
            | "end"
            | "feb"
            | "february"
            | "fri"
            | "friday"
            | "http"
            | "https"
            | "jan"
            | "january"
            | "jul"
            | "july"
            | "jun"
            | "june"
            | "last"
            | "link"
            | "mar"
            | "march"
            | "may"
            | "mon"
            | "monday"
            | "more"
            | "nov"
            | "november"
            | "oct"
            | "october"
            | "opinions"
            | "original"
            | "posted"
            | "published"
            | "read"
            | "recommended"
            | "related"
            | "sat"
            | "saturday"
            | "see"
            | "sep"
            | "sept"
            | "september"
            | "sign"
            | "source"
            | "subscribe"
            | "sun"
            | "sunday"
            | "the"
            | "thu"
            | "thursday"
            | "tue"
            | "tuesday"
            | "updated"
            | "url"
            | "views"
            | "wed"
            | "wednesday"
            | "www"
    )
}

/// Cheap first check before the regexes: the line's first character or word.
fn may_be_builtin(line: &str) -> bool {
    let b = line.as_bytes();
    match b.first() {
        Some(b'0'..=b'9' | b'(' | 0xC2) => true, // dates, times, stage directions, ©
        Some(_) => {
            let w = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            if w > 12 {
                return false;
            }
            let mut buf = [0u8; 12];
            buf[..w].copy_from_slice(&b[..w]);
            buf.make_ascii_lowercase();
            let word = std::str::from_utf8(&buf[..w]).unwrap_or("");
            is_first_word(word)
        }
        None => false,
    }
}

/// A speaker label at the start of a (left-trimmed) line: `MR. KIRBY:`,
/// `THE PRESIDENT:`, `Q:` or `Q` followed by spacing. Returns the byte length
/// of the label with the spacing after it, and the normalised label.
/// `q_allowed`: a bare `Q` is only a label at the start of a paragraph.
pub(crate) fn speaker_label(line: &str, q_allowed: bool) -> Option<(usize, String)> {
    let b = line.as_bytes();
    if b.first() == Some(&b'Q') {
        if !q_allowed {
            return None;
        }
        let mut i = 1;
        if b.get(i) == Some(&b':') {
            i += 1;
        }
        let rest = &line[i..];
        let sp = rest.len() - rest.trim_start().len();
        if sp == 0 && !rest.is_empty() {
            return None;
        }
        // "Q" as a turn needs some separation: a colon, a tab, an NBSP or two spaces
        let sep = &rest[..sp];
        if i == 1 && !rest.is_empty() && !(sep.contains(['\t', '\u{a0}']) || sp >= 2) {
            return None;
        }
        return Some((i + sp, "Q".to_string()));
    }
    // uppercase label ending with ':'
    let mut letters = 0;
    let mut end = None;
    for (i, c) in line.char_indices().take(60) {
        match c {
            'A'..='Z' => letters += 1,
            ' ' | '.' | '-' | '\'' | '’' if i > 0 => {}
            ':' if letters >= 2 => {
                end = Some(i);
                break;
            }
            _ => return None,
        }
    }
    let end = end?;
    let rest = &line[end + 1..];
    let sp = rest.len() - rest.trim_start().len();
    if sp == 0 && !rest.is_empty() {
        return None;
    }
    let label = line[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    Some((end + 1 + sp, label))
}

/// Does the (left-trimmed) line start like a list item?
pub(crate) fn starts_list_item(line: &str) -> bool {
    let b = line.as_bytes();
    let Some(c) = line.chars().next() else {
        return false;
    };
    if matches!(c, '•' | '◦' | '▪' | '‣' | '⁃' | '·' | '●' | '■') {
        return true;
    }
    if matches!(c, '-' | '*' | '–') {
        let next = line[c.len_utf8()..].chars().next();
        return next.is_some_and(|n| n == ' ' || n == '\t' || n.is_uppercase());
    }
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let marker_end = if (1..=3).contains(&digits) {
        digits
    } else if b.len() > 1 && b[0] == b'(' {
        let n = b[1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if (1..=3).contains(&n) && b.get(1 + n) == Some(&b')') {
            return b.get(2 + n).is_some_and(|c| c.is_ascii_whitespace());
        }
        return false;
    } else if b.len() > 1 && b[0].is_ascii_lowercase() && b[1] == b')' {
        1
    } else {
        return false;
    };
    let mut i = marker_end;
    if b.get(i) == Some(&b'.') {
        i += 1;
    }
    if b.get(i) == Some(&b')') {
        i += 1;
    }
    i > marker_end && b.get(i).is_some_and(|c| c.is_ascii_whitespace())
}

/// Words that, before a line-final hyphen, start a hyphenated compound
/// (`self-⏎defence`, `well-⏎known`, `twenty-⏎first`, `million-⏎strong`).
const COMPOUND_HEADS: &[&str] = &[
    "all",
    "anti",
    "billion",
    "co",
    "cross",
    "eight",
    "eighteen",
    "eighty",
    "eleven",
    "ex",
    "far",
    "fifteen",
    "fifth",
    "fifty",
    "first",
    "five",
    "forty",
    "four",
    "fourteen",
    "fourth",
    "full",
    "half",
    "high",
    "hundred",
    "ill",
    "long",
    "low",
    "million",
    "near",
    "nine",
    "nineteen",
    "ninety",
    "non",
    "one",
    "second",
    "self",
    "seven",
    "seventeen",
    "seventy",
    "short",
    "six",
    "sixteen",
    "sixty",
    "so",
    "ten",
    "third",
    "thirteen",
    "thirty",
    "thousand",
    "three",
    "trillion",
    "twelve",
    "twenty",
    "two",
    "well",
    "wide",
];

/// Words that, after a line-initial break, end a hyphenated compound
/// (`profit-⏎seeking`, `peace-⏎keeping`, `war-⏎torn`). Fragments that also
/// close common single words (`-known` in "unknown", `-standing` in
/// "understanding", `-day` in "today") are deliberately absent.
const COMPOUND_TAILS: &[&str] = &[
    "aligned",
    "appointed",
    "based",
    "bound",
    "building",
    "elected",
    "fire",
    "fold",
    "friendly",
    "governing",
    "keeping",
    "led",
    "level",
    "loving",
    "made",
    "making",
    "minded",
    "old",
    "oriented",
    "owned",
    "party",
    "ranging",
    "related",
    "run",
    "scale",
    "seeking",
    "sized",
    "speaking",
    "sponsored",
    "state",
    "states",
    "strong",
    "term",
    "torn",
    "wide",
    "year",
    "years",
];

/// Should `before-⏎after` keep its hyphen? (`false`: the hyphen only broke
/// a word across lines, as in `negotia-⏎tions`.) `before` and `after` are the
/// letters on either side.
pub(crate) fn keep_hyphen(before: &str, after: &str) -> bool {
    let a0 = after.chars().next();
    if !a0.is_some_and(|c| c.is_lowercase()) {
        return true; // anti-⏎American, COVID-⏎19
    }
    if before.chars().last().is_some_and(|c| c.is_ascii_digit()) {
        return true;
    }
    if before.len() >= 2 && before.chars().all(|c| c.is_uppercase()) {
        return true; // NATO-⏎led
    }
    let lower = before.to_lowercase();
    if COMPOUND_HEADS.binary_search(&lower.as_str()).is_ok() {
        return true;
    }
    let tail: String = after.chars().take_while(|c| c.is_alphabetic()).collect();
    COMPOUND_TAILS.binary_search(&tail.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_binary_search() {
        assert!(COMPOUND_HEADS.windows(2).all(|w| w[0] < w[1]));
        assert!(COMPOUND_TAILS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_first_word("related") && is_first_word("https") && !is_first_word("peace"));
    }

    #[test]
    fn hyphen_rule() {
        for (b, a) in [
            ("million", "strong"),
            ("well", "known"),
            ("self", "defence"),
            ("twenty", "first"),
            ("profit", "seeking"),
            ("anti", "American"),
            ("COVID", "19"),
            ("NATO", "led"),
            ("co", "operation"),
        ] {
            assert!(keep_hyphen(b, a), "{b}-{a}");
        }
        for (b, a) in [
            ("negotia", "tions"),
            ("Ukrain", "ian"),
            ("inter", "dependence"),
            ("under", "standing"),
            ("un", "known"),
            ("to", "day"),
        ] {
            assert!(!keep_hyphen(b, a), "{b}{a}");
        }
    }

    #[test]
    fn speaker_labels() {
        let l = |s| speaker_label(s, true);
        assert_eq!(l("MR. KIRBY:  Thanks."), Some((12, "MR. KIRBY".into())));
        assert_eq!(l("THE PRESIDENT: Yes."), Some((15, "THE PRESIDENT".into())));
        assert_eq!(l("MS. JEAN-PIERRE:"), Some((16, "MS. JEAN-PIERRE".into())));
        assert_eq!(l("Q:  Why?"), Some((4, "Q".into())));
        assert_eq!(l("Q \u{a0}  Mr. President"), Some((6, "Q".into())));
        assert_eq!(l("Q    Does he?"), Some((5, "Q".into())));
        assert_eq!(speaker_label("Q    Does he?", false), None);
        assert_eq!(l("Quite so: yes"), None);
        assert_eq!(l("Q is a letter"), None);
        assert_eq!(l("NATO has: members"), None);
        assert_eq!(l("A: b"), None);
        assert_eq!(l("TIME:10"), None);
    }

    #[test]
    fn list_items() {
        for s in [
            "• item",
            "- item",
            "-His Excellency",
            "1. First",
            "12) x",
            "1.) x",
            "(a) x",
            "a) x",
        ] {
            assert!(starts_list_item(s), "{s}");
        }
        for s in [
            "1945 was",
            "-based",
            "2022. The",
            "a) ",
            "Item",
            "(applause)",
        ] {
            assert_eq!(starts_list_item(s), s == "a) ", "{s}");
        }
    }

    #[test]
    fn boilerplate_lines() {
        let bp = Boilerplate::new(&["Photo: .*".into()]).unwrap();
        for s in [
            "The views expressed in opinion pieces do not necessarily reflect the position of The Moscow",
            "Related article: Why Is It So Hard?",
            "Original url:",
            "Source: Reuters",
            "https://www.example.com/2025/08/18/a-b-c",
            "By John Smith",
            "By Jane Doe and John Smith",
            "August 18, 2025",
            "Published: 18 Aug 2025 10:32",
            "Read more: Something else",
            "Subscribe to our newsletter",
            "© 2025 The Times. All rights reserved.",
            "Copyright 2025 Example Media",
            "(Applause.)",
            "5:41 P.M. CDT",
            "END",
            "END 3:24 P.M. EDT",
            "photo: AP",
        ] {
            assert!(bp.check(s).is_some(), "{s}");
        }
        for s in [
            "by the Government of Peru and others",
            "subscribe to the view that force is",
            "By Russia's own admission, it lost.",
            "Related to this, we think",
            "The first and most important guarantee of any state has always been its armed forces.",
            "end",
        ] {
            assert!(bp.check(s).is_none(), "{s}");
        }
        assert_eq!(bp.check("Original url:"), Some(Continue::Url));
        assert_eq!(bp.check("By John Smith"), Some(Continue::No));
        assert!(Boilerplate::new(&["(".into()]).is_err());
    }
}
