//! Checks shared by the fuzz targets of `ringcx-reports` and by their
//! replay in the main package's test suite (`tests/fuzzing.rs` includes
//! `checks.rs` itself). See `fuzz/README.md`.

pub mod checks;
