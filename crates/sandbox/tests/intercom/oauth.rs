//! Intercom's OAuth: the consent page on the app host, the code, and the token exchange
//! on the regional API host.

use chrono::Duration;
use deskgate_sandbox::{ConsentDecision, IntercomRegion};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use crate::support::{Harness, assert_error, region, start, start_many};

const CALLBACK: &str = "http://127.0.0.1:45123/oauth/callback/intercom";

fn authorize_query(h: &Harness, redirect_uri: &str, state: &str) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &h.creds.oauth_client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", state)
        .finish()
}

/// The hidden fields and form action of a consent page.
fn form_of(html: &str) -> (String, Vec<(String, String)>) {
    let action = html
        .split("action=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let fields = html
        .split("<input type=\"hidden\" name=\"")
        .skip(1)
        .map(|s| {
            let name = s.split('"').next().unwrap().to_owned();
            let value = s
                .split("value=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .unwrap()
                .replace("&amp;", "&")
                .replace("&#39;", "'")
                .replace("&quot;", "\"");
            (name, value)
        })
        .collect();
    (action, fields)
}

/// Opens the consent page at `page_url` and clicks `decision`: the redirect's `Location`.
async fn consent(h: &Harness, page_url: &str, host: Option<&str>, decision: &str) -> String {
    let mut request = h.http.get(page_url);
    if let Some(host) = host {
        request = request.header("Host", host);
    }
    let page = request.send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("<button type=\"submit\" id=\"approve\""));
    assert!(html.contains("<button type=\"submit\" id=\"deny\""));
    let (action, mut fields) = form_of(&html);
    fields.push(("decision".to_owned(), decision.to_owned()));
    let post = if let Some(host) = host {
        // The browser posts to the page's own origin, the app host.
        assert_eq!(action, format!("http://{host}/oauth"));
        h.http
            .post(format!("{}/oauth", h.server.base_url()))
            .header("Host", host)
            .form(&fields)
    } else {
        assert_eq!(action, format!("{}/oauth", h.server.intercom_app_url()));
        h.http.post(&action).form(&fields)
    };
    let answer = post.send().await.unwrap();
    assert_eq!(answer.status(), 302);
    answer.headers()["location"].to_str().unwrap().to_owned()
}

fn query_of(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn param(location: &str, name: &str) -> Option<String> {
    query_of(location)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

async fn exchange(h: &Harness, code: &str, secret: &str) -> reqwest::Response {
    h.http
        .post(h.url("/auth/eagle/token"))
        .json(&json!({"code": code, "client_id": h.creds.oauth_client_id, "client_secret": secret}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn approve_then_exchange_the_code_for_a_working_token() {
    let h = start().await;
    let page = format!(
        "{}/oauth?{}",
        h.server.intercom_app_url(),
        authorize_query(&h, CALLBACK, "xyz")
    );
    let location = consent(&h, &page, None, "approve").await;
    assert!(
        location.starts_with(CALLBACK),
        "any port on a loopback URI: {location}"
    );
    assert_eq!(param(&location, "state").as_deref(), Some("xyz"));
    let code = param(&location, "code").unwrap();

    let secret = h.creds.oauth_client_secret.expose_secret().to_owned();
    let response = exchange(&h, &code, &secret).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["token"], body["access_token"]);
    assert!(body.get("refresh_token").is_none() && body.get("expires_in").is_none());
    let token = body["access_token"].as_str().unwrap();

    let me = h
        .http
        .get(h.url("/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["id"], h.creds.admin_id.as_str());

    // Codes are single-use.
    let again = exchange(&h, &code, &secret).await;
    assert_error(again, 400, "parameter_invalid").await;
    let counters = h.counters();
    assert_eq!(counters.oauth_codes_issued, 1);
    assert_eq!(counters.token_exchanges, 1);
    assert_eq!(counters.token_exchange_failures, 1);
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let h = start().await;
    let page = format!(
        "{}/oauth?{}",
        h.server.intercom_app_url(),
        authorize_query(&h, "http://localhost:9999/oauth/callback/intercom", "s1")
    );
    let location = consent(&h, &page, None, "deny").await;
    assert_eq!(param(&location, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&location, "state").as_deref(), Some("s1"));
    assert!(param(&location, "code").is_none());
    assert_eq!(h.counters().oauth_codes_issued, 0);
}

#[tokio::test]
async fn the_host_form_works_and_its_form_posts_back_to_the_app_host() {
    let h = start().await;
    let page = format!(
        "{}/oauth?{}",
        h.server.base_url(),
        authorize_query(&h, CALLBACK, "hosted")
    );
    let location = consent(&h, &page, Some("app.intercom.io"), "approve").await;
    assert!(param(&location, "code").is_some());
    // The OAuth page is not on the API host, nor the API on the app host.
    let on_api = h.http.get(h.url("/oauth")).send().await.unwrap();
    assert_eq!(on_api.status(), 404);
    let api_on_app = h
        .http
        .get(format!("{}/me", h.server.intercom_app_url()))
        .bearer_auth(h.token())
        .send()
        .await
        .unwrap();
    assert_eq!(api_on_app.status(), 404);
}

#[tokio::test]
async fn unknown_clients_and_unregistered_redirects_are_refused_on_the_spot() {
    let h = start().await;
    let app = h.server.intercom_app_url();
    for query in [
        authorize_query(&h, "https://evil.example/callback", "s"),
        authorize_query(&h, "http://127.0.0.1:8080/other/path", "s"),
        "client_id=nobody&state=s".to_owned(),
    ] {
        let response = h
            .http
            .get(format!("{app}/oauth?{query}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        assert!(response.headers().get("location").is_none());
        assert!(response.text().await.unwrap().contains("id=\"reason\""));
    }
    // Registering the URI makes it acceptable.
    h.server
        .sandbox()
        .add_intercom_redirect_uri("acme", "https://app.example/callback")
        .unwrap();
    let ok = h
        .http
        .get(format!(
            "{app}/oauth?{}",
            authorize_query(&h, "https://app.example/callback", "s")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn a_consent_token_is_single_use() {
    let h = start().await;
    let page = format!(
        "{}/oauth?{}",
        h.server.intercom_app_url(),
        authorize_query(&h, CALLBACK, "once")
    );
    let html = h
        .http
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (action, mut fields) = form_of(&html);
    fields.push(("decision".to_owned(), "approve".to_owned()));
    let first = h.http.post(&action).form(&fields).send().await.unwrap();
    assert_eq!(first.status(), 302);
    let replay = h.http.post(&action).form(&fields).send().await.unwrap();
    assert_eq!(replay.status(), 400);
}

#[tokio::test]
async fn codes_expire_after_five_minutes_and_need_the_right_secret() {
    let h = start().await;
    let url = format!(
        "https://app.intercom.io/oauth?{}",
        authorize_query(&h, CALLBACK, "t")
    );
    let sandbox = h.server.sandbox();
    let secret = h.creds.oauth_client_secret.expose_secret().to_owned();

    let location = sandbox
        .intercom_consent(&url, ConsentDecision::Approve)
        .unwrap();
    let code = param(&location, "code").unwrap();
    let wrong = exchange(&h, &code, "not-the-secret").await;
    assert_error(wrong, 401, "unauthorized").await;

    let location = sandbox
        .intercom_consent(&url, ConsentDecision::Approve)
        .unwrap();
    let code = param(&location, "code").unwrap();
    h.clock.advance(Duration::seconds(301));
    assert_error(exchange(&h, &code, &secret).await, 400, "parameter_invalid").await;

    let location = sandbox
        .intercom_consent(&url, ConsentDecision::Approve)
        .unwrap();
    let code = param(&location, "code").unwrap();
    h.clock.advance(Duration::seconds(299));
    assert_eq!(exchange(&h, &code, &secret).await.status(), 200);

    let missing = h
        .http
        .post(h.url("/auth/eagle/token"))
        .form(&[("code", "x")])
        .send()
        .await
        .unwrap();
    assert_error(missing, 400, "parameter_not_found").await;
    // A form body works like JSON.
    let location = sandbox
        .intercom_consent(&url, ConsentDecision::Approve)
        .unwrap();
    let code = param(&location, "code").unwrap();
    let form = h
        .http
        .post(h.url("/auth/eagle/token"))
        .form(&[
            ("code", code.as_str()),
            ("client_id", h.creds.oauth_client_id.as_str()),
            ("client_secret", secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
}

#[tokio::test]
async fn the_token_endpoint_is_regional() {
    let h = start_many(vec![
        region("globex", IntercomRegion::Eu),
        region("acme", IntercomRegion::Us),
    ])
    .await;
    let url = format!(
        "https://app.intercom.io/oauth?{}",
        authorize_query(&h, CALLBACK, "r")
    );
    let location = h
        .server
        .sandbox()
        .intercom_consent(&url, ConsentDecision::Approve)
        .unwrap();
    let code = param(&location, "code").unwrap();
    let secret = h.creds.oauth_client_secret.expose_secret().to_owned();
    let us = h.server.intercom_base_url(IntercomRegion::Us);
    let body = json!({"code": code, "client_id": h.creds.oauth_client_id, "client_secret": secret});
    let wrong = h
        .http
        .post(format!("{us}/auth/eagle/token"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_error(wrong, 401, "unauthorized").await;
    let right = exchange(&h, &code, &secret).await;
    assert_eq!(right.status(), 200);
    let token: Value = right.json().await.unwrap();
    let token = token["access_token"].as_str().unwrap();
    let on_us = h
        .http
        .get(format!("{us}/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(on_us.status(), 401, "an EU token is unknown on the US host");
}
