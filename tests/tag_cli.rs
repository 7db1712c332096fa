//! `opstance tag`: JSON Lines in, JSON Lines (or CSV) out.

use assert_cmd::Command;
use serde_json::Value;

fn opstance() -> Command {
    Command::cargo_bin("opstance").unwrap()
}

fn lines(out: &[u8]) -> Vec<Value> {
    std::str::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const MATCHER: &str = "tests/fixtures/lexicons/matcher.toml";

fn standalone_lexicon(dir: &tempfile::TempDir) -> std::path::PathBuf {
    // The matcher fixture, made standalone so the default themes stay out.
    let text = std::fs::read_to_string(MATCHER).unwrap();
    let p = dir.path().join("lex.toml");
    std::fs::write(&p, format!("standalone = true\n{text}")).unwrap();
    p
}

#[test]
fn tags_records_in_order_with_evidence_and_passthrough() {
    let dir = tempfile::tempdir().unwrap();
    let lex = standalone_lexicon(&dir);
    let input = concat!(
        r#"{"id":"a","speaker":"X","text":"Ukraine won't accept the loss of Crimea."}"#,
        "\n",
        r#"{"id":"b","text":"The weather was mild."}"#,
        "\n",
        r#"{"text":"This is an illegal annexation.","id":7}"#,
        "\n"
    );
    let out = opstance()
        .arg("tag")
        .arg("--lexicon")
        .arg(&lex)
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out.stdout);
    assert_eq!(recs.len(), 3);
    let first = std::str::from_utf8(&out.stdout)
        .unwrap()
        .lines()
        .next()
        .unwrap();
    assert!(
        first.starts_with(r#"{"id":"a","speaker":"X","text":"#),
        "{first}"
    );
    let land = &recs[0]["themes"]["land"];
    assert_eq!(land["stance"], -1);
    let cue = land["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "cue")
        .unwrap();
    assert_eq!(cue["entry"], "accept*");
    assert_eq!(cue["text"], "accept");
    assert_eq!(cue["start"], 14);
    assert_eq!(cue["end"], 20);
    assert_eq!(cue["modifiers"], serde_json::json!(["negated"]));
    assert_eq!(recs[1]["themes"], serde_json::json!({}));
    assert_eq!(recs[2]["id"], "7");
    assert_eq!(recs[2]["themes"]["land"]["stance"], -1);
    // `themes` is the last key.
    assert!(first.contains(r#""themes":{"land":"#));
}

#[test]
fn bad_records_are_skipped_with_line_numbers_and_exit_3() {
    let input = "{\"id\":\"a\",\"text\":\"Crimea.\"}\nnot json\n\n{\"id\":\"c\"}\n{\"id\":\"d\",\"text\":\"Kyiv.\"}\n";
    let out = opstance().arg("tag").write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("<stdin>:2: not a JSON object"), "{stderr}");
    assert!(stderr.contains("<stdin>:4: no `text` field"), "{stderr}");
    let recs = lines(&out.stdout);
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "d"]);
}

#[test]
fn split_emits_one_line_per_claim_with_original_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let lex = standalone_lexicon(&dir);
    let text = "The weather was mild. Ukraine will not accept the loss of Crimea.";
    let input = serde_json::json!({"id": "doc", "text": text, "src": "s"}).to_string();
    let out = opstance()
        .arg("tag")
        .arg("--split")
        .arg("--lexicon")
        .arg(&lex)
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out.stdout);
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1]["id"], "doc:1");
    assert_eq!(recs[1]["claim_index"], 1);
    assert_eq!(recs[1]["src"], "s");
    let (s, e) = (
        recs[1]["start"].as_u64().unwrap() as usize,
        recs[1]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[s..e], "Ukraine will not accept the loss of Crimea.");
    let ev = &recs[1]["themes"]["land"]["evidence"];
    for x in ev.as_array().unwrap() {
        let (a, b) = (
            x["start"].as_u64().unwrap() as usize,
            x["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[a..b], x["text"].as_str().unwrap());
    }
    assert_eq!(recs[1]["themes"]["land"]["stance"], -1);
}

#[test]
fn csv_output_and_atomic_out_file() {
    let dir = tempfile::tempdir().unwrap();
    let lex = standalone_lexicon(&dir);
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"id\":\"a\",\"body\":\"-Crimea: this is an illegal annexation.\"}\n",
    )
    .unwrap();
    let outp = dir.path().join("out.csv");
    opstance()
        .arg("tag")
        .arg(&input)
        .args(["--format", "csv", "--text-field", "body", "--out"])
        .arg(&outp)
        .arg("--lexicon")
        .arg(&lex)
        .assert()
        .success();
    let csv = std::fs::read_to_string(&outp).unwrap();
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("id,theme,stance,score,cues,text"));
    let row = rows.next().unwrap();
    assert!(
        row.starts_with("a,land,-1,-1,illegal annexation -1 1,"),
        "{row}"
    );
    assert!(
        row.ends_with(",'-Crimea: this is an illegal annexation."),
        "{row}"
    );
}

