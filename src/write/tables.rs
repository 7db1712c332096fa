//! The CSV outputs of `opstance run` (columns in `docs/schema.md`):
//! streamed per-article tables (`claims.csv`, `articles.csv`) and the
//! aggregate tables written at the end (`stance_matrix.csv`,
//! `salience_matrix.csv`, `stance_long.csv`, `similarity.csv`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use crate::aggregate::{self, Aggregates, ArticleCounts, Group, GroupBy};
use crate::model::{modifier, ArticleResult, Evidence, EvidenceKind};
use crate::write::atomic::AtomicFile;
use crate::write::cells;

pub const CLAIMS_COLUMNS: [&str; 11] = [
    "article_id",
    "commentator",
    "date",
    "claim_index",
    "start",
    "end",
    "theme",
    "stance",
    "score",
    "cues",
    "text",
];

/// Fixed leading columns of `articles.csv`; then `<theme>_stance`,
/// `<theme>_salience` per theme.
pub const ARTICLES_COLUMNS: [&str; 9] = [
    "article_id",
    "commentator",
    "date",
    "outlet",
    "title",
    "source",
    "language",
    "n_claims",
    "n_words",
];

/// Columns of `stance_long.csv` after the row-key column.
pub const LONG_COLUMNS: [&str; 13] = [
    "period",
    "theme",
    "n_articles",
    "n_claims",
    "n_theme_claims",
    "salience",
    "n_pro",
    "n_con",
    "n_neutral",
    "stance",
    "stance_logit",
    "ci_low",
    "ci_high",
];

/// Name of the row-key column: `commentator`, `outlet` or `article`.
pub fn key_column(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Commentator => "commentator",
        GroupBy::Outlet => "outlet",
        GroupBy::Article => "article",
    }
}

pub(crate) fn csv_err(e: csv::Error) -> crate::Error {
    crate::Error::Other(format!("writing CSV: {e}"))
}

fn opt_num(x: Option<f64>) -> String {
    x.map(cells::number).unwrap_or_default()
}

/// The evidence of one theme decision, compactly: entries joined with `; `,
/// each `entry@start-end[term{,flag}]` or `entry@start-end[cue,pole,weight{,flag}]`
/// (`start-end`: byte offsets into the original article text; `pole` `+1`/`-1`;
/// `weight` after modifiers; flags from [`modifier::NAMES`]).
pub fn format_cues(ev: &[Evidence], out: &mut String) {
    out.clear();
    for (i, e) in ev.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let _ = write!(out, "{}@{}-{}[", e.entry, e.start, e.end);
        match e.kind {
            EvidenceKind::Term => out.push_str("term"),
            EvidenceKind::Cue => {
                let _ = write!(
                    out,
                    "cue,{},{}",
                    if e.pole < 0 { "-1" } else { "+1" },
                    cells::number(f64::from(e.weight))
                );
            }
        }
        for (bit, name) in modifier::NAMES {
            if e.modifiers & bit != 0 {
                out.push(',');
                out.push_str(name);
            }
        }
        out.push(']');
    }
}

/// One parsed item of the `cues` column.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub entry: String,
    pub start: usize,
    pub end: usize,
    pub kind: EvidenceKind,
    pub pole: i8,
    pub weight: f64,
    pub flags: Vec<String>,
}

/// Parse a `cues` cell written by [`format_cues`]; malformed items are skipped.
pub fn parse_cues(s: &str) -> Vec<Cue> {
    s.split("; ")
        .filter_map(|item| {
            let (head, rest) = item.rsplit_once('@')?;
            let (range, attrs) = rest.split_once('[')?;
            let (a, b) = range.split_once('-')?;
            let mut it = attrs.strip_suffix(']')?.split(',');
            let kind = match it.next()? {
                "term" => EvidenceKind::Term,
                "cue" => EvidenceKind::Cue,
                _ => return None,
            };
            let (pole, weight) = if kind == EvidenceKind::Cue {
                let pole = if it.next()? == "-1" { -1 } else { 1 };
                (pole, it.next()?.parse().ok()?)
            } else {
                (0, 0.0)
            };
            Some(Cue {
                entry: head.strip_prefix('\'').unwrap_or(head).to_string(),
                start: a.parse().ok()?,
                end: b.parse().ok()?,
                kind,
                pole,
                weight,
                flags: it.map(str::to_string).collect(),
            })
        })
        .collect()
}

