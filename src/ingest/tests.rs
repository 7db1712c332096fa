//! Corpus-level tests on the fixtures in `tests/fixtures/`.

use std::path::{Path, PathBuf};

use super::*;

fn fixtures(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}

/// Every unit resolved: articles and skipped, in order.
fn run(inputs: &[PathBuf], o: &IngestOptions) -> (Vec<Article>, Vec<Skipped>) {
    let c = Corpus::open(inputs, o).unwrap();
    let (mut arts, mut skips) = (Vec::new(), Vec::new());
    for u in c.units() {
        match u {
            Unit::Ready(a) => arts.push(*a),
            Unit::Skipped(s) => skips.push(s),
            Unit::File(j) => match c.load(&j) {
                Ok(a) => arts.push(a),
                Err(s) => skips.push(s),
            },
        }
    }
    (arts, skips)
}

fn by_id<'a>(arts: &'a [Article], id: &str) -> &'a Article {
    arts.iter().find(|a| a.id == id).unwrap_or_else(|| {
        panic!(
            "no article {id}: {:?}",
            arts.iter().map(|a| &a.id).collect::<Vec<_>>()
        )
    })
}

#[test]
fn formats_fixture_metadata() {
    let (arts, skips) = run(&[fixtures("formats")], &IngestOptions::default());
    assert!(skips.is_empty(), "{skips:?}");
    let ids: Vec<&str> = arts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "bom-crlf",
            "folder with spaces/nested",
            "records.csv#1",
            "records.csv#2",
            "a1",
            "records.jsonl#2",
            "records.jsonl#3",
            "records.tsv#1",
            "toml-front",
            "wrapped-url",
            "yaml-front"
        ]
    );
    // Order: sorted names; records in file order.
    assert_eq!(ids[0], "bom-crlf");
    assert_eq!(ids[1], "folder with spaces/nested");

    let bom = by_id(&arts, "bom-crlf");
    let raw = std::fs::read(fixtures("formats/bom-crlf.txt")).unwrap();
    assert_eq!(
        bom.text.as_bytes(),
        &raw[..],
        "UTF-8 text is the file bytes"
    );
    assert_eq!(bom.body.start, 3);
    assert_eq!(bom.language, "en");

    let y = by_id(&arts, "yaml-front");
    assert_eq!(
        y.title.as_deref(),
        Some("Talks in Istanbul\u{a0}and after\u{2019}s hopes")
    );
    assert_eq!(y.authors, ["Ann Lee", "Bo Chan"]);
    assert_eq!(y.commentator(), "Ann Lee; Bo Chan");
    assert_eq!(y.date.unwrap().to_string(), "2022-03-29");
    assert_eq!(
        y.url.as_deref(),
        Some("https://www.example.org/opinion/2022/03/29/talks/")
    );
    assert_eq!(y.outlet.as_deref(), Some("Example"));
    assert_eq!(y.meta["tags"], r#"["negotiations","turkey"]"#);
    assert_eq!(y.meta["published_time"], "2022-03-29 18:00:00-04:00");
    assert!(y.text[y.body.clone()].starts_with("The delegations met"));

    let t = by_id(&arts, "toml-front");
    assert_eq!(t.authors, ["Cy Diaz"]);
    assert_eq!(t.outlet.as_deref(), Some("The Example Review"));
    assert_eq!(t.date.unwrap().to_string(), "2023-01-15");
    assert!(t.text[t.body.clone()].starts_with("Guarantees"));

    let w = by_id(&arts, "wrapped-url");
    assert_eq!(
        w.url.as_deref(),
        Some("https://www.themoscowtimes.com/2025/08/18/ukraine-needs-security-guarantees-moscow-will-take-seriously-a90264")
    );
    assert_eq!(w.outlet.as_deref(), Some("The Moscow Times"));
    assert_eq!(w.date.unwrap().to_string(), "2025-08-18");

    let j = by_id(&arts, "a1");
    assert_eq!(j.authors, ["Володимир Зеленський"]);
    assert_eq!(j.date.unwrap().to_string(), "2022-05-17");
    assert_eq!(j.record, Some(1));
    assert_eq!(j.outlet.as_deref(), Some("YouTube"));
    assert_eq!(j.meta["topics"], r#"["war","peace"]"#);
    assert_eq!(j.meta["date"], "2022-05-17T23:48:46");
    assert_eq!(j.text, "We will defend our land and we will win this war.");
    assert_eq!(j.body, 0..j.text.len());

    let py = by_id(&arts, "records.jsonl#2");
    assert!(py.source.ends_with("records.jsonl"));
    assert_eq!(py.authors, ["Ann Lee", "Bo Chan"]);
    assert_eq!(py.date.unwrap().to_string(), "2022-02-23");
    assert_eq!(py.meta["views"], "12");
    let na = by_id(&arts, "records.jsonl#3");
    assert_eq!(na.date, None);
    assert!(na.warnings.is_empty(), "NA is no date, not an error");

    let csv_rows: Vec<&Article> = arts
        .iter()
        .filter(|a| a.source.ends_with("records.csv"))
        .collect();
    assert_eq!(csv_rows.len(), 2);
    assert_eq!(csv_rows[0].authors, ["Joe Biden"]);
    assert_eq!(csv_rows[0].date.unwrap().to_string(), "2022-02-23");
    assert_eq!(csv_rows[0].outlet.as_deref(), Some("The White House"));
    assert_eq!(csv_rows[1].date.unwrap().to_string(), "2022-05");
    assert_eq!(csv_rows[1].url, None);

    let tsv = arts
        .iter()
        .find(|a| a.source.ends_with("records.tsv"))
        .unwrap();
    assert_eq!(tsv.title.as_deref(), Some("TSV headline"));
    assert_eq!(tsv.outlet.as_deref(), Some("kremlin.ru"));
    assert_eq!(tsv.date.unwrap().to_string(), "2012-05-15");
}

#[test]
fn hostile_fixture_reasons() {
    let (arts, skips) = run(&[fixtures("hostile")], &IngestOptions::default());
    let reason = |name: &str| -> Vec<(Option<u64>, String)> {
        skips
            .iter()
            .filter(|s| s.path.ends_with(name))
            .map(|s| (s.record, s.reason.clone()))
            .collect()
    };
    assert!(reason("binary.txt")[0].1.contains("NUL"));
    assert_eq!(reason("empty.txt")[0].1, "empty file");
    assert!(reason("blank.md")[0].1.contains("whitespace"));
    assert_eq!(reason("report.pdf")[0].1, "unsupported file type .pdf");
    let ragged = reason("ragged.csv");
    assert_eq!(ragged.len(), 1);
    assert_eq!(ragged[0].0, Some(2));
    assert!(
        ragged[0].1.contains("line 3") && ragged[0].1.contains("2 fields"),
        "{ragged:?}"
    );
    let jl = reason("broken-line.jsonl");
    assert_eq!(
        jl.iter().map(|r| r.0.unwrap()).collect::<Vec<_>>(),
        [2, 4, 6]
    );
    assert!(jl[0].1.contains("not valid JSON"));
    assert!(jl[1].1.contains("empty text"));
    assert!(jl[2].1.contains("not a JSON object"));

    let inv = by_id(&arts, "invalid-utf8");
    assert!(inv.warnings[0].contains("invalid UTF-8"));
    assert!(inv.text.contains('\u{FFFD}'));
    let u16 = by_id(&arts, "utf16le");
    assert!(u16.text.starts_with("Security guarantees"));
    assert!(u16.warnings[0].contains("UTF-16LE"));
    let fm = by_id(&arts, "broken-frontmatter");
    assert!(fm.warnings[0].contains("line 1") && fm.warnings[0].contains("never closed"));
    assert_eq!(fm.body.start, 0);
    let ids: Vec<&str> = arts.iter().map(|a| a.id.as_str()).collect();
    assert!(ids.contains(&"broken-line.jsonl#1") && ids.contains(&"broken-line.jsonl#5"));
    assert!(ids.contains(&"ragged.csv#1") && ids.contains(&"ragged.csv#3"));
    assert_eq!(arts.len() + skips.len(), 15);
}

#[test]
fn explicit_unknown_column_is_an_error_naming_file_and_columns() {
    let o = IngestOptions {
        text_field: Some("no_such".into()),
        ..Default::default()
    };
    let e = Corpus::open(&[fixtures("formats/records.csv")], &o)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("records.csv") && e.contains("unknown column 'no_such'"),
        "{e}"
    );
    assert!(e.contains("speaker, date, title, text, url"), "{e}");
    let o = IngestOptions {
        author_field: Some("writer_x".into()),
        ..Default::default()
    };
    let e = Corpus::open(&[fixtures("formats/records.jsonl")], &o)
        .unwrap_err()
        .to_string();
    assert!(e.contains("records.jsonl") && e.contains("writer_x"), "{e}");
    // An explicitly named text field that exists is used.
    let o = IngestOptions {
        text_field: Some("Title".into()),
        ..Default::default()
    };
    let (arts, _) = run(&[fixtures("formats/records.csv")], &o);
    assert_eq!(arts[0].text, "Statement");
    assert!(arts[0].meta["text"].starts_with("The United States"));
}

