//! `opstance merge`: combine partial runs (`run --partial`) into the outputs
//! of one run over the union of their inputs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::run::{report, round3};
use super::{Finished, Global};
use crate::model::{Skipped, Warning};
use crate::write::atomic::AtomicFile;
use crate::write::manifest::Manifest;
use crate::write::outputs::{self, ARTICLES, CLAIMS, MANIFEST};
use crate::write::tables::append_body;

/// Merge partial runs into full outputs.
///
/// The result is byte-identical to `opstance run` over the inputs of the
/// partials in the order given (claims.csv and articles.csv are the
/// partials' rows, concatenated in that order), except for the manifest's
/// command, timings and `merged_from`. The partials must have been made with
/// the same lexicon and options (--by, --period, --seed, --bootstrap, input
/// options).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Folders written by `opstance run --partial`, in input order.
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    /// Output folder (created if needed).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
}

fn read_json(p: &Path) -> crate::Result<serde_json::Value> {
    let bytes = std::fs::read(p).map_err(|e| crate::Error::io(p, e))?;
    serde_json::from_slice(&bytes).map_err(|e| crate::Error::Input {
        path: p.to_path_buf(),
        line: e.line() as u64,
        message: e.to_string(),
    })
}

fn usage(msg: String) -> crate::Error {
    crate::Error::Usage(msg)
}

pub fn run(args: &Args, g: &Global) -> crate::Result<Finished> {
    let t0 = Instant::now();
    let first = &args.partials[0];
    let mut agg = outputs::load_aggregates(first)?;
    let mut manifest = Manifest::new("merge", serde_json::Value::Null);
    let mut options: Option<serde_json::Value> = None;
    let mut inputs = Vec::new();
    let mut mb_read = 0.0;
    for (i, p) in args.partials.iter().enumerate() {
        if i > 0 {
            let other = outputs::load_aggregates(p)?;
            agg.merge(&other)
                .map_err(|e| usage(format!("{}: {e}", p.display())))?;
        }
        let m = read_json(&p.join(MANIFEST))?;
        if m["options"]["partial"] != serde_json::Value::Bool(true) {
            return Err(usage(format!(
                "{} was not written by `opstance run --partial`",
                p.display()
            )));
        }
        let mut o = m["options"].clone();
        if let Some(list) = o["inputs"].as_array() {
            inputs.extend(list.iter().cloned());
        }
        o["inputs"] = serde_json::Value::Null;
        match &options {
            None => options = Some(o),
            Some(prev) if *prev != o => {
                return Err(usage(format!(
                    "{} was made with other options than {}",
                    p.display(),
                    first.display()
                )))
            }
            Some(_) => {}
        }
        let inp = &m["inputs"];
        manifest.inputs.files_seen += inp["files_seen"].as_u64().unwrap_or(0) as usize;
        manifest.inputs.articles += inp["articles"].as_u64().unwrap_or(0) as usize;
        manifest.inputs.claims += inp["claims"].as_u64().unwrap_or(0) as usize;
        for (key, list) in [
            ("skipped", &mut manifest.inputs.skipped),
            ("ignored", &mut manifest.inputs.ignored),
        ] {
            list.extend(
                serde_json::from_value::<Vec<Skipped>>(inp[key].clone()).unwrap_or_default(),
            );
        }
        for w in m["warnings"].as_array().into_iter().flatten() {
            manifest.warnings.push(Warning {
                path: w["path"].as_str().unwrap_or("").to_string(),
                record: w["record"].as_u64(),
                message: w["message"].as_str().unwrap_or("").to_string(),
            });
        }
        mb_read += m["timings"]["mb_read"].as_f64().unwrap_or(0.0);
    }
    let mut options = options.expect("at least one partial");
    options["inputs"] = inputs.into();
    options["partial"] = false.into();
    manifest.options = options;

    outputs::create_dir(&args.out)?;
    let mut streamed = Vec::new();
    for name in [CLAIMS, ARTICLES] {
        streamed.push(concatenate(&args.partials, name, &args.out.join(name))?);
    }
    let merged_from: Vec<String> = args
        .partials
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    outputs::finish(&args.out, &agg, streamed, false, &mut manifest, |m| {
        m.extra
            .insert("merged_from".into(), merged_from.clone().into());
        m.extra.insert(
            "timings".into(),
            serde_json::json!({
                "total_seconds": round3(t0.elapsed().as_secs_f64()),
                "mb_read": round3(mb_read),
            }),
        );
        m.extra.insert(
            "peak_rss_mb".into(),
            outputs::peak_rss_mb().map(round3).into(),
        );
    })?;
    report(&manifest, g);
    Ok(Finished {
        skipped: manifest.inputs.skipped.len(),
    })
}

/// The header of the first partial's file, then every partial's rows.
fn concatenate(partials: &[PathBuf], name: &str, target: &Path) -> crate::Result<AtomicFile> {
    use std::io::BufRead;
    let src = partials[0].join(name);
    let f = std::fs::File::open(&src).map_err(|e| crate::Error::io(&src, e))?;
    let mut header = Vec::new();
    std::io::BufReader::new(f)
        .read_until(b'\n', &mut header)
        .map_err(|e| crate::Error::io(&src, e))?;
    let mut out = AtomicFile::create(target)?;
    std::io::Write::write_all(&mut out, &header).map_err(|e| crate::Error::io(target, e))?;
    for p in partials {
        append_body(&p.join(name), &header, &mut out)?;
    }
    Ok(out)
}
