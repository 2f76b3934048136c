//! The query extractor (`ValidQuery`) on a built request, for every query type the routes
//! take. Input: the query string. No input may panic, and a refusal is always a 400
//! `invalid_query`.
#![no_main]

use std::sync::LazyLock;

use http::Uri;
use libfuzzer_sys::fuzz_target;
use tokio::runtime::Runtime;

static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
});

fuzz_target!(|data: &[u8]| {
    let mut raw = b"/v1/tickets?".to_vec();
    raw.extend_from_slice(data);
    let Ok(uri) = Uri::try_from(raw) else {
        return;
    };
    let results = RUNTIME.block_on(deskgate_api::fuzzing::queries(&uri));
    for refused in results.into_iter().filter_map(Result::err) {
        assert_eq!(
            refused.status().as_u16(),
            400,
            "refused with {}",
            refused.code()
        );
        assert_eq!(refused.code(), "invalid_query");
    }
});
