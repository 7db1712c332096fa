//! Lexicons: TOML files of themes, terms, stance cues, modifiers and test
//! cases (format in `docs/lexicon.md`).
//!
//! Files are merged in order: the first is the base (the embedded default
//! unless a file says `standalone = true`... see [`Lexicon::from_sources`]);
//! later files add themes, replace themes with the same id, and extend the
//! modifier lists and variants.

pub mod cases;
pub mod compile;
pub mod format;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::matcher::{Matcher, Role, Source as MSource};
use compile::{Diags, Source, Spec, CUE_LISTS, MOD_KINDS};
pub use compile::{ModKind, Settings, TestCase};

/// The default lexicon, embedded in the binary.
pub const DEFAULT_TOML: &str = include_str!("../../lexicons/default.toml");
/// The name diagnostics give the embedded default lexicon.
pub const DEFAULT_PATH: &str = "lexicons/default.toml";

/// A problem in a lexicon file, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    /// 1-based; 0 when unknown.
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {sev}: {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// What outputs need to know about a theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeInfo {
    pub id: String,
    pub label: String,
    pub description: String,
    /// What the +1 pole means.
    pub pos: String,
    /// What the -1 pole means.
    pub neg: String,
}

/// The compiled part of a lexicon, shared between threads.
#[derive(Debug)]
pub struct Engine {
    pub matcher: Matcher,
    pub settings: Settings,
    /// Per theme: minimum summed term weight.
    pub min_weight: Vec<f32>,
    /// Per matcher pattern: a cue written with `negation = "keep"`.
    pub keep_negation: Vec<bool>,
}

/// A compiled lexicon (one or more files merged).
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub name: String,
    pub version: String,
    pub language: String,
    /// Hex SHA-256 of the source text(s), in the order they were loaded.
    pub sha256: String,
    pub themes: Vec<ThemeInfo>,
    /// The `[[test]]` cases of every file, in order.
    pub tests: Vec<TestCase>,
    /// Paths of the sources, in load order (a test's `src` indexes this).
    pub sources: Vec<String>,
    pub engine: Arc<Engine>,
}

/// The result of loading: a lexicon when there were no errors, and every
/// diagnostic (errors and warnings).
#[derive(Debug)]
pub struct Loaded {
    pub lexicon: Option<Lexicon>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Lexicon {
    /// The embedded default lexicon.
    ///
    /// Panics if the embedded file does not compile (a test guards this).
    pub fn default_lexicon() -> Lexicon {
        match Self::from_sources(vec![(DEFAULT_PATH.into(), DEFAULT_TOML.into())]).lexicon {
            Some(l) => l,
            None => panic!(
                "the embedded default lexicon does not compile; run `opstance lexicon check {DEFAULT_PATH}`"
            ),
        }
    }

    /// Load the default lexicon, then each file in `paths` on top of it
    /// (a file's themes add to or replace the default's; modifiers and
    /// variants are merged). A file with `standalone = true` drops what was
    /// loaded before it.
    pub fn load(paths: &[PathBuf]) -> crate::Result<Lexicon> {
        let mut sources = vec![(DEFAULT_PATH.to_string(), DEFAULT_TOML.to_string())];
        for p in paths {
            let text = std::fs::read_to_string(p).map_err(|e| crate::Error::io(p, e))?;
            sources.push((p.display().to_string(), text));
        }
        let loaded = Self::from_sources(sources);
        match loaded.lexicon {
            Some(l) => Ok(l),
            None => Err(crate::Error::Lexicon(
                loaded
                    .diagnostics
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect(),
            )),
        }
    }

    /// Load one file for `lexicon check`/`lexicon test`: a file with `name`
    /// is a full lexicon and stands alone; a file without is an overlay and
    /// is loaded on top of the embedded default.
    pub fn load_file(path: &std::path::Path) -> crate::Result<Loaded> {
        let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
        let mut sources = Vec::new();
        if !compile::is_full(&text) {
            sources.push((DEFAULT_PATH.to_string(), DEFAULT_TOML.to_string()));
        }
        sources.push((path.display().to_string(), text));
        Ok(Self::from_sources(sources))
    }

    /// Merge, check and compile `(path, text)` sources in order.
    pub fn from_sources(sources: Vec<(String, String)>) -> Loaded {
        // `standalone = true` resets the stack.
        let start = sources
            .iter()
            .rposition(|(_, t)| {
                t.parse::<toml::Table>()
                    .ok()
                    .and_then(|t| t.get("standalone").and_then(|v| v.as_bool()))
                    .unwrap_or(false)
            })
            .unwrap_or(0);
        let sources: Vec<Source> = sources
            .into_iter()
            .skip(start)
            .map(|(p, t)| Source::new(p, t))
            .collect();
        let mut d = Diags {
            sources: &sources,
            list: Vec::new(),
        };
        let spec = compile::merge(&mut d);
        let variants = compile::check(&spec, &mut d);
        let mut diagnostics = d.list;
        sort_diagnostics(&mut diagnostics);
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return Loaded {
                lexicon: None,
                diagnostics,
            };
        }
        let mut hasher = Sha256::new();
        for s in &sources {
            hasher.update(s.text.as_bytes());
        }
        let sha256 = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let (engine, gate_opener) = build_engine(&spec, &variants);
        if let Some(loc) = gate_opener {
            let mut d = Diags {
                sources: &sources,
                list: Vec::new(),
            };
            d.warn(
                loc,
                "the theme gate cannot search this entry (all its words are common words, or a \
                 regex that does not start with `\\b` and a literal word), so every claim is \
                 tokenized and matched: slower, same results",
            );
            diagnostics.extend(d.list);
            sort_diagnostics(&mut diagnostics);
        }
        let Spec {
            name,
            version,
            language,
            themes,
            tests,
            ..
        } = spec;
        Loaded {
            lexicon: Some(Lexicon {
                name: name.unwrap_or_else(|| "custom".into()),
                version: version.unwrap_or_else(|| "0".into()),
                language: language.unwrap_or_else(|| "en".into()),
                sha256,
                themes: themes.into_iter().map(|t| t.info).collect(),
                tests,
                sources: sources.iter().map(|s| s.path.clone()).collect(),
                engine: Arc::new(engine),
            }),
            diagnostics,
        }
    }

