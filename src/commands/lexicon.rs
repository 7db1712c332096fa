//! `opstance lexicon check|test`. (Stub.)

use std::path::PathBuf;

use super::{Finished, Global};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Report errors and warnings with line and column.
    Check { file: PathBuf },
    /// Run the file's [[test]] cases; exit 1 if any fail.
    Test { file: PathBuf },
}

pub fn run(_cmd: &Command, _g: &Global) -> crate::Result<Finished> {
    Err(crate::Error::Other("not implemented yet".into()))
}