#[test]
fn sidecar_join_by_pattern_and_by_path() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("TXT");
    std::fs::create_dir_all(root.join("Session 01 - 1946")).unwrap();
    let speech = "The representative spoke about the peace of the world and the charter of the organisation.";
    for f in [
        "Session 01 - 1946/ARG_01_1946.txt",
        "Session 01 - 1946/BRA_01_1946.txt",
        "Session 01 - 1946/odd.txt",
    ] {
        std::fs::write(root.join(f), speech).unwrap();
    }
    let meta = root.join("speakers.csv"); // inside the input folder: not an article
    std::fs::write(&meta, "Year,Session,ISO Code,Country,Name of Person Speaking\n1946,1,ARG ,Argentina ,Mr. A\n1946,1,CHE,Switzerland,Mr. C\n").unwrap();
    let o = IngestOptions {
        metadata: Some(meta.clone()),
        name_pattern: Some("{ISO Code}_{Session}_{Year}".into()),
        author_field: Some("Name of Person Speaking".into()),
        date_field: Some("Year".into()),
        ..Default::default()
    };
    let c = Corpus::open(std::slice::from_ref(&root), &o).unwrap();
    assert_eq!(c.files_seen(), 3);
    assert!(c.warnings()[0]
        .message
        .contains("1 metadata row(s) matched no input file"));
    assert!(c.warnings()[0].message.contains("ISO Code=CHE"));
    let (arts, skips) = run(std::slice::from_ref(&root), &o);
    assert!(skips.is_empty());
    let arg = by_id(&arts, "Session 01 - 1946/ARG_01_1946");
    assert_eq!(arg.commentator(), "Mr. A");
    assert_eq!(arg.date.unwrap().to_string(), "1946");
    assert_eq!(arg.meta["Country"], "Argentina");
    assert_eq!(arg.meta["ISO Code"], "ARG");
    let bra = by_id(&arts, "Session 01 - 1946/BRA_01_1946");
    assert!(bra.authors.is_empty());
    assert!(
        bra.warnings[0].contains("no row in metadata"),
        "{:?}",
        bra.warnings
    );
    assert_eq!(
        bra.meta["ISO Code"], "BRA",
        "pattern fields kept without a row"
    );
    let odd = by_id(&arts, "Session 01 - 1946/odd");
    assert!(odd.warnings[0].contains("does not match --name-pattern"));

    // By relative path, with a `file` column.
    let side = d.path().join("files.csv");
    std::fs::write(
        &side,
        "file,author,date\nSession 01 - 1946/ARG_01_1946,Ms. Path,2022-05\nodd.txt,Ms. Stem,NA\n",
    )
    .unwrap();
    let o = IngestOptions {
        metadata: Some(side),
        ..Default::default()
    };
    let (arts, _) = run(&[root], &o);
    assert_eq!(
        by_id(&arts, "Session 01 - 1946/ARG_01_1946").commentator(),
        "Ms. Path"
    );
    assert_eq!(
        by_id(&arts, "Session 01 - 1946/odd").commentator(),
        "Ms. Stem"
    );

    // A named field the sidecar does not have.
    let o = IngestOptions {
        metadata: Some(meta),
        name_pattern: Some("{ISO Code}_{Session}_{Year}".into()),
        author_field: Some("Speaker".into()),
        ..Default::default()
    };
    let e = Corpus::open(&[d.path().join("TXT")], &o)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown column 'Speaker'") && e.contains("Name of Person Speaking"),
        "{e}"
    );
}

