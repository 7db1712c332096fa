//! The output folder of `opstance run` / `merge`: file names, and the final
//! step that writes every aggregate output and commits all files together,
//! so an interrupted run leaves each final-named file either absent or
//! complete.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::aggregate::{Aggregates, Setup, SCHEMA_VERSION};
use crate::write::atomic::{AtomicFile, Syncing};
use crate::write::manifest::Manifest;
use crate::write::{heatmap, tables};

pub const CLAIMS: &str = "claims.csv";
pub const ARTICLES: &str = "articles.csv";
pub const STANCE_MATRIX: &str = "stance_matrix.csv";
pub const SALIENCE_MATRIX: &str = "salience_matrix.csv";
pub const STANCE_LONG: &str = "stance_long.csv";
pub const SIMILARITY: &str = "similarity.csv";
pub const HEATMAP: &str = "heatmap.svg";
/// The mergeable aggregates (counts per key × period × theme and the
/// per-article counts the bootstrap resamples): what `diff`, `explain` and
/// `merge` read.
pub const AGGREGATES: &str = "aggregates.json";
pub const MANIFEST: &str = "manifest.json";

/// Create the output folder, and remove the manifest of an earlier run in
/// it: the manifest is written last, so a folder with a manifest is complete.
pub fn create_dir(dir: &Path) -> crate::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    let m = dir.join(MANIFEST);
    match std::fs::remove_file(&m) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(crate::Error::io(&m, e)),
        _ => Ok(()),
    }
}

/// A file written and handed to a background sync.
fn staged(dir: &Path, name: &str, bytes: &[u8]) -> crate::Result<Syncing> {
    let path: PathBuf = dir.join(name);
    let mut f = AtomicFile::create(&path)?;
    f.write_all(bytes).map_err(|e| crate::Error::io(&path, e))?;
    Ok(f.sync_in_background())
}

/// Write the aggregate outputs (all of them, or only `aggregates.json` for a
/// partial run) next to the already streamed files, then commit everything
/// and write the manifest last (with the schema version and the lexicon).
/// Each file is synced in the background as soon as it is complete, so the
/// `fsync`s overlap the computing of the next outputs instead of adding up
/// at the end (they were a third of `aggregate_write` on the UN corpus).
pub fn finish(
    dir: &Path,
    agg: &Aggregates,
    streamed: Vec<AtomicFile>,
    partial: bool,
    manifest: &mut Manifest,
    mut before_manifest: impl FnMut(&mut Manifest),
) -> crate::Result<()> {
    manifest
        .extra
        .insert("schema_version".into(), SCHEMA_VERSION.into());
    manifest
        .extra
        .insert("lexicon".into(), lexicon_json(&agg.setup));
    let mut files: Vec<Syncing> = streamed
        .into_iter()
        .map(AtomicFile::sync_in_background)
        .collect();
    let totals = if partial {
        Default::default()
    } else {
        agg.totals()
    };
    // Five independent parts, started as one tree of joins so that a second
    // thread takes the other half from the start: the similarity pairs
    // (the largest file: begun first, so its sync starts early) beside the
    // heatmap (sequential), and the long table (bootstrap, parallel inside)
    // beside the JSON and the matrices (sequential). Files keep their order
    // in `files`, which is the order they are renamed in.
    let similarity = || -> crate::Result<Syncing> {
        let path = dir.join(SIMILARITY);
        let mut f = AtomicFile::create(&path)?;
        write_similarity(&mut f, agg, &totals)
            .map_err(|e| crate::Error::Other(format!("{}: {e}", path.display())))?;
        Ok(f.sync_in_background())
    };
    let heatmap = || {
        let svg = heatmap::render(&totals, &agg.setup.themes, tables::key_column(agg.setup.by));
        staged(dir, HEATMAP, svg.as_bytes())
    };
    let long = || {
        let rows = agg.long_rows();
        staged(dir, STANCE_LONG, &tables::long(agg, &rows))
    };
    let aggregates = || -> crate::Result<Syncing> {
        let json = serde_json::to_vec(agg).map_err(|e| crate::Error::Other(e.to_string()))?;
        staged(dir, AGGREGATES, &json)
    };
    let small = || -> crate::Result<Vec<Syncing>> {
        let mut v = vec![aggregates()?];
        v.push(staged(
            dir,
            STANCE_MATRIX,
            &tables::matrix(agg, &totals, false),
        )?);
        v.push(staged(
            dir,
            SALIENCE_MATRIX,
            &tables::matrix(agg, &totals, true),
        )?);
        Ok(v)
    };
    if partial {
        files.push(aggregates()?);
    } else {
        let ((sim, heat), (long, small)) = rayon::join(
            || rayon::join(similarity, heatmap),
            || rayon::join(long, small),
        );
        files.extend(small?);
        files.push(long?);
        files.push(sim?);
        files.push(heat?);
    }
    Syncing::commit_all(files)?;
    before_manifest(manifest);
    let mut json = serde_json::to_vec_pretty(manifest).expect("manifest serialises");
    json.push(b'\n');
    crate::write::atomic::write_file(dir.join(MANIFEST), &json)
}

