//! Throughput of clean + segment on one thread over a folder of text files
//! (default: the UNGDC speeches). Files are read into memory first, so only
//! the two stages are timed.
//!
//! `cargo run --release --example clean_segment_throughput [-- DIR]`

use std::path::{Path, PathBuf};
use std::time::Instant;

use opstance::clean::{CleanOptions, Cleaner};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "txt") {
            out.push(p);
        }
    }
}

/// On-CPU time of this thread in seconds (Linux schedstat), so that a busy
/// shared machine does not distort the figure; wall clock elsewhere.
fn cpu_secs(wall: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(|| wall.elapsed().as_secs_f64(), |ns| ns as f64 / 1e9)
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpus-real/ungdc/TXT".into());
    let mut paths = Vec::new();
    walk(Path::new(&dir), &mut paths);
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    if bytes == 0 {
        eprintln!("no .txt files under {dir}");
        return;
    }
    let cleaner = Cleaner::new(&CleanOptions::default()).unwrap();
    // two passes (all cleaning, then all segmenting) so the clock is read
    // only four times
    let wall = Instant::now();
    let t0 = cpu_secs(wall);
    let cleaned: Vec<_> = texts.iter().map(|t| cleaner.clean(t, 0..t.len())).collect();
    let t1 = cpu_secs(wall);
    let mut ranges = Vec::new();
    let mut n_sent = 0;
    for c in &cleaned {
        ranges.clear();
        opstance::segment::sentences(&c.text, &mut ranges);
        n_sent += ranges.len();
    }
    let t2 = cpu_secs(wall);
    let n_clean: usize = cleaned.iter().map(|c| c.text.len()).sum();
    let (secs, t_clean) = (t2 - t0, t1 - t0);
    let mb = bytes as f64 / 1e6;
    println!(
        "{} files, {:.1} MB, {} sentences, cleaned {:.1} MB\nclean+segment: {:.2} s on-CPU (wall {:.2} s) = {:.0} MB/s (clean alone {:.0} MB/s, segment alone {:.0} MB/s of cleaned text)",
        texts.len(),
        mb,
        n_sent,
        n_clean as f64 / 1e6,
        secs,
        wall.elapsed().as_secs_f64(),
        mb / secs,
        mb / t_clean,
        n_clean as f64 / 1e6 / (secs - t_clean),
    );
}
