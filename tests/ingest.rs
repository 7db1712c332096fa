//! Ingestion end to end: the real binary over hostile and mixed inputs, and
//! the library over the real corpora in `../shared/corpus-real` (skipped
//! with a note when that folder is absent).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use opstance::ingest::{Corpus, IngestOptions, Unit};
use opstance::model::{Article, Skipped};

fn fixture(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(sub)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn manifest(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// Article ids present in a claims JSONL output.
fn output_ids(p: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["article_id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn hostile_folder_nothing_lost_exit_3() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("hostile inputs");
    copy_dir(&fixture("hostile"), &dir);
    // A 20 MB single line (generated: never committed).
    let phrase = "peace talks and security guarantees for Ukraine ";
    let big = phrase.repeat(20 * 1024 * 1024 / phrase.len());
    std::fs::write(dir.join("huge-line.txt"), &big).unwrap();
    let out = d.path().join("claims.jsonl");
    let m = d.path().join("m.json");
    Command::cargo_bin("opstance")
        .unwrap()
        .args(["claims", "-q"])
        .arg(&dir)
        .arg("--manifest")
        .arg(&m)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(3);
    let m = manifest(&m);
    let inputs = &m["inputs"];
    assert_eq!(inputs["files_seen"], 10);
    let skipped: Vec<(String, Option<u64>, String)> = inputs["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                name,
                s["record"].as_u64(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ids = output_ids(&out);
    // Every file is in the output or skipped; tabular files record by record.
    let expect_article = [
        "invalid-utf8",
        "utf16le",
        "broken-frontmatter",
        "huge-line",
        "broken-line.jsonl#1",
        "broken-line.jsonl#5",
        "ragged.csv#1",
        "ragged.csv#3",
    ];
    for id in expect_article {
        assert!(ids.contains(id), "{id} missing from output: {ids:?}");
    }
    let expect_skipped = [
        ("binary.txt", None, "NUL"),
        ("blank.md", None, "whitespace"),
        ("empty.txt", None, "empty file"),
        ("report.pdf", None, "unsupported file type .pdf"),
        ("ragged.csv", Some(2), "row has 2 fields, header has 3"),
        ("broken-line.jsonl", Some(2), "not valid JSON"),
        ("broken-line.jsonl", Some(4), "empty text"),
        ("broken-line.jsonl", Some(6), "not a JSON object"),
    ];
    for (name, rec, why) in expect_skipped {
        assert!(
            skipped
                .iter()
                .any(|(n, r, reason)| n == name && *r == rec && reason.contains(why)),
            "{name}:{rec:?} ({why}) not in {skipped:?}"
        );
    }
    assert_eq!(skipped.len(), expect_skipped.len(), "{skipped:?}");
    assert_eq!(inputs["articles"], expect_article.len());
    let warnings = m["warnings"].to_string();
    assert!(warnings.contains("invalid UTF-8"), "{warnings}");
    assert!(warnings.contains("UTF-16LE"), "{warnings}");
    assert!(warnings.contains("never closed"), "{warnings}");
}

#[test]
fn stdin_is_one_article() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("c.jsonl");
    Command::cargo_bin("opstance")
        .unwrap()
        .args(["claims", "-", "-o"])
        .arg(&out)
        .write_stdin("The guarantees are not credible. Nobody believes them.\n")
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&out).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["article_id"], "stdin");
    assert_eq!(first["source"], "-");
    assert_eq!(first["language"], "en");
}

#[test]
fn unknown_column_is_an_error_with_columns() {
    let o = Command::cargo_bin("opstance")
        .unwrap()
        .args(["claims", "--text-field", "nope"])
        .arg(fixture("formats/records.csv"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("records.csv"), "{err}");
    assert!(err.contains("unknown column 'nope'"), "{err}");
    assert!(err.contains("speaker, date, title, text, url"), "{err}");
}

// ---- real corpora (library level: ingest only, fast even in debug builds) ----

fn real(sub: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus-real")
        .join(sub);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} absent; test skipped", p.display());
        None
    }
}

fn resolve(inputs: &[PathBuf], o: &IngestOptions) -> (Corpus, Vec<Article>, Vec<Skipped>) {
    let c = Corpus::open(inputs, o).unwrap();
    let (mut arts, mut skips) = (Vec::new(), Vec::new());
    for u in c.units() {
        match u {
            Unit::Ready(a) => arts.push(*a),
            Unit::Skipped(s) => skips.push(s),
            Unit::File(j) => match c.load(&j) {
                Ok(mut a) => {
                    a.text = String::new(); // keep memory small
                    arts.push(a)
                }
                Err(s) => skips.push(s),
            },
        }
    }
    (c, arts, skips)
}

#[test]
fn real_ungdc_with_sidecar() {
    let Some(txt) = real("ungdc/TXT") else { return };
    let o = IngestOptions {
        metadata: Some(txt.parent().unwrap().join("speakers.csv")),
        name_pattern: Some("{ISO Code}_{Session}_{Year}".into()),
        author_field: Some("Name of Person Speaking".into()),
        date_field: Some("Year".into()),
        ..Default::default()
    };
    let (c, arts, skips) = resolve(&[txt], &o);
    assert!(c.files_seen() > 10_900, "{}", c.files_seen());
    assert_eq!(arts.len() + skips.len(), c.files_seen());
    let recent: Vec<&Article> = arts
        .iter()
        .filter(|a| a.date.is_some_and(|d| (2022..=2024).contains(&d.year)))
        .collect();
    assert!(recent.len() > 500, "{}", recent.len());
    let with = recent
        .iter()
        .filter(|a| !a.commentator().is_empty())
        .count();
    assert!(with * 100 >= recent.len() * 99, "{with}/{}", recent.len());
    assert!(arts
        .iter()
        .all(|a| !a.id.contains('\\') && !a.id.ends_with(".txt")));
    let bom = arts.iter().filter(|a| a.body.start == 3).count();
    assert!(bom > 2_000, "{bom} files with a BOM");
    eprintln!(
        "ungdc: files_seen {} articles {} skipped {} ({} recent, {} with commentator)",
        c.files_seen(),
        arts.len(),
        skips.len(),
        recent.len(),
        with
    );
}

#[test]
fn real_tabular_and_markdown_folders() {
    let Some(root) = real("") else { return };
    let d = IngestOptions::default();
    let all = IngestOptions {
        all_languages: true,
        ..Default::default()
    };

    let (_, arts, skips) = resolve(&[root.join("us-officials")], &d);
    assert_eq!((arts.len(), skips.len()), (183, 0));
    assert!(arts.iter().all(|a| !a.authors.is_empty()));
    // Some rows say `NA`: no date, and no warning either.
    assert!(arts.iter().filter(|a| a.date.is_some()).count() >= 160);
    assert!(arts.iter().all(|a| a.warnings.is_empty()));

    let (_, arts, skips) = resolve(&[root.join("ua-officials")], &d);
    assert_eq!(arts.len() + skips.len(), 354);
    assert!(
        skips.iter().all(|s| s.reason.starts_with("language uk")),
        "{skips:?}"
    );
    assert!(arts
        .iter()
        .all(|a| !a.authors.is_empty() && a.date.is_some()));
    assert!(arts.iter().any(|a| a.authors[0]
        .chars()
        .any(|c| ('\u{400}'..='\u{4ff}').contains(&c))));

    let (_, arts, skips) = resolve(&[root.join("putin-sentences")], &d);
    assert_eq!(arts.len() + skips.len(), 3488);
    assert!(skips.is_empty(), "{skips:?}");

    let (_, arts, skips) = resolve(&[root.join("kremlin-en")], &d);
    assert!(skips.is_empty(), "{skips:?}");
    assert!(arts
        .iter()
        .all(|a| a.title.is_some() && a.url.is_some() && a.outlet.as_deref() == Some("Kremlin")));

    // Russian texts are skipped (the three English interviews in it are kept).
    let (_, arts, skips) = resolve(&[root.join("ru-officials")], &d);
    assert_eq!(arts.len() + skips.len(), 18);
    assert!(skips.len() >= 15 && skips.iter().all(|s| s.reason.starts_with("language ru")));
    assert!(arts.iter().all(|a| a.language == "en"));
    let (_, arts, skips) = resolve(&[root.join("ru-officials")], &all);
    assert_eq!((arts.len(), skips.len()), (18, 0));

    let (c, arts, skips) = resolve(&[root.join("whitehouse")], &d);
    assert_eq!(arts.len() + skips.len(), c.files_seen());
    assert!(arts.len() >= 870, "{skips:?}");
    assert!(arts
        .iter()
        .all(|a| a.title.is_some() && a.date.is_some() && a.url.is_some()));
    assert!(arts
        .iter()
        .all(|a| !a.title.as_ref().unwrap().contains('\\')));
    assert!(
        arts.iter().all(|a| a.warnings.is_empty()),
        "front matter read cleanly"
    );

    let (_, arts, _) = resolve(&[root.join("seed")], &d);
    assert_eq!(arts[0].outlet.as_deref(), Some("The Moscow Times"));
    assert_eq!(arts[0].date.unwrap().to_string(), "2025-08-18");
}
