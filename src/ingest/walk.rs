//! Inputs to a sorted list of entries: files, folders walked recursively in
//! byte order of names (so the order never depends on the file system),
//! `-` for stdin. Hidden files and folders (`.name`) and files of other types
//! are reported as skipped; documentation files (`README*`, `LICENSE*`, …)
//! are listed as ignored, so a corpus folder can carry its own README.

use std::path::{Path, PathBuf};

use super::FileJob;
use crate::model::Skipped;

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Jsonl,
    Csv,
    Tsv,
}

/// One input found by the walk.
#[derive(Debug)]
pub enum Entry {
    Text(FileJob),
    Table(FileJob, Kind),
    Stdin,
    Skipped(Skipped),
    /// Not an article and not a problem: a README or LICENSE beside the texts.
    Ignored(Skipped),
}

/// `README.md`, `LICENSE`, `CHANGELOG.txt`, …: documentation that travels with
/// a corpus, not part of it.
fn is_documentation(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_lowercase();
    matches!(
        stem.as_str(),
        "readme" | "license" | "licence" | "changelog" | "notice" | "copying" | "authors"
    )
}

/// Folders nested deeper than this are reported instead of followed (symlink loops).
const MAX_DEPTH: usize = 64;

pub fn kind_of(path: &Path) -> Result<Kind, String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("txt" | "md" | "markdown" | "text") => Ok(Kind::Text),
        Some("jsonl" | "ndjson") => Ok(Kind::Jsonl),
        Some("csv") => Ok(Kind::Csv),
        Some("tsv" | "tab") => Ok(Kind::Tsv),
        Some(e) => Err(format!("unsupported file type .{e}")),
        None => Err("unsupported file type (no extension)".into()),
    }
}

/// Walk every input. `exclude` is the canonical path of the metadata
/// sidecar, which is never an article even when it lies in an input folder.
pub fn walk(inputs: &[PathBuf], exclude: Option<&Path>) -> crate::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            out.push(Entry::Stdin);
            continue;
        }
        let md = std::fs::metadata(input).map_err(|e| crate::Error::io(input, e))?;
        if md.is_dir() {
            walk_dir(input, "", 0, exclude, &mut out);
        } else {
            let name = input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| input.display().to_string());
            push_file(input.clone(), name, exclude, &mut out);
        }
    }
    Ok(out)
}

fn push_file(path: PathBuf, rel: String, exclude: Option<&Path>, out: &mut Vec<Entry>) {
    match kind_of(&path) {
        Ok(kind) => {
            if kind != Kind::Text && exclude.is_some() {
                if let (Ok(c), Some(x)) = (path.canonicalize(), exclude) {
                    if c == x {
                        return;
                    }
                }
            }
            let job = FileJob { path, rel };
            out.push(match kind {
                Kind::Text => Entry::Text(job),
                k => Entry::Table(job, k),
            });
        }
        Err(reason) => out.push(Entry::Skipped(Skipped {
            path: path.display().to_string(),
            record: None,
            reason,
        })),
    }
}

fn walk_dir(dir: &Path, rel: &str, depth: usize, exclude: Option<&Path>, out: &mut Vec<Entry>) {
    let skip = |out: &mut Vec<Entry>, reason: String| {
        out.push(Entry::Skipped(Skipped {
            path: dir.display().to_string(),
            record: None,
            reason,
        }))
    };
    if depth > MAX_DEPTH {
        return skip(
            out,
            format!("folder nested deeper than {MAX_DEPTH} levels (symlink loop?)"),
        );
    }
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => return skip(out, format!("cannot read folder: {e}")),
    };
    // The type comes with the listing on most file systems; only symlinks
    // (and entries of unknown type) need a `stat` to know what they point
    // to. A `stat` per file was a third of the walk on a 10k-file corpus.
    let mut entries: Vec<(std::ffi::OsString, PathBuf, Option<std::fs::FileType>)> = Vec::new();
    for e in rd {
        match e {
            Ok(e) => {
                let ft = e.file_type().ok().filter(|t| !t.is_symlink());
                entries.push((e.file_name(), e.path(), ft));
            }
            Err(e) => skip(out, format!("cannot list folder entry: {e}")),
        }
    }
    // Names are unique within a folder: this is the order of the names.
    entries.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (name, path, ft) in entries {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with('.') {
            out.push(Entry::Skipped(Skipped {
                path: path.display().to_string(),
                record: None,
                reason: if path.is_dir() {
                    "hidden folder, not read".into()
                } else {
                    "hidden file".into()
                },
            }));
            continue;
        }
        if is_documentation(&name) && path.is_file() {
            out.push(Entry::Ignored(Skipped {
                path: path.display().to_string(),
                record: None,
                reason: "documentation file, not an article".into(),
            }));
            continue;
        }
        let child_rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let is_dir = match ft {
            Some(t) => Ok(t.is_dir()),
            None => std::fs::metadata(&path).map(|md| md.is_dir()),
        };
        match is_dir {
            Ok(true) => walk_dir(&path, &child_rel, depth + 1, exclude, out),
            Ok(false) => push_file(path, child_rel, exclude, out),
            Err(e) => out.push(Entry::Skipped(Skipped {
                path: path.display().to_string(),
                record: None,
                reason: format!("cannot read: {e}"),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_recursive_hidden_and_unknown_reported_readme_ignored() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir_all(p.join("Session 2 - b")).unwrap();
        std::fs::create_dir_all(p.join(".git")).unwrap();
        for f in [
            "b.txt",
            "a.md",
            "Session 2 - b/c.jsonl",
            "x.pdf",
            ".hidden.txt",
            ".git/h.txt",
            "meta.csv",
            "README.md",
        ] {
            std::fs::write(p.join(f), "x").unwrap();
        }
        let meta = p.join("meta.csv").canonicalize().unwrap();
        let e = walk(&[p.to_path_buf()], Some(&meta)).unwrap();
        let desc: Vec<String> = e
            .iter()
            .map(|e| match e {
                Entry::Text(j) => format!("text {}", j.rel),
                Entry::Table(j, k) => format!("{k:?} {}", j.rel),
                Entry::Stdin => "stdin".into(),
                Entry::Skipped(s) => format!("skip {}", s.reason),
                Entry::Ignored(s) => format!("ignore {}", s.reason),
            })
            .collect();
        assert_eq!(
            desc,
            [
                "skip hidden folder, not read",
                "skip hidden file",
                "ignore documentation file, not an article",
                "Jsonl Session 2 - b/c.jsonl",
                "text a.md",
                "text b.txt",
                "skip unsupported file type .pdf"
            ]
        );
        let e = walk(&[p.join("b.txt"), PathBuf::from("-")], None).unwrap();
        assert!(matches!(&e[0], Entry::Text(j) if j.rel == "b.txt"));
        assert!(matches!(e[1], Entry::Stdin));
        assert!(walk(&[p.join("missing")], None).is_err());
    }
}
