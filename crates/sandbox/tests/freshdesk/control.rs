//! The Freshdesk control API, the summary and the seeding guarantees.

use deskgate_sandbox::{FreshdeskAccountConfig, Sandbox, SandboxConfig};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use crate::support::{basic, start};

#[tokio::test]
async fn control_api_creates_accounts_and_changes_their_settings() {
    let h = start().await;
    let base = h.server.base_url();
    let created = h
        .http
        .put(format!("{base}/_sandbox/freshdesk/beta"))
        .json(&json!({"tickets": 20, "seed": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 204);
    let creds: Value = h
        .http
        .get(format!("{base}/_sandbox/freshdesk/beta/credentials"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = creds["admin"]["api_key"].as_str().unwrap().to_owned();
    let tickets = h
        .http
        .get(format!(
            "{}/api/v2/tickets?updated_since=2000-01-01&per_page=100",
            h.server.freshdesk_base_url("beta")
        ))
        .header("authorization", basic(&key))
        .send()
        .await
        .unwrap();
    assert_eq!(tickets.status(), 200);
    assert_eq!(
        tickets
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        20
    );
    let limited = h
        .http
        .put(format!("{base}/_sandbox/freshdesk/beta/rate_limit"))
        .json(&json!({"per_minute": 1, "tickets_list": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 204);
    let config = h.server.sandbox().freshdesk_config("beta").unwrap();
    assert_eq!(
        (
            config.rate_limits.per_minute,
            config.rate_limits.tickets_list
        ),
        (1, 5)
    );
    let faults = h
        .http
        .put(format!("{base}/_sandbox/freshdesk/beta/faults"))
        .json(&json!({"fail_next": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(faults.status(), 204);
    let cleared = h
        .http
        .delete(format!("{base}/_sandbox/freshdesk/beta/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    let counters: Value = h
        .http
        .get(format!("{base}/_sandbox/freshdesk/beta/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["requests"], 1);
    assert_eq!(counters["tickets_list_calls"], 1);
    let accounts: Value = h
        .http
        .get(format!("{base}/_sandbox/accounts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let domains: Vec<&str> = accounts["freshdesk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["domain"].as_str().unwrap())
        .collect();
    assert_eq!(domains, ["acme", "beta"]);
    assert!(accounts["zendesk"].is_array());
    let unknown = h
        .http
        .get(format!("{base}/_sandbox/freshdesk/nope/credentials"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let invalid = h
        .http
        .put(format!("{base}/_sandbox/freshdesk/gamma"))
        .json(&json!({"tickets": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 400);
}

#[tokio::test]
async fn the_summary_lists_freshdesk_accounts_with_their_keys_and_urls() {
    let h = start().await;
    let summary = h.server.summary();
    assert!(summary.contains("Freshdesk account \"acme\""), "{summary}");
    assert!(summary.contains(&format!("{}/freshdesk/acme", h.server.base_url())));
    assert!(summary.contains("acme.freshdesk.localhost"));
    assert!(summary.contains(h.creds.admin_api_key.expose_secret()));
    assert!(summary.contains(h.creds.restricted_api_key.expose_secret()));
    assert!(summary.contains("{api_key}:X"));
}

#[test]
fn the_default_config_seeds_a_freshdesk_acme_beside_zendesk() {
    let config = SandboxConfig::default();
    assert_eq!(config.zendesk.len(), 1);
    assert_eq!(config.freshdesk, vec![FreshdeskAccountConfig::new("acme")]);
    assert_eq!(config.freshdesk[0].tickets, 50);
    let sandbox = Sandbox::new(config).unwrap();
    assert_eq!(sandbox.freshdesk_domains(), ["acme"]);
}

#[test]
fn the_same_seed_gives_the_same_keys_and_bad_configs_are_refused() {
    let config = |seed| SandboxConfig {
        zendesk: vec![],
        freshdesk: vec![FreshdeskAccountConfig {
            seed,
            ..FreshdeskAccountConfig::new("acme")
        }],
        intercom: vec![],
    };
    let key = |s: &Sandbox| {
        s.freshdesk_credentials("acme")
            .unwrap()
            .admin_api_key
            .expose_secret()
            .to_owned()
    };
    let a = Sandbox::new(config(7)).unwrap();
    let b = Sandbox::new(config(7)).unwrap();
    let c = Sandbox::new(config(8)).unwrap();
    assert_eq!(key(&a), key(&b));
    assert_ne!(key(&a), key(&c));
    for bad in [
        FreshdeskAccountConfig {
            tickets: 9,
            ..FreshdeskAccountConfig::new("acme")
        },
        FreshdeskAccountConfig {
            tickets: 1_000_001,
            ..FreshdeskAccountConfig::new("acme")
        },
        FreshdeskAccountConfig::new("Not A Label"),
    ] {
        assert!(
            Sandbox::new(SandboxConfig {
                zendesk: vec![],
                freshdesk: vec![bad],
                intercom: vec![],
            })
            .is_err()
        );
    }
    let twice = SandboxConfig {
        zendesk: vec![],
        freshdesk: vec![
            FreshdeskAccountConfig::new("acme"),
            FreshdeskAccountConfig::new("acme"),
        ],
        intercom: vec![],
    };
    assert!(Sandbox::new(twice).is_err());
}
