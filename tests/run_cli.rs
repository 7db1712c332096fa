//! End-to-end tests of `opstance run`, `merge`, `diff` and `explain` on the
//! real binary: outputs, determinism across threads, partial + merge, and
//! interrupted runs.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const BIN: &str = env!("CARGO_BIN_EXE_opstance");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/run")
}

fn opstance() -> Command {
    Command::new(BIN)
}

/// Every file a full run writes.
const OUTPUTS: [&str; 9] = [
    "stance_matrix.csv",
    "salience_matrix.csv",
    "stance_long.csv",
    "claims.csv",
    "articles.csv",
    "similarity.csv",
    "heatmap.svg",
    "aggregates.json",
    "manifest.json",
];

fn first_line(p: &Path) -> String {
    fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Every output except the manifest must be byte-identical.
fn assert_same_outputs(a: &Path, b: &Path) {
    for name in OUTPUTS.iter().filter(|n| **n != "manifest.json") {
        let x = fs::read(a.join(name)).unwrap();
        let y = fs::read(b.join(name)).unwrap();
        assert!(
            x == y,
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// `n` small articles by a handful of authors (more than one parallel batch).
fn generated_corpus(dir: &Path, n: usize, sentences: usize) {
    let lines = [
        "Ceding occupied land would reward aggression and must be rejected.",
        "A freeze along the front line is the least bad option.",
        "Only NATO membership will keep Ukraine safe.",
        "The risk of a wider war with a nuclear power is real.",
        "The regime depends on war.",
        "Nothing here is about any theme at all.",
    ];
    for i in 0..n {
        let mut body = format!(
            "---\nauthor: Author {}\ndate: 2024-{:02}-{:02}\n---\n",
            i % 7,
            i % 12 + 1,
            i % 28 + 1
        );
        for s in 0..sentences {
            body.push_str(lines[(i + s) % lines.len()]);
            body.push(' ');
        }
        fs::write(dir.join(format!("doc{i:05}.md")), body).unwrap();
    }
}

#[test]
fn run_writes_every_output_with_its_columns() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("res");
    opstance()
        .args(["run", "-q", "--bootstrap", "50", "--out"])
        .arg(&dir)
        .arg(fixtures().join("part1"))
        .arg(fixtures().join("part2"))
        .assert()
        .success();
    for f in OUTPUTS {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let themes = "territory,guarantees,escalation,regime";
    assert_eq!(
        first_line(&dir.join("stance_matrix.csv")),
        format!("commentator,n_articles,n_claims,{themes}")
    );
    assert_eq!(
        first_line(&dir.join("salience_matrix.csv")),
        format!("commentator,n_articles,n_claims,{themes}")
    );
    assert_eq!(
        first_line(&dir.join("stance_long.csv")),
        "commentator,period,theme,n_articles,n_claims,n_theme_claims,salience,n_pro,n_con,\
         n_neutral,stance,stance_logit,ci_low,ci_high"
    );
    assert_eq!(
        first_line(&dir.join("claims.csv")),
        "article_id,commentator,date,claim_index,start,end,theme,stance,score,cues,text"
    );
    assert!(first_line(&dir.join("articles.csv")).starts_with(
        "article_id,commentator,date,outlet,title,source,language,n_claims,n_words,\
         territory_stance,territory_salience,"
    ));
    assert_eq!(
        first_line(&dir.join("similarity.csv")),
        "commentator_a,commentator_b,distance,n_themes"
    );
    // One articles.csv row per article; stance_long: every row key × theme.
    let articles = fs::read_to_string(dir.join("articles.csv")).unwrap();
    assert_eq!(articles.lines().count(), 1 + 6);
    let m = manifest(&dir);
    assert_eq!(m["schema_version"], "1.0");
    assert_eq!(m["inputs"]["articles"], 6);
    assert_eq!(m["inputs"]["files_seen"], 6);
    assert_eq!(m["lexicon"]["themes"].as_array().unwrap().len(), 4);
    assert!(m["lexicon"]["sha256"].is_string());
    assert!(m["timings"]["pipeline_seconds"].is_number());
    assert_eq!(m["options"]["by"], "commentator");
    let matrix = fs::read_to_string(dir.join("stance_matrix.csv")).unwrap();
    let rows = matrix.lines().count() - 1;
    let long = fs::read_to_string(dir.join("stance_long.csv")).unwrap();
    assert_eq!(long.lines().count() - 1, rows * 4);
    let svg = fs::read_to_string(dir.join("heatmap.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    // No temporary files are left behind.
    for e in fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "left over: {name}");
    }
}

#[test]
fn periods_split_the_long_table() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("res");
    opstance()
        .args([
            "run",
            "-q",
            "--bootstrap",
            "20",
            "--period",
            "month",
            "--out",
        ])
        .arg(&dir)
        .arg(fixtures())
        .assert()
        .success();
    let long = fs::read_to_string(dir.join("stance_long.csv")).unwrap();
    let periods: std::collections::BTreeSet<&str> = long
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    // Every period label is empty (undated) or a month.
    assert!(periods
        .iter()
        .all(|p| p.is_empty() || (p.len() == 7 && p.as_bytes()[4] == b'-')));
}

#[test]
fn outputs_do_not_depend_on_threads() {
    let corpus = tempfile::tempdir().unwrap();
    generated_corpus(corpus.path(), 600, 6);
    let out = tempfile::tempdir().unwrap();
    let (one, two) = (out.path().join("t1"), out.path().join("t2"));
    for (threads, dir) in [("1", &one), ("2", &two)] {
        opstance()
            .args([
                "run",
                "-q",
                "--bootstrap",
                "100",
                "--threads",
                threads,
                "--out",
            ])
            .arg(dir)
            .arg(corpus.path())
            .assert()
            .success();
    }
    assert_same_outputs(&one, &two);
    assert_eq!(manifest(&one)["inputs"], manifest(&two)["inputs"]);
}

#[test]
fn merge_of_partials_equals_one_run() {
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (fixtures().join("part1"), fixtures().join("part2"));
    let whole = out.path().join("whole");
    let args = ["--bootstrap", "200", "--period", "quarter", "--seed", "42"];
    opstance()
        .args(["run", "-q"])
        .args(args)
        .arg("--out")
        .arg(&whole)
        .arg(&a)
        .arg(&b)
        .assert()
        .success();
    let (pa, pb) = (out.path().join("pa"), out.path().join("pb"));
    for (input, dir) in [(&a, &pa), (&b, &pb)] {
        opstance()
            .args(["run", "-q", "--partial"])
            .args(args)
            .arg("--out")
            .arg(dir)
            .arg(input)
            .assert()
            .success();
        assert!(!dir.join("stance_matrix.csv").exists());
        assert!(dir.join("aggregates.json").is_file());
    }
    let merged = out.path().join("merged");
    opstance()
        .args(["merge", "-q", "--out"])
        .arg(&merged)
        .arg(&pa)
        .arg(&pb)
        .assert()
        .success();
    assert_same_outputs(&whole, &merged);
    let (mw, mm) = (manifest(&whole), manifest(&merged));
    for section in ["options", "inputs", "warnings", "lexicon", "schema_version"] {
        assert_eq!(mw[section], mm[section], "manifest {section} differs");
    }
    // Partials made with other options do not merge.
    let pc = out.path().join("pc");
    opstance()
        .args(["run", "-q", "--partial", "--by", "outlet", "--out"])
        .arg(&pc)
        .arg(&a)
        .assert()
        .success();
    opstance()
        .args(["merge", "-q", "--out"])
        .arg(out.path().join("bad"))
        .arg(&pa)
        .arg(&pc)
        .assert()
        .code(2);
    // A full run is not a partial.
    opstance()
        .args(["merge", "-q", "--out"])
        .arg(out.path().join("bad2"))
        .arg(&whole)
        .assert()
        .code(2);
}

#[test]
fn diff_and_explain_read_a_run() {
    let out = tempfile::tempdir().unwrap();
    let run = out.path().join("run");
    opstance()
        .args([
            "run",
            "-q",
            "--bootstrap",
            "50",
            "--period",
            "year",
            "--out",
        ])
        .arg(&run)
        .arg(fixtures())
        .assert()
        .success();
    // A run compared with itself: no change anywhere.
    let diff = out.path().join("diff.csv");
    opstance()
        .args(["diff", "--out"])
        .arg(&diff)
        .arg(&run)
        .arg(&run)
        .assert()
        .success();
    let text = fs::read_to_string(&diff).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "commentator,theme,stance_old,stance_new,delta,n_old,n_new,ci_low,ci_high,significant"
    );
    let matrix = fs::read_to_string(run.join("stance_matrix.csv")).unwrap();
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), (matrix.lines().count() - 1) * 4);
    for r in &rows {
        let f: Vec<&str> = r.split(',').collect();
        assert!(f[4].is_empty() || f[4] == "0", "{r}");
        assert_eq!(f[9], "false", "{r}");
    }
    let by_period = opstance()
        .args(["diff", "--by-period"])
        .arg(&run)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&by_period.get_output().stdout).into_owned();
    assert!(stdout.starts_with("commentator,period_old,period_new,theme,"));

    // explain: the cell's numbers, then its claims.
    let key = matrix.lines().nth(1).unwrap().split(',').next().unwrap();
    let key = key.trim_matches('"').to_string();
    let explained = opstance()
        .args(["explain", "--theme", "territory", "--commentator", &key])
        .arg(&run)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&explained.get_output().stdout).into_owned();
    assert!(
        stdout.starts_with(&format!("{key} × territory\n")),
        "{stdout}"
    );
    opstance()
        .args(["explain", "--theme", "weather", "--commentator", &key])
        .arg(&run)
        .assert()
        .code(2);
    opstance()
        .args([
            "explain",
            "--theme",
            "territory",
            "--commentator",
            "Nobody At All",
        ])
        .arg(&run)
        .assert()
        .code(2);
}