#[test]
fn non_english_is_skipped_unless_all_languages() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("ru.csv");
    std::fs::write(
        &p,
        "speaker,date,text\nX,NA,\"Глава государства провёл в Кремле заседание Совета Безопасности Российской Федерации.\"\n",
    )
    .unwrap();
    let (arts, skips) = run(std::slice::from_ref(&p), &IngestOptions::default());
    assert!(arts.is_empty());
    assert_eq!(skips[0].record, Some(1));
    assert!(skips[0]
        .reason
        .starts_with("language ru: not tagged by the English lexicon"));
    let o = IngestOptions {
        all_languages: true,
        ..Default::default()
    };
    let (arts, skips) = run(&[p], &o);
    assert!(skips.is_empty());
    assert_eq!(arts[0].language, "ru");
    assert_eq!(arts[0].date, None);
}

#[test]
fn tabular_without_records_is_reported() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("head.csv"), "text,author\n").unwrap();
    std::fs::write(d.path().join("none.jsonl"), "\n\n").unwrap();
    let (arts, skips) = run(&[d.path().to_path_buf()], &IngestOptions::default());
    assert!(arts.is_empty());
    assert_eq!(skips.len(), 2);
    assert!(skips
        .iter()
        .all(|s| s.reason == "no records" && s.record.is_none()));
}

