//! `opstance claims` on real texts (skipped with a note when `../shared` is absent).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: {} not found, test skipped", p.display());
        None
    }
}

fn claims(args: &[&str]) -> (Vec<Value>, i32) {
    let out = Command::cargo_bin("opstance")
        .unwrap()
        .arg("claims")
        .args(args)
        .output()
        .unwrap();
    let rows = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    (rows, out.status.code().unwrap_or(-1))
}

#[test]
fn seed_op_ed_has_metadata_and_no_boilerplate() {
    let Some(seed) = shared("corpus-real/seed") else {
        return;
    };
    let (rows, code) = claims(&[seed.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(rows.len() > 40, "only {} claims", rows.len());
    let original = std::fs::read_to_string(seed.join("000_1790f5595a8a2689.txt")).unwrap();
    for r in &rows {
        assert_eq!(r["date"], "2025-08-18");
        assert_eq!(r["outlet"], "The Moscow Times");
        let text = r["text"].as_str().unwrap();
        for banned in [
            "views expressed",
            "Related article",
            "Original url",
            "themoscowtimes.com",
        ] {
            assert!(!text.contains(banned), "boilerplate in claim: {text}");
        }
        let (s, e) = (
            r["start"].as_u64().unwrap() as usize,
            r["end"].as_u64().unwrap() as usize,
        );
        assert!(s < e && e <= original.len());
        assert!(original.is_char_boundary(s) && original.is_char_boundary(e));
        // The claim's first word is where `start` points in the original file.
        // (Quotes are normalised in `text`, so compare the leading letters only.)
        let first: String = text
            .chars()
            .skip_while(|c| !c.is_alphanumeric())
            .take_while(|c| c.is_alphanumeric())
            .collect();
        let first = first.as_str();
        assert!(
            original[s..e].contains(first),
            "{first:?} not in {:?}",
            &original[s..e]
        );
    }
    let all: Vec<&str> = rows.iter().map(|r| r["text"].as_str().unwrap()).collect();
    assert!(
        all.iter().any(|t| t.contains("million-strong")),
        "million-strong broken"
    );
    assert!(
        all.contains(&"Must Russia's jurisdiction over Crimea be recognized?")
            || all.contains(&"Must Russia’s jurisdiction over Crimea be recognized?")
    );
    let indexes: Vec<u64> = rows
        .iter()
        .map(|r| r["claim_index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, (0..rows.len() as u64).collect::<Vec<_>>());
}

#[test]
fn russian_texts_are_reported_not_tagged() {
    let Some(ru) = shared("corpus-real/ru-officials") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("m.json");
    let (rows, code) = claims(&[
        ru.to_str().unwrap(),
        "--manifest",
        manifest.to_str().unwrap(),
    ]);
    assert_eq!(code, 3, "skipped inputs give exit code 3");
    let m: Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let skipped = m["inputs"]["skipped"].as_array().unwrap();
    // 15 of the 18 records are Russian; 3 are English interview transcripts.
    assert_eq!(skipped.len(), 15);
    assert!(skipped
        .iter()
        .all(|s| s["reason"].as_str().unwrap().starts_with("language ru")));
    assert_eq!(m["inputs"]["articles"], 3);
    assert!(rows.iter().all(|r| r["language"] == "en"));
    // With --all-languages every record is kept.
    let (_, code) = claims(&[ru.to_str().unwrap(), "--all-languages"]);
    assert_eq!(code, 0);
}

#[test]
fn stdin_is_one_article() {
    let out = Command::cargo_bin("opstance")
        .unwrap()
        .args(["claims", "-", "--format", "csv"])
        .write_stdin("Crimea is Ukraine. Nobody doubts it.\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        opstance::commands::claims::CSV_COLUMNS.to_vec()
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][8], "Nobody doubts it.");
    assert_eq!(&rows[1][6], "19");
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::cargo_bin("opstance")
        .unwrap()
        .args(["claims"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::cargo_bin("opstance")
        .unwrap()
        .args(["nonsense"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_input_is_an_error_naming_it() {
    let out = Command::cargo_bin("opstance")
        .unwrap()
        .args(["claims", "no/such/folder"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/folder"));
}
