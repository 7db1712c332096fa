//! The bundled example corpus end to end: the stance matrix has the signs
//! its fictional commentators were written to hold (`corpus/README.md`), and
//! every CSV output equals its golden file in `tests/golden/corpus/`.
//!
//! After an intended change of the lexicon or the pipeline, regenerate the
//! golden files with `UPDATE_GOLDEN=1 cargo test --test corpus_golden` and
//! review the diff like code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const OUTPUTS: [&str; 6] = [
    "stance_matrix.csv",
    "salience_matrix.csv",
    "stance_long.csv",
    "claims.csv",
    "articles.csv",
    "similarity.csv",
];

/// Intended sign per commentator × theme (territory, guarantees, escalation,
/// regime), from `corpus/README.md`: '+', '-', or '0' = not addressed or no
/// clear side.
const INTENDED: [(&str, [char; 4]); 5] = [
    ("Halvard Quinnell", ['-', '+', '-', '+']),
    ("Ambrose Feltwick", ['+', '-', '+', '-']),
    ("Ilse Marrowby", ['+', '+', '0', '-']),
    ("Teodor Lindqvar", ['0', '+', '-', '0']),
    ("Corvin Ashgrove", ['-', '0', '0', '+']),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_corpus(out: &Path, threads: &str) {
    Command::cargo_bin("opstance")
        .unwrap()
        .current_dir(root())
        .args(["--threads", threads, "-q", "run", "corpus"])
        .args([
            "--metadata",
            "corpus/plain/metadata.csv",
            "--period",
            "year",
        ])
        .arg("--out")
        .arg(out)
        .assert()
        .code(0);
}

fn matrix(path: &Path) -> BTreeMap<String, Vec<Option<f64>>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "commentator",
            "n_articles",
            "n_claims",
            "territory",
            "guarantees",
            "escalation",
            "regime"
        ]
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let cells = (3..7).map(|i| r[i].parse::<f64>().ok()).collect();
            (r[0].to_string(), cells)
        })
        .collect()
}

#[test]
fn matrix_signs_match_the_intended_positions() {
    let dir = tempfile::tempdir().unwrap();
    run_corpus(dir.path(), "2");
    let m = matrix(&dir.path().join("stance_matrix.csv"));
    assert_eq!(m.len(), INTENDED.len(), "rows: {:?}", m.keys());
    let themes = ["territory", "guarantees", "escalation", "regime"];
    let mut wrong = Vec::new();
    for (who, signs) in INTENDED {
        let row = &m[who];
        for (i, want) in signs.iter().enumerate() {
            let got = row[i];
            let ok = match want {
                '+' => got.is_some_and(|x| x > 0.0),
                '-' => got.is_some_and(|x| x < 0.0),
                _ => got.is_none_or(|x| x.abs() < 0.5),
            };
            if !ok {
                wrong.push(format!("{who} × {}: want {want}, got {got:?}", themes[i]));
            }
        }
    }
    assert!(wrong.is_empty(), "signs differ:\n{}", wrong.join("\n"));
}

#[test]
fn outputs_equal_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    run_corpus(dir.path(), "1");
    let golden = root().join("tests/golden/corpus");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut differ = Vec::new();
    for name in OUTPUTS {
        let got = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let want_path = golden.join(name);
        if update {
            std::fs::write(&want_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&want_path).unwrap_or_else(|e| {
            panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", want_path.display())
        });
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .map_or_else(|| "length".to_string(), |i| format!("line {}", i + 1));
            differ.push(format!("{name} ({line})"));
        }
    }
    assert!(
        differ.is_empty(),
        "outputs differ from tests/golden/corpus: {differ:?}\n(if intended: UPDATE_GOLDEN=1 cargo test --test corpus_golden)"
    );
}
