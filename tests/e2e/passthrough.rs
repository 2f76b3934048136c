//! The passthrough to the vendor's own API, and the capability matrix.

use deskgate_tests::{
    Backend, Tap, TestApp, TestTenant, Vendor, backends, read, read_until_break, vendors,
};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

vendors!(
    passthrough_forwards_every_method_with_the_connections_own_auth,
    passthrough_strips_auth_cookies_and_hop_by_hop_headers_both_ways,
    passthrough_refuses_paths_that_climb_out_without_a_vendor_call,
    passthrough_refuses_undocumented_methods_without_a_vendor_call,
    passthrough_sends_query_and_body_byte_for_byte_or_refuses_them_unsent,
    passthrough_streams_the_answer_and_aborts_one_that_breaks_off,
);
backends!(connectors_lists_each_provider_as_its_connector_describes_itself);

async fn setup(vendor: Vendor, backend: Backend) -> (TestApp, TestTenant, String) {
    let t = TestApp::spawn_with_sandbox(backend, vendor.accounts(&["acme"], 20)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    (t, tenant, id)
}

/// The vendor's own API, as a passthrough caller speaks it.
struct Raw {
    me: &'static str,
    me_email: &'static str,
    tickets: &'static str,
    /// A list read with GET (Intercom has no ticket list: its ticket types).
    readable: &'static str,
    ticket: fn(&str) -> String,
    /// What the vendor answers a create and a delete.
    created: u16,
    deleted: u16,
    new_ticket: Value,
    new_id: &'static str,
    pending: Value,
    status: &'static str,
    pending_value: Value,
    two: &'static str,
    listed: &'static str,
}

fn raw(t: &TestApp, vendor: Vendor) -> Raw {
    match vendor {
        Vendor::Zendesk => Raw {
            me: "api/v2/users/me.json",
            me_email: "/user/email",
            tickets: "api/v2/tickets.json",
            readable: "api/v2/tickets.json",
            ticket: |id| format!("api/v2/tickets/{id}.json"),
            created: 201,
            deleted: 204,
            new_ticket: json!({"ticket": {"subject": "Raw", "comment": {"body": "raw body"}}}),
            new_id: "/ticket/id",
            pending: json!({"ticket": {"status": "pending"}}),
            status: "/ticket/status",
            pending_value: json!("pending"),
            two: "api/v2/tickets.json?page[size]=2",
            listed: "/tickets",
        },
        Vendor::Freshdesk => Raw {
            me: "api/v2/agents/me",
            me_email: "/contact/email",
            tickets: "api/v2/tickets",
            readable: "api/v2/tickets",
            ticket: |id| format!("api/v2/tickets/{id}"),
            created: 201,
            deleted: 204,
            new_ticket: json!({"subject": "Raw", "description": "raw body",
                "email": "raw@example.com", "status": 2, "priority": 1}),
            new_id: "/id",
            pending: json!({"status": 3}),
            status: "/status",
            pending_value: json!(3),
            // Without `updated_since`, Freshdesk lists only tickets made in the last 30 days.
            two: "api/v2/tickets?per_page=2&updated_since=2000-01-01T00:00:00Z",
            listed: "",
        },
        Vendor::Intercom => {
            let c = t.intercom("acme");
            Raw {
                me: "me",
                me_email: "/email",
                tickets: "tickets",
                readable: "ticket_types",
                ticket: |id| format!("tickets/{id}"),
                created: 200,
                deleted: 200,
                new_ticket: json!({
                    "ticket_type_id": c.ticket_type_id,
                    "contacts": [{"id": c.contact_id}],
                    "ticket_attributes": {"_default_title_": "Raw", "_default_description_": "raw body"},
                }),
                new_id: "/id",
                pending: json!({"open": false}),
                status: "/open",
                pending_value: json!(false),
                two: "contacts?per_page=2",
                listed: "/data",
            }
        }
    }
}

fn admin_email(t: &TestApp, vendor: Vendor) -> String {
    t.vendor_admin_email(vendor, "acme")
}

async fn passthrough_forwards_every_method_with_the_connections_own_auth(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let base = format!("/v1/connections/{id}/passthrough");
    let raw = raw(&t, vendor);

    // The vendor sees the connection's credentials: it answers as the connected admin.
    let res = t
        .get(&format!("{base}/{}", raw.me), &tenant.key)
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
    assert_eq!(
        me.pointer(raw.me_email),
        Some(&json!(admin_email(&t, vendor))),
        "{me}"
    );

    let (status, created) = read(
        t.post(&format!("{base}/{}", raw.tickets), &tenant.key)
            .json(&raw.new_ticket)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, raw.created, "{created}");
    // Zendesk and Freshdesk ids are numbers, Intercom's strings.
    let tid = match created.pointer(raw.new_id).unwrap() {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };

    let (status, updated) = read(
        t.put(&format!("{base}/{}", (raw.ticket)(&tid)), &tenant.key)
            .json(&raw.pending)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated.pointer(raw.status), Some(&raw.pending_value));

    // The query string goes along.
    let (status, page) = read(
        t.get(&format!("{base}/{}", raw.two), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        page.pointer(raw.listed).unwrap().as_array().unwrap().len(),
        2,
        "{page}"
    );

    let res = t
        .delete(&format!("{base}/{}", (raw.ticket)(&tid)), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), raw.deleted);
    // The vendor's own errors come back as they are, not as problems.
    let (status, gone) = read(
        t.get(&format!("{base}/{}", (raw.ticket)(&tid)), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    assert!(gone.get("code").is_none(), "not a problem: {gone}");
    if vendor == Vendor::Zendesk {
        assert_eq!(gone["error"], "RecordNotFound", "{gone}");
    }
}

async fn passthrough_strips_auth_cookies_and_hop_by_hop_headers_both_ways(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let tickets = raw(&t, vendor).readable;
    let res = t
        .get(
            &format!("/v1/connections/{id}/passthrough/{tickets}"),
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
        "x-ratelimit-remaining",
    ] {
        assert!(
            res.headers().get(stripped).is_none(),
            "{stripped} came back"
        );
    }

    // A vendor 401 through the passthrough marks the connection, like any other call.
    t.vendor_accepts_credentials(vendor, "acme", false);
    let res = t
        .get(
            &format!("/v1/connections/{id}/passthrough/{tickets}"),
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

/// Sends `method target` as is and returns the status line's code and the whole answer.
async fn raw_request(base: &str, method: &str, target: &str, key: &str) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer.split(' ').nth(1).unwrap().parse().unwrap();
    (status, answer.to_ascii_lowercase())
}

async fn passthrough_refuses_undocumented_methods_without_a_vendor_call(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let target = format!("/v1/connections/{id}/passthrough/{}", raw(&t, vendor).me);
    let requests = || t.vendor_counts(vendor, "acme").requests;
    let before = requests();
    for method in [
        "HEAD", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "MKCOL", "BREW",
    ] {
        let (status, answer) = raw_request(&t.base, method, &target, &tenant.key).await;
        assert_eq!(status, 405, "{method}: {answer}");
        assert!(
            answer.contains("\r\nallow: get, post, put, patch, delete\r\n"),
            "{method}: {answer}"
        );
        assert!(
            answer.contains("\r\ncontent-type: application/problem+json\r\n"),
            "{method}: {answer}"
        );
        if method != "HEAD" {
            assert!(
                answer.contains(r#""code":"method_not_allowed""#),
                "{method}: {answer}"
            );
        }
    }
    assert_eq!(requests(), before, "a refused method reached the vendor");
    // The documented methods still go out.
    let (status, _) = raw_request(&t.base, "GET", &target, &tenant.key).await;
    assert_eq!(status, 200);
    assert_eq!(requests(), before + 1);
}

async fn passthrough_refuses_paths_that_climb_out_without_a_vendor_call(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let requests = || t.vendor_counts(vendor, "acme").requests;
    let before = requests();
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
        assert_eq!(status, 400, "{path}");
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
    assert_eq!(requests(), before, "a refused request reached the vendor");

    // Nothing in the path can name another host: it stays on the vendor's.
    for path in ["@evil.example/api/v2", "evil.example:443/api/v2"] {
        let status = raw_get(
            &t.base,
            &format!("/v1/connections/{id}/passthrough/{path}"),
            &tenant.key,
        )
        .await;
        assert!(status == 404 || status == 400, "{path}: {status}");
    }
    assert!(requests() <= before + 2);
}

async fn connectors_lists_each_provider_as_its_connector_describes_itself(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let (status, v) = read(t.http.get(t.url("/v1/connectors")).send().await.unwrap()).await;
    assert_eq!(status, 200, "{v}");
    // How each mode connects, renews and revokes, beside the capabilities.
    let auth = |i: usize, mode: &str| -> Value {
        v[i]["auth"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["mode"] == mode)
            .cloned()
            .unwrap_or_else(|| panic!("{mode}: {v}"))
    };
    assert_eq!(
        auth(0, "oauth_code"),
        json!({"mode": "oauth_code", "connect": "redirect", "renews": true, "revokes": true})
    );
    assert_eq!(auth(0, "api_token")["renews"], false);
    // Intercom's tokens neither expire nor refresh.
    assert_eq!(
        auth(2, "oauth_code"),
        json!({"mode": "oauth_code", "connect": "redirect", "renews": false, "revokes": false})
    );
    assert_eq!(auth(2, "access_token")["connect"], "posted");
    let mut capabilities = v.clone();
    for c in capabilities.as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("auth");
    }
    assert_eq!(
        capabilities,
        serde_json::to_value(vec![
            deskgate_zendesk::capabilities(),
            deskgate_freshdesk::capabilities(),
            deskgate_intercom::capabilities(),
        ])
        .unwrap()
    );
    let modes = |i: usize| -> Vec<String> {
        v[i]["auth_modes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_owned())
            .collect()
    };
    let resource = |i: usize, name: &str| -> Value {
        v[i]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(v[0]["provider"], "zendesk");
    let zendesk = modes(0);
    assert!(
        zendesk.contains(&"api_token".into()) && zendesk.contains(&"client_credentials".into()),
        "{zendesk:?}"
    );
    // Freshdesk's API has no OAuth: an API key is the only way in.
    assert_eq!(v[1]["provider"], "freshdesk");
    assert_eq!(modes(1), vec!["api_key".to_owned()]);
    // No tag resource: only a ticket's tags can change.
    assert_eq!(resource(1, "tags")["operations"], json!(["update"]));
    // Intercom: OAuth by redirect or a private app's token; tickets over search, so the
    // change filter is native.
    assert_eq!(v[2]["provider"], "intercom");
    assert_eq!(
        modes(2),
        vec!["oauth_code".to_owned(), "access_token".to_owned()]
    );
    for i in [0, 1, 2] {
        let tickets = resource(i, "tickets");
        assert!(
            !tickets["operations"].as_array().unwrap().is_empty(),
            "{tickets}"
        );
        let filters = tickets["filters"].to_string();
        assert!(filters.contains("\"updated_after\""), "{tickets}");
    }
    let updated_after = |i: usize| {
        resource(i, "tickets")["filters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "updated_after")
            .unwrap()["support"]
            .clone()
    };
    assert_eq!(updated_after(1), "native");
    assert_eq!(updated_after(2), "native");
}

/// Sends `method target` with `headers` (each `name: value\r\n`) and `body` as raw bytes.
async fn raw_send(base: &str, head: &str, body: &[u8]) -> (u16, String) {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = head.replace("{addr}", addr).into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer.split(' ').nth(1).unwrap().parse().unwrap();
    (status, answer)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn passthrough_sends_query_and_body_byte_for_byte_or_refuses_them_unsent(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tap): (TestApp, Tap) =
        TestApp::spawn_with_tapped_sandbox(backend, vendor.accounts(&["acme"], 10)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    let raw = raw(&t, vendor);
    let base = format!("/v1/connections/{id}/passthrough");
    let key = &tenant.key;

    // Accepted: the query and the body reach the vendor exactly as they were sent.
    let query = "per_page=2&q=caf%C3%A9+cr%C3%A8me&page[size]=2&x=a:b@c/d?e,f;g!h*(i)$~-._";
    let head = format!(
        "GET {base}/{}?{query} HTTP/1.1\r\nHost: {{addr}}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n",
        raw.readable
    );
    let (status, answer) = raw_send(&t.base, &head, b"").await;
    assert!(status < 500 && !answer.contains("problem+json"), "{answer}");
    let sent = tap.sent();
    assert!(
        contains(&sent, format!("?{query} HTTP/1.1\r\n").as_bytes()),
        "{}",
        String::from_utf8_lossy(&sent)
    );
    let body = format!(
        "{}\n",
        serde_json::to_string_pretty(&raw.new_ticket).unwrap()
    )
    .replace("Raw", "Raw \u{e9}t\u{e9} \\u00e9");
    let res = t
        .post(&format!("{base}/{}", raw.tickets), key)
        .header("content-type", "application/json; charset=utf-8")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), raw.created);
    let sent = tap.sent();
    assert!(
        contains(&sent, body.as_bytes()),
        "{}",
        String::from_utf8_lossy(&sent)
    );
    assert!(contains(
        &sent.to_ascii_lowercase(),
        b"content-type: application/json; charset=utf-8\r\n"
    ));

    // Refused, and nothing is sent.
    let requests = || t.vendor_counts(vendor, "acme").requests;
    let before = (requests(), tap.sent().len());
    let me = format!("{base}/{}", raw.me);
    for (content_type, body) in [
        (Some("text/plain"), "subject=x"),
        (Some("application/x-www-form-urlencoded"), "subject=x"),
        (Some("multipart/form-data; boundary=b"), "--b--"),
        (Some("application/json; charset=latin1"), "{}"),
        (None, "{}"),
    ] {
        let mut req = t.post(&format!("{base}/{}", raw.tickets), key).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let (status, p) = read(req.send().await.unwrap()).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (415, Some("unsupported_media_type")),
            "{content_type:?}: {p}"
        );
    }
    let (status, p) = read(
        t.get(&me, key)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("invalid_body")),
        "{p}"
    );
    for bad in [
        "q=%FF", "q=%C3%28", "q=%zz", "q=a%0Ab", "q=%00", "q=it's", "q=%",
    ] {
        let head = format!(
            "GET {me}?{bad} HTTP/1.1\r\nHost: {{addr}}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
        );
        let (status, answer) = raw_send(&t.base, &head, b"").await;
        assert_eq!(status, 400, "{bad}: {answer}");
        assert!(
            answer.contains(r#""code":"invalid_query""#),
            "{bad}: {answer}"
        );
        assert!(answer.contains(r#""field":"query""#), "{bad}: {answer}");
    }
    assert_eq!(
        (requests(), tap.sent().len()),
        before,
        "a refused request reached the vendor"
    );
}

async fn passthrough_streams_the_answer_and_aborts_one_that_breaks_off(
    vendor: Vendor,
    backend: Backend,
) {
    let (t, tenant, id) = setup(vendor, backend).await;
    let base = format!("/v1/connections/{id}/passthrough");
    let raw = raw(&t, vendor);
    let url = format!("{base}/{}", raw.readable);

    // Whole: the vendor's length goes along with its bytes.
    let res = t.get(&url, &tenant.key).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("transfer-encoding").is_none());
    let declared: usize = res.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = res.bytes().await.unwrap();
    assert_eq!(body.len(), declared);
    serde_json::from_slice::<Value>(&body).unwrap();

    // Broken off after its head: the status and what arrived went out, then the transfer is
    // aborted, which the client sees as an error; never a short body ending as a whole one.
    t.break_next_answer(vendor, "acme");
    let res = t.get(&url, &tenant.key).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let (got, broke) = read_until_break(res).await;
    let text = String::from_utf8_lossy(&got);
    assert!(broke, "the transfer must end in an error: {text}");
    assert!(!got.is_empty() && got.len() < body.len(), "{text}");
    assert!(serde_json::from_slice::<Value>(&got).is_err(), "{text}");
    assert_eq!(t.aborted_answers("passthrough").await, 1);

    // Broken off before any of its body: nothing had gone out, so the read is sent again
    // and answered whole.
    t.reset_next_answer(vendor, "acme");
    let before = t.vendor_counts(vendor, "acme").requests;
    let res = t.get(&url, &tenant.key).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap(), body);
    assert_eq!(t.vendor_counts(vendor, "acme").requests - before, 2);

    // With an Idempotency-Key the answer is read whole before it is kept: a break is a 502,
    // and the retry with the key replays it rather than writing twice.
    t.break_next_answer(vendor, "acme");
    let post = || {
        t.post(&format!("{base}/{}", raw.tickets), &tenant.key)
            .header("Idempotency-Key", "passthrough-break")
            .json(&raw.new_ticket)
    };
    let (status, v) = read(post().send().await.unwrap()).await;
    assert_eq!(status, 502, "{v}");
    assert_eq!(v["code"], "upstream_unreachable", "{v}");
    let res = post().send().await.unwrap();
    assert_eq!(res.headers()["idempotent-replayed"], "true");
    assert_eq!(res.status(), 502);
    assert_eq!(t.vendor_counts(vendor, "acme").injected_errors, 3);
    assert_eq!(t.aborted_answers("passthrough").await, 1);

    // The connection answers the next call as usual.
    let (status, me) = read(
        t.get(&format!("{base}/{}", raw.me), &tenant.key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{me}");
}
