use super::*;

fn clean(s: &str) -> Cleaned {
    Cleaner::new(&CleanOptions::default())
        .unwrap()
        .clean(s, 0..s.len())
}

/// Every cleaned char maps back to a char boundary of the original and the
/// map never goes backwards.
fn assert_map_sane(orig: &str, c: &Cleaned) {
    let mut prev = 0;
    for (i, _) in c.text.char_indices().chain([(c.text.len(), ' ')]) {
        let o = c.to_original(i);
        assert!(o >= prev, "map goes back at {i}: {o} < {prev}");
        assert!(o <= orig.len() && orig.is_char_boundary(o));
        prev = o;
    }
}

#[test]
fn disclaimer_wrapped_over_two_lines_is_removed() {
    let s = "Peace needs guarantees.\n\nThe views expressed in opinion pieces do not necessarily reflect the position of The Moscow\nTimes.\n\nNext paragraph.";
    let c = clean(s);
    assert_eq!(c.text, "Peace needs guarantees.\n\nNext paragraph.");
    assert_map_sane(s, &c);
    let p = c.text.find("Next").unwrap();
    assert_eq!(&s[c.original_range(p..c.text.len())], "Next paragraph.");
}

#[test]
fn related_article_and_wrapped_url_lines_are_removed() {
    let s = "One.\n\nRelated article: Why Is It So Hard?\n\nTwo.\n\nOriginal url:\nhttps://www.example.com/2025/08/18/some-long-s\neriously-long-slug-a90264\n\n";
    let c = clean(s);
    assert_eq!(c.text, "One.\n\nTwo.");
    assert_map_sane(s, &c);
}

#[test]
fn bylines_datelines_and_transcript_markers_are_removed() {
    let s = "By John Smith\nAugust 18, 2025\n\n5:41 P.M. CDT\n\nTHE PRESIDENT:  Thank you.  (Applause.)\n\n(Applause.)\n\nEND\n";
    let c = clean(s);
    assert_eq!(c.text, "Thank you.  ");
    assert_eq!(c.speakers, vec![(0, "THE PRESIDENT".to_string())]);
}

#[test]
fn extra_boilerplate_patterns_apply_and_bad_ones_fail() {
    let opts = CleanOptions {
        boilerplate: vec!["photo: .*".into()],
    };
    let s = "Text.\nPHOTO: AP\nMore.";
    let c = Cleaner::new(&opts).unwrap().clean(s, 0..s.len());
    assert_eq!(c.text, "Text.\n\nMore.");
    let bad = CleanOptions {
        boilerplate: vec!["(".into()],
    };
    assert!(matches!(Cleaner::new(&bad), Err(crate::Error::Usage(_))));
}

#[test]
fn hard_wrapped_lines_join_and_blank_lines_stay_breaks() {
    let s =
        "It was a cold \nnight in the city.\nAnd the next line\ncontinues here.\n\nNew paragraph.";
    let c = clean(s);
    assert_eq!(
        c.text,
        "It was a cold  night in the city. And the next line continues here.\n\nNew paragraph."
    );
    assert_map_sane(s, &c);
    // a single ASCII paragraph is a single copy run
    assert_eq!(c.to_original(20), 20);
}

#[test]
fn separate_items_keep_their_line_breaks() {
    // short unpunctuated lines: a list
    assert_eq!(
        clean("features\ncontact manager\nevents, activities\n").text,
        "features\ncontact manager\nevents, activities"
    );
    // a heading line before prose
    let long =
        "The first and most important guarantee of any state has always been its armed forces.";
    assert_eq!(
        clean(&format!("Security Guarantees\n{long}")).text,
        format!("Security Guarantees\n{long}")
    );
    // list items
    assert_eq!(
        clean("We want:\n- peace\n- justice").text,
        "We want:\n- peace\n- justice"
    );
    // a short line followed by lowercase is a wrapped sentence
    assert_eq!(
        clean("This is a sentence\ncut off in the middle because pdf.").text,
        "This is a sentence cut off in the middle because pdf."
    );
}

