//! How fast is HuggingFace `tokenizers` at what our tokenizer does?
//!
//! Measures MB/s on one thread, over the non-empty lines of the UNGDC
//! speeches (a line is a paragraph there, the unit a claim comes from), of
//!
//! * (a) `tokenizers`: BERT normalizer (clean text, lowercase, strip
//!   accents) + `BertPreTokenizer`, then the splits with byte offsets into
//!   the original;
//! * (a') the same normalizer + `Whitespace` pre-tokenizer;
//! * (b) `opstance::tokenize::tokenize` into a reused buffer.
//!
//! `cargo bench --features hf-tokenizers --bench tokenizers_probe [-- DIR] [--mb N]`
//! (DIR defaults to `../shared/corpus-real/ungdc/TXT`). Times are on-CPU
//! time of the thread (Linux), so a busy machine does not distort them.

use std::path::{Path, PathBuf};
use std::time::Instant;

use tokenizers::normalizers::bert::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::pre_tokenizers::whitespace::Whitespace;
use tokenizers::{
    NormalizedString, Normalizer, OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer,
};

/// A measured run: returns (tokens, checksum).
type Run<'a> = dyn Fn() -> (usize, usize) + 'a;

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

fn cpu_secs(wall: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(|| wall.elapsed().as_secs_f64(), |ns| ns as f64 / 1e9)
}

fn hf(lines: &[&str], pre: &dyn PreTokenizer) -> (usize, usize) {
    let norm = BertNormalizer::new(true, false, Some(true), true);
    let (mut n_tok, mut check) = (0usize, 0usize);
    for l in lines {
        let mut n = NormalizedString::from(*l);
        norm.normalize(&mut n).expect("normalize");
        let mut p = PreTokenizedString::from(n);
        pre.pre_tokenize(&mut p).expect("pre-tokenize");
        for (s, (a, b), _) in p.get_splits(OffsetReferential::Original, OffsetType::Byte) {
            n_tok += 1;
            check = check.wrapping_add(s.len() + b - a);
        }
    }
    (n_tok, check)
}

/// The breakdown: the normalizer alone, or a pre-tokenizer alone.
fn hf_part(lines: &[&str], normalize: bool, pre: Option<&dyn PreTokenizer>) -> (usize, usize) {
    let norm = BertNormalizer::new(true, false, Some(true), true);
    let (mut n_tok, mut check) = (0usize, 0usize);
    for l in lines {
        let mut n = NormalizedString::from(*l);
        if normalize {
            norm.normalize(&mut n).expect("normalize");
        }
        check = check.wrapping_add(n.get().len());
        if let Some(pre) = pre {
            let mut p = PreTokenizedString::from(n);
            pre.pre_tokenize(&mut p).expect("pre-tokenize");
            n_tok += p
                .get_splits(OffsetReferential::Original, OffsetType::Byte)
                .len();
        }
    }
    (n_tok, check)
}

fn ours(lines: &[&str]) -> (usize, usize) {
    let mut toks = opstance::tokenize::Tokens::default();
    let (mut n_tok, mut check) = (0usize, 0usize);
    for l in lines {
        opstance::tokenize::tokenize(l, &mut toks);
        n_tok += toks.tokens.len();
        check = check.wrapping_add(toks.norm.len());
    }
    (n_tok, check)
}

fn main() {
    // `cargo bench` passes `--bench`; the first other argument is the folder
    let dir = std::env::args()
        .skip(1)
        .scan(false, |after_mb, a| {
            let skip = *after_mb || a.starts_with("--");
            *after_mb = a == "--mb";
            Some((skip, a))
        })
        .find_map(|(skip, a)| (!skip).then_some(a))
        .unwrap_or_else(|| "../shared/corpus-real/ungdc/TXT".into());
    let mut paths = Vec::new();
    walk(Path::new(&dir), &mut paths);
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    // `--mb N`: only the first N MB of lines (the HF runs are slow)
    let args: Vec<String> = std::env::args().collect();
    let limit = args
        .iter()
        .position(|a| a == "--mb")
        .and_then(|i| args.get(i + 1)?.parse::<f64>().ok())
        .map_or(usize::MAX, |mb| (mb * 1e6) as usize);
    let mut total = 0;
    let lines: Vec<&str> = texts
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| !l.trim().is_empty())
        .take_while(|l| {
            total += l.len();
            total <= limit
        })
        .collect();
    let mb = lines.iter().map(|l| l.len()).sum::<usize>() as f64 / 1e6;
    if mb == 0.0 {
        eprintln!("no .txt files under {dir}: nothing to measure");
        return;
    }
    println!(
        "{} files, {} lines, {mb:.1} MB, one thread",
        texts.len(),
        lines.len()
    );
    let wall = Instant::now();
    let runs: [(&str, &Run); 5] = [
        ("tokenizers BertNormalizer + BertPreTokenizer", &|| {
            hf(&lines, &BertPreTokenizer)
        }),
        ("tokenizers BertNormalizer + Whitespace", &|| {
            hf(&lines, &Whitespace)
        }),
        ("  of which: BertNormalizer alone", &|| {
            hf_part(&lines, true, None)
        }),
        ("  of which: Whitespace alone (no normalizer)", &|| {
            hf_part(&lines, false, Some(&Whitespace))
        }),
        ("opstance::tokenize::tokenize", &|| ours(&lines)),
    ];
    for (name, f) in runs {
        let t0 = cpu_secs(wall);
        let (n, check) = f();
        let s = cpu_secs(wall) - t0;
        println!(
            "{name:<48} {:>7.1} MB/s  ({n} tokens, {s:.2} s, check {check})",
            mb / s
        );
    }
}