    pub fn theme_index(&self, id: &str) -> Option<usize> {
        self.themes.iter().position(|t| t.id == id)
    }
}

/// In file, line, column order.
fn sort_diagnostics(list: &mut [Diagnostic]) {
    list.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
}

/// A parsed entry (pattern or regex) with its role and text, before the matcher borrows it.
type OwnedEntry = (Option<compile::PatternSpec>, Option<String>, Role, Arc<str>);

/// The engine, and the place of the entry the theme gate cannot search (if any).
fn build_engine(
    spec: &Spec,
    variants: &rustc_hash::FxHashMap<String, String>,
) -> (Engine, Option<compile::Loc>) {
    let mut toks = crate::tokenize::Tokens::default();
    let gap = spec.settings.gap;
    // Parse every pattern first (the matcher borrows them).
    let mut owned: Vec<OwnedEntry> = Vec::new();
    // Parallel to `owned` (= the matcher's pattern ids).
    let mut keep_negation: Vec<bool> = Vec::new();
    let mut locs: Vec<compile::Loc> = Vec::new();
    let mut add = |it: &compile::Item, role: Role| {
        let written = compile::written(&it.entry);
        let keep = matches!(role, Role::Cue { .. }) && it.entry.keeps_negation();
        match &it.entry {
            format::Entry::Term { term, .. } => {
                if let Ok(p) = compile::parse_pattern(term, variants, gap, &mut toks) {
                    owned.push((Some(p), None, role, written));
                    keep_negation.push(keep);
                    locs.push(it.loc);
                }
            }
            format::Entry::Regex { regex, .. } => {
                owned.push((None, Some(regex.clone()), role, written));
                keep_negation.push(keep);
                locs.push(it.loc);
            }
        }
    };
    for (i, list) in spec.modifiers.iter().enumerate() {
        for it in list {
            add(it, Role::Modifier(MOD_KINDS[i]));
        }
    }
    let mut min_weight = Vec::new();
    for (ti, th) in spec.themes.iter().enumerate() {
        let theme = ti as u16;
        min_weight.push(th.min_weight.unwrap_or(spec.settings.min_weight));
        for it in &th.terms {
            add(
                it,
                Role::Term {
                    theme,
                    weight: it.entry.weight(),
                },
            );
        }
        for it in &th.exclude {
            add(it, Role::Exclude { theme });
        }
        for (li, list) in th.cues.iter().enumerate() {
            let (_, pole, strong) = CUE_LISTS[li];
            for it in list {
                add(
                    it,
                    Role::Cue {
                        theme,
                        pole,
                        strong,
                        weight: it.entry.weight(),
                    },
                );
            }
        }
    }
    let mut matcher = Matcher::build(
        owned.iter().map(|(p, r, role, w)| {
            let src = match (p, r) {
                (Some(p), _) => MSource::Pattern(p),
                (None, Some(r)) => MSource::Regex(r),
                (None, None) => unreachable!("entry is a pattern or a regex"),
            };
            (src, *role, w.clone())
        }),
        variants,
    );
    matcher.set_min_weight(&min_weight);
    let opener = matcher.gate_opener().map(|pid| locs[pid as usize]);
    let engine = Engine {
        matcher,
        settings: spec.settings,
        min_weight,
        keep_negation,
    };
    (engine, opener)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Loaded {
        Lexicon::from_sources(vec![("t.toml".into(), text.into())])
    }

    #[test]
    fn embedded_default_compiles() {
        let l = load(DEFAULT_TOML);
        let errors: Vec<_> = l
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.to_string())
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        assert!(!l.lexicon.unwrap().themes.is_empty());
    }

    #[test]
    fn errors_have_positions() {
        let l = load("name = \"x\"\n[[theme]]\nid = \"a\"\nterms = [\"ok\", \"b*d\"]\n");
        assert!(l.lexicon.is_none());
        let d = &l.diagnostics[0];
        assert_eq!((d.line, d.column), (4, 16), "{d}");
        let l = load("name = \"x\"\nbogus = 1\n");
        assert_eq!(l.diagnostics[0].line, 2, "{}", l.diagnostics[0]);
    }

    #[test]
    fn negation_flag_and_scope_table() {
        let base = "name = \"x\"\n[scope]\nother = [\"georgia\"]\nanchor = [\"ukrain*\"]\n[[theme]]\nid = \"a\"\n";
        let ok = format!("{base}terms = [\"war\"]\n[theme.cues]\npos_if = [{{ term = \"peace\", negation = \"keep\" }}, \"calm\"]\n");
        let l = load(&ok);
        assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
        let eng = &l.lexicon.unwrap().engine;
        // Cues come last, in order; only the flagged one keeps.
        let k = &eng.keep_negation;
        assert_eq!(k.len(), eng.matcher.patterns.len());
        assert_eq!(&k[k.len() - 2..], [true, false]);
        assert_eq!(k.iter().filter(|&&x| x).count(), 1);
        let bad = format!("{base}terms = [{{ term = \"war\", negation = \"maybe\" }}]\n");
        let l = load(&bad);
        assert!(l.lexicon.is_none());
        assert!(
            l.diagnostics[0].message.contains("keep"),
            "{}",
            l.diagnostics[0]
        );
        let on_term = format!("{base}terms = [{{ term = \"war\", negation = \"keep\" }}]\n");
        let l = load(&on_term);
        assert!(l.lexicon.is_some());
        assert!(l.diagnostics[0].message.contains("only matters on cues"));
    }

    #[test]
    fn overlays_replace_and_add_themes() {
        let base = "name = \"b\"\n[[theme]]\nid = \"a\"\nterms = [\"x\"]\n[[theme]]\nid = \"b\"\nterms = [\"y\"]\n";
        let over =
            "[[theme]]\nid = \"b\"\nterms = [\"z\"]\n[[theme]]\nid = \"c\"\nterms = [\"w\"]\n";
        let l = Lexicon::from_sources(vec![("b".into(), base.into()), ("o".into(), over.into())]);
        let lex = l.lexicon.expect("compiles");
        let ids: Vec<_> = lex.themes.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let alone = "standalone = true\n[[theme]]\nid = \"q\"\nterms = [\"w\"]\n";
        let l = Lexicon::from_sources(vec![("b".into(), base.into()), ("s".into(), alone.into())]);
        assert_eq!(l.lexicon.unwrap().themes.len(), 1);
    }
}
