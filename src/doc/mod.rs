//! Documentation only: a [tutorial] from a file on disk to a written
//! rollup, and a [cookbook] of complete recipes. Every code block in them
//! is a doctest that runs on the bundled `fixtures/`.
//!
//! There is no code here; the modules exist so that the guides live on
//! docs.rs next to the API they use, and cannot drift from it.

pub mod cookbook;
pub mod tutorial;
