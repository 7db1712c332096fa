//! Metadata kept beside the texts: a sidecar CSV (`--metadata`) joined to
//! text files, and fields parsed from file names (`--name-pattern`).
//!
//! The join is a hash map built once when the corpus is opened. Keys are
//! compared trimmed, case-insensitively, and all-digit values without leading
//! zeros, so `ARG_01_1946.txt` finds the row `1946, 1, ARG` and a country
//! cell with a trailing space still matches.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One part of a file-name pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Field(String),
}

/// `{ISO Code}_{Session}_{Year}`: fields parsed from a file stem.
#[derive(Debug, Clone)]
pub struct Pattern {
    parts: Vec<Part>,
}

impl Pattern {
    pub fn parse(p: &str) -> Result<Pattern, String> {
        let mut parts = Vec::new();
        let mut rest = p;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('{') {
                let close = r
                    .find('}')
                    .ok_or_else(|| format!("name pattern `{p}`: `{{` without `}}`"))?;
                let name = r[..close].trim();
                if name.is_empty() {
                    return Err(format!("name pattern `{p}`: empty field name"));
                }
                if matches!(parts.last(), Some(Part::Field(_))) {
                    return Err(format!(
                        "name pattern `{p}`: two fields need a separator between them"
                    ));
                }
                parts.push(Part::Field(name.to_string()));
                rest = &r[close + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                parts.push(Part::Lit(rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            return Err(format!("name pattern `{p}` has no {{field}}"));
        }
        Ok(Pattern { parts })
    }

    /// Field names in order.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Field(f) => Some(f.as_str()),
            Part::Lit(_) => None,
        })
    }

    /// Match a file stem; each field takes the text up to the next literal.
    pub fn matches(&self, stem: &str) -> Option<Vec<(String, String)>> {
        let mut out = Vec::new();
        let mut rest = stem;
        let mut i = 0;
        while i < self.parts.len() {
            match &self.parts[i] {
                Part::Lit(l) => rest = rest.strip_prefix(l.as_str())?,
                Part::Field(name) => {
                    let end = match self.parts.get(i + 1) {
                        Some(Part::Lit(l)) => rest.find(l.as_str())?,
                        _ => rest.len(),
                    };
                    if end == 0 {
                        return None;
                    }
                    out.push((name.clone(), rest[..end].to_string()));
                    rest = &rest[end..];
                }
            }
            i += 1;
        }
        rest.is_empty().then_some(out)
    }
}

/// A join key value: trimmed, lower-cased, digits without leading zeros.
pub fn norm(v: &str) -> String {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let t = v.trim_start_matches('0');
        return if t.is_empty() { "0".into() } else { t.into() };
    }
    v.to_lowercase()
}

/// How rows are found for a file.
#[derive(Debug)]
enum Join {
    /// Columns named by the pattern's fields.
    Pattern(Vec<usize>),
    /// One column holding the file stem or relative path.
    Column(usize),
}

/// Columns tried for the file join when no pattern is given.
const FILE_COLUMNS: [&str; 7] = [
    "file",
    "filename",
    "file_name",
    "path",
    "stem",
    "name",
    "id",
];

/// A sidecar CSV, loaded whole (it is small metadata) and indexed.
#[derive(Debug)]
pub struct Sidecar {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    join: Join,
    index: HashMap<String, usize>,
    /// Keys that occurred on more than one row (the first row wins).
    pub duplicates: Vec<String>,
}

