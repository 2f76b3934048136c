//! The JSON extractor (`ValidJson`) on a built request, for every body type the routes take.
//! Input: a `Content-Type` value (the first line) and a body (the rest). No input may panic,
//! and a refusal is always the caller's fault: 400, 413, 415 or 422, never a 5xx.
#![no_main]

use std::sync::LazyLock;

use http::HeaderValue;
use libfuzzer_sys::fuzz_target;
use tokio::runtime::Runtime;

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
});

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (HeaderValue::from_bytes(&data[..i]).ok(), &data[i + 1..]),
        None => (Some(HeaderValue::from_static("application/json")), data),
    };
    let results = RUNTIME.block_on(deskgate_api::fuzzing::json_bodies(
        content_type.as_ref(),
        body,
    ));
    for refused in results.into_iter().filter_map(Result::err) {
        assert!(
            matches!(refused.status().as_u16(), 400 | 413 | 415 | 422),
            "refused with {} ({})",
            refused.status(),
            refused.code()
        );
    }
});
