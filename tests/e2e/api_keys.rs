//! A tenant manages its own API keys; keys authenticate, and every failure looks the same.

use chrono::{Duration, Utc};
use deskgate_tests::{Backend, TestApp, backends};
use serde_json::{Value, json};

backends!(
    tenant_key_authenticates_and_lists_its_keys,
    created_key_is_shown_once_and_works,
    every_authentication_failure_is_the_same_401,
    revoked_key_stops_working_at_once,
    expired_key_is_refused,
    tenant_a_never_sees_tenant_b_keys,
    key_list_pages_with_a_cursor,
    key_events_are_audited,
    a_repeated_authorization_header_is_the_same_401,
    a_key_list_cursor_it_did_not_issue_is_refused,
);

async fn tenant_key_authenticates_and_lists_its_keys(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let res = t.get("/v1/api-keys", &acme.key).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let keys = body["data"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["name"], "default");
    assert_eq!(keys[0]["status"], "active");
    assert!(acme.key.starts_with(keys[0]["prefix"].as_str().unwrap()));
    assert!(keys[0].get("key").is_none() && keys[0].get("digest").is_none());
    assert!(
        !body.to_string().contains(&acme.key[40..]),
        "the secret must not be listed"
    );
    assert_eq!(body["next_cursor"], Value::Null);
}

