//! What a fold of interactions hands each finished one to
//! ([`stream`](super::stream), [`spill`](super::spill)).

use std::sync::Arc;

use super::interaction::Interaction;
use crate::error::Result;

/// What a fold hands finished interactions to.
pub(crate) trait Sink: Send {
    /// Takes one finished interaction (its segments' `file_idx` index
    /// `files`). `Err(note)` gives up the fold in
    /// time order (the files are read again another way, from
    /// [`restart`](Self::restart)).
    fn add(&mut self, i: &Interaction, files: &[Arc<str>]) -> std::result::Result<(), String>;
    /// Every interaction added from now on starts ([`Interaction::start`])
    /// at `below` or later; `i64::MAX` when none is left.
    fn settle(&mut self, below: i64) -> std::result::Result<(), String>;
    /// Forgets what was added: the fold starts over.
    fn restart(&mut self) -> Result<()>;
}