#[test]
fn units_stream_records_lazily() {
    // Taking one unit from a large JSONL file reads only its first record.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("big.jsonl");
    let mut s = String::new();
    for i in 0..2000 {
        s.push_str(&format!(
            "{{\"text\": \"Record number {i} is about the war and the peace.\"}}\n"
        ));
    }
    s.push_str("not json\n");
    std::fs::write(&p, s).unwrap();
    let c = Corpus::open(&[p], &IngestOptions::default()).unwrap();
    let mut u = c.units();
    assert!(matches!(u.next(), Some(Unit::Ready(a)) if a.id == "big.jsonl#1"));
    let rest: Vec<Unit> = u.collect();
    assert_eq!(rest.len(), 2000);
    assert!(matches!(&rest[1999], Unit::Skipped(s) if s.record == Some(2001)));
}

mod properties {
    use proptest::prelude::*;

    use super::super::{date, decode, frontmatter, lang, url};

    proptest! {
        #[test]
        fn decode_keeps_valid_utf8_byte_identical(s in "\\PC{0,200}") {
            let bytes = s.as_bytes().to_vec();
            match decode::decode(bytes.clone()) {
                Ok(d) => {
                    if !bytes.starts_with(&[0xFF, 0xFE]) && !bytes.starts_with(&[0xFE, 0xFF]) {
                        prop_assert_eq!(d.text.as_bytes(), &bytes[..]);
                        prop_assert!(d.warnings.is_empty());
                    }
                }
                Err(r) => prop_assert!(s.trim().is_empty() || s.contains('\0'), "{}", r),
            }
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(d) = decode::decode(bytes) {
                prop_assert!(d.bom <= d.text.len());
            }
        }

        #[test]
        fn front_matter_end_is_a_boundary(body in "(---|\\+\\+\\+)\n[a-z: '\"\\[\\]\\\\,\n-]{0,120}(---|\\+\\+\\+)?\n?[a-z ]{0,20}") {
            match frontmatter::parse(&body, 0) {
                frontmatter::FrontMatter::Parsed { end, .. }
                | frontmatter::FrontMatter::Broken { end: Some(end), .. } => {
                    prop_assert!(end <= body.len() && body.is_char_boundary(end));
                }
                _ => {}
            }
        }

        #[test]
        fn dates_round_trip(s in "\\PC{0,30}") {
            if let Some(d) = date::parse(&s) {
                prop_assert_eq!(date::parse(&d.to_string()), Some(d));
            }
        }

        #[test]
        fn cheap_detectors_never_panic(s in "\\PC{0,3000}") {
            let l = lang::detect(&s);
            prop_assert!(!l.is_empty());
            if let Some(u) = url::trailing_url(&s) {
                prop_assert!(u.starts_with("http"));
            }
        }
    }
}
