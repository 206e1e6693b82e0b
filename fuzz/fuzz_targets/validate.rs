#![no_main]
//! Fuzz target `validate`: see `rcx_fuzz::checks::validate` for what it asserts.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rcx_fuzz::checks::validate(data));