#[test]
fn output_does_not_depend_on_threads() {
    let dev = std::path::Path::new("../shared/eval/dev/claims.jsonl");
    if !dev.exists() {
        eprintln!("note: {} absent, skipping", dev.display());
        return;
    }
    let one = opstance()
        .args(["--threads", "1", "tag"])
        .arg(dev)
        .output()
        .unwrap();
    let two = opstance()
        .args(["--threads", "2", "tag"])
        .arg(dev)
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(0));
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout);
}

#[test]
fn lexicon_overlay_adds_a_theme_to_the_default() {
    let input = "{\"id\":\"a\",\"text\":\"The West must tighten sanctions and restore Ukraine's territorial integrity.\"}\n";
    let out = opstance()
        .args(["tag", "--lexicon", "tests/fixtures/lexicons/overlay.toml"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let recs = lines(&out.stdout);
    let themes = recs[0]["themes"].as_object().unwrap();
    let ids: Vec<&str> = themes.keys().map(String::as_str).collect();
    // Default themes first (lexicon order), the overlay's new theme last.
    assert_eq!(ids.last(), Some(&"sanctions"), "{ids:?}");
    assert!(ids.contains(&"territory"), "{ids:?}");
    assert_eq!(themes["sanctions"]["stance"], 1);
}

#[test]
fn a_broken_lexicon_is_an_error_with_positions() {
    let out = opstance()
        .args(["tag", "--lexicon", "tests/fixtures/lexicons/broken.toml"])
        .write_stdin("{\"id\":\"a\",\"text\":\"x\"}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("broken.toml:6:20: error"), "{stderr}");
}

/// Passed-through fields come out as `"key":value` in input order, whatever
/// the spacing of the input; compact runs of fields are copied as they
/// stand, so a key with escapes or a space before a colon must still be
/// normalised.
#[test]
fn passthrough_fields_are_written_compactly_in_order() {
    let input = concat!(
        r#"{"id": "a","x":1,"y":[1, 2] ,"z\u0041":"q","w": "v","u" :2,"k":{"n":null},"themes":3,"text":"Nothing here."}"#,
        "\n",
        r#"{"text":"Nothing here.","a":1,"b":"2","c":true,"id":7}"#,
        "\n"
    );
    let out = opstance()
        .args(["tag", "-"])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        concat!(
            r#"{"id":"a","x":1,"y":[1, 2],"zA":"q","w":"v","u":2,"k":{"n":null},"text":"Nothing here.","themes":{}}"#,
            "\n",
            r#"{"id":"7","text":"Nothing here.","a":1,"b":"2","c":true,"themes":{}}"#,
            "\n"
        )
    );
}

/// A line that is not UTF-8 is one skipped record, named by its line; the
/// lines around it are tagged.
#[test]
fn a_line_that_is_not_utf8_is_skipped_with_its_number() {
    let mut input = b"{\"id\":\"a\",\"text\":\"Crimea.\"}\n{\"id\":\"b\",\"text\":\"Kyi".to_vec();
    input.extend_from_slice(&[0xff, 0xfe]);
    input.extend_from_slice(b"v.\"}\r\n{\"id\":\"c\",\"text\":\"Kyiv.\"}");
    let out = opstance().arg("tag").write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("<stdin>:2: not valid UTF-8 (byte 22 of the line)"),
        "{stderr}"
    );
    let ids: Vec<String> = lines(&out.stdout)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "c"]);
}

/// A file saved with a UTF-8 byte order mark tags its first record; only
/// the first line may carry one.
#[test]
fn a_byte_order_mark_before_the_first_record_is_ignored() {
    let input =
        "\u{feff}{\"id\":\"a\",\"text\":\"Crimea.\"}\n\u{feff}{\"id\":\"b\",\"text\":\"x\"}\n";
    let out = opstance().arg("tag").write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let ids: Vec<String> = lines(&out.stdout)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("<stdin>:2: not a JSON object"), "{stderr}");
}
