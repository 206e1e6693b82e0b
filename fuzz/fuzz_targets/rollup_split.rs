#![no_main]
//! Fuzz target `rollup_split`: see `rcx_fuzz::checks::rollup_split` for what it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rcx_fuzz::checks::rollup_split(data));
