//! `opstance eval` and `opstance lexicon suggest` on the real binary: small
//! fixtures written for these tests (`tests/fixtures/eval/`), and the coded
//! sets of `../shared/eval` checked against `score.py` and `eval/pool.py`
//! (those tests FAIL when `../shared` or python3 is missing).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const FX: &str = "tests/fixtures/eval";

fn opstance() -> Command {
    Command::cargo_bin("opstance").unwrap()
}

fn fx(name: &str) -> String {
    format!("{FX}/{name}")
}

fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json_of(cmd: &mut Command) -> Value {
    serde_json::from_str(&run_ok(cmd)).unwrap()
}

fn close(v: &Value, x: f64) -> bool {
    v.as_f64().is_some_and(|a| (a - x).abs() < 1e-9)
}

/// The fixture by hand (territory): gold addressed 6, predicted 5, both 4
/// → P 0.8, R 2/3, F1 8/11; +1 F1 0.5, −1 F1 0.8 → F_pm 0.65; stance
/// agrees on 3 of 4; 2 cells → r NaN; a2 has no prediction.
#[test]
fn fixture_figures_match_the_hand_computation() {
    let v = json_of(opstance().args([
        "eval",
        &fx("gold.jsonl"),
        &fx("pred.jsonl"),
        "--json",
        "--bootstrap",
        "0",
    ]));
    let t = &v["themes"]["territory"];
    assert_eq!(v["n_claims"], 12);
    assert_eq!(v["n_missing_predictions"], 1);
    assert_eq!(
        (t["n_gold"].clone(), t["n_pred"].clone()),
        (6.into(), 5.into())
    );
    assert!(close(&t["detect_p"], 0.8));
    assert!(close(&t["detect_r"], 4.0 / 6.0));
    assert!(close(&t["detect_f1"], 8.0 / 11.0));
    assert!(close(&t["f_pm"], 0.65));
    assert!(close(&t["stance_acc"], 0.75));
    assert_eq!(t["cell_r"], Value::Null, "NaN is null");
    assert_eq!(t["n_cells"], 2);
    assert_eq!(
        t["confusion"]["gold_by_pred"][1],
        serde_json::json!([1, 2, 0, 0])
    );
    let keys: Vec<&str> = v["themes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["territory", "guarantees", "escalation", "regime"]);
    assert!(v.get("ci").is_none(), "no intervals with --bootstrap 0");
}

#[test]
fn table_names_the_columns_and_intervals_are_deterministic() {
    let args = [
        "eval",
        &fx("gold.jsonl"),
        &fx("pred.jsonl"),
        "--bootstrap",
        "200",
    ];
    let a = run_ok(opstance().args(args));
    assert_eq!(a, run_ok(opstance().args(args)), "same seed, same output");
    let b = run_ok(opstance().args(args).args(["--seed", "3"]));
    assert_ne!(a, b, "another seed, other intervals");
    for col in [
        "det P", "det R", "det F1", "F_pm", "st acc", "cell r", "cells",
    ] {
        assert!(a.contains(col), "{col}\n{a}");
    }
    assert!(
        a.contains("claims: 12  without prediction: 1  documents: 3"),
        "{a}"
    );
    assert!(a.contains("200 resamples, seed 20220224"), "{a}");
    assert!(a.contains("macro: detect F1 "), "{a}");
    assert!(a.contains("confusion per theme"), "{a}");
    let v = json_of(opstance().args(args).arg("--json"));
    let ci = &v["themes"]["territory"]["ci"]["f_pm"];
    let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    assert!(lo <= 0.65 && 0.65 <= hi, "{lo} {hi}");
    let help = run_ok(opstance().args(["eval", "--help"]));
    for col in [
        "det P/R/F1",
        "F_pm",
        "st acc",
        "cell r",
        "kappa",
        "cells",
        "--folds",
        "--holdout",
    ] {
        assert!(help.contains(col), "{col}");
    }
}

/// κ by hand: the second coding differs on a2 (territory −1 → 0): p_o =
/// 11/12, p_e = (6·6 + 3·2 + 1·2 + 2·2)/144 = 1/3 → κ = 7/8.
#[test]
fn second_coding_gives_kappa() {
    let v = json_of(opstance().args([
        "eval",
        &fx("gold.jsonl"),
        &fx("pred.jsonl"),
        "--second",
        &fx("second.jsonl"),
        "--json",
        "--bootstrap",
        "50",
    ]));
    assert!(close(&v["themes"]["territory"]["kappa"], 0.875));
    assert!(close(&v["themes"]["guarantees"]["kappa"], 1.0));
    assert_eq!(v["n_second"], 12);
    assert!(v["ci"]["macro_kappa"].is_array());
    let t = run_ok(opstance().args([
        "eval",
        &fx("gold.jsonl"),
        &fx("pred.jsonl"),
        "--second",
        &fx("second.jsonl"),
    ]));
    assert!(t.contains("kappa"), "{t}");
}

#[test]
fn folds_pool_and_holdout() {
    let base = [
        "eval",
        &fx("gold.jsonl"),
        &fx("pred.jsonl"),
        "--set",
        "fx",
        "--folds",
        &fx("folds.csv"),
        "--bootstrap",
        "0",
    ];
    let pool = json_of(opstance().args(base).arg("--json"));
    assert_eq!(pool["scope"], "pool");
    assert_eq!(pool["n_claims"], 8, "documents A and B");
    let folds = pool["folds"].as_object().unwrap();
    assert_eq!(folds.keys().collect::<Vec<_>>(), ["0", "1"]);
    assert_eq!(folds["0"]["n_claims"], 4);
    assert!(pool["folds_f_pm_mean"].is_number());
    let text = run_ok(opstance().args(base));
    assert!(text.contains("\nfold 0   n=    4  F_pm "), "{text}");
    assert!(text.contains("mean of folds F_pm "), "{text}");
    let hold = json_of(opstance().args(base).args(["--holdout", "--json"]));
    assert_eq!(hold["scope"], "holdout");
    assert_eq!(hold["n_claims"], 4, "document C");
    assert!(hold.get("folds").is_none());
    // A set the folds file does not know is an error that says so.
    let out = opstance()
        .args(["eval", &fx("gold.jsonl"), &fx("pred.jsonl")])
        .args(["--set", "nope", "--folds", &fx("folds.csv")])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("set `nope`"));
}

