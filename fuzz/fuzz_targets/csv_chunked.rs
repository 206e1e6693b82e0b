#![no_main]
//! Fuzz target `csv_chunked`: see `rcx_fuzz::checks::csv_chunked` for what it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rcx_fuzz::checks::csv_chunked(data));
