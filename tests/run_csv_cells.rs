//! CSV outputs open safely in spreadsheets and cleanly in notebooks: text
//! cells that look like formulas are neutralised, numbers never are, dates
//! are ISO 8601 and missing values are empty cells.

use assert_cmd::Command;

fn read(path: &std::path::Path) -> Vec<csv::StringRecord> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut rows = vec![r.headers().unwrap().clone()];
    rows.extend(r.records().map(Result::unwrap));
    rows
}

#[test]
fn formula_like_text_is_neutralised_and_numbers_are_not() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"id":"a1","author":"=HYPERLINK(\"http://x\")","date":"February 23, 2022","title":"+1 for peace","text":"Ukraine must never accept the illegal annexation of Crimea. The sham referendums changed nothing."}"#,
            "\n",
            r#"{"id":"a2","author":"-Anon","date":"2024-05","title":"@once","text":"The occupied territories must be returned to Ukraine."}"#,
            "\n",
            r#"{"id":"a3","author":"Plain Name","text":"Nothing here is about the war."}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("opstance")
        .unwrap()
        .args(["-q", "run"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);

    let m = read(&out.join("stance_matrix.csv"));
    let keys: Vec<&str> = m[1..].iter().map(|r| &r[0]).collect();
    assert_eq!(keys, ["'-Anon", "'=HYPERLINK(\"http://x\")", "Plain Name"]);
    let terr = m[0].iter().position(|h| h == "territory").unwrap();
    // The stance is a number and stays one, sign included.
    assert_eq!(&m[1][terr], "-1");
    assert_eq!(&m[2][terr], "-1");
    // Missing = empty cell.
    assert_eq!(&m[3][terr], "");

    let a = read(&out.join("articles.csv"));
    let col = |name: &str| a[0].iter().position(|h| h == name).unwrap();
    let first = &a[1];
    assert_eq!(&first[col("commentator")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&first[col("title")], "'+1 for peace");
    assert_eq!(&first[col("date")], "2022-02-23");
    assert_eq!(&a[2][col("title")], "'@once");
    assert_eq!(&a[2][col("date")], "2024-05");
    assert_eq!(&a[3][col("date")], "");
    assert_eq!(&first[col("territory_stance")], "-1");

    let c = read(&out.join("claims.csv"));
    let stance = c[0].iter().position(|h| h == "stance").unwrap();
    assert!(c[1..]
        .iter()
        .all(|r| ["-1", "0", "1"].contains(&&r[stance])));
    assert!(c[1..].iter().any(|r| &r[stance] == "-1"));
}
