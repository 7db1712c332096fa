//! Property tests for clean → segment: whatever the text (multibyte chars,
//! CRs, NBSPs, hyphens at line ends, speaker labels, boilerplate), offsets
//! stay monotonic, in bounds and on char boundaries, and sentence ranges are
//! ordered, disjoint, non-empty and trimmed.

use proptest::prelude::*;

use opstance::clean::{CleanOptions, Cleaner};

const FRAGMENTS: &[&str] = &[
    "peace",
    "Ukraine",
    "Mr.",
    "U.S.",
    "e.g.",
    "negotia-",
    "million-",
    "well-",
    "tions",
    "strong",
    " ",
    "  ",
    ". ",
    ".",
    "? ",
    "!",
    "...",
    " . . . ",
    "\u{2026}",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\u{a0}",
    "\u{202f}",
    "-\n",
    "\u{2019}",
    "\u{201c}",
    "\u{201d}",
    "\"",
    "'",
    "(",
    ")",
    "\u{e9}",
    "\u{416}",
    "\u{1F600}",
    "\u{200b}",
    "\u{feff}",
    "\u{ad}",
    "\u{2022} ",
    "\u{2043}",
    "1. ",
    "2) ",
    "a. ",
    "Q  ",
    "Q:",
    "MR. KIRBY:  ",
    "THE PRESIDENT: ",
    "(Applause.)",
    "END",
    "5:41 P.M. CDT",
    "Related article: x",
    "Original url:",
    "https://x.example/a-b",
    "By John Smith",
    "The",
    "It",
    "1,000",
    "world.Today",
    "\t",
    "-",
    "\u{2014}",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80).prop_map(|v| v.concat()),
        "\\PC{0,200}",
        prop::collection::vec(
            prop_oneof!["[a-zA-Z .?!\\-\n\r\u{a0}\u{2019}]{0,12}", "\\PC{0,4}"],
            0..30
        )
        .prop_map(|v| v.concat()),
    ]
}

fn check_ranges(text: &str, ranges: &[std::ops::Range<usize>]) -> Result<(), TestCaseError> {
    let mut prev_end = 0;
    for r in ranges {
        prop_assert!(r.start < r.end, "empty range {r:?}");
        prop_assert!(r.start >= prev_end, "overlap or disorder at {r:?}");
        prop_assert!(r.end <= text.len());
        prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        let s = &text[r.clone()];
        prop_assert_eq!(s, s.trim(), "not trimmed");
        prev_end = r.end;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn clean_map_and_sentences_stay_in_the_body(
        prefix in "\\PC{0,8}", body in text(), suffix in "\\PC{0,8}"
    ) {
        let full = format!("{prefix}{body}{suffix}");
        let range = prefix.len()..prefix.len() + body.len();
        let cleaner = Cleaner::new(&CleanOptions::default()).unwrap();
        let c = cleaner.clean(&full, range.clone());

        // to_original: monotonic, inside the body, on char boundaries
        let mut prev = range.start;
        for i in (0..=c.text.len()).filter(|&i| c.text.is_char_boundary(i)) {
            let o = c.to_original(i);
            prop_assert!(o >= prev, "to_original({i}) = {o} < {prev}");
            prop_assert!(range.contains(&o) || o == range.end, "{o} outside {range:?}");
            prop_assert!(full.is_char_boundary(o));
            prev = o;
        }
        // speaker turns are in order and inside the cleaned text
        prop_assert!(c.speakers.windows(2).all(|w| w[0].0 <= w[1].0));
        prop_assert!(c.speakers.iter().all(|(o, _)| *o <= c.text.len()));

        let mut ranges = Vec::new();
        opstance::segment::sentences(&c.text, &mut ranges);
        check_ranges(&c.text, &ranges)?;
        let mut prev_end = range.start;
        for r in &ranges {
            let o = c.original_range(r.clone());
            prop_assert!(o.start <= o.end);
            prop_assert!(o.start >= range.start && o.end <= range.end, "{o:?} outside {range:?}");
            prop_assert!(full.is_char_boundary(o.start) && full.is_char_boundary(o.end));
            prop_assert!(o.start >= prev_end, "original ranges overlap");
            prev_end = o.end;
        }
    }

    #[test]
    fn sentences_of_raw_text_are_well_formed(s in text()) {
        let mut ranges = Vec::new();
        opstance::segment::sentences(&s, &mut ranges);
        check_ranges(&s, &ranges)?;
        // nothing but whitespace is lost between sentences
        let mut last = 0;
        for r in &ranges {
            prop_assert!(s[last..r.start].trim().is_empty());
            last = r.end;
        }
        prop_assert!(s[last..].trim().is_empty());
    }
}