impl Sidecar {
    /// Load and index. `id_field` names the join column when no pattern is given.
    pub fn load(
        path: &Path,
        pattern: Option<&Pattern>,
        id_field: Option<&str>,
    ) -> crate::Result<Sidecar> {
        let input_err = |line: u64, message: String| crate::Error::Input {
            path: path.to_path_buf(),
            line,
            message,
        };
        let delim = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"))
        {
            b'\t'
        } else {
            b','
        };
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delim)
            .flexible(true)
            .from_path(path)
            .map_err(|e| csv_error(path, e))?;
        let header: Vec<String> = r
            .headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let col = |name: &str| find_column(&header, name);
        let join = match pattern {
            Some(p) => {
                let mut cols = Vec::new();
                for f in p.fields() {
                    cols.push(col(f).ok_or_else(|| {
                        input_err(
                            1,
                            format!(
                                "unknown column '{f}' in --name-pattern; available columns: {}",
                                header.join(", ")
                            ),
                        )
                    })?);
                }
                Join::Pattern(cols)
            }
            None => {
                let c = match id_field {
                    Some(f) => col(f).ok_or_else(|| {
                        input_err(
                            1,
                            format!(
                                "unknown column '{f}' (--id-field); available columns: {}",
                                header.join(", ")
                            ),
                        )
                    })?,
                    None => FILE_COLUMNS.iter().find_map(|f| col(f)).ok_or_else(|| {
                        input_err(
                            1,
                            format!(
                                "no column to join files on (one of {}; or give --name-pattern \
                                 or --id-field); available columns: {}",
                                FILE_COLUMNS.join(", "),
                                header.join(", ")
                            ),
                        )
                    })?,
                };
                Join::Column(c)
            }
        };
        let mut rows = Vec::new();
        let mut index = HashMap::new();
        let mut duplicates = Vec::new();
        let mut rec = csv::StringRecord::new();
        while r.read_record(&mut rec).map_err(|e| csv_error(path, e))? {
            let row: Vec<String> = rec.iter().map(|v| v.trim().to_string()).collect();
            let key = match &join {
                Join::Pattern(cols) => key_of(cols.iter().map(|&c| row.get(c).map_or("", |v| v))),
                Join::Column(c) => norm(strip_ext(row.get(*c).map_or("", |v| v))),
            };
            match index.entry(key) {
                std::collections::hash_map::Entry::Occupied(e) => duplicates.push(e.key().clone()),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(rows.len());
                }
            }
            rows.push(row);
        }
        Ok(Sidecar {
            path: path.to_path_buf(),
            header,
            rows,
            join,
            index,
            duplicates,
        })
    }

    /// The row for a file (`rel` is its path relative to the input root,
    /// with `/` separators), or the key that was looked up.
    pub fn lookup(&self, rel: &str, pattern: Option<&Pattern>) -> Result<usize, String> {
        let stem = file_stem(rel);
        match (&self.join, pattern) {
            (Join::Pattern(_), Some(p)) => {
                let Some(fields) = p.matches(stem) else {
                    return Err(format!("file name `{stem}` does not match --name-pattern"));
                };
                let key = key_of(fields.iter().map(|(_, v)| v.as_str()));
                self.index
                    .get(&key)
                    .copied()
                    .ok_or_else(|| describe(&fields))
            }
            _ => {
                let full = norm(rel);
                let no_ext = norm(strip_ext(rel));
                let name = norm(rel.rsplit('/').next().unwrap_or(rel));
                [no_ext.as_str(), full.as_str(), name.as_str(), &norm(stem)]
                    .iter()
                    .find_map(|k| self.index.get(*k).copied())
                    .ok_or_else(|| format!("{} = {stem}", self.header_name()))
            }
        }
    }

    fn header_name(&self) -> &str {
        match self.join {
            Join::Column(c) => &self.header[c],
            Join::Pattern(_) => "key",
        }
    }

    /// Row indices no file matched, given the rows that were matched.
    pub fn unmatched(&self, matched: &[bool]) -> Vec<usize> {
        let mut indexed = vec![false; self.rows.len()];
        for &i in self.index.values() {
            indexed[i] = true;
        }
        (0..self.rows.len())
            .filter(|&i| indexed[i] && !matched[i])
            .collect()
    }

    /// A short description of a row's join key, for warnings.
    pub fn row_key(&self, row: usize) -> String {
        let r = &self.rows[row];
        match &self.join {
            Join::Pattern(cols) => cols
                .iter()
                .map(|&c| format!("{}={}", self.header[c], r.get(c).map_or("", |v| v)))
                .collect::<Vec<_>>()
                .join(", "),
            Join::Column(c) => format!("{}={}", self.header[*c], r.get(*c).map_or("", |v| v)),
        }
    }
}

fn describe(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_of<'a>(vals: impl Iterator<Item = &'a str>) -> String {
    let mut k = String::new();
    for (i, v) in vals.enumerate() {
        if i > 0 {
            k.push('\x1f');
        }
        k.push_str(&norm(v));
    }
    k
}