#[test]
fn tags_gold_itself_with_the_lexicon() {
    // No PRED: GOLD's texts are tagged; the result is what `tag` writes.
    let dir = tempfile::tempdir().unwrap();
    let pred = dir.path().join("p.jsonl");
    run_ok(
        opstance()
            .args(["tag", &fx("gold.jsonl"), "--out"])
            .arg(&pred),
    );
    let direct =
        json_of(opstance().args(["eval", &fx("gold.jsonl"), "--json", "--bootstrap", "20"]));
    let via = json_of(
        opstance()
            .args(["eval", &fx("gold.jsonl")])
            .arg(&pred)
            .args(["--json", "--bootstrap", "20"]),
    );
    assert_eq!(direct, via);
    // --lexicon is only for tagging.
    let out = opstance()
        .args([
            "eval",
            &fx("gold.jsonl"),
            &fx("pred.jsonl"),
            "--lexicon",
            "x.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn lexicon_suggest_ranks_theme_and_pole_markers() {
    let csv = run_ok(opstance().args([
        "lexicon",
        "suggest",
        &fx("coded.jsonl"),
        "--theme",
        "territory",
        "--min-count",
        "3",
        "--kwic",
        "2",
        "--alpha0",
        "20",
        "--format",
        "csv",
    ]));
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        head,
        [
            "theme",
            "marks",
            "rank",
            "ngram",
            "z",
            "log_odds",
            "count_in",
            "count_out",
            "claims_in",
            "covered",
            "new",
            "kwic_id",
            "kwic_pre",
            "kwic_match",
            "kwic_post"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let find = |marks: &str, ngram: &str| {
        rows.iter()
            .filter(|x| &x[1] == marks && &x[3] == ngram)
            .cloned()
            .collect::<Vec<_>>()
    };
    // Theme vs rest: `occupied land` (4 claims), covered by the default
    // lexicon's term; two KWIC lines from the first territory claims.
    let ol = find("theme", "occupied land");
    assert_eq!(ol.len(), 2, "{csv}");
    assert_eq!(&ol[0][6], "4");
    assert_eq!(&ol[0][7], "0");
    assert!(ol[0][9].starts_with("term:occupied land"), "{:?}", ol[0]);
    assert_eq!(&ol[0][11], "k1");
    assert_eq!(&ol[0][13], "occupied land");
    assert_eq!(&ol[0][12], "We will never cede");
    assert_eq!(&ol[1][11], "k2");
    assert_eq!(&ol[1][13], "Occupied land");
    // `capital` marks the claims without the theme, never the theme.
    assert!(rows.iter().all(|x| !x[3].contains("capital")));
    // Poles: the +1 side's top is about the frozen front line, the −1
    // side's about occupied land.
    let top = |marks: &str| {
        rows.iter()
            .find(|x| &x[1] == marks && &x[2] == "1")
            .unwrap()[3]
            .to_string()
    };
    assert!(
        top("pos").contains("front") || top("pos").contains("frozen"),
        "{}",
        top("pos")
    );
    assert!(
        top("neg").contains("occupied") || top("neg").contains("land"),
        "{}",
        top("neg")
    );
    // Text: the same, with NEW for what the lexicon lacks; deterministic.
    let args = ["lexicon", "suggest", &fx("coded.jsonl"), "--top", "5"];
    let text = run_ok(opstance().args(args));
    assert_eq!(text, run_ok(opstance().args(args)));
    assert!(
        text.contains("== territory: claims coded with the theme (7) vs without (7)"),
        "{text}"
    );
    assert!(
        text.contains("== guarantees pos: its +1 claims (3) vs its -1 claims (0)"),
        "{text}"
    );
    assert!(text.contains("NEW"), "{text}");
    assert!(text.contains("(k8)"), "{text}");
    let help = run_ok(opstance().args(["lexicon", "suggest", "--help"]));
    for col in ["rank", "z", "covered", "kwic_pre", "alpha0"] {
        assert!(help.contains(col), "{col}");
    }
}

// ---------------------------------------------------------------------------
// Against the reference scorer on ../shared/eval (fails when missing).

fn shared_eval() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval");
    assert!(
        p.join("score.py").is_file() && p.join("dev/gold.jsonl").is_file(),
        "this test needs ../shared/eval (score.py, dev/, train/) next to the repository: {} is missing",
        p.display()
    );
    p
}

fn python() -> std::process::Command {
    let ok = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "this test needs python3 on PATH to run ../shared/eval/score.py"
    );
    std::process::Command::new("python3")
}

/// score.py --json, NaN read as null.
fn score_py(gold: &Path, pred: &Path) -> Value {
    let out = python()
        .arg(shared_eval().join("score.py"))
        .arg(gold)
        .arg(pred)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .replace("NaN", "null");
    serde_json::from_str(&text).unwrap()
}

/// Every number of `want` (score.py) agrees with `got` at the same path to
/// three decimals; nulls (NaN) are null.
fn agree(want: &Value, got: &Value, path: &str, n: &mut usize) {
    match want {
        Value::Object(m) => {
            for (k, v) in m {
                let g = got
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} missing in ours"));
                agree(v, g, &format!("{path}.{k}"), n);
            }
        }
        Value::Number(x) => {
            let (x, y) = (x.as_f64().unwrap(), got.as_f64().unwrap_or(f64::NAN));
            assert_eq!(
                format!("{x:.3}"),
                format!("{y:.3}"),
                "{path}: score.py {x}, ours {y}"
            );
            *n += 1;
        }
        Value::Null => assert!(got.is_null(), "{path}: score.py NaN, ours {got}"),
        other => assert_eq!(other, got, "{path}"),
    }
}