async fn created_key_is_shown_once_and_works(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let res = t
        .post("/v1/api-keys", &acme.key)
        .json(&json!({"name": "ci"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let key = created["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("dg_live_"));
    assert_eq!(created["status"], "active");
    let res = t.get("/v1/api-keys", &key).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let listed = res.text().await.unwrap();
    assert!(!listed.contains(&key), "a key's secret is shown once only");
}

async fn every_authentication_failure_is_the_same_401(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let (prefix, secret) = acme.key.rsplit_once('_').unwrap();
    let wrong_secret = format!("{prefix}_{}", "0".repeat(secret.len()));
    let unknown_id = format!("dg_live_{}_{secret}", "f".repeat(32));
    let cases: Vec<Option<String>> = vec![
        None,
        Some(String::new()),
        Some(format!("Basic {}", acme.key)),
        Some("Bearer ".into()),
        Some("Bearer not-a-key".into()),
        Some(format!("Bearer {wrong_secret}")),
        Some(format!("Bearer {unknown_id}")),
        Some(format!("Bearer {}x", acme.key)),
        Some(format!("bearer {}", acme.key)),
    ];
    let mut bodies = Vec::new();
    for header in cases {
        let mut req = t.http.get(t.url("/v1/api-keys"));
        if let Some(h) = &header {
            req = req.header("authorization", h);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{header:?}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        bodies.push(res.text().await.unwrap());
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "401 bodies differ: {bodies:#?}"
    );
    let v: Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(v["code"], "unauthenticated");
}

async fn revoked_key_stops_working_at_once(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let created: Value = t
        .post("/v1/api-keys", &acme.key)
        .json(&json!({"name": "temp"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let temp = created["key"].as_str().unwrap();
    assert_eq!(
        t.get("/v1/api-keys", temp).send().await.unwrap().status(),
        200
    );

    let id = created["id"].as_str().unwrap();
    let res = t
        .delete(&format!("/v1/api-keys/{id}"), &acme.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let revoked: Value = res.json().await.unwrap();
    assert_eq!(revoked["status"], "revoked");
    assert!(revoked["revoked_at"].is_string());

    assert_eq!(
        t.get("/v1/api-keys", temp).send().await.unwrap().status(),
        401
    );
    // Revoking again changes nothing; the first revocation time stays.
    let again: Value = t
        .delete(&format!("/v1/api-keys/{id}"), &acme.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
}

async fn expired_key_is_refused(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let later = Utc::now() + Duration::hours(1);
    let res = t
        .post("/v1/api-keys", &acme.key)
        .json(&json!({"name": "short", "expires_at": later}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let short = created["key"].as_str().unwrap();
    // Move its expiry into the past in the database rather than waiting for the clock.
    let id = created["id"].as_str().unwrap();
    t.db.exec(&format!(
        "UPDATE api_keys SET expires_at = '2000-01-01T00:00:00Z' WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(
        t.get("/v1/api-keys", short).send().await.unwrap().status(),
        401
    );
    let listed: Value = t
        .get("/v1/api-keys", &acme.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(row["status"], "expired");

    let past = Utc::now() - Duration::minutes(1);
    let res = t
        .post("/v1/api-keys", &acme.key)
        .json(&json!({"name": "x", "expires_at": past}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "expires_at");
}

async fn tenant_a_never_sees_tenant_b_keys(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let a = t.tenant("a").await;
    let b = t.tenant("b").await;
    for i in 0..3 {
        t.post("/v1/api-keys", &b.key)
            .json(&json!({"name": format!("b{i}")}))
            .send()
            .await
            .unwrap();
    }
    let b_keys: Value = t
        .get("/v1/api-keys", &b.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b_ids: Vec<&str> = b_keys["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(b_ids.len(), 4);

    let a_keys: Value = t
        .get("/v1/api-keys", &a.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let a_data = a_keys["data"].as_array().unwrap();
    assert_eq!(a_data.len(), 1);
    assert!(
        a_data
            .iter()
            .all(|k| !b_ids.contains(&k["id"].as_str().unwrap()))
    );

    // B's ids, even as a cursor, reveal nothing to A; revoking them is a 404 and changes nothing.
    let paged: Value = t
        .get(&format!("/v1/api-keys?cursor={}", b_ids[0]), &a.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        paged["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| !b_ids.contains(&k["id"].as_str().unwrap()))
    );
    for id in &b_ids {
        let res = t
            .delete(&format!("/v1/api-keys/{id}"), &a.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], "not_found");
    }
    assert_eq!(
        t.get("/v1/api-keys", &b.key).send().await.unwrap().status(),
        200
    );
}

async fn key_list_pages_with_a_cursor(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    for i in 0..6 {
        let res = t
            .post("/v1/api-keys", &acme.key)
            .json(&json!({"name": format!("k{i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/api-keys?limit=3&cursor={c}"),
            None => "/v1/api-keys?limit=3".into(),
        };
        let page: Value = t
            .get(&path, &acme.key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 3);
        seen.extend(data.iter().map(|k| k["name"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["default", "k0", "k1", "k2", "k3", "k4", "k5"]);
}

async fn key_events_are_audited(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let res = t
        .post("/v1/api-keys", &acme.key)
        .header("x-request-id", "req-audit-1")
        .json(&json!({"name": "audited"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "req-audit-1");
    let created: Value = res.json().await.unwrap();
    let events = t.store.recent_audit(acme.id, 10).await.unwrap();
    let create = events
        .iter()
        .find(|e| e.request_id.as_deref() == Some("req-audit-1"))
        .unwrap();
    assert_eq!(create.action, "api_key.create");
    assert_eq!(
        create.target.as_deref(),
        Some(format!("api_key:{}", created["id"].as_str().unwrap()).as_str())
    );
    assert!(create.actor.starts_with("api_key:"));
    let secret = created["key"].as_str().unwrap();
    for e in &events {
        assert!(
            !format!("{e:?}").contains(&secret[40..]),
            "an audit row holds a secret"
        );
    }
    assert!(events.iter().any(|e| e.action == "tenant.create"));
}

async fn a_repeated_authorization_header_is_the_same_401(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let other = t.tenant("other").await;
    let missing = t
        .http
        .get(t.url("/v1/api-keys"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The same key twice, a key and garbage either way round, two tenants' keys: no pick.
    let good = format!("Bearer {}", acme.key);
    let pairs = [
        (good.clone(), good.clone()),
        (good.clone(), "Bearer not-a-key".to_owned()),
        ("Bearer not-a-key".to_owned(), good.clone()),
        (good.clone(), format!("Bearer {}", other.key)),
    ];
    for (first, second) in pairs {
        let res = t
            .http
            .get(t.url("/v1/api-keys"))
            .header("authorization", &first)
            .header("authorization", &second)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        assert_eq!(res.text().await.unwrap(), missing);
    }
}

async fn a_key_list_cursor_it_did_not_issue_is_refused(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let acme = t.tenant("acme").await;
    let page: Value = t
        .get("/v1/api-keys", &acme.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = page["data"][0]["id"].as_str().unwrap().to_owned();
    let uuid = uuid::Uuid::try_parse(&id).unwrap();
    // A real key id is a cursor; another list's cursor, or this one's in another spelling or
    // altered, is not.
    let res = t
        .get(&format!("/v1/api-keys?cursor={id}"), &acme.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for cursor in [
        format!("evt_{id}"),
        uuid.hyphenated().to_string(),
        id.to_uppercase(),
        format!("{id}x"),
        id[1..].to_owned(),
        "eyJ2IjoxLCJsIjoidGlja2V0cyJ9.c2lnbmF0dXJl".to_owned(),
        "%7B%7D".to_owned(),
    ] {
        let res = t
            .get(&format!("/v1/api-keys?cursor={cursor}"), &acme.key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let (status, p) = (res.status().as_u16(), res.json::<Value>().await.unwrap());
        assert_eq!(
            (status, p["code"].as_str()),
            (400, Some("invalid_query")),
            "{cursor}: {p}"
        );
        assert_eq!(p["errors"][0]["field"], "cursor", "{cursor}: {p}");
    }
}
