//! Running a lexicon's `[[test]]` cases (used by `opstance lexicon test`
//! and by the cargo test over the default lexicon).

use std::fmt::Write as _;

use super::{Lexicon, TestCase};
use crate::model::{modifier, ClaimTags, EvidenceKind};
use crate::stance::{Scratch, Tagger};

/// A case whose result differs from its expectation.
#[derive(Debug, Clone)]
pub struct Failure {
    pub case: TestCase,
    /// Human-readable description: text, expected, got, evidence.
    pub report: String,
}

/// Outcome of a test run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub passed: usize,
    pub failures: Vec<Failure>,
}

/// Run the cases of `lexicon` that come from source `src` (all when `None`).
pub fn run(lexicon: &Lexicon, src: Option<usize>) -> Outcome {
    let tagger = Tagger::new(lexicon.clone());
    let mut scratch = Scratch::default();
    let mut out = Outcome::default();
    for case in &lexicon.tests {
        if src.is_some_and(|s| s != case.src) {
            continue;
        }
        let tags = tagger.tag(&case.text, &mut scratch);
        let got: Vec<(String, i8)> = tags
            .iter()
            .map(|t| (lexicon.themes[t.theme].id.clone(), t.stance))
            .collect();
        let mut want = case.expect.clone();
        want.sort_by_key(|(id, _)| lexicon.theme_index(id));
        if got == want {
            out.passed += 1;
        } else {
            out.failures.push(Failure {
                report: describe(lexicon, case, &want, &tags),
                case: case.clone(),
            });
        }
    }
    out
}

fn show(pairs: &[(String, i8)]) -> String {
    if pairs.is_empty() {
        return "{}".into();
    }
    pairs
        .iter()
        .map(|(t, s)| format!("{t} = {s}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Multi-line description of a failed case.
pub fn describe(
    lexicon: &Lexicon,
    case: &TestCase,
    want: &[(String, i8)],
    tags: &ClaimTags,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "  text:     {}", case.text);
    let _ = writeln!(s, "  expected: {}", show(want));
    let got: Vec<String> = tags
        .iter()
        .map(|t| {
            format!(
                "{} = {} (score {:.2})",
                lexicon.themes[t.theme].id, t.stance, t.score
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "  got:      {}",
        if got.is_empty() {
            "{}".into()
        } else {
            got.join(", ")
        }
    );
    for t in tags {
        for e in &t.evidence {
            let kind = match e.kind {
                EvidenceKind::Term => "term",
                EvidenceKind::Cue => "cue ",
            };
            let mut flags = String::new();
            for (f, name) in modifier::NAMES {
                if e.modifiers & f != 0 {
                    flags.push(' ');
                    flags.push_str(name);
                }
            }
            let _ = write!(
                s,
                "    {}: {kind} `{}` at {}..{} \"{}\"",
                lexicon.themes[t.theme].id,
                e.entry,
                e.start,
                e.end,
                case.text.get(e.start..e.end).unwrap_or("")
            );
            if e.kind == EvidenceKind::Cue {
                let _ = write!(s, " pole {:+} weight {:.2}{flags}", e.pole, e.weight);
            }
            s.push('\n');
        }
    }
    if let Some(n) = &case.note {
        let _ = writeln!(s, "  note:     {n}");
    }
    s
}
