//! `/v1/settings/return-urls`: registered per tenant, compared exactly, refused by index.

use deskgate_tests::{Backend, TestApp, backends, read};
use serde_json::{Value, json};

backends!(
    return_urls_are_set_read_and_replaced_per_tenant,
    return_urls_that_cannot_be_compared_exactly_are_refused_by_index,
);

async fn put(t: &TestApp, key: &str, body: Value) -> (u16, Value) {
    read(
        t.put("/v1/settings/return-urls", key)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn get(t: &TestApp, key: &str) -> (u16, Value) {
    read(t.get("/v1/settings/return-urls", key).send().await.unwrap()).await
}

async fn return_urls_are_set_read_and_replaced_per_tenant(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let a = t.tenant("acme-corp").await;
    let b = t.tenant("globex").await;
    assert_eq!(get(&t, &a.key).await, (200, json!({"return_urls": []})));

    let urls = json!({"return_urls": [
        "https://app.acme.example/helpdesk/connected",
        "http://127.0.0.1:3000/cb",
    ]});
    let (status, v) = put(&t, &a.key, urls).await;
    assert_eq!(status, 200, "{v}");
    let sorted = json!({"return_urls": [
        "http://127.0.0.1:3000/cb",
        "https://app.acme.example/helpdesk/connected",
    ]});
    assert_eq!(v, sorted);
    assert_eq!(get(&t, &a.key).await, (200, sorted));
    // Another tenant has its own list.
    assert_eq!(get(&t, &b.key).await, (200, json!({"return_urls": []})));

    // A PUT replaces the list; an empty one clears it.
    let (_, v) = put(
        &t,
        &a.key,
        json!({"return_urls": ["https://app.acme.example/new"]}),
    )
    .await;
    assert_eq!(v, json!({"return_urls": ["https://app.acme.example/new"]}));
    assert_eq!(
        put(&t, &a.key, json!({"return_urls": []})).await.1,
        json!({"return_urls": []})
    );
    let audit = t.store.recent_audit(a.id, 100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "settings.return_urls")
            .count(),
        3
    );
    let (status, _) = read(
        t.http
            .get(t.url("/v1/settings/return-urls"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
}

async fn return_urls_that_cannot_be_compared_exactly_are_refused_by_index(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let a = t.tenant("acme-corp").await;
    let good = "https://app.acme.example/cb";
    put(&t, &a.key, json!({"return_urls": [good]})).await;
    for (bad, words) in [
        ("http://app.acme.example/cb", "https"),
        ("https://app.acme.example/cb#done", "fragment"),
        ("https://me:pw@app.acme.example/cb", "user info"),
        ("https://App.acme.example/cb", "canonical"),
        ("https://app.acme.example:443/cb", "canonical"),
        ("https://*.acme.example/cb", "wildcard"),
        ("/cb", "absolute"),
        (good, "twice"),
    ] {
        let (status, v) = put(&t, &a.key, json!({"return_urls": [good, bad]})).await;
        assert_eq!(status, 422, "{bad}: {v}");
        assert_eq!(v["code"], "invalid_body", "{bad}: {v}");
        assert_eq!(v["errors"][0]["field"], "return_urls[1]", "{bad}: {v}");
        let message = v["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{bad}: {message}");
    }
    let many: Vec<String> = (0..21)
        .map(|i| format!("https://app.acme.example/{i}"))
        .collect();
    let (status, v) = put(&t, &a.key, json!({"return_urls": many})).await;
    assert_eq!(
        (status, v["errors"][0]["field"].as_str()),
        (422, Some("return_urls"))
    );
    let (status, v) = put(&t, &a.key, json!({"return_urls": [good], "extra": true})).await;
    assert_eq!(status, 422, "{v}");
    let (status, v) = put(&t, &a.key, json!([good])).await;
    assert_eq!(status, 422, "{v}");
    // Nothing changed.
    assert_eq!(get(&t, &a.key).await, (200, json!({"return_urls": [good]})));
}
