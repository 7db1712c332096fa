//! `opstance explain`: the claims and cues behind one matrix cell — the
//! answer to "why does the matrix say this?".

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::{Finished, Global};
use crate::aggregate::Bootstrap;
use crate::model::EvidenceKind;
use crate::write::cells::{number, untext};
use crate::write::outputs::{self, ARTICLES, CLAIMS};
use crate::write::tables::{parse_cues, Cue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Show the claims behind one cell of a run's stance matrix.
///
/// Prints the cell's numbers (articles, claims, theme claims, salience,
/// +1/-1/0 counts, stance, 95% interval, log-odds), then its claims grouped by
/// stance (-1, +1, 0) with article id, date, claim index, byte offsets and
/// score, the cues that fired marked in the text (bold and coloured on a
/// terminal, [[...]] otherwise) and listed below it.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// A folder written by `opstance run`.
    #[arg(value_name = "RUN")]
    pub run: PathBuf,
    /// The row: a commentator (or an outlet / article id, if the run used --by).
    #[arg(long, value_name = "NAME")]
    pub commentator: String,
    /// Theme id, e.g. territory.
    #[arg(long, value_name = "THEME")]
    pub theme: String,
    /// Show at most N claims per stance (0: all).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub limit: usize,
    #[arg(long, value_enum, default_value = "auto")]
    pub color: Color,
}

struct Row {
    article_id: String,
    date: String,
    claim_index: String,
    start: String,
    end: String,
    stance: i8,
    score: String,
    cues: Vec<Cue>,
    text: String,
}

fn csv_in(e: csv::Error, path: &std::path::Path) -> crate::Error {
    crate::Error::Input {
        path: path.to_path_buf(),
        line: e.position().map(|p| p.line()).unwrap_or(0),
        message: e.to_string(),
    }
}

fn column(h: &csv::StringRecord, name: &str, path: &std::path::Path) -> crate::Result<usize> {
    h.iter()
        .position(|c| c == name)
        .ok_or_else(|| crate::Error::Input {
            path: path.to_path_buf(),
            line: 1,
            message: format!("no column `{name}`"),
        })
}

pub fn run(args: &Args, _g: &Global) -> crate::Result<Finished> {
    let agg = outputs::load_aggregates(&args.run)?;
    let setup = &agg.setup;
    let theme = setup
        .themes
        .iter()
        .position(|t| *t == args.theme)
        .ok_or_else(|| {
            crate::Error::Usage(format!(
                "no theme `{}` (themes: {})",
                args.theme,
                setup.themes.join(", ")
            ))
        })?;
    let totals = agg.totals();
    let Some(group) = totals.get(args.commentator.as_str()) else {
        let names: Vec<&str> = totals.keys().take(12).copied().collect();
        return Err(crate::Error::Usage(format!(
            "no row `{}` in {} (rows: {}{})",
            args.commentator,
            args.run.display(),
            names.join(", "),
            if totals.len() > names.len() {
                ", …"
            } else {
                ""
            }
        )));
    };
    let cell = group.cell(theme);
    let ci =
        Bootstrap::from(setup).group(group, setup.themes.len(), &[&args.commentator, ""])[theme];

    // The articles of the row, then their claims on the theme.
    let apath = args.run.join(ARTICLES);
    let mut rdr = csv::Reader::from_path(&apath).map_err(|e| csv_in(e, &apath))?;
    let h = rdr.headers().map_err(|e| csv_in(e, &apath))?.clone();
    let (ci_id, ci_c, ci_o) = (
        column(&h, "article_id", &apath)?,
        column(&h, "commentator", &apath)?,
        column(&h, "outlet", &apath)?,
    );
    let mut ids = HashSet::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_in(e, &apath))?;
        let id = untext(&rec[ci_id]);
        if setup
            .by
            .keys_of(id, untext(&rec[ci_c]), untext(&rec[ci_o]))
            .contains(&args.commentator)
        {
            ids.insert(id.to_string());
        }
    }
    let cpath = args.run.join(CLAIMS);
    let mut rdr = csv::Reader::from_path(&cpath).map_err(|e| csv_in(e, &cpath))?;
    let h = rdr.headers().map_err(|e| csv_in(e, &cpath))?.clone();
    let cols: Vec<usize> = [
        "article_id",
        "date",
        "claim_index",
        "start",
        "end",
        "theme",
        "stance",
        "score",
        "cues",
        "text",
    ]
    .iter()
    .map(|c| column(&h, c, &cpath))
    .collect::<crate::Result<_>>()?;
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_in(e, &cpath))?;
        if &rec[cols[5]] != args.theme.as_str() || !ids.contains(untext(&rec[cols[0]])) {
            continue;
        }
        rows.push(Row {
            article_id: untext(&rec[cols[0]]).to_string(),
            date: rec[cols[1]].to_string(),
            claim_index: rec[cols[2]].to_string(),
            start: rec[cols[3]].to_string(),
            end: rec[cols[4]].to_string(),
            stance: rec[cols[6]].parse().unwrap_or(0),
            score: rec[cols[7]].to_string(),
            cues: parse_cues(untext(&rec[cols[8]])),
            text: untext(&rec[cols[9]]).to_string(),
        });
    }

    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match print(&mut out, args, &cell, ci, &rows, color).and_then(|()| out.flush()) {
        // `explain … | head` is fine.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Finished::default()),
        Err(e) => Err(crate::Error::io("<stdout>", e)),
        Ok(()) => Ok(Finished::default()),
    }
}

