//! The connect page in real headless Chromium: a customer picks Zendesk, signs in by OAuth
//! and approves on the sandbox's consent page, and lands on the tenant's return URL with a
//! connection that lists tickets; the same with Deny; an API token with token access turned
//! off shows the diagnosis beside the field; a wrong Freshdesk key shows its own. Skipped,
//! with a line saying so, where Chromium is not installed (see the webdriver module).
//!
//! `DESKGATE_SCREENSHOTS=docs/connect cargo test -p deskgate-tests --test e2e browser`
//! refreshes the screenshots in docs/connect.md.

use deskgate_tests::connect_flow::query_param;
use deskgate_tests::webdriver::Browser;
use deskgate_tests::{Backend, TestApp, accounts, backends, freshdesk_account};
use serde_json::{Value, json};

backends!(a_customer_connects_in_a_real_browser);

/// The tenant's own site: the page the customer comes back to, and a page that opens a
/// connect link as a popup with the gateway's `/connect.js` (`/app?gateway=…&url=…`).
async fn tenant_site() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route(
            "/connected",
            axum::routing::get(|| async {
                axum::response::Html(
                    "<!DOCTYPE html><title>Acme</title><h1 id=\"back\">Back at Acme</h1>",
                )
            }),
        )
        .route("/app", axum::routing::get(tenant_app));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("{base}/connected")
}

