#![no_main]
//! Fuzz target `json_reader`: see `rcx_fuzz::checks::json_reader` for what it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rcx_fuzz::checks::json_reader(data));
