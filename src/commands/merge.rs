//! `opstance merge`. (Stub.)

use super::{Finished, Global};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, _g: &Global) -> crate::Result<Finished> {
    Err(crate::Error::Other("not implemented yet".into()))
}