fn print(
    out: &mut impl Write,
    args: &Args,
    cell: &crate::aggregate::Cell,
    ci: Option<(f64, f64)>,
    rows: &[Row],
    color: bool,
) -> std::io::Result<()> {
    let opt = |x: Option<f64>| x.map(number).unwrap_or_else(|| "none".into());
    writeln!(out, "{} × {}", args.commentator, args.theme)?;
    writeln!(
        out,
        "  {} articles, {} claims, {} on the theme (salience {})",
        cell.n_articles,
        cell.n_claims,
        cell.counts.n_theme_claims,
        opt(cell.salience)
    )?;
    writeln!(
        out,
        "  +1: {}  -1: {}  0: {}  stance {} ({}), log-odds {}",
        cell.counts.n_pro,
        cell.counts.n_con,
        cell.counts.n_neutral,
        opt(cell.stance),
        match ci {
            Some((lo, hi)) => format!("95% CI {} to {}", number(lo), number(hi)),
            None => "no interval".to_string(),
        },
        number(cell.logit)
    )?;
    for (stance, label) in [(-1, "-1 (con)"), (1, "+1 (pro)"), (0, "0 (neutral)")] {
        let group: Vec<&Row> = rows.iter().filter(|r| r.stance == stance).collect();
        if group.is_empty() {
            continue;
        }
        let plural = if group.len() == 1 { "" } else { "s" };
        writeln!(out, "\n{label}: {} claim{plural}", group.len())?;
        let shown = if args.limit > 0 {
            args.limit.min(group.len())
        } else {
            group.len()
        };
        for r in &group[..shown] {
            writeln!(
                out,
                "  {} {} #{} [{}..{}] score {}",
                if r.date.is_empty() {
                    "(undated)"
                } else {
                    &r.date
                },
                r.article_id,
                r.claim_index,
                r.start,
                r.end,
                r.score
            )?;
            writeln!(out, "    {}", mark(&r.text, &r.cues, color))?;
            if !r.cues.is_empty() {
                let list: Vec<String> = r.cues.iter().map(describe).collect();
                writeln!(out, "    cues: {}", list.join("; "))?;
            }
        }
        if shown < group.len() {
            writeln!(out, "  … {} more", group.len() - shown)?;
        }
    }
    Ok(())
}

fn describe(c: &Cue) -> String {
    let mut s = match c.kind {
        EvidenceKind::Term => format!("{} (term)", c.entry),
        EvidenceKind::Cue => format!("{} ({:+})", c.entry, c.pole),
    };
    if !c.flags.is_empty() {
        s.push_str(&format!(" [{}]", c.flags.join(", ")));
    }
    s
}

/// A regex that finds a lexicon entry in a claim's text: `*` is a prefix
/// glob, `a|b` alternatives, `...` a gap of up to 4 words. `None` for
/// entries it cannot express (the cue is still listed).
pub fn entry_regex(entry: &str) -> Option<regex::Regex> {
    let mut pat = String::from(r"(?i)\b");
    let mut first = true;
    for word in entry.split_whitespace() {
        if word == "..." {
            pat.push_str(r"(?:\w+\W+){0,4}?");
            continue;
        }
        if !first && !pat.ends_with('?') {
            pat.push_str(r"\W+");
        }
        first = false;
        let alts: Vec<String> = word
            .split('|')
            .map(|a| regex::escape(a).replace(r"\*", r"\w*"))
            .collect();
        pat.push_str(&format!("(?:{})", alts.join("|")));
        if word_is_followed_by_gap(entry, word) {
            pat.push_str(r"\W+");
        }
    }
    if first {
        return None;
    }
    pat.push_str(r"\b");
    regex::Regex::new(&pat).ok()
}

fn word_is_followed_by_gap(entry: &str, word: &str) -> bool {
    let words: Vec<&str> = entry.split_whitespace().collect();
    words.windows(2).any(|w| w[0] == word && w[1] == "...")
}

/// The claim text with every match of the cues' entries marked.
fn mark(text: &str, cues: &[Cue], color: bool) -> String {
    let mut spans: Vec<(usize, usize, i8)> = Vec::new();
    for c in cues {
        if let Some(re) = entry_regex(&c.entry) {
            for m in re.find_iter(text) {
                spans.push((m.start(), m.end(), c.pole));
            }
        }
    }
    spans.sort();
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut pos = 0;
    for (s, e, pole) in spans {
        if s < pos {
            continue;
        }
        out.push_str(&text[pos..s]);
        if color {
            let code = match pole {
                1 => "\x1b[1;31m",
                -1 => "\x1b[1;34m",
                _ => "\x1b[1m",
            };
            out.push_str(code);
            out.push_str(&text[s..e]);
            out.push_str("\x1b[0m");
        } else {
            out.push_str("[[");
            out.push_str(&text[s..e]);
            out.push_str("]]");
        }
        pos = e;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(entry: &str) -> Cue {
        Cue {
            entry: entry.into(),
            start: 0,
            end: 0,
            kind: EvidenceKind::Cue,
            pole: -1,
            weight: 1.0,
            flags: vec![],
        }
    }

    #[test]
    fn entries_are_found_and_marked() {
        let text = "Russia must restore Ukraine's full territorial integrity after the annexation.";
        let marked = mark(
            text,
            &[
                cue("annex*"),
                cue("restore ... territorial integrity"),
                cue("cede|ceding"),
            ],
            false,
        );
        assert_eq!(
            marked,
            "Russia must [[restore Ukraine's full territorial integrity]] after the [[annexation]]."
        );
        assert!(entry_regex("annex*").unwrap().is_match("ANNEXED"));
        assert!(!entry_regex("annex*").unwrap().is_match("reannex"));
        assert!(entry_regex("").is_none());
        let c = mark("Crimea.", &[cue("crimea")], true);
        assert_eq!(c, "\x1b[1;34mCrimea\x1b[0m.");
    }
}
