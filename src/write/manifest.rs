//! The run manifest: what was read, what was skipped and why, options, timings.

use serde::Serialize;

use crate::model::{Skipped, Warning};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Inputs {
    pub files_seen: usize,
    pub articles: usize,
    pub claims: usize,
    pub skipped: Vec<Skipped>,
    /// Documentation files (README, LICENSE, …) in input folders: counted in
    /// `files_seen`, not read, not an error.
    pub ignored: Vec<Skipped>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub command: String,
    /// Options as given (a JSON object).
    pub options: serde_json::Value,
    pub inputs: Inputs,
    pub warnings: Vec<Warning>,
    /// Extra sections (lexicon, timings, schema version, …) added by commands.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Manifest {
    pub fn new(command: &str, options: serde_json::Value) -> Self {
        Manifest {
            tool: "opstance".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            options,
            ..Default::default()
        }
    }
}