/// `claims.csv`, written as articles arrive.
pub struct ClaimsWriter {
    w: csv::Writer<AtomicFile>,
    themes: Vec<String>,
    cues: String,
}

impl ClaimsWriter {
    pub fn create(path: &Path, themes: &[String]) -> crate::Result<Self> {
        let mut w = csv::WriterBuilder::new().from_writer(AtomicFile::create(path)?);
        w.write_record(CLAIMS_COLUMNS).map_err(csv_err)?;
        Ok(ClaimsWriter {
            w,
            themes: themes.to_vec(),
            cues: String::new(),
        })
    }

    /// One row per claim × theme addressed, claims in order, themes in lexicon order.
    pub fn write(&mut self, r: &ArticleResult) -> crate::Result<()> {
        let a = &r.article;
        let commentator = a.commentator();
        let date = cells::opt(a.date);
        for (c, tags) in r.claims.iter().zip(&r.tags) {
            for t in tags {
                let Some(theme) = self.themes.get(t.theme) else {
                    continue;
                };
                format_cues(&t.evidence, &mut self.cues);
                self.w
                    .write_record([
                        cells::text(&a.id).as_ref(),
                        cells::text(&commentator).as_ref(),
                        &date,
                        &c.index.to_string(),
                        &c.start.to_string(),
                        &c.end.to_string(),
                        theme,
                        &t.stance.to_string(),
                        &cells::number(f64::from(t.score)),
                        cells::text(&self.cues).as_ref(),
                        cells::text(&c.text).as_ref(),
                    ])
                    .map_err(csv_err)?;
            }
        }
        Ok(())
    }

    /// Flush; the caller commits the file when every output is ready.
    pub fn finish(self) -> crate::Result<AtomicFile> {
        self.w
            .into_inner()
            .map_err(|e| crate::Error::Other(format!("writing claims.csv: {}", e.error())))
    }
}

/// The header of `articles.csv` for these themes.
pub fn articles_header(themes: &[String]) -> Vec<String> {
    let mut h: Vec<String> = ARTICLES_COLUMNS.iter().map(|s| s.to_string()).collect();
    for t in themes {
        h.push(format!("{t}_stance"));
        h.push(format!("{t}_salience"));
    }
    h
}

/// `articles.csv`, written as articles arrive.
pub struct ArticlesWriter {
    w: csv::Writer<AtomicFile>,
    row: Vec<String>,
}

impl ArticlesWriter {
    pub fn create(path: &Path, themes: &[String]) -> crate::Result<Self> {
        let mut w = csv::WriterBuilder::new().from_writer(AtomicFile::create(path)?);
        w.write_record(articles_header(themes)).map_err(csv_err)?;
        Ok(ArticlesWriter { w, row: Vec::new() })
    }

    pub fn write(&mut self, r: &ArticleResult, counts: &ArticleCounts) -> crate::Result<()> {
        let a = &r.article;
        self.row.clear();
        self.row.extend([
            cells::text(&a.id).into_owned(),
            cells::text(&a.commentator()).into_owned(),
            cells::opt(a.date),
            cells::text(a.outlet.as_deref().unwrap_or("")).into_owned(),
            cells::text(a.title.as_deref().unwrap_or("")).into_owned(),
            cells::text(&a.source).into_owned(),
            cells::text(&a.language).into_owned(),
            counts.n_claims.to_string(),
            r.n_words.to_string(),
        ]);
        for c in &counts.themes {
            self.row.push(opt_num(c.stance()));
            self.row.push(opt_num(c.salience(counts.n_claims)));
        }
        self.w.write_record(&self.row).map_err(csv_err)
    }

    pub fn finish(self) -> crate::Result<AtomicFile> {
        self.w
            .into_inner()
            .map_err(|e| crate::Error::Other(format!("writing articles.csv: {}", e.error())))
    }
}

fn to_bytes(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing to memory cannot fail")
}

/// `stance_matrix.csv` (`salience == false`) or `salience_matrix.csv`: one
/// row per key over all periods, one column per theme.
pub fn matrix(agg: &Aggregates, totals: &BTreeMap<&str, Group>, salience: bool) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![key_column(agg.setup.by), "n_articles", "n_claims"];
    header.extend(agg.setup.themes.iter().map(String::as_str));
    w.write_record(&header).expect("in memory");
    for (key, g) in totals {
        let mut row = vec![
            cells::text(key).into_owned(),
            g.n_articles.to_string(),
            g.n_claims.to_string(),
        ];
        for c in &g.themes {
            row.push(opt_num(if salience {
                c.salience(g.n_claims)
            } else {
                c.stance()
            }));
        }
        w.write_record(&row).expect("in memory");
    }
    to_bytes(w)
}