#[test]
fn diff_by_period_needs_a_period() {
    let out = tempfile::tempdir().unwrap();
    let run = out.path().join("run");
    opstance()
        .args(["run", "-q", "--bootstrap", "0", "--out"])
        .arg(&run)
        .arg(fixtures().join("part1"))
        .assert()
        .success();
    opstance()
        .args(["diff", "--by-period"])
        .arg(&run)
        .assert()
        .code(2);
}

#[test]
fn skipped_inputs_exit_3_and_are_listed() {
    let corpus = tempfile::tempdir().unwrap();
    generated_corpus(corpus.path(), 2, 3);
    // Not English and not valid UTF-8: skipped by any ingest.
    let mut bad = "Это короткая заметка о погоде, книгах и чае на русском языке. "
        .repeat(5)
        .into_bytes();
    bad.push(0xff);
    fs::write(corpus.path().join("bad.txt"), bad).unwrap();
    let out = tempfile::tempdir().unwrap();
    opstance()
        .args(["run", "-q", "--out"])
        .arg(out.path())
        .arg(corpus.path())
        .assert()
        .code(3);
    let m = manifest(out.path());
    assert_eq!(m["inputs"]["skipped"].as_array().unwrap().len(), 1);
    assert_eq!(m["inputs"]["articles"], 2);
}

