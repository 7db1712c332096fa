//! Reading coded claims (gold, predictions, a second coding) and the label
//! of a claim on a theme, exactly as `../shared/eval/score.py` reads them.

use std::path::Path;

use serde_json::Value;

/// One JSONL file of coded claims: records keyed by `id`, in the order of
/// each id's first line; a later line with the same id replaces the record
/// but keeps its place (what a Python dict does in `score.py`).
#[derive(Debug, Clone, Default)]
pub struct Coded {
    pub path: String,
    pub rows: Vec<(String, Value)>,
    index: rustc_hash::FxHashMap<String, usize>,
}

impl Coded {
    /// Read a JSONL file: blank lines are skipped, a UTF-8 byte order mark
    /// is ignored; a line that is not a JSON object or has no `id` is an
    /// error with its line number.
    pub fn load(path: &Path) -> crate::Result<Coded> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
        Coded::parse(&path.display().to_string(), &text)
    }

    /// [`Coded::load`] from text (`path` names it in errors).
    pub fn parse(path: &str, text: &str) -> crate::Result<Coded> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut c = Coded::new(path);
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let err = |message: String| crate::Error::Input {
                path: path.into(),
                line: n as u64 + 1,
                message,
            };
            let v: Value = serde_json::from_str(line).map_err(|e| err(format!("not JSON: {e}")))?;
            if !v.is_object() {
                return Err(err("not a JSON object".into()));
            }
            let id = v.get("id").ok_or_else(|| err("no id".into()))?;
            c.insert(id_string(id), v);
        }
        Ok(c)
    }

    /// An empty set of records named `path`.
    pub fn new(path: &str) -> Coded {
        Coded {
            path: path.into(),
            ..Default::default()
        }
    }

    /// Add a record (replacing one with the same id in its place).
    pub fn insert(&mut self, id: String, v: Value) {
        match self.index.get(&id) {
            Some(&i) => self.rows[i].1 = v,
            None => {
                self.index.insert(id.clone(), self.rows.len());
                self.rows.push((id, v));
            }
        }
    }

    pub fn get(&self, id: &str) -> Option<&Value> {
        self.index.get(id).map(|&i| &self.rows[i].1)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// An id as Python's `str()` writes it: strings as they are, numbers as
/// JSON writes them.
pub fn id_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

/// The document a record belongs to (`"?"` without a `doc` field), as the
/// key of its stance-matrix cells.
pub fn doc_of(v: &Value) -> String {
    match v.get("doc") {
        None => "?".into(),
        Some(d) => id_string(d),
    }
}

/// -1, 0 or +1 from a stance value (`math.copysign(1, s)` for non-zero
/// numbers; `true`/`false` count as 1/0 as in Python).
fn sign_of(v: &Value, theme: &str) -> Result<i8, String> {
    match v {
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            Ok(if f == 0.0 {
                0
            } else if f > 0.0 {
                1
            } else {
                -1
            })
        }
        Value::Bool(b) => Ok(i8::from(*b)),
        other => Err(format!("the stance of `{theme}` is not a number: {other}")),
    }
}

/// The label of a record on a theme: `None` = not addressed, else the
/// stance -1, 0 or +1. `score.py`'s `label()`:
/// - when the record has a `themes` object (the output of `opstance tag`),
///   only it counts: a theme missing from it or `null` is not addressed; a
///   theme given as an object is addressed with the sign of its `stance`
///   (0 when it has none); a theme given as a number is that stance;
/// - otherwise the flat form: the theme's key holds `null` (or is missing)
///   or the stance.
pub fn label(r: Option<&Value>, theme: &str) -> Result<Option<i8>, String> {
    let Some(r) = r else { return Ok(None) };
    if let Some(Value::Object(themes)) = r.get("themes") {
        return match themes.get(theme) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(t)) => match t.get("stance") {
                None | Some(Value::Null) => Ok(Some(0)),
                Some(s) => sign_of(s, theme).map(Some),
            },
            Some(s) => sign_of(s, theme).map(Some),
        };
    }
    match r.get(theme) {
        None | Some(Value::Null) => Ok(None),
        Some(s) => sign_of(s, theme).map(Some),
    }
}

