//! Bearer tokens, regional hosts, the version header and permissions.

use deskgate_sandbox::IntercomRegion;
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::support::{assert_error, region, start, start_many};

#[tokio::test]
async fn missing_or_unknown_token_is_401_error_list() {
    let h = start().await;
    let bare = h.http.get(h.url("/me")).send().await.unwrap();
    let body = assert_error(bare, 401, "unauthorized").await;
    assert_eq!(body["errors"][0]["message"], "Access Token Invalid");
    let wrong = h
        .http
        .get(h.url("/tickets/700000"))
        .bearer_auth("dG9rOm5vdF9hX3Rva2Vu")
        .send()
        .await
        .unwrap();
    assert_error(wrong, 401, "unauthorized").await;
    let basic = h
        .http
        .get(h.url("/me"))
        .basic_auth(h.token(), Some(""))
        .send()
        .await
        .unwrap();
    assert_error(basic, 401, "unauthorized").await;
    assert_eq!(
        h.counters().requests,
        0,
        "unauthenticated calls reach no workspace"
    );
}

#[tokio::test]
async fn a_token_only_works_on_its_regions_host() {
    let h = start_many(vec![
        region("acme", IntercomRegion::Us),
        region("globex", IntercomRegion::Eu),
    ])
    .await;
    let eu = h.server.sandbox().intercom_credentials("globex").unwrap();
    assert_eq!(eu.api_host, "api.eu.intercom.io");
    let eu_token = eu.access_token.expose_secret().to_owned();

    // Path form.
    let us_path = h.server.intercom_base_url(IntercomRegion::Us);
    let eu_path = h.server.intercom_base_url(IntercomRegion::Eu);
    let wrong = h
        .http
        .get(format!("{us_path}/me"))
        .bearer_auth(&eu_token)
        .send()
        .await
        .unwrap();
    assert_error(wrong, 401, "unauthorized").await;
    let right = h
        .http
        .get(format!("{eu_path}/me"))
        .bearer_auth(&eu_token)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    let me: serde_json::Value = right.json().await.unwrap();
    assert_eq!(me["app"]["region"], "EU");
    assert_eq!(me["app"]["id_code"], eu.workspace_id.as_str());

    // Host form: the real host sent to the sandbox's address.
    let base = h.server.base_url();
    let by_host = |host: &'static str, token: String| {
        h.http
            .get(format!("{base}/me"))
            .header("Host", host)
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        by_host("api.eu.intercom.io", eu_token.clone())
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        by_host("api.intercom.io", eu_token.clone())
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        by_host("api.au.intercom.io", eu_token)
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        by_host("api.intercom.io", h.token())
            .await
            .unwrap()
            .status(),
        200
    );
    // `.localhost` stands in for `.io`, with or without a port.
    let eu_token = eu.access_token.expose_secret().to_owned();
    let local_eu = by_host("api.eu.intercom.localhost", eu_token)
        .await
        .unwrap();
    assert_eq!(local_eu.status(), 200);
    let local_us = by_host("api.intercom.localhost:8081", h.token())
        .await
        .unwrap();
    assert_eq!(local_us.status(), 200);
}

#[tokio::test]
async fn the_version_header_is_recorded_and_unknown_versions_refused() {
    let h = start().await;
    h.get_json("/me").await;
    h.http
        .get(h.url("/me"))
        .bearer_auth(h.token())
        .send()
        .await
        .unwrap();
    let old = h
        .http
        .get(h.url("/me"))
        .bearer_auth(h.token())
        .header("Intercom-Version", "2.11")
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 200);
    let bad = h
        .http
        .get(h.url("/me"))
        .bearer_auth(h.token())
        .header("Intercom-Version", "3.0")
        .send()
        .await
        .unwrap();
    assert_error(bad, 400, "intercom_version_invalid").await;
    let counters = h.counters();
    assert_eq!(counters.versions.get("2.16"), Some(&1));
    assert_eq!(counters.versions.get("2.11"), Some(&1));
    assert_eq!(counters.versions.get("3.0"), Some(&1));
    assert_eq!(counters.without_version, 1);
    assert_eq!(counters.last_version.as_deref(), Some("3.0"));
}

#[tokio::test]
async fn a_revoked_permission_answers_403_naming_the_scope() {
    let h = start().await;
    h.server
        .sandbox()
        .set_intercom_revoked_scopes("acme", &["read_tickets"])
        .unwrap();
    let search = h
        .send(
            reqwest::Method::POST,
            "/tickets/search",
            &json!({"query": {"field": "open", "operator": "=", "value": true}}),
        )
        .await;
    let body = assert_error(search, 403, "forbidden").await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("(read_tickets)")
    );
    // Other permissions still work, and /me needs none.
    assert_eq!(h.get("/admins").await.status(), 200);
    assert_eq!(h.get("/me").await.status(), 200);
    assert_eq!(h.counters().forbidden, 1);
    h.server
        .sandbox()
        .set_intercom_revoked_scopes("acme", &[])
        .unwrap();
    assert_eq!(h.get("/ticket_states").await.status(), 200);
    assert!(
        h.server
            .sandbox()
            .set_intercom_revoked_scopes("acme", &["fly"])
            .is_err()
    );
}

#[tokio::test]
async fn unknown_paths_and_regions_answer_not_found() {
    let h = start().await;
    let missing = h.get("/nothing/here").await;
    assert_error(missing, 404, "not_found").await;
    let base = h.server.base_url();
    let mars = h
        .http
        .get(format!("{base}/intercom/mars/me"))
        .bearer_auth(h.token())
        .send()
        .await
        .unwrap();
    assert_error(mars, 404, "not_found").await;
}
