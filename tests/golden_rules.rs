//! The 52 English "Golden Rules" of sentence segmentation (the pragmatic
//! segmenter's test set), run the way the pipeline runs: clean → segment →
//! map each sentence back to the original text → fold whitespace.
//!
//! The rules file lives outside the repository; the test skips with a note
//! if it is absent.

use std::path::Path;

use opstance::clean::{CleanOptions, Cleaner};
use opstance::pipeline::fold_whitespace;

/// Rules passing now; a regression (or an improvement) changes this number.
const EXPECTED_PASSES: usize = 51;

#[test]
fn golden_rules() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/peer-tests/segmentation-golden-rules-en.jsonl");
    let Ok(data) = std::fs::read_to_string(&path) else {
        eprintln!("note: {} not found, golden rules skipped", path.display());
        return;
    };
    let cleaner = Cleaner::new(&CleanOptions::default()).unwrap();
    let (mut total, mut passed) = (0, 0);
    let mut ranges = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let rule: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = rule["text"].as_str().unwrap();
        let expected: Vec<String> = rule["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| fold_whitespace(v.as_str().unwrap()))
            .collect();
        let cleaned = cleaner.clean(text, 0..text.len());
        ranges.clear();
        opstance::segment::sentences(&cleaned.text, &mut ranges);
        let got: Vec<String> = ranges
            .iter()
            .map(|r| fold_whitespace(&text[cleaned.original_range(r.clone())]))
            .collect();
        total += 1;
        if got == expected {
            passed += 1;
        } else {
            println!(
                "FAIL rule {} ({}):\n  expected {:?}\n  got      {:?}",
                rule["id"], rule["name"], expected, got
            );
        }
    }
    println!("golden rules: {passed}/{total} pass");
    assert_eq!(total, 52);
    assert_eq!(passed, EXPECTED_PASSES, "golden rule pass count changed");
}
