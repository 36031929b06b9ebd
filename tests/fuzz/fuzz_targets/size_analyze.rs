//! `cargo slim size`'s analysis entry point on arbitrary bytes: it must return a
//! result or an error, never panic, and whatever it returns must add up.
#![no_main]

use cargo_slim::{analyze, SizeOptions as Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for split_std in [false, true] {
        let options = Options {
            split_std,
            sections: Vec::new(),
            linked: None,
        };
        if let Ok(a) = analyze(data, &options) {
            let v = &a.sections;
            let sum = v.accounted_bytes();
            assert_eq!(sum, data.len() as u64);
            if let Some(c) = &a.crates {
                assert_eq!(c.rows.iter().map(|r| r.bytes).sum::<u64>(), c.covered_bytes);
            }
        }
    }
});
