#![no_main]
//! Fuzz target `csv_tiny_buffer`: see `rcx_fuzz::checks::csv_tiny_buffer` for what it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rcx_fuzz::checks::csv_tiny_buffer(data));