#[test]
fn words_hyphenated_across_lines() {
    let cases = [
        ("a million-\nstrong force", "a million-strong force"),
        ("the negotia-\ntions failed", "the negotiations failed"),
        ("a well-\nknown fact", "a well-known fact"),
        ("the Ukrain-\nian army", "the Ukrainian army"),
        ("in self-\ndefence now", "in self-defence now"),
        ("the twenty-\nfirst century", "the twenty-first century"),
        ("all profit-\nseeking firms", "all profit-seeking firms"),
        ("our inter-\ndependence grows", "our interdependence grows"),
        ("the anti-\nAmerican tone", "the anti-American tone"),
        ("COVID-\n19 spread", "COVID-19 spread"),
        (
            "we said any-\n— and I mean any — change would need a vote first.",
            "we said any- — and I mean any — change would need a vote first.",
        ),
    ];
    for (s, want) in cases {
        let c = clean(s);
        assert_eq!(c.text, want, "{s:?}");
        assert_map_sane(s, &c);
    }
    let s = "the negotia-\ntions failed";
    let c = clean(s);
    let r = c.text.find("negotiations").unwrap();
    assert_eq!(
        &s[c.original_range(r..r + "negotiations".len())],
        "negotia-\ntions"
    );
}

#[test]
fn characters_are_normalised_and_offsets_follow() {
    let s = "\u{FEFF}Russia\u{2019}s \u{201C}guarantees\u{201D}\u{a0}matter\u{ad}s\u{200B}.\r\nNext\rline.";
    let c = clean(s);
    assert_eq!(c.text, "Russia's \"guarantees\" matters. Next line.");
    assert_map_sane(s, &c);
    let q = c.text.find('\'').unwrap();
    assert_eq!(&s[c.original_range(q..q + 1)], "\u{2019}");
    let g = c.text.find("\"guarantees\"").unwrap();
    assert_eq!(
        &s[c.original_range(g..g + 12)],
        "\u{201C}guarantees\u{201D}"
    );
    assert_eq!(c.to_original(0), 3, "BOM skipped");
}

#[test]
fn speaker_turns_are_recorded_and_labels_removed() {
    let s = "MS. JEAN-PIERRE:  Okay.  So, here we go.\n\nQ \u{a0}  Does the president\nagree?\n\nMR. KIRBY:  He does.\n\nAnd more from Kirby.\n\nQ:  Thanks.";
    let c = clean(s);
    assert_eq!(
        c.text,
        "Okay.  So, here we go.\n\nDoes the president agree?\n\nHe does.\n\nAnd more from Kirby.\n\nThanks."
    );
    let labels: Vec<&str> = c.speakers.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["MS. JEAN-PIERRE", "Q", "MR. KIRBY", "Q"]);
    assert_eq!(c.speaker_at(0), Some("MS. JEAN-PIERRE"));
    assert_eq!(c.speaker_at(c.text.find("Does").unwrap()), Some("Q"));
    assert_eq!(
        c.speaker_at(c.text.find("And more").unwrap()),
        Some("MR. KIRBY")
    );
    assert_map_sane(s, &c);
    // a label on its own line
    let c = clean("THE PRESIDENT:\nWe will win.");
    assert_eq!(c.text.trim(), "We will win.");
    assert_eq!(
        c.speaker_at(c.text.find("We").unwrap()),
        Some("THE PRESIDENT")
    );
}

#[test]
fn body_offsets_are_relative_to_the_whole_text() {
    let s = "---\ntitle: x\n---\nBody \u{2019}text\u{2019}.";
    let body = s.find("Body").unwrap()..s.len();
    let c = Cleaner::new(&CleanOptions::default())
        .unwrap()
        .clean(s, body.clone());
    assert_eq!(c.text, "Body 'text'.");
    assert_eq!(c.original_range(0..c.text.len()), body);
    assert_eq!(c.to_original(0), body.start);
}

#[test]
fn empty_and_blank_bodies() {
    let c = clean("");
    assert_eq!(c.text, "");
    assert_eq!(c.to_original(0), 0);
    let s = "  \n\u{a0}\n\r\n";
    let c = clean(s);
    assert_eq!(c.text, "");
    assert!(c.to_original(0) <= s.len());
}

#[test]
fn inline_stage_directions_are_dropped() {
    let s = "We are back.\u{a0} (Applause.)\u{a0} I thank you (laughs) all. (Laughter.)";
    let c = clean(s);
    assert_eq!(c.text, "We are back.  I thank you (laughs) all. ");
    assert_map_sane(s, &c);
}
