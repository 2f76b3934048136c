//! The control API for Intercom workspaces.

use deskgate_sandbox::IntercomWorkspaceConfig;
use serde_json::{Value, json};

use crate::support::{assert_error, start};

#[tokio::test]
async fn credentials_counters_limits_permissions_and_reseed() {
    let h = start().await;
    let control = format!("{}/_sandbox/intercom/acme", h.server.base_url());
    let creds: Value = h
        .http
        .get(format!("{control}/credentials"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(creds["access_token"], h.token());
    assert_eq!(creds["api_host"], "api.intercom.io");
    assert_eq!(creds["region"], "us");
    assert_eq!(
        creds["oauth"]["client_id"],
        h.creds.oauth_client_id.as_str()
    );
    assert!(
        creds["oauth"]["redirect_uris"]
            .as_array()
            .unwrap()
            .contains(&json!("http://127.0.0.1/oauth/callback/intercom"))
    );

    h.get_json("/me").await;
    let counters: Value = h
        .http
        .get(format!("{control}/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["requests"], 1);
    assert_eq!(counters["versions"]["2.16"], 1);

    let put = |path: &str, body: Value| h.http.put(format!("{control}{path}")).json(&body).send();
    assert_eq!(
        put("/rate_limit", json!({"per_10s": 1}))
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(h.get("/me").await.status(), 429);
    assert_eq!(
        put("/rate_limit", json!({"per_10s": 100}))
            .await
            .unwrap()
            .status(),
        204
    );

    assert_eq!(
        put("/permissions", json!({"revoked": ["read_admins"]}))
            .await
            .unwrap()
            .status(),
        204
    );
    assert_error(h.get("/admins").await, 403, "forbidden").await;
    assert_eq!(
        put("/permissions", json!({"revoked": ["nope"]}))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        put("/permissions", json!({"revoked": []}))
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(h.get("/admins").await.status(), 200);

    assert_eq!(
        put("/faults", json!({"fail_next": 1, "error_status": 502}))
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(h.get("/me").await.status(), 502);
    assert_eq!(h.get("/me").await.status(), 200);
    assert_eq!(h.counters().injected_errors, 1);

    // Reseeding replaces data, counters and the limit.
    let deleted = h
        .send(reqwest::Method::DELETE, "/tickets/700001", &json!({}))
        .await;
    assert_eq!(deleted.status(), 200);
    let config = IntercomWorkspaceConfig {
        tickets: 12,
        ..IntercomWorkspaceConfig::new("ignored")
    };
    assert_eq!(
        put("", serde_json::to_value(&config).unwrap())
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(h.get("/tickets/700001").await.status(), 200);
    assert_eq!(h.counters().requests, 1);
    let accounts: Value = h
        .http
        .get(format!("{}/_sandbox/accounts", h.server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["intercom"][0]["name"], "acme");
    assert_eq!(accounts["intercom"][0]["tickets"], 12);
    assert_eq!(accounts["intercom"][0]["api_host"], "api.intercom.io");

    let unknown = h
        .http
        .get(format!(
            "{}/_sandbox/intercom/nobody/counters",
            h.server.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_workspace() {
    let a = start().await;
    let b = start().await;
    assert_eq!(a.token(), b.token());
    assert_eq!(a.creds.workspace_id, b.creds.workspace_id);
    assert_eq!(
        a.get_json("/tickets/700007").await,
        b.get_json("/tickets/700007").await
    );
    assert!(a.server.summary().contains("Intercom workspace \"acme\""));
}

#[tokio::test]
async fn injected_faults_look_like_intercoms_errors() {
    let h = start().await;
    let sandbox = h.server.sandbox();
    sandbox
        .set_intercom_faults(
            "acme",
            deskgate_sandbox::FaultConfig {
                rate_limit_next_without_retry_after: 1,
                truncate_next: 1,
                ..Default::default()
            },
        )
        .unwrap();
    assert_error(h.get("/me").await, 429, "rate_limit_exceeded").await;
    let cut = h.get("/me").await;
    assert_eq!(cut.status(), 200);
    assert!(cut.json::<Value>().await.is_err(), "the body was cut short");
    assert_eq!(h.get("/me").await.status(), 200);
    let counters = h.counters();
    assert_eq!(counters.rate_limited, 1);
    assert_eq!(counters.injected_errors, 1);
    assert!(
        sandbox
            .set_intercom_faults(
                "acme",
                deskgate_sandbox::FaultConfig {
                    error_rate: 2.0,
                    ..Default::default()
                }
            )
            .is_err()
    );
}
