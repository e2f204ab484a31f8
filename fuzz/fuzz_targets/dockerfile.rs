//! The Dockerfile parser never panics: whatever the bytes, `parse` and the
//! word lexer return a value or a ParseError.
//!
//!     cargo +nightly fuzz run dockerfile fuzz/corpus/dockerfile
//!
//! (seed the corpus with scripts/fuzz-seed.sh: every fixture Dockerfile).
#![no_main]

use libfuzzer_sys::fuzz_target;

// The parser is a pure module with no dependency on the rest of strata,
// so the target compiles it on its own.
#[path = "../../src/dockerfile/mod.rs"]
#[allow(dead_code)]
mod dockerfile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(df) = dockerfile::parse(text) {
        for step in &df.steps {
            let _ = dockerfile::words::split(&step.original);
            let _ = dockerfile::words::expand(&step.original, &|k| Some(k.repeat(2)));
        }
    }
    let _ = dockerfile::words::split(text);
    let _ = dockerfile::words::expand(text, &|k| (k.len() % 2 == 0).then(|| k.to_string()));
    let _ = dockerfile::parse_changes(&[text.to_string()]);
});