/// `similarity.csv`: blocks of rows are computed in parallel and written
/// in order as they are done, so memory stays flat however many keys there
/// are (a corpus with thousands of speakers has millions of pairs).
///
/// Rows are assembled by hand rather than through `csv::Writer`: each key's
/// CSV field is encoded once (by the `csv` crate, so quoting is the same as
/// before), and the other two cells are numbers that never need quotes.
/// That halves the cost of the file, which was most of `aggregate_write`.
fn write_similarity(
    f: &mut AtomicFile,
    agg: &crate::aggregate::Aggregates,
    totals: &std::collections::BTreeMap<&str, crate::aggregate::Group>,
) -> csv::Result<()> {
    use crate::write::cells;
    use rayon::prelude::*;
    let mut w = csv::Writer::from_writer(&mut *f);
    tables::similarity_header(&mut w, agg.setup.by)?;
    w.flush()?;
    drop(w);
    let vectors = crate::aggregate::similarity_vectors(totals);
    let fields: Vec<String> = vectors
        .iter()
        .map(|(k, _)| tables::csv_field(&cells::text(k)))
        .collect();
    let rows: Vec<usize> = (0..vectors.len()).collect();
    for block in rows.chunks(64) {
        let parts: Vec<String> = block
            .par_iter()
            .map(|&i| {
                let mut out = String::new();
                let a = &fields[i];
                crate::aggregate::similarities_of_index(&vectors, i, |j, p| {
                    out.push_str(a);
                    out.push(',');
                    out.push_str(&fields[j]);
                    out.push(',');
                    if let Some(d) = p.distance {
                        cells::push_number(&mut out, d);
                    }
                    out.push(',');
                    cells::push_u64(&mut out, p.n_themes as u64);
                    out.push('\n');
                });
                out
            })
            .collect();
        for part in parts {
            f.write_all(part.as_bytes())?;
        }
    }
    Ok(())
}

/// The lexicon a run was made with, as the manifest records it.
pub fn lexicon_json(s: &Setup) -> serde_json::Value {
    serde_json::json!({
        "name": s.lexicon_name,
        "version": s.lexicon_version,
        "sha256": s.lexicon_sha256,
        "themes": s.themes,
    })
}

/// Load a run's `aggregates.json`.
pub fn load_aggregates(run: &Path) -> crate::Result<Aggregates> {
    let p = run.join(AGGREGATES);
    let bytes = std::fs::read(&p).map_err(|e| crate::Error::io(&p, e))?;
    serde_json::from_slice(&bytes).map_err(|e| crate::Error::Input {
        path: p.clone(),
        line: e.line() as u64,
        message: format!("not an opstance aggregates file: {e}"),
    })
}

/// Peak resident memory in MB (`VmHWM`), on Linux.
pub fn peak_rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
