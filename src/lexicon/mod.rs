//! Lexicons: TOML files of themes, terms, stance cues, modifiers and test
//! cases (format in `docs/lexicon.md`). (Stub.)

use std::fmt;

/// The default lexicon, embedded in the binary.
pub const DEFAULT_TOML: &str = include_str!("../../lexicons/default.toml");

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

/// A compiled lexicon (one or more files merged).
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub name: String,
    pub version: String,
    pub language: String,
    /// Hex SHA-256 of the source text(s), in the order they were loaded.
    pub sha256: String,
    pub themes: Vec<ThemeInfo>,
}

impl Lexicon {
    /// The embedded default lexicon.
    pub fn default_lexicon() -> Lexicon {
        Lexicon {
            name: "default".into(),
            version: "0".into(),
            language: "en".into(),
            sha256: String::new(),
            themes: ["territory", "guarantees", "escalation", "regime"]
                .iter()
                .map(|t| ThemeInfo {
                    id: t.to_string(),
                    label: t.to_string(),
                    description: String::new(),
                    pos: String::new(),
                    neg: String::new(),
                })
                .collect(),
        }
    }

    /// Load the default lexicon, then each file in `paths` on top of it
    /// (a file's themes add to or replace the default's).
    pub fn load(paths: &[std::path::PathBuf]) -> crate::Result<Lexicon> {
        let _ = paths;
        Ok(Self::default_lexicon())
    }

    pub fn theme_index(&self, id: &str) -> Option<usize> {
        self.themes.iter().position(|t| t.id == id)
    }
}