/// The themes to score: `preferred` (the lexicon's theme ids, in its
/// order) that occur in the gold records, then any other theme key found,
/// in order of first appearance: keys of a `themes` object, and flat keys
/// whose values are all `null` or -1/0/1 with at least one `null` and one
/// stance (the codebook's form: most claims address no theme).
pub fn theme_keys(gold: &[&Coded], preferred: &[String]) -> Vec<String> {
    // key → (seen in a `themes` object, flat: all values null/-1/0/1, saw null, saw stance)
    let mut seen: Vec<(String, bool, bool, bool, bool)> = Vec::new();
    let mut at = rustc_hash::FxHashMap::<String, usize>::default();
    let mut slot = |k: &str, seen: &mut Vec<(String, bool, bool, bool, bool)>| -> usize {
        *at.entry(k.to_string()).or_insert_with(|| {
            seen.push((k.to_string(), false, true, false, false));
            seen.len() - 1
        })
    };
    for c in gold {
        for (_, r) in &c.rows {
            let Value::Object(o) = r else { continue };
            if let Some(Value::Object(t)) = o.get("themes") {
                for k in t.keys() {
                    let i = slot(k, &mut seen);
                    seen[i].1 = true;
                }
                continue;
            }
            for (k, v) in o {
                if matches!(k.as_str(), "id" | "doc" | "themes") {
                    continue;
                }
                let i = slot(k, &mut seen);
                let s = &mut seen[i];
                match v {
                    Value::Null => s.3 = true,
                    Value::Number(n) if matches!(n.as_i64(), Some(-1..=1)) => s.4 = true,
                    _ => s.2 = false,
                }
            }
        }
    }
    let is_theme = |s: &(String, bool, bool, bool, bool)| s.1 || (s.2 && s.3 && s.4);
    let mut out: Vec<String> = preferred
        .iter()
        .filter(|p| seen.iter().any(|s| &s.0 == *p && (is_theme(s) || s.2)))
        .cloned()
        .collect();
    for s in &seen {
        if is_theme(s) && !out.contains(&s.0) {
            out.push(s.0.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_of_both_forms_as_score_py_reads_them() {
        let t = json!({"id": "a", "themes": {"land": {"stance": -1, "score": -0.9},
            "aid": {"score": 0.2}, "war": null, "x": 0.4, "y": {"stance": 0}}, "land": 1});
        assert_eq!(
            label(Some(&t), "land"),
            Ok(Some(-1)),
            "themes wins over flat"
        );
        assert_eq!(
            label(Some(&t), "aid"),
            Ok(Some(0)),
            "no stance = addressed, 0"
        );
        assert_eq!(label(Some(&t), "war"), Ok(None));
        assert_eq!(
            label(Some(&t), "x"),
            Ok(Some(1)),
            "a bare number is the stance"
        );
        assert_eq!(label(Some(&t), "y"), Ok(Some(0)));
        assert_eq!(label(Some(&t), "gone"), Ok(None));
        let f = json!({"id": 3, "land": -0.2, "aid": 0, "war": null, "z": 2.5, "b": true});
        assert_eq!(label(Some(&f), "land"), Ok(Some(-1)));
        assert_eq!(label(Some(&f), "aid"), Ok(Some(0)));
        assert_eq!(label(Some(&f), "war"), Ok(None));
        assert_eq!(label(Some(&f), "gone"), Ok(None));
        assert_eq!(label(Some(&f), "z"), Ok(Some(1)));
        assert_eq!(label(Some(&f), "b"), Ok(Some(1)));
        assert_eq!(label(None, "land"), Ok(None));
        assert!(label(Some(&json!({"land": "yes"})), "land").is_err());
        // `themes` that is not an object: the flat form is read.
        assert_eq!(
            label(Some(&json!({"themes": [1], "land": -1})), "land"),
            Ok(Some(-1))
        );
    }

    #[test]
    fn later_duplicate_replaces_in_place_and_errors_name_the_line() {
        let c = Coded::parse(
            "g",
            "\u{feff}{\"id\":\"a\",\"v\":1}\n\n{\"id\":2}\n{\"id\":\"a\",\"v\":3}\n",
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c.rows[0].0, "a");
        assert_eq!(c.rows[0].1["v"], 3);
        assert_eq!(c.rows[1].0, "2");
        let e = Coded::parse("g", "{\"id\":1}\n{\"x\":1}\n").unwrap_err();
        assert_eq!(e.to_string(), "g:2: no id");
        let e = Coded::parse("g", "{\"id\":1}\nnope\n").unwrap_err();
        assert!(e.to_string().starts_with("g:2: not JSON"), "{e}");
    }

    #[test]
    fn theme_keys_follow_the_lexicon_then_the_data() {
        let g = Coded::parse(
            "g",
            concat!(
                r#"{"id":1,"doc":"d","n":3,"text":"t","b":null,"a":null,"k":0}"#,
                "\n",
                r#"{"id":2,"doc":"d","n":4,"text":"u","b":-1,"a":null,"k":1}"#,
                "\n",
                r#"{"id":3,"themes":{"c":{"stance":1}}}"#,
                "\n"
            ),
        )
        .unwrap();
        // `a` is never coded but is a lexicon theme with a key in gold;
        // `k` has no null (a count, not a theme); `n` is out of range.
        let keys = theme_keys(&[&g], &["a".into(), "zz".into(), "b".into()]);
        assert_eq!(keys, ["a", "b", "c"]);
    }
}
