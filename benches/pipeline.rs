//! End-to-end and per-stage benchmark on a real corpus (default: the UN
//! General Debate speeches in `../shared/corpus-real/ungdc`).
//!
//!     cargo bench --bench pipeline                 # full run (≈ 3 min)
//!     cargo bench --bench pipeline -- --quick      # skip the 4× memory run
//!     cargo bench --bench pipeline -- --corpus DIR [--metadata CSV --name-pattern P]
//!
//! It prints, and writes to `target/bench-pipeline.json`:
//! - the floor: reading + UTF-8 validation of the same files, 1 and 2 threads;
//! - per-stage throughput on one thread (clean, +segment, +tag; the tagger
//!   alone on claims split beforehand);
//! - `opstance run` end to end (every output written) at 1 and 2 threads,
//!   alternated three times (best and all times): MB/s, ratio to the
//!   floor, peak RSS (from the run's manifest);
//! - `opstance tag` on the corpus split into claims by `opstance claims`
//!   (JSONL with all metadata), 1 and 2 threads alternated three times:
//!   MB/s of claim text and of JSONL read;
//! - the same corpus given four times over, to show memory does not grow
//!   with corpus size.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rayon::prelude::*;

struct Opts {
    corpus: PathBuf,
    metadata: Option<PathBuf>,
    name_pattern: Option<String>,
    quick: bool,
}

fn parse_args() -> Opts {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ungdc = root.join("../shared/corpus-real/ungdc");
    let mut o = Opts {
        corpus: ungdc.join("TXT"),
        metadata: Some(ungdc.join("speakers.csv")),
        name_pattern: Some("{ISO Code}_{Session}_{Year}".into()),
        quick: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--corpus" => {
                o.corpus = args.next().expect("--corpus DIR").into();
                o.metadata = None;
                o.name_pattern = None;
            }
            "--metadata" => o.metadata = args.next().map(Into::into),
            "--name-pattern" => o.name_pattern = args.next(),
            "--quick" => o.quick = true,
            _ => {} // cargo passes --bench
        }
    }
    o
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
}

/// End-to-end runs per thread count (alternated).
const RUN_REPS: usize = 3;

