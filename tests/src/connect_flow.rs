//! Driving the hosted connect page over HTTP, as a browser without JavaScript would: read a
//! page's forms, post them, follow redirects by hand.

use reqwest::header::{CONTENT_TYPE, LOCATION};
use serde_json::{Value, json};

use crate::TestApp;

/// The sandbox's registered return URL for these tests.
pub const RETURN_URL: &str = "https://app.acme.example/helpdesk/connected";

/// `&amp;` and friends back to text.
pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `name="…" value="…"` pairs of a page's hidden inputs, in order.
pub fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in html.split("<input").skip(1) {
        let tag = chunk.split('>').next().unwrap_or_default();
        if !tag.contains("type=\"hidden\"") {
            continue;
        }
        let attr = |name: &str| {
            let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
            let end = tag[start..].find('"')? + start;
            Some(unescape(&tag[start..end]))
        };
        if let (Some(n), Some(v)) = (attr("name"), attr("value")) {
            out.push((n, v));
        }
    }
    out
}

/// The value of the first `<form … action="…">` in a page.
pub fn form_action(html: &str) -> Option<String> {
    let start = html.find("<form")?;
    let tag = &html[start..start + html[start..].find('>')?];
    let a = tag.find("action=\"")? + 8;
    let e = tag[a..].find('"')? + a;
    Some(unescape(&tag[a..e]))
}

/// A client that follows no redirect, as each step is checked by hand.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `Location` of a redirect.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("no Location on a {}", res.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// A query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

impl TestApp {
    /// Registers the test return URL and, for Zendesk, the sandbox account's OAuth client as
    /// the tenant's app.
    pub async fn prepare_connect(&self, key: &str, zendesk_app_of: Option<&str>) {
        let res = self
            .put("/v1/settings/return-urls", key)
            .json(&json!({"return_urls": [RETURN_URL, "http://127.0.0.1:9/cb"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        if let Some(sub) = zendesk_app_of {
            let c = self.zendesk(sub);
            let res = self
                .put("/v1/oauth-apps/zendesk", key)
                .json(&json!({
                    "client_id": c.oauth_client_id,
                    "client_secret": secrecy::ExposeSecret::expose_secret(&c.oauth_client_secret),
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
    }

    /// One API call with the tenant's key: its status and JSON answer.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), self.url(path))
            .bearer_auth(key);
        if let Some(body) = body {
            request = request.json(body);
        }
        crate::read(request.send().await.unwrap()).await
    }

    /// Opens a connect session; returns its link and the answer.
    pub async fn connect_session(&self, key: &str, body: Value) -> (String, Value) {
        let res = self
            .post("/v1/connect/sessions", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let v: Value = res.json().await.unwrap();
        (v["connect_url"].as_str().unwrap().to_owned(), v)
    }

    /// Posts one of the page's forms (its hidden fields plus `fields`) to `page_url`.
    pub async fn post_page(
        &self,
        page_url: &str,
        page_html: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        post_form(page_url, page_html, fields).await
    }
}

/// Posts the connect page's form (its hidden fields, the cancel form's left out, plus
/// `fields`) to `page_url`, as a browser would.
pub async fn post_form(
    page_url: &str,
    page_html: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(String, String)> = hidden_inputs(page_html)
        .into_iter()
        .filter(|(n, v)| !(n == "action" && v == "cancel"))
        .collect();
    // The connect form's hidden fields come first; the cancel form repeats the token.
    form.dedup_by(|a, b| a.0 == b.0);
    for (k, v) in fields {
        form.retain(|(n, _)| n != k);
        form.push(((*k).to_owned(), (*v).to_owned()));
    }
    browser()
        .post(page_url)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish(),
        )
        .send()
        .await
        .unwrap()
}

/// A page's status and HTML.
pub async fn page(url: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let res = browser().get(url).send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.text().await.unwrap(), headers)
}

/// Starts Zendesk OAuth on a connect page: the vendor's authorize URL it redirects to.
pub async fn start_zendesk_oauth(page_url: &str, subdomain: &str) -> String {
    let (status, html, _) = page(&format!("{page_url}?provider=zendesk&mode=oauth_code")).await;
    assert_eq!(status, 200, "{html}");
    let res = post_form(page_url, &html, &[("subdomain", subdomain)]).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    location(&res)
}

/// Shows the sandbox's consent page and answers it (`approve` or `deny`); returns where
/// Zendesk sends the browser.
pub async fn consent(authorize_url: &str, decision: &str) -> String {
    let (status, html, _) = page(authorize_url).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"approve\"") && html.contains("id=\"deny\""));
    let action = form_action(&html).unwrap();
    let action = url::Url::parse(authorize_url)
        .unwrap()
        .join(&action)
        .unwrap();
    let mut form = hidden_inputs(&html);
    form.push(("decision".into(), decision.into()));
    let res = browser()
        .post(action)
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302, "{}", res.text().await.unwrap());
    location(&res)
}
