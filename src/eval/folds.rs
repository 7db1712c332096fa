//! `eval/folds.csv`: the fold of each document of each set (`set,doc,fold`,
//! fold `0`..`4` or `holdout`), written by `eval/make_folds.py`.

use std::path::Path;

use rustc_hash::FxHashMap;

/// The name of the fold kept out of tuning.
pub const HOLDOUT: &str = "holdout";

#[derive(Debug, Clone, Default)]
pub struct Folds {
    pub path: String,
    map: FxHashMap<(String, String), String>,
}

impl Folds {
    pub fn load(path: &Path) -> crate::Result<Folds> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
        Folds::parse(&path.display().to_string(), &text)
    }

    /// Read the CSV: columns `set`, `doc`, `fold` (by header name).
    pub fn parse(path: &str, text: &str) -> crate::Result<Folds> {
        let err = |line: u64, message: String| crate::Error::Input {
            path: path.into(),
            line,
            message,
        };
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let header = r.headers().map_err(|e| err(1, e.to_string()))?.clone();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| err(1, format!("no `{name}` column (need set,doc,fold)")))
        };
        let (s, d, f) = (col("set")?, col("doc")?, col("fold")?);
        let mut map = FxHashMap::default();
        for (i, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| err(i as u64 + 2, e.to_string()))?;
            let get = |c: usize| rec.get(c).unwrap_or("").to_string();
            map.insert((get(s), get(d)), get(f));
        }
        Ok(Folds {
            path: path.into(),
            map,
        })
    }

    /// The fold of a document of a set.
    pub fn fold(&self, set: &str, doc: &str) -> Option<&str> {
        self.map
            .get(&(set.to_string(), doc.to_string()))
            .map(String::as_str)
    }

    /// Whether any document of `set` is listed.
    pub fn has_set(&self, set: &str) -> bool {
        self.map.keys().any(|(s, _)| s == set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_by_header_name() {
        let f = Folds::parse("f", "doc,fold,set\nA,0,train\nB,holdout,train\nA,3,dev\n").unwrap();
        assert_eq!(f.fold("train", "A"), Some("0"));
        assert_eq!(f.fold("dev", "A"), Some("3"));
        assert_eq!(f.fold("train", "B"), Some(HOLDOUT));
        assert_eq!(f.fold("dev", "B"), None);
        assert!(f.has_set("dev") && !f.has_set("test"));
        let e = Folds::parse("f", "set,doc\nx,y\n").unwrap_err();
        assert!(e.to_string().contains("no `fold` column"), "{e}");
    }
}
