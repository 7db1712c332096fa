//! `opstance lexicon check|test` on fixtures, and the default lexicon's own
//! `[[test]]` cases.

use assert_cmd::Command;

fn opstance() -> Command {
    Command::cargo_bin("opstance").unwrap()
}

const FIX: &str = "tests/fixtures/lexicons";

#[test]
fn check_reports_every_error_with_its_position() {
    let out = opstance()
        .args(["lexicon", "check", &format!("{FIX}/broken.toml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    let at = |pos: &str, sev: &str, needle: &str| {
        let want = format!("{FIX}/broken.toml:{pos}: {sev}: ");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&want) && l.contains(needle)),
            "no `{want}…{needle}` in:\n{stdout}"
        );
    };
    at("6:20", "error", "`re*gion`");
    at("6:31", "warning", "duplicate term `crimea`");
    at("10:8", "error", "conflicting poles");
    at("10:19", "error", "invalid regex");
    at("13:6", "error", "theme `empty` is empty");
    at("15:7", "error", "unknown theme `nowhere`");
    at("20:12", "error", "unknown theme `sea`");
    assert_eq!(lines.len(), 7, "{stdout}");
}

#[test]
fn check_reports_unknown_keys_and_syntax_with_position() {
    let out = opstance()
        .args(["lexicon", "check", &format!("{FIX}/bad_syntax.toml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.starts_with(&format!(
            "{FIX}/bad_syntax.toml:6:1: error: unknown field `colour`"
        )),
        "{stdout}"
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.toml");
    std::fs::write(&p, "name = \"x\"\n\n[[theme]\nid = 1\n").unwrap();
    let out = opstance()
        .args(["lexicon", "check"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("x.toml:3:"), "{stdout}");
}

#[test]
fn check_accepts_a_good_overlay_and_the_default() {
    opstance()
        .args(["lexicon", "check", &format!("{FIX}/overlay.toml")])
        .assert()
        .success();
    opstance()
        .args(["lexicon", "check", "lexicons/default.toml"])
        .assert()
        .success();
}

#[test]
fn test_runs_overlay_cases_on_top_of_default() {
    let out = opstance()
        .args(["lexicon", "test", &format!("{FIX}/overlay.toml")])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.ends_with("2 passed, 0 failed\n"), "{stdout}");
}

#[test]
fn test_prints_failures_and_exits_1() {
    let out = opstance()
        .args(["lexicon", "test", &format!("{FIX}/failing.toml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("FAIL {FIX}/failing.toml:15")),
        "{stdout}"
    );
    assert!(stdout.contains("expected: land = 1"), "{stdout}");
    assert!(stdout.contains("got:      land = -1"), "{stdout}");
    assert!(
        stdout.contains("cue  `illegal*` at 28..35 \"illegal\""),
        "{stdout}"
    );
    assert!(stdout.contains("deliberately wrong"), "{stdout}");
    assert!(stdout.ends_with("1 passed, 1 failed\n"), "{stdout}");
}

#[test]
fn test_of_a_broken_lexicon_fails_with_diagnostics() {
    let out = opstance()
        .args(["lexicon", "test", &format!("{FIX}/broken.toml")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("broken.toml:6:20: error"));
}

/// The default lexicon's own cases must pass: editing the lexicon so that
/// one of its cases breaks makes `cargo test` fail.
#[test]
fn default_lexicon_cases_pass() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/lexicons/default.toml");
    let loaded = opstance::lexicon::Lexicon::from_sources(vec![(
        path.to_string(),
        std::fs::read_to_string(path).unwrap(),
    )]);
    let lex = loaded.lexicon.unwrap_or_else(|| {
        panic!(
            "default lexicon does not compile:\n{}",
            loaded
                .diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(
        !lex.tests.is_empty(),
        "the default lexicon has no [[test]] cases"
    );
    let outcome = opstance::lexicon::cases::run(&lex, None);
    let report: Vec<String> = outcome
        .failures
        .iter()
        .map(|f| format!("FAIL line {}\n{}", f.case.line, f.report))
        .collect();
    assert!(
        outcome.failures.is_empty(),
        "{} passed, {} failed:\n{}",
        outcome.passed,
        outcome.failures.len(),
        report.join("")
    );
}

/// An entry the theme gate cannot search is legal but slow: a warning with
/// its position.
#[test]
fn check_warns_about_entries_the_gate_cannot_search() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("slow.toml");
    let check = |regex: &str| {
        let toml = format!(
            "name = \"slow\"\nstandalone = true\n\n[[theme]]\nid = \"land\"\nterms = [\"crimea\",\n  {{ regex = {regex:?} }}]\n"
        );
        std::fs::write(&p, toml).unwrap();
        let out = opstance()
            .args(["lexicon", "check"])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let stdout = check(r"(?:an|the) annex\w+");
    assert!(
        stdout.contains("slow.toml:7:3: warning: the theme gate cannot search this entry"),
        "{stdout}"
    );
    // Anchored on a literal word, the same regex is searchable: no warning.
    let stdout = check(r"\bannex\w+");
    assert!(!stdout.contains("warning:"), "{stdout}");
    // The default lexicon keeps the gate working.
    let out = opstance()
        .args(["lexicon", "check", "lexicons/default.toml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains("theme gate"), "{stdout}");
}