#[test]
fn help_names_every_output_file() {
    let help = opstance().args(["run", "--help"]).output().unwrap();
    let text = String::from_utf8(help.stdout).unwrap();
    for f in OUTPUTS {
        assert!(text.contains(f), "--help does not mention {f}");
    }
    assert!(text.contains("stance_logit") && text.contains("ci_low"));
}

/// Kill a run mid-way: every final-named file is either absent or complete.
#[test]
fn interrupted_run_leaves_no_half_written_file() {
    let corpus = tempfile::tempdir().unwrap();
    let n = 400;
    generated_corpus(corpus.path(), n, 800);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("res");
    // A manifest left by an earlier run must not vouch for this one.
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("manifest.json"), "{\"stale\": true}").unwrap();
    let mut child = std::process::Command::new(BIN)
        .args(["run", "-q", "--threads", "1", "--out"])
        .arg(&dir)
        .arg(corpus.path())
        .spawn()
        .unwrap();
    // Wait until the streamed files are being written, then kill.
    // `true` when killed, or when the run finished (successfully) first.
    let ok = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.success();
        }
        let writing = fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok).any(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(".claims.csv.tmp")
                })
            })
            .unwrap_or(false);
        if writing {
            child.kill().unwrap();
            child.wait().unwrap();
            break true;
        }
        std::thread::yield_now();
    };
    assert!(ok, "the run failed on its own");
    let done = dir.join("manifest.json").exists();
    if done {
        assert!(manifest(&dir)["stale"].is_null(), "stale manifest kept");
    }
    for name in OUTPUTS {
        let p = dir.join(name);
        if done {
            assert!(p.exists(), "manifest written but {name} missing");
        }
        if !p.exists() {
            continue;
        }
        let text = fs::read_to_string(&p).unwrap();
        assert!(
            text.ends_with('\n') || name.ends_with(".json"),
            "{name} cut short"
        );
        if name == "articles.csv" {
            assert_eq!(text.lines().count(), n + 1, "articles.csv incomplete");
        }
    }
}

/// `tests/read_outputs.py` (pandas + polars with the schema's types) accepts
/// a run; skipped with a note when Python or the libraries are missing.
#[test]
fn python_readers_accept_the_outputs() {
    let have = std::process::Command::new("python3")
        .args(["-c", "import pandas, polars"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !have {
        // CI installs them (.ci/run): there a missing library is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have pandas and polars (see .ci/run)"
        );
        eprintln!("note: python3 with pandas and polars not found; read_outputs.py not run");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("res");
    opstance()
        .args([
            "run",
            "-q",
            "--bootstrap",
            "50",
            "--period",
            "week",
            "--out",
        ])
        .arg(&dir)
        .arg(fixtures())
        .assert()
        .success();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/read_outputs.py");
    let res = std::process::Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        res.status.success(),
        "read_outputs.py failed:\n{}",
        String::from_utf8_lossy(&res.stderr)
    );
}

/// Every command that writes a table names its columns under `--help`
/// (the long help comes from each command's own documentation).
#[test]
fn help_of_each_command_names_its_output() {
    for (cmd, words) in [
        ("claims", &["claim_index", "start", "end", "speaker"][..]),
        ("tag", &["evidence", "modifiers", "cues"][..]),
        ("diff", &["stance_old", "delta", "significant"][..]),
        ("explain", &["salience", "log-odds"][..]),
        ("merge", &["byte-identical", "merged_from"][..]),
    ] {
        let help = opstance().args([cmd, "--help"]).output().unwrap();
        let text = String::from_utf8(help.stdout).unwrap();
        for w in words {
            assert!(
                text.contains(w),
                "`{cmd} --help` does not mention {w}:\n{text}"
            );
        }
    }
}
