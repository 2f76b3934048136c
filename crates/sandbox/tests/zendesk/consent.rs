//! The consent step of the authorize flow: the page, its Approve and Deny, the one-time
//! consent token, and the helper for callers without a browser. Pages are read and posted
//! as a browser would: the form's action and hidden fields, plus the clicked button.

use chrono::Duration;
use deskgate_sandbox::{ConsentDecision, SandboxError};
use serde_json::{Value, json};

use crate::oauth::{REDIRECT, VERIFIER, authorize_url, challenge, exchange};
use crate::support::{Harness, start};

/// The consent page's form, as a browser sees it.
pub(crate) struct ConsentForm {
    pub(crate) action: String,
    pub(crate) fields: Vec<(String, String)>,
}

impl ConsentForm {
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn set(&mut self, name: &str, value: &str) {
        for (k, v) in &mut self.fields {
            if k == name {
                *v = value.to_owned();
            }
        }
    }

    pub(crate) fn remove(&mut self, name: &str) {
        self.fields.retain(|(k, _)| k != name);
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The value of attribute `name` in the tag starting at `tag`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let tag = &tag[..tag.find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

/// Reads the form of a consent page: its action and its hidden fields.
pub(crate) fn read_form(page: &str) -> ConsentForm {
    let form = &page[page.find("<form").expect("a form")..];
    let action = attribute(form, "action").expect("a form action");
    let fields = form
        .split("<input")
        .skip(1)
        .filter(|tag| attribute(tag, "type").as_deref() == Some("hidden"))
        .map(|tag| {
            (
                attribute(tag, "name").unwrap(),
                attribute(tag, "value").unwrap(),
            )
        })
        .collect();
    ConsentForm { action, fields }
}

/// Opens the consent page for `url`, checking it is a page and not a redirect.
pub(crate) async fn open(h: &Harness, url: reqwest::Url) -> (String, ConsentForm) {
    let response = h.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("location").is_none());
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let page = response.text().await.unwrap();
    let form = read_form(&page);
    (page, form)
}

/// Clicks a button: posts the hidden fields and `decision`, as a browser does.
pub(crate) async fn submit(h: &Harness, form: &ConsentForm, decision: &str) -> reqwest::Response {
    let mut fields = form.fields.clone();
    fields.push(("decision".to_owned(), decision.to_owned()));
    h.http
        .post(&form.action)
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// The query of a redirect's `Location`, checking it goes to the registered callback.
pub(crate) fn redirected(response: &reqwest::Response) -> Vec<(String, String)> {
    assert_eq!(response.status(), 302);
    let location = reqwest::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(&location.as_str()[..REDIRECT.len()], REDIRECT);
    location.query_pairs().into_owned().collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn codes_issued(h: &Harness) -> u64 {
    h.server
        .sandbox()
        .zendesk_counters("acme")
        .unwrap()
        .authorization_codes_issued
}

async fn refused(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    response.text().await.unwrap()
}

#[tokio::test]
async fn the_authorize_page_asks_for_consent_and_issues_no_code() {
    let h = start().await;
    let (page, form) = open(&h, authorize_url(&h, "st4te")).await;
    assert!(page.contains("<main>") && page.contains("<h1>"));
    assert!(page.contains(&h.creds.oauth_client_id));
    assert!(page.contains(&h.creds.admin_email));
    assert!(page.contains("<strong id=\"account\">acme</strong>"));
    assert!(
        page.contains("<li><code>read</code></li>") && page.contains("<li><code>write</code></li>")
    );
    assert!(page.contains(
        "<button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Approve</button>"
    ));
    assert!(page.contains(
        "<button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>"
    ));
    assert!(!page.contains("<script"));
    assert_eq!(form.action, h.url("/oauth/authorizations"));
    assert!(form.field("consent_token").is_some());
    assert_eq!(form.field("redirect_uri"), Some(REDIRECT));
    assert_eq!(form.field("state"), Some("st4te"));
    assert_eq!(
        form.field("code_challenge"),
        Some(challenge(VERIFIER).as_str())
    );
    assert_eq!(codes_issued(&h), 0);
}

#[tokio::test]
async fn approving_redirects_with_a_code_and_the_state() {
    let h = start().await;
    let (_, form) = open(&h, authorize_url(&h, "st4te")).await;
    let pairs = redirected(&submit(&h, &form, "approve").await);
    assert_eq!(param(&pairs, "state"), Some("st4te"));
    assert!(param(&pairs, "error").is_none());
    let code = param(&pairs, "code").unwrap();
    assert_eq!(codes_issued(&h), 1);
    assert_eq!(exchange(&h, code, VERIFIER).await.0, 201);
}

#[tokio::test]
async fn denying_redirects_with_access_denied_and_the_state() {
    let h = start().await;
    let (_, form) = open(&h, authorize_url(&h, "st4te")).await;
    let pairs = redirected(&submit(&h, &form, "deny").await);
    assert_eq!(param(&pairs, "error"), Some("access_denied"));
    assert!(param(&pairs, "error_description").is_some_and(|d| !d.is_empty()));
    assert_eq!(param(&pairs, "state"), Some("st4te"));
    assert!(param(&pairs, "code").is_none());
    assert_eq!(codes_issued(&h), 0);
}

#[tokio::test]
async fn a_decision_without_a_known_consent_token_is_refused() {
    let h = start().await;
    let (_, mut form) = open(&h, authorize_url(&h, "s")).await;
    let token = form.field("consent_token").unwrap().to_owned();
    form.remove("consent_token");
    refused(submit(&h, &form, "approve").await).await;
    form.fields
        .push(("consent_token".to_owned(), "0".repeat(64)));
    refused(submit(&h, &form, "approve").await).await;
    // Neither attempt used up the page's own token.
    form.set("consent_token", &token);
    redirected(&submit(&h, &form, "approve").await);
    assert_eq!(codes_issued(&h), 1);
}

#[tokio::test]
async fn a_consent_token_works_once() {
    let h = start().await;
    let (_, form) = open(&h, authorize_url(&h, "s")).await;
    redirected(&submit(&h, &form, "deny").await);
    let page = refused(submit(&h, &form, "approve").await).await;
    assert!(page.contains("<main>"), "{page}");
    assert_eq!(codes_issued(&h), 0);
}

#[tokio::test]
async fn a_consent_page_expires_after_a_few_minutes() {
    let h = start().await;
    let (_, form) = open(&h, authorize_url(&h, "s")).await;
    h.clock.advance(Duration::seconds(299));
    let (_, fresh) = open(&h, authorize_url(&h, "s")).await;
    h.clock.advance(Duration::seconds(1));
    refused(submit(&h, &form, "approve").await).await;
    redirected(&submit(&h, &fresh, "approve").await);
    assert_eq!(codes_issued(&h), 1);
}

#[tokio::test]
async fn a_decision_for_other_parameters_than_the_page_showed_is_refused() {
    let h = start().await;
    // Another registered callback: only the difference from the page is wrong.
    let other = "http://localhost/oauth/callback/zendesk";
    let changes: [(&str, Option<&str>); 4] = [
        ("redirect_uri", Some(other)),
        ("scope", Some("read write impersonate")),
        ("state", Some("another")),
        ("code_challenge", None),
    ];
    for (name, value) in changes {
        let (_, mut form) = open(&h, authorize_url(&h, "s")).await;
        match value {
            Some(v) => form.set(name, v),
            None => form.remove(name),
        }
        let page = refused(submit(&h, &form, "approve").await).await;
        assert!(page.contains("does not match"), "{name}: {page}");
    }
    assert_eq!(codes_issued(&h), 0);
}

#[tokio::test]
async fn a_decision_must_be_approve_or_deny() {
    let h = start().await;
    let (_, form) = open(&h, authorize_url(&h, "s")).await;
    refused(submit(&h, &form, "maybe").await).await;
    redirected(&submit(&h, &form, "approve").await);
}

#[tokio::test]
async fn requests_the_page_would_refuse_get_no_page() {
    let h = start().await;
    let mut url = authorize_url(&h, "s");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "response_type" {
                (k, "token".to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(&pairs);
    let response = h.http.get(url).send().await.unwrap();
    let back = redirected(&response);
    assert_eq!(param(&back, "error"), Some("unsupported_response_type"));
    assert_eq!(param(&back, "state"), Some("s"));
}

#[tokio::test]
async fn the_helper_decides_without_a_page() {
    let h = start().await;
    let sandbox = h.server.sandbox();
    let url = authorize_url(&h, "st4te");
    let approved = sandbox
        .zendesk_consent("acme", url.as_str(), ConsentDecision::Approve)
        .unwrap();
    let approved = reqwest::Url::parse(&approved).unwrap();
    let pairs: Vec<(String, String)> = approved.query_pairs().into_owned().collect();
    assert_eq!(param(&pairs, "state"), Some("st4te"));
    assert_eq!(
        exchange(&h, param(&pairs, "code").unwrap(), VERIFIER)
            .await
            .0,
        201
    );

    let denied = sandbox
        .zendesk_consent("acme", url.as_str(), ConsentDecision::Deny)
        .unwrap();
    assert!(denied.starts_with(REDIRECT), "{denied}");
    assert!(denied.contains("error=access_denied") && denied.contains("state=st4te"));

    let evil = url
        .as_str()
        .replace("127.0.0.1%3A9999%2Foauth", "evil.example%2Foauth");
    assert_ne!(evil, url.as_str());
    assert!(matches!(
        sandbox.zendesk_consent("acme", &evil, ConsentDecision::Approve),
        Err(SandboxError::AuthorizeRefused(_))
    ));
    assert!(matches!(
        sandbox.zendesk_consent("nobody", url.as_str(), ConsentDecision::Approve),
        Err(SandboxError::UnknownAccount(_))
    ));
    assert_eq!(codes_issued(&h), 1);
}

#[tokio::test]
async fn the_control_api_decides_without_a_page() {
    let h = start().await;
    let control = format!("{}/_sandbox/zendesk/acme/consent", h.server.base_url());
    let url = authorize_url(&h, "st4te");
    let response = h
        .http
        .post(&control)
        .json(&json!({"authorize_url": url.as_str(), "decision": "deny"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let location = response.json::<Value>().await.unwrap()["location"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(location.contains("error=access_denied") && location.contains("state=st4te"));

    let response = h
        .http
        .post(&control)
        .json(&json!({"authorize_url": "http://127.0.0.1/not/authorize", "decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(codes_issued(&h), 0);
}