/// Exact column name first, then case-insensitively (both trimmed).
pub fn find_column(header: &[String], name: &str) -> Option<usize> {
    let name = name.trim();
    header
        .iter()
        .position(|h| h == name)
        .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
}

fn file_stem(rel: &str) -> &str {
    strip_ext(rel.rsplit('/').next().unwrap_or(rel))
}

/// `a/b.txt` → `a/b` (a dot in a folder name is not an extension).
pub fn strip_ext(rel: &str) -> &str {
    let name_start = rel.rfind('/').map_or(0, |i| i + 1);
    match rel[name_start..].rfind('.') {
        Some(i) if i > 0 => &rel[..name_start + i],
        _ => rel,
    }
}

fn csv_error(path: &Path, e: csv::Error) -> crate::Error {
    let line = e.position().map_or(0, |p| p.line());
    crate::Error::Input {
        path: path.to_path_buf(),
        line,
        message: format!("reading metadata CSV: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_matches_stems() {
        let p = Pattern::parse("{ISO Code}_{Session}_{Year}").unwrap();
        assert_eq!(
            p.fields().collect::<Vec<_>>(),
            ["ISO Code", "Session", "Year"]
        );
        assert_eq!(
            p.matches("ARG_01_1946").unwrap(),
            vec![
                ("ISO Code".to_string(), "ARG".to_string()),
                ("Session".to_string(), "01".to_string()),
                ("Year".to_string(), "1946".to_string())
            ]
        );
        assert!(p.matches("ARG_01").is_none());
        assert!(p.matches("_01_1946").is_none());
        let q = Pattern::parse("speech-{id}.v{n}").unwrap();
        assert_eq!(q.matches("speech-7.v2").unwrap()[1].1, "2");
        assert!(Pattern::parse("{a}{b}").is_err());
        assert!(Pattern::parse("{a").is_err());
        assert!(Pattern::parse("plain").is_err());
    }

    #[test]
    fn keys_are_normalised() {
        assert_eq!(norm(" 01 "), "1");
        assert_eq!(norm("000"), "0");
        assert_eq!(norm("Brazil "), "brazil");
        assert_eq!(strip_ext("Session 1.5/x.y.txt"), "Session 1.5/x.y");
        assert_eq!(strip_ext("dir.d/noext"), "dir.d/noext");
        assert_eq!(strip_ext(".hidden"), ".hidden");
    }

    #[test]
    fn joins_by_pattern_and_by_file_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("meta.csv");
        std::fs::write(
            &p,
            "Year,Session,ISO Code,Name\n1946,1,ARG ,Ann\n1946,1,BRA,Bo\n1946,1,BRA,Dup\n",
        )
        .unwrap();
        let pat = Pattern::parse("{ISO Code}_{Session}_{Year}").unwrap();
        let s = Sidecar::load(&p, Some(&pat), None).unwrap();
        assert_eq!(
            s.lookup("Session 01 - 1946/ARG_01_1946.txt", Some(&pat)),
            Ok(0)
        );
        assert_eq!(s.lookup("BRA_01_1946.txt", Some(&pat)), Ok(1));
        assert!(s
            .lookup("CHE_01_1946.txt", Some(&pat))
            .unwrap_err()
            .contains("ISO Code=CHE"));
        assert!(s
            .lookup("nomatch.txt", Some(&pat))
            .unwrap_err()
            .contains("does not match"));
        assert_eq!(s.duplicates.len(), 1);
        let mut matched = vec![false; 3];
        matched[0] = true;
        assert_eq!(s.unmatched(&matched), vec![1]);

        let q = dir.path().join("files.csv");
        std::fs::write(&q, "file,author\nop-eds/a.txt,Ann\nb,Bo\n").unwrap();
        let s = Sidecar::load(&q, None, None).unwrap();
        assert_eq!(s.lookup("op-eds/a.txt", None), Ok(0));
        assert_eq!(s.lookup("x/b.md", None), Ok(1));
        assert!(s.lookup("c.txt", None).is_err());

        let bad = Sidecar::load(&q, Some(&pat), None).unwrap_err().to_string();
        assert!(
            bad.contains("unknown column 'ISO Code'") && bad.contains("file, author"),
            "{bad}"
        );
    }
}