fn tag(claims: &Path, out: &Path) {
    run_ok(opstance().arg("tag").arg(claims).arg("--out").arg(out));
}

#[test]
fn dev_agrees_with_score_py_to_three_decimals() {
    let sh = shared_eval();
    let dir = tempfile::tempdir().unwrap();
    let pred = dir.path().join("dev.jsonl");
    tag(&sh.join("dev/claims.jsonl"), &pred);
    let gold = sh.join("dev/gold.jsonl");
    let want = score_py(&gold, &pred);
    let ours =
        json_of(
            opstance()
                .arg("eval")
                .arg(&gold)
                .arg(&pred)
                .args(["--json", "--bootstrap", "0"]),
        );
    let mut n = 0;
    agree(&want, &ours, "", &mut n);
    assert!(n >= 47, "only {n} figures compared");
    // Tagging GOLD in the command gives the same figures.
    let direct = json_of(
        opstance()
            .arg("eval")
            .arg(&gold)
            .args(["--json", "--bootstrap", "0"]),
    );
    assert_eq!(direct, ours);
    // A prediction file with claims left out: they count as not addressed.
    let text = std::fs::read_to_string(&pred).unwrap();
    let part: String = text.lines().step_by(3).map(|l| format!("{l}\n")).collect();
    let partial = dir.path().join("partial.jsonl");
    std::fs::write(&partial, part).unwrap();
    let want = score_py(&gold, &partial);
    let ours = json_of(opstance().arg("eval").arg(&gold).arg(&partial).args([
        "--json",
        "--bootstrap",
        "0",
    ]));
    assert!(ours["n_missing_predictions"].as_u64().unwrap() > 600);
    agree(&want, &ours, "", &mut n);
}

#[test]
fn train_and_dev_pool_reproduce_pool_py() {
    let sh = shared_eval();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let (pt, pd) = (dir.path().join("train.jsonl"), dir.path().join("dev.jsonl"));
    tag(&sh.join("train/claims.jsonl"), &pt);
    tag(&sh.join("dev/claims.jsonl"), &pd);
    for holdout in [false, true] {
        let mut py = python();
        py.arg(repo.join("eval/pool.py")).arg(&pt).arg(&pd);
        if holdout {
            py.arg("--holdout");
        }
        let out = py.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want = String::from_utf8(out.stdout).unwrap();
        let mut cmd = opstance();
        cmd.arg("eval")
            .arg("--gold")
            .arg(format!("train={}", sh.join("train/gold.jsonl").display()))
            .arg("--pred")
            .arg(format!("train={}", pt.display()))
            .arg("--gold")
            .arg(format!("dev={}", sh.join("dev/gold.jsonl").display()))
            .arg("--pred")
            .arg(format!("dev={}", pd.display()))
            .arg("--folds")
            .arg(repo.join("eval/folds.csv"))
            .args(["--bootstrap", "0"]);
        if holdout {
            cmd.arg("--holdout");
        }
        let ours = run_ok(&mut cmd);
        let lines: Vec<&str> = want.lines().collect();
        assert!(lines.len() >= if holdout { 1 } else { 9 }, "{want}");
        for line in lines {
            assert!(
                ours.lines().any(|l| l == line),
                "pool.py line not in ours: {line}\n{ours}"
            );
        }
    }
}
