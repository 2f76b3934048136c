//! The passthrough to the vendor's own API, and the capability matrix.

use deskgate_tests::{Backend, TestApp, TestTenant, accounts, backends, read};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

backends!(
    passthrough_forwards_every_method_with_the_connections_own_auth,
    passthrough_strips_auth_cookies_and_hop_by_hop_headers_both_ways,
    passthrough_refuses_paths_that_climb_out_without_a_vendor_call,
    connectors_lists_zendesk_as_its_connector_describes_itself,
);

async fn setup(backend: Backend) -> (TestApp, TestTenant, String) {
    let t = TestApp::spawn_with_sandbox(backend, accounts(&["acme"], 20)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_api_token(&tenant.key, "acme").await;
    (t, tenant, id)
}

async fn passthrough_forwards_every_method_with_the_connections_own_auth(backend: Backend) {
    let (t, tenant, id) = setup(backend).await;
    let base = format!("/v1/connections/{id}/passthrough");

    // The vendor sees the connection's credentials: it answers as the connected admin.
    let res = t
        .get(&format!("{base}/api/v2/users/me.json"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let (status, me) = read(res).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user"]["email"], t.zendesk("acme").admin_email.as_str());

    let (status, created) = read(
        t.post(&format!("{base}/api/v2/tickets.json"), &tenant.key)
            .json(&json!({"ticket": {"subject": "Raw", "comment": {"body": "raw body"}}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let tid = created["ticket"]["id"].as_u64().unwrap();

    let (status, updated) = read(
        t.put(&format!("{base}/api/v2/tickets/{tid}.json"), &tenant.key)
            .json(&json!({"ticket": {"status": "pending"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["ticket"]["status"], "pending");

    // The query string goes along.
    let (status, page) = read(
        t.get(
            &format!("{base}/api/v2/tickets.json?page[size]=2"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(page["tickets"].as_array().unwrap().len(), 2, "{page}");

    let res = t
        .delete(&format!("{base}/api/v2/tickets/{tid}.json"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // The vendor's own errors come back as they are, not as problems.
    let (status, gone) = read(
        t.get(&format!("{base}/api/v2/tickets/{tid}.json"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(gone["error"], "RecordNotFound", "{gone}");
}

async fn passthrough_strips_auth_cookies_and_hop_by_hop_headers_both_ways(backend: Backend) {
    let (t, tenant, id) = setup(backend).await;
    let res = t
        .get(
            &format!("/v1/connections/{id}/passthrough/api/v2/tickets.json"),
            &tenant.key,
        )
        .header("cookie", "session=tenant-secret")
        .header("x-forwarded-for", "10.0.0.1")
        .header("proxy-authorization", "Basic c2VjcmV0")
        .send()
        .await
        .unwrap();
    // Had the tenant's Authorization or cookie gone to the vendor, it would have refused.
    assert_eq!(res.status(), 200);
    for stripped in [
        "set-cookie",
        "www-authenticate",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "x-rate-limit",
        "ratelimit-remaining",
    ] {
        assert!(
            res.headers().get(stripped).is_none(),
            "{stripped} came back"
        );
    }

    // A vendor 401 through the passthrough marks the connection, like any other call.
    t.sandbox().set_zendesk_token_access("acme", false).unwrap();
    let res = t
        .get(
            &format!("/v1/connections/{id}/passthrough/api/v2/tickets.json"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("www-authenticate").is_none());
    let (status, v) = read(res).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["code"], "connection_needs_reauth");
    let (_, conn) = read(
        t.get(&format!("/v1/connections/{id}"), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(conn["status"], "needs_reauth", "{conn}");
}

/// Sends a request line as is: HTTP clients resolve `..` before sending.
async fn raw_get(base: &str, target: &str, key: &str) -> u16 {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.split(' ').nth(1).unwrap().parse().unwrap()
}

async fn passthrough_refuses_paths_that_climb_out_without_a_vendor_call(backend: Backend) {
    let (t, tenant, id) = setup(backend).await;
    let before = t.requests("acme");
    for path in [
        "api/v2/../../oauth/tokens",
        "api/v2/%2e%2e/%2e%2e/oauth/tokens",
        "api/v2%2f..%2f..%2foauth",
        "api/v2/%2E%2E/x",
        "./api/v2/tickets",
        "api%5cv2",
        "//evil.example/api/v2/tickets.json",
        "http://evil.example/x",
    ] {
        let status = raw_get(
            &t.base,
            &format!("/v1/connections/{id}/passthrough/{path}"),
            &tenant.key,
        )
        .await;
        assert_eq!(status, 422, "{path}");
    }
    // A body over the limit is a problem, not a vendor call or a plain-text error.
    let res = t
        .post(
            &format!("/v1/connections/{id}/passthrough/api/v2/tickets.json"),
            &tenant.key,
        )
        .header("content-type", "application/json")
        .body(vec![b' '; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let (status, p) = read(res).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    assert_eq!(
        t.requests("acme"),
        before,
        "a refused request reached the vendor"
    );

    // Nothing in the path can name another host: it stays on the vendor's.
    for path in ["@evil.example/api/v2", "evil.example:443/api/v2"] {
        let status = raw_get(
            &t.base,
            &format!("/v1/connections/{id}/passthrough/{path}"),
            &tenant.key,
        )
        .await;
        assert!(status == 404 || status == 422, "{path}: {status}");
    }
    assert!(t.requests("acme") <= before + 2);
}

async fn connectors_lists_zendesk_as_its_connector_describes_itself(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let (status, v) = read(t.http.get(t.url("/v1/connectors")).send().await.unwrap()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        serde_json::to_value(vec![deskgate_zendesk::capabilities()]).unwrap()
    );
    let zendesk = &v[0];
    assert_eq!(zendesk["provider"], "zendesk");
    let modes: Vec<&str> = zendesk["auth_modes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        modes.contains(&"api_token") && modes.contains(&"client_credentials"),
        "{modes:?}"
    );
    let tickets = zendesk["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "tickets")
        .unwrap();
    assert!(
        !tickets["operations"].as_array().unwrap().is_empty(),
        "{tickets}"
    );
    let text = tickets["filters"].to_string();
    assert!(
        text.contains("native") || text.contains("emulated"),
        "{tickets}"
    );
}
