//! Runs the data-driven cases of `tests/matcher_cases.toml` against their
//! lexicon and prints every failure (not just the first).

use std::collections::BTreeMap;
use std::path::Path;

use opstance::lexicon::Lexicon;
use opstance::model::{modifier, EvidenceKind};
use opstance::stance::{Scratch, Tagger};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    lexicon: String,
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    text: String,
    expect: BTreeMap<String, i8>,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    modifiers: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    score: BTreeMap<String, f32>,
}

#[test]
fn matcher_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let cases: File =
        toml::from_str(&std::fs::read_to_string(dir.join("matcher_cases.toml")).unwrap())
            .expect("matcher_cases.toml parses");
    let lex_path = dir.join(&cases.lexicon);
    let loaded = Lexicon::from_sources(vec![(
        lex_path.display().to_string(),
        std::fs::read_to_string(&lex_path).unwrap(),
    )]);
    for d in &loaded.diagnostics {
        eprintln!("{d}");
    }
    let lex = loaded.lexicon.expect("test lexicon compiles");
    let tagger = Tagger::new(lex.clone());
    let mut scratch = Scratch::default();
    let mut failures = Vec::new();
    for c in &cases.case {
        let tags = tagger.tag(&c.text, &mut scratch);
        let mut problems = Vec::new();
        let got: BTreeMap<String, i8> = tags
            .iter()
            .map(|t| (lex.themes[t.theme].id.clone(), t.stance))
            .collect();
        if got != c.expect {
            problems.push(format!("themes: expected {:?}, got {:?}", c.expect, got));
        }
        let fired: Vec<&str> = tags
            .iter()
            .flat_map(|t| t.evidence.iter().map(|e| &*e.entry))
            .collect();
        for e in &c.evidence {
            if !fired.contains(&e.as_str()) {
                problems.push(format!("entry `{e}` did not fire"));
            }
        }
        for e in &c.absent {
            if fired.contains(&e.as_str()) {
                problems.push(format!("entry `{e}` fired but must not"));
            }
        }
        for (entry, want) in &c.modifiers {
            let ev = tags
                .iter()
                .flat_map(|t| &t.evidence)
                .find(|e| e.kind == EvidenceKind::Cue && &*e.entry == entry);
            match ev {
                None => problems.push(format!("cue `{entry}` did not fire")),
                Some(ev) => {
                    let mut got: Vec<&str> = modifier::NAMES
                        .iter()
                        .filter(|(f, _)| ev.modifiers & f != 0)
                        .map(|(_, n)| *n)
                        .collect();
                    let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
                    got.sort();
                    want.sort();
                    if got != want {
                        problems.push(format!(
                            "cue `{entry}`: modifiers {got:?}, expected {want:?}"
                        ));
                    }
                }
            }
        }
        for (theme, want) in &c.score {
            match tags.iter().find(|t| lex.themes[t.theme].id == *theme) {
                Some(t) if (t.score - want).abs() <= 0.01 => {}
                Some(t) => {
                    problems.push(format!("score of `{theme}`: {} (expected {want})", t.score))
                }
                None => problems.push(format!("score of `{theme}`: theme not addressed")),
            }
        }
        for t in &tags {
            for e in &t.evidence {
                assert!(c.text.is_char_boundary(e.start) && c.text.is_char_boundary(e.end));
            }
        }
        if !problems.is_empty() {
            let mut ev = String::new();
            for t in &tags {
                for e in &t.evidence {
                    ev.push_str(&format!(
                        "\n      {}: {:?} `{}` {:?} pole {} weight {:.2} flags {}",
                        lex.themes[t.theme].id,
                        e.kind,
                        e.entry,
                        &c.text[e.start..e.end],
                        e.pole,
                        e.weight,
                        e.modifiers
                    ));
                }
            }
            failures.push(format!(
                "case `{}`\n    text: {}\n    {}\n    evidence:{ev}",
                c.name,
                c.text,
                problems.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} matcher cases failed:\n{}",
        failures.len(),
        cases.case.len(),
        failures.join("\n")
    );
}