/// Best of `reps` wall-clock times of `f`, in seconds.
fn best_of(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn floor(files: &[PathBuf], threads: usize) -> f64 {
    pool(threads).install(|| {
        best_of(3, || {
            let n: usize = files
                .par_iter()
                .map(|p| {
                    let b = std::fs::read(p).unwrap();
                    std::str::from_utf8(&b).map(|s| s.len()).unwrap_or(b.len())
                })
                .sum();
            std::hint::black_box(n);
        })
    })
}

fn stages(files: &[PathBuf]) -> Vec<(&'static str, f64)> {
    use opstance::clean::{CleanOptions, Cleaner};
    use opstance::lexicon::Lexicon;
    use opstance::stance::{Scratch, Tagger};
    let texts: Vec<String> = files
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect();
    let cleaner = Cleaner::new(&CleanOptions::default()).unwrap();
    let tagger = Tagger::new(Lexicon::load(&[]).unwrap());
    let mut ranges = Vec::new();
    let mut scratch = Scratch::default();
    let clean = best_of(2, || {
        for t in &texts {
            std::hint::black_box(cleaner.clean(t, 0..t.len()));
        }
    });
    let segment = best_of(2, || {
        for t in &texts {
            let c = cleaner.clean(t, 0..t.len());
            ranges.clear();
            opstance::segment::sentences(&c.text, &mut ranges);
            std::hint::black_box(&ranges);
        }
    });
    let mut tokens = opstance::tokenize::Tokens::default();
    let tokenize = best_of(2, || {
        for t in &texts {
            opstance::tokenize::tokenize(t, &mut tokens);
            std::hint::black_box(&tokens);
        }
    });
    let tag = best_of(2, || {
        for t in &texts {
            let c = cleaner.clean(t, 0..t.len());
            ranges.clear();
            opstance::segment::sentences(&c.text, &mut ranges);
            for r in &ranges {
                std::hint::black_box(tagger.tag(&c.text[r.clone()], &mut scratch));
            }
        }
    });
    // The tagger alone (gate, tokenizer, matcher, stance) on claims split beforehand.
    let claims: Vec<String> = texts
        .iter()
        .flat_map(|t| {
            let c = cleaner.clean(t, 0..t.len());
            let mut r = Vec::new();
            opstance::segment::sentences(&c.text, &mut r);
            r.into_iter()
                .map(|r| c.text[r].to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let claim_mb = claims.iter().map(String::len).sum::<usize>() as f64;
    let tag_only = best_of(3, || {
        for c in &claims {
            std::hint::black_box(tagger.tag(c, &mut scratch));
        }
    });
    // How many claims the theme gate lets through to the full matcher.
    let passed = claims
        .iter()
        .filter(|c| {
            tagger.tag(c, &mut scratch);
            scratch.tokenized
        })
        .count();
    println!(
        "  theme gate: {passed} of {} claims go on to the full matcher",
        claims.len()
    );
    // Scaled so that the figure printed (corpus MB / time) is MB of claim
    // text per second: claims are a little shorter than the raw texts.
    let total: f64 = texts.iter().map(String::len).sum::<usize>() as f64;
    let tag_only = tag_only * total / claim_mb;
    vec![
        ("clean", clean),
        ("clean+segment", segment),
        ("tokenize (raw text)", tokenize),
        ("clean+segment+tag", tag),
        ("tag (split claims)", tag_only),
    ]
}

struct RunResult {
    secs: f64,
    rss_mb: Option<f64>,
}

fn run_opstance(o: &Opts, copies: usize, threads: usize) -> RunResult {
    let out = std::env::temp_dir().join(format!(
        "opstance-bench-{}-{copies}-{threads}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&out);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opstance"));
    cmd.args(["--threads", &threads.to_string(), "-q", "run"]);
    for _ in 0..copies {
        cmd.arg(&o.corpus);
    }
    corpus_args(o, &mut cmd);
    cmd.arg("--out").arg(&out);
    let t = Instant::now();
    let status = cmd.status().expect("run opstance");
    let secs = t.elapsed().as_secs_f64();
    assert!(
        matches!(status.code(), Some(0 | 3)),
        "opstance run failed: {status}"
    );
    let rss_mb = std::fs::read_to_string(out.join("manifest.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .and_then(|m| find_number(&m, "peak_rss_mb"));
    let _ = std::fs::remove_dir_all(&out);
    RunResult { secs, rss_mb }
}

/// The options that join the UN speakers table (when given).
fn corpus_args(o: &Opts, cmd: &mut Command) {
    if let Some(m) = &o.metadata {
        cmd.arg("--metadata").arg(m);
    }
    if let Some(p) = &o.name_pattern {
        cmd.args([
            "--name-pattern",
            p,
            "--author-field",
            "Name of Person Speaking",
            "--date-field",
            "Year",
        ]);
    }
}

/// `opstance claims` over the corpus into a JSONL file; returns (path, MB
/// of JSONL, MB of claim text).
fn claims_jsonl(o: &Opts) -> (PathBuf, f64, f64) {
    let path = std::env::temp_dir().join(format!(
        "opstance-bench-claims-{}.jsonl",
        std::process::id()
    ));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opstance"));
    cmd.args(["-q", "claims"]).arg(&o.corpus);
    corpus_args(o, &mut cmd);
    let out = std::fs::File::create(&path).expect("create claims file");
    let status = cmd.stdout(out).status().expect("run opstance claims");
    assert!(
        matches!(status.code(), Some(0 | 3)),
        "opstance claims failed: {status}"
    );
    let data = std::fs::read(&path).expect("read claims");
    let text: usize = data
        .par_split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).expect("claims JSONL");
            v["text"].as_str().map_or(0, str::len)
        })
        .sum();
    (path, data.len() as f64 / 1e6, text as f64 / 1e6)
}

/// `opstance tag` over a claims file, output discarded; seconds.
fn tag_claims(path: &Path, threads: usize) -> f64 {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opstance"));
    cmd.args(["--threads", &threads.to_string(), "-q", "tag"])
        .arg(path);
    let t = Instant::now();
    let status = cmd
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run opstance tag");
    assert!(status.success(), "opstance tag failed: {status}");
    t.elapsed().as_secs_f64()
}

/// First number under `key` anywhere in a JSON document.
fn find_number(v: &serde_json::Value, key: &str) -> Option<f64> {
    match v {
        serde_json::Value::Object(m) => m
            .get(key)
            .and_then(|x| x.as_f64())
            .or_else(|| m.values().find_map(|x| find_number(x, key))),
        serde_json::Value::Array(a) => a.iter().find_map(|x| find_number(x, key)),
        _ => None,
    }
}

fn main() {
    let o = parse_args();
    if !o.corpus.is_dir() {
        eprintln!(
            "corpus {} not found; nothing to benchmark",
            o.corpus.display()
        );
        return;
    }
    let mut files = Vec::new();
    files_under(&o.corpus, &mut files);
    let bytes: u64 = files
        .iter()
        .map(|p| p.metadata().map(|m| m.len()).unwrap_or(0))
        .sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {} ({} files, {mb:.1} MB)",
        o.corpus.display(),
        files.len()
    );
    let mut report = serde_json::json!({ "corpus": o.corpus, "files": files.len(), "mb": mb });

    let f1 = floor(&files, 1);
    let f2 = floor(&files, 2);
    println!(
        "floor (read + UTF-8 validation): 1 thread {:.0} MB/s, 2 threads {:.0} MB/s",
        mb / f1,
        mb / f2
    );
    report["floor_mb_s"] = serde_json::json!({ "1": mb / f1, "2": mb / f2 });

    println!("per stage, 1 thread, in memory:");
    for (name, secs) in stages(&files) {
        println!("  {name:<22} {:>8.1} MB/s", mb / secs);
        report["stages_mb_s"][name] = (mb / secs).into();
    }

    // End-to-end runs alternate 1 and 2 threads, three times: the VM is
    // noisy (±30 % between runs of one binary), so the best of three
    // estimates the undisturbed time, and alternating keeps a slow phase of
    // the machine from falling on one thread count only.
    let mut runs: [Vec<RunResult>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..RUN_REPS {
        for (i, threads) in [1, 2].into_iter().enumerate() {
            runs[i].push(run_opstance(&o, 1, threads));
        }
    }
    for (i, threads) in [1, 2].into_iter().enumerate() {
        let all: Vec<f64> = runs[i].iter().map(|r| r.secs).collect();
        let best = all.iter().copied().fold(f64::INFINITY, f64::min);
        let rss = runs[i]
            .iter()
            .filter_map(|r| r.rss_mb)
            .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        let rate = mb / best;
        let floor_rate = mb / if threads == 1 { f1 } else { f2 };
        println!(
            "opstance run, {threads} thread(s): best {best:.2} s of {}, {rate:.1} MB/s, {:.1}% of floor ({:.0}x slower), peak RSS {}",
            all.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(" / "),
            100.0 * rate / floor_rate,
            floor_rate / rate,
            rss.map(|m| format!("{m:.0} MB")).unwrap_or_else(|| "n/a".into())
        );
        report["run"][threads.to_string()] = serde_json::json!({ "secs": best, "all_secs": all, "mb_s": rate, "floor_ratio": rate / floor_rate, "peak_rss_mb": rss });
    }
    if let (Some(a), Some(b)) = (
        report["run"]["1"]["secs"].as_f64(),
        report["run"]["2"]["secs"].as_f64(),
    ) {
        let pairs: Vec<f64> = runs[0]
            .iter()
            .zip(&runs[1])
            .map(|(x, y)| x.secs / y.secs)
            .collect();
        println!(
            "speed-up 2 threads / 1 thread: {:.2}x (best / best); per alternated pair {}",
            a / b,
            pairs
                .iter()
                .map(|x| format!("{x:.2}x"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        report["speedup_2_over_1"] = (a / b).into();
        report["speedup_pairs"] = pairs.into();
    }
    // `opstance tag` on the corpus split into claims (`opstance claims`).
    let (claims, jsonl_mb, text_mb) = claims_jsonl(&o);
    let mut tags: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for _ in 0..RUN_REPS {
        for (i, threads) in [1, 2].into_iter().enumerate() {
            tags[i].push(tag_claims(&claims, threads));
        }
    }
    for (i, threads) in [1, 2].into_iter().enumerate() {
        let secs = tags[i].iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "opstance tag, {threads} thread(s): best {secs:.2} s of {}, {:.1} MB/s of claim text ({text_mb:.0} MB), {:.1} MB/s of JSONL ({jsonl_mb:.0} MB)",
            tags[i].iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(" / "),
            text_mb / secs,
            jsonl_mb / secs
        );
        report["tag"][threads.to_string()] = serde_json::json!({ "secs": secs, "all_secs": tags[i], "claim_text_mb_s": text_mb / secs, "jsonl_mb_s": jsonl_mb / secs });
    }
    let _ = std::fs::remove_file(&claims);
    if !o.quick {
        let r = run_opstance(&o, 4, 2);
        println!(
            "opstance run, corpus x4 ({:.0} MB), 2 threads: {:.2} s, {:.1} MB/s, peak RSS {}",
            4.0 * mb,
            r.secs,
            4.0 * mb / r.secs,
            r.rss_mb
                .map(|m| format!("{m:.0} MB"))
                .unwrap_or_else(|| "n/a".into())
        );
        report["run_x4"] = serde_json::json!({ "secs": r.secs, "mb_s": 4.0 * mb / r.secs, "peak_rss_mb": r.rss_mb });
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-pipeline.json");
    let _ = std::fs::write(&path, serde_json::to_vec_pretty(&report).unwrap());
    println!("results: {}", path.display());
}