async fn tenant_app(
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::response::Html<String> {
    axum::response::Html(format!(
        "<!DOCTYPE html><title>Acme app</title>\
         <script src=\"{gateway}/connect.js\"></script>\
         <button id=\"open\">Connect your helpdesk</button><p id=\"result\">waiting</p>\
         <script>document.getElementById('open').onclick = function () {{\
           Deskgate.connect({url:?}, {{\
             onConnected: function (m) {{ document.getElementById('result').textContent = 'connected ' + m.connection_id; }},\
             onError: function (m) {{ document.getElementById('result').textContent = 'error ' + m.code; }}\
           }});\
         }};</script>",
        gateway = q["gateway"],
        url = q["url"],
    ))
}

async fn count(t: &TestApp, key: &str) -> usize {
    let v: Value = t
        .get("/v1/connections", key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["data"].as_array().unwrap().len()
}

async fn a_customer_connects_in_a_real_browser(backend: Backend) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let mut config = accounts(&["acme"], 20);
    config.freshdesk = vec![freshdesk_account("acme", 20)];
    config.intercom = vec![deskgate_tests::intercom_workspace("acme", 20)];
    let t = TestApp::spawn_with_sandbox(backend, config).await;
    let tenant = t.tenant("acme-corp").await;
    let return_url = tenant_site().await;
    t.prepare_connect(&tenant.key, Some("acme")).await;
    let res = t
        .put("/v1/settings/return-urls", &tenant.key)
        .json(&json!({"return_urls": [return_url]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let session = |providers: &[&str]| {
        json!({
            "end_user": {"external_ref": "customer-42", "display_name": "Ada Lovelace"},
            "allowed_providers": providers,
            "return_url": return_url,
        })
    };

    // Approve: pick Zendesk, sign in by OAuth, approve, land back with a connection.
    let (url, _) = t
        .connect_session(&tenant.key, session(&["zendesk", "freshdesk", "intercom"]))
        .await;
    browser.resize(1280, 900).await;
    browser.goto(&url).await;
    browser.screenshot("choose-desktop").await;
    browser.resize(390, 844).await;
    browser.screenshot("choose-phone").await;
    browser.resize(1280, 900).await;
    browser.click("#provider-zendesk").await;
    assert!(browser.source().await.contains("Sign in with Zendesk"));
    // Keyboard focus follows the page from top to bottom.
    let mut order = Vec::new();
    for _ in 0..9 {
        browser.tab().await;
        order.push(browser.active_id().await);
    }
    let expected = [
        "other-helpdesk",
        "mode-oauth_code",
        "mode-client_credentials",
        "mode-api_token",
        "field-subdomain",
    ];
    assert_eq!(order[..5], expected, "{order:?}");
    let at = |id: &str| order.iter().position(|o| o == id);
    assert!(
        at("submit").is_some() && at("submit") < at("cancel"),
        "{order:?}"
    );
    browser.type_into("#field-subdomain", "acme").await;
    browser.screenshot("zendesk-oauth-desktop").await;
    browser.resize(390, 844).await;
    browser.screenshot("zendesk-oauth-phone").await;
    browser.resize(1280, 900).await;
    browser.click("#submit").await;
    browser
        .wait_for_url(|u| u.contains("/oauth/authorizations/new"))
        .await;
    browser.screenshot("sandbox-consent").await;
    browser.click("#approve").await;
    let back = browser.wait_for_url(|u| u.starts_with(&return_url)).await;
    assert_eq!(browser.text("#back").await, "Back at Acme");
    assert_eq!(
        query_param(&back, "end_user").as_deref(),
        Some("customer-42")
    );
    let id = query_param(&back, "connection_id").expect("a connection id");
    let res = t
        .get(
            &format!("/v1/connections/{id}/tickets?limit=1"),
            &tenant.key,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(count(&t, &tenant.key).await, 1);

    // Deny.
    let (url, _) = t.connect_session(&tenant.key, session(&["zendesk"])).await;
    browser.goto(&url).await;
    browser.type_into("#field-subdomain", "acme").await;
    browser.click("#submit").await;
    browser
        .wait_for_url(|u| u.contains("/oauth/authorizations/new"))
        .await;
    browser.click("#deny").await;
    let back = browser.wait_for_url(|u| u.starts_with(&return_url)).await;
    assert_eq!(
        query_param(&back, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(count(&t, &tenant.key).await, 1);

    // An API token with token access off: the diagnosis beside the field, nothing stored.
    t.sandbox().set_zendesk_token_access("acme", false).unwrap();
    let c = t.zendesk("acme");
    let (url, _) = t.connect_session(&tenant.key, session(&["zendesk"])).await;
    browser.goto(&url).await;
    browser.click("#mode-api_token").await;
    browser.type_into("#field-subdomain", "acme").await;
    browser.type_into("#field-email", &c.admin_email).await;
    browser
        .type_into(
            "#field-token",
            secrecy::ExposeSecret::expose_secret(&c.api_token),
        )
        .await;
    browser.click("#submit").await;
    let diagnosis = browser.text("#error-token").await;
    assert!(diagnosis.contains("Allow API token access"), "{diagnosis}");
    // The error summary takes the focus, so a screen reader announces it first; the next
    // Tab reaches its link to the field at fault.
    assert_eq!(browser.active_id().await, "error-summary");
    assert_eq!(count(&t, &tenant.key).await, 1);
    // Typed values stay, the token does not.
    let html = browser.source().await;
    assert!(!html.contains(secrecy::ExposeSecret::expose_secret(&c.api_token)));
    assert!(html.contains(&c.admin_email));
    browser.screenshot("api-token-refused-desktop").await;
    browser.resize(390, 844).await;
    browser.screenshot("api-token-refused-phone").await;
    browser.resize(1280, 900).await;

    // Freshdesk with a wrong key: its own diagnosis.
    let (url, _) = t
        .connect_session(&tenant.key, session(&["zendesk", "freshdesk"]))
        .await;
    browser.goto(&url).await;
    browser.click("#provider-freshdesk").await;
    browser.type_into("#field-domain", "acme").await;
    browser.type_into("#field-api_key", "not-the-key").await;
    browser.click("#submit").await;
    let diagnosis = browser.text("#error-api_key").await;
    assert!(
        diagnosis.contains("Freshdesk rejected the api key"),
        "{diagnosis}"
    );
    assert_eq!(count(&t, &tenant.key).await, 1);
    browser.screenshot("freshdesk-refused-desktop").await;

    // A popup opened by /connect.js: the opener hears `connected` by postMessage.
    let (url, _) = t.connect_session(&tenant.key, session(&["zendesk"])).await;
    let site = return_url.trim_end_matches("/connected");
    let app_page = format!(
        "{site}/app?gateway={}&url={}",
        t.base,
        url::form_urlencoded::byte_serialize(url.as_bytes()).collect::<String>()
    );
    browser.goto(&app_page).await;
    let opener = browser.window().await;
    browser.click("#open").await;
    let mut popup = None;
    for _ in 0..100 {
        popup = browser.windows().await.into_iter().find(|h| *h != opener);
        if popup.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    browser.switch_to(&popup.expect("a popup opened")).await;
    browser.type_into("#field-subdomain", "acme").await;
    browser.click("#submit").await;
    browser
        .wait_for_url(|u| u.contains("/oauth/authorizations/new"))
        .await;
    browser.click("#approve").await;
    // The popup tells its opener and closes itself.
    for _ in 0..100 {
        if browser.windows().await.len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(browser.windows().await, vec![opener.clone()]);
    browser.switch_to(&opener).await;
    let result = browser.wait_for_text("#result", |t| t != "waiting").await;
    assert!(result.starts_with("connected "), "{result}");
    let id = result.trim_start_matches("connected ");
    let res = t
        .get(&format!("/v1/connections/{id}"), &tenant.key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Intercom through the page's OAuth: the region, then Intercom's consent page.
    let c = t.intercom("acme");
    let res = t
        .put("/v1/oauth-apps/intercom", &tenant.key)
        .json(&json!({"client_id": c.oauth_client_id, "client_secret": secrecy::ExposeSecret::expose_secret(&c.oauth_client_secret)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for (decision, expect) in [("#deny", "error"), ("#approve", "connection_id")] {
        let (url, _) = t
            .connect_session(&tenant.key, session(&["zendesk", "freshdesk", "intercom"]))
            .await;
        browser.goto(&url).await;
        browser.click("#provider-intercom").await;
        assert_eq!(browser.text("#mode-heading").await, "Sign in with Intercom");
        if decision == "#approve" {
            browser.screenshot("intercom-oauth-desktop").await;
        }
        browser.click("#submit").await;
        browser
            .wait_for_url(|u| u.contains("/intercom/app/oauth"))
            .await;
        browser.click(decision).await;
        let back = browser.wait_for_url(|u| u.starts_with(&return_url)).await;
        let got = query_param(&back, expect).unwrap_or_else(|| panic!("{back}"));
        if expect == "error" {
            assert_eq!(got, "access_denied");
        } else {
            let res = t
                .get(
                    &format!("/v1/connections/{got}/tickets?limit=1"),
                    &tenant.key,
                )
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
    }
    browser.quit().await;
}