/// `stance_long.csv`.
pub fn long(agg: &Aggregates, rows: &[aggregate::LongRow<'_>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![key_column(agg.setup.by)];
    header.extend(LONG_COLUMNS);
    w.write_record(&header).expect("in memory");
    for r in rows {
        let c = &r.cell;
        w.write_record([
            cells::text(r.key).as_ref(),
            r.period,
            &agg.setup.themes[r.theme],
            &c.n_articles.to_string(),
            &c.n_claims.to_string(),
            &c.counts.n_theme_claims.to_string(),
            &opt_num(c.salience),
            &c.counts.n_pro.to_string(),
            &c.counts.n_con.to_string(),
            &c.counts.n_neutral.to_string(),
            &opt_num(c.stance),
            &cells::number(c.logit),
            &opt_num(r.ci.map(|c| c.0)),
            &opt_num(r.ci.map(|c| c.1)),
        ])
        .expect("in memory");
    }
    to_bytes(w)
}

pub fn similarity_header<W: Write>(w: &mut csv::Writer<W>, by: GroupBy) -> csv::Result<()> {
    let k = key_column(by);
    w.write_record([&format!("{k}_a"), &format!("{k}_b"), "distance", "n_themes"])
}

/// `field` as the `csv` crate writes it inside a record of two or more
/// fields (quoted only when needed), for rows assembled by hand.
pub fn csv_field(field: &str) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record([field, ""]).expect("in memory");
    let mut bytes = to_bytes(w);
    // Drop the empty second field and the terminator: `,\n`.
    bytes.truncate(bytes.len() - 2);
    String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out")
}

/// Append the data rows of a CSV written by a partial run (everything after
/// its header line) to `out`, checking the header matches.
pub fn append_body(src: &Path, header: &[u8], out: &mut impl Write) -> crate::Result<()> {
    use std::io::BufRead;
    let f = std::fs::File::open(src).map_err(|e| crate::Error::io(src, e))?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, f);
    let mut first = Vec::new();
    r.read_until(b'\n', &mut first)
        .map_err(|e| crate::Error::io(src, e))?;
    if first != header {
        return Err(crate::Error::Input {
            path: src.to_path_buf(),
            line: 1,
            message: format!(
                "header differs from the first partial's: {}",
                String::from_utf8_lossy(&first).trim_end()
            ),
        });
    }
    std::io::copy(&mut r, out).map_err(|e| crate::Error::io(src, e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn hand_assembled_rows_match_the_csv_writer() {
        let keys = [
            "a",
            "",
            "x,y",
            "q\"uote",
            "line\nbreak",
            "cr\r",
            "=formula",
            "-x",
            " sp ",
            "caf\u{e9}",
        ];
        for a in keys {
            for b in keys {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(Vec::new());
                let (ta, tb) = (cells::text(a), cells::text(b));
                w.write_record([ta.as_ref(), tb.as_ref(), "0.5", "2"])
                    .unwrap();
                let by_hand = format!("{},{},0.5,2\n", csv_field(&ta), csv_field(&tb));
                assert_eq!(String::from_utf8(to_bytes(w)).unwrap(), by_hand);
            }
        }
    }

    #[test]
    fn cues_round_trip() {
        let ev = vec![
            Evidence {
                kind: EvidenceKind::Term,
                entry: Arc::from("annex*"),
                start: 10,
                end: 17,
                pole: 0,
                weight: 1.0,
                modifiers: 0,
            },
            Evidence {
                kind: EvidenceKind::Cue,
                entry: Arc::from("illegal annexation"),
                start: 2,
                end: 20,
                pole: -1,
                weight: -0.5,
                modifiers: modifier::NEGATED | modifier::HEDGED,
            },
        ];
        let mut s = String::new();
        format_cues(&ev, &mut s);
        assert_eq!(
            s,
            "annex*@10-17[term]; illegal annexation@2-20[cue,-1,-0.5,negated,hedged]"
        );
        let p = parse_cues(&s);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].entry, "annex*");
        assert_eq!(
            (p[0].start, p[0].end, p[0].kind),
            (10, 17, EvidenceKind::Term)
        );
        assert_eq!((p[1].pole, p[1].weight), (-1, -0.5));
        assert_eq!(p[1].flags, ["negated", "hedged"]);
        assert!(parse_cues("").is_empty());
    }
}
