//! The TOML file format (serde side). Every user-written string keeps its
//! byte span so diagnostics can point at `file:line:column`.

use std::collections::BTreeMap;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

pub type SStr = Spanned<String>;

/// A whole lexicon file. A file with `name` is a full lexicon; a file
/// without it is an overlay on the default lexicon.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub name: Option<SStr>,
    pub version: Option<SStr>,
    pub language: Option<SStr>,
    pub description: Option<SStr>,
    /// Drop whatever was loaded before this file (no default underneath).
    pub standalone: Option<bool>,
    #[serde(default)]
    pub variants: BTreeMap<SStr, SStr>,
    #[serde(default)]
    pub modifiers: Modifiers,
    #[serde(default)]
    pub settings: Option<Settings>,
    #[serde(default)]
    pub theme: Vec<Theme>,
    /// Extra cues for themes defined here or in the lexicon below:
    /// `[cues.territory] neg = [...]`.
    #[serde(default)]
    pub cues: BTreeMap<SStr, Cues>,
    /// Which claims are about the war at all: `[scope] other`, `anchor`.
    #[serde(default)]
    pub scope: Scope,
    #[serde(default)]
    pub test: Vec<Test>,
}

/// Claim-level scope: a claim that mentions another conflict or state
/// (`other`) and nothing of this one (`anchor`) addresses no theme.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(default)]
    pub other: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub anchor: Vec<Spanned<Entry>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Modifiers {
    #[serde(default)]
    pub negators: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub hedges: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub intensifiers: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub contrast: Vec<Spanned<Entry>>,
    /// Contrast words that open a subordinate (conceded) clause:
    /// "Although X, Y" — X weighs less, Y more.
    #[serde(default)]
    pub concessive: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub reporting: Vec<Spanned<Entry>>,
    #[serde(default, rename = "self")]
    pub self_: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub conditionals: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub endorse: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub reject: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub scope_breaks: Vec<Spanned<Entry>>,
    /// Openings that make a question rhetorical ("isn't", "why should").
    #[serde(default)]
    pub rhetorical: Vec<Spanned<Entry>>,
}

/// Tunable factors of the decision rules (all optional).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub hedge: Option<f32>,
    pub intensifier: Option<f32>,
    pub contrast_after: Option<f32>,
    pub contrast_before: Option<f32>,
    pub conditional: Option<f32>,
    pub threshold: Option<f32>,
    pub gap: Option<u8>,
    pub min_weight: Option<f32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: SStr,
    pub label: Option<SStr>,
    pub description: Option<SStr>,
    pub pos: Option<SStr>,
    pub neg: Option<SStr>,
    #[serde(default)]
    pub terms: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<Entry>>,
    pub min_weight: Option<Spanned<f32>>,
    #[serde(default)]
    pub cues: Cues,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Cues {
    #[serde(default)]
    pub pos: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub neg: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub pos_if: Vec<Spanned<Entry>>,
    #[serde(default)]
    pub neg_if: Vec<Spanned<Entry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Test {
    pub text: SStr,
    pub expect: Spanned<BTreeMap<SStr, i64>>,
    /// Free text shown when the case fails.
    pub note: Option<String>,
}

/// One entry: a pattern string, or a table with a weight or a regex.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Term {
        term: String,
        weight: f32,
        keep: bool,
    },
    Regex {
        regex: String,
        weight: f32,
        keep: bool,
    },
}

impl Entry {
    pub fn weight(&self) -> f32 {
        match self {
            Entry::Term { weight, .. } | Entry::Regex { weight, .. } => *weight,
        }
    }

    /// `negation = "keep"`: the cue keeps its pole under negation
    /// ("no nuclear war" still fears nuclear war).
    pub fn keeps_negation(&self) -> bool {
        match self {
            Entry::Term { keep, .. } | Entry::Regex { keep, .. } => *keep,
        }
    }

    /// The entry as written (for evidence).
    pub fn written(&self) -> String {
        match self {
            Entry::Term { term, .. } => term.clone(),
            Entry::Regex { regex, .. } => format!("/{regex}/"),
        }
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, or a table { term = \"...\", weight = 1.0, negation = \"keep\" } or { regex = \"...\", weight = 1.0 }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Entry, E> {
                Ok(Entry::Term {
                    term: v.to_string(),
                    weight: 1.0,
                    keep: false,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
                let mut term: Option<String> = None;
                let mut regex: Option<String> = None;
                let mut weight: Option<f64> = None;
                let mut keep = false;
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "term" => term = Some(map.next_value()?),
                        "regex" => regex = Some(map.next_value()?),
                        "weight" => weight = Some(map.next_value()?),
                        "negation" => {
                            let v: String = map.next_value()?;
                            keep = match v.as_str() {
                                "keep" => true,
                                "flip" => false,
                                _ => {
                                    return Err(de::Error::custom(
                                        "negation must be \"keep\" or \"flip\"",
                                    ))
                                }
                            };
                        }
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["term", "regex", "weight", "negation"],
                            ))
                        }
                    }
                }
                let weight = weight.unwrap_or(1.0) as f32;
                if !weight.is_finite() || weight <= 0.0 {
                    return Err(de::Error::custom("weight must be a positive number"));
                }
                match (term, regex) {
                    (Some(term), None) => Ok(Entry::Term { term, weight, keep }),
                    (None, Some(regex)) => Ok(Entry::Regex {
                        regex,
                        weight,
                        keep,
                    }),
                    (Some(_), Some(_)) => Err(de::Error::custom(
                        "an entry has either `term` or `regex`, not both",
                    )),
                    (None, None) => Err(de::Error::custom("an entry needs `term` or `regex`")),
                }
            }
        }
        d.deserialize_any(V)
    }
}
