#![no_main]
//! Fuzz target `segments_reader`: see `rcx_fuzz::checks::segments_reader` for what it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rcx_fuzz::checks::segments_reader(data));
