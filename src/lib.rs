//! opstance: turn a corpus of opinion articles into evidence-linked stance matrices.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! ingest → clean → segment → tokenize → matcher → stance → aggregate → write
//! ```
//!
//! Every stage keeps byte offsets into the original text (the decoded file or
//! record), so any number in an output can be traced back to the claims and
//! the cues that produced it.

pub mod error;
pub mod model;

pub mod aggregate;
pub mod clean;
pub mod eval;
pub mod ingest;
pub mod lexicon;
pub mod matcher;
pub mod segment;
mod simd;
pub mod stance;
pub mod tokenize;
pub mod write;

pub mod commands;
pub mod pipeline;

pub use error::{Error, Result};
