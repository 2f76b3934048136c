//! [`UpstreamRequest`]: one call a connector wants made, with everything the engine needs to
//! pace, retry, log and authenticate it.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::header::{
    AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderName, HeaderValue, PROXY_AUTHORIZATION,
};
use http::{HeaderMap, Method};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use crate::budget::key::BudgetKey;
use crate::egress::origin::VendorOrigin;
use crate::error::UpstreamError;

/// Template logged when the caller gave none.
const NO_TEMPLATE: &str = "(untemplated)";

/// A request to a vendor. Build it with [`UpstreamRequest::new`] and the chained setters,
/// then hand it to [`Upstream::send`](crate::Upstream::send).
///
/// The authentication value is held as a [`SecretString`] and turned into a (sensitive)
/// header only when the request is sent; `Debug` shows neither it nor the path's ids, only the
/// path template.
pub struct UpstreamRequest {
    pub(crate) method: Method,
    pub(crate) origin: VendorOrigin,
    /// The origin with the path, built and checked once, in [`UpstreamRequest::new`].
    pub(crate) url: Url,
    pub(crate) query: Option<String>,
    pub(crate) path_template: &'static str,
    pub(crate) budget_key: BudgetKey,
    pub(crate) endpoint_budget: Option<BudgetKey>,
    pub(crate) endpoint_limit: Option<(u32, Duration)>,
    pub(crate) cost: u32,
    pub(crate) rate_window: Option<Duration>,
    pub(crate) connection_id: String,
    pub(crate) headers: HeaderMap,
    auth: Option<SecretAuth>,
    pub(crate) body: Bytes,
    pub(crate) deadline: Option<Duration>,
    idempotent: Option<bool>,
}

enum SecretAuth {
    Header {
        name: HeaderName,
        value: SecretString,
    },
    Bearer(SecretString),
    Basic {
        username: SecretString,
        password: SecretString,
    },
}

impl UpstreamRequest {
    /// A request for `path` (which must start with `/`) on `origin`, paced by `budget_key`.
    ///
    /// The path may not carry a query, fragment, backslash, control character, `.`/`..`
    /// segment or leading `//`: nothing in it can change where the request goes.
    pub fn new(
        method: Method,
        origin: &VendorOrigin,
        path: &str,
        budget_key: BudgetKey,
    ) -> Result<Self, UpstreamError> {
        check_path(path)?;
        let mut url = origin.url().clone();
        url.set_path(path);
        let base = origin.url();
        let same_origin = url.scheme() == base.scheme()
            && url.host_str() == base.host_str()
            && url.port_or_known_default() == base.port_or_known_default();
        if !same_origin || url.path() != path {
            return Err(invalid("path changes the destination"));
        }
        Ok(Self {
            method,
            origin: origin.clone(),
            url,
            query: None,
            path_template: NO_TEMPLATE,
            budget_key,
            endpoint_budget: None,
            endpoint_limit: None,
            cost: 1,
            rate_window: None,
            connection_id: String::new(),
            headers: HeaderMap::new(),
            auth: None,
            body: Bytes::new(),
            deadline: None,
            idempotent: None,
        })
    }

    /// The route as written in the connector, e.g. `/api/v2/tickets/{id}`: the only form of
    /// the path that is logged.
    #[must_use]
    pub fn path_template(mut self, template: &'static str) -> Self {
        self.path_template = template;
        self
    }

    /// The opaque connection id logged with the request event.
    #[must_use]
    pub fn connection_id(mut self, id: impl Into<String>) -> Self {
        self.connection_id = id.into();
        self
    }

    /// Appends `name=value` to the query string, form-encoded.
    #[must_use]
    pub fn query_pair(mut self, name: &str, value: &str) -> Self {
        let mut scratch = Url::parse("https://query.invalid/").ok();
        if let Some(scratch) = scratch.as_mut() {
            scratch.set_query(self.query.as_deref());
            scratch.query_pairs_mut().append_pair(name, value);
            self.query = scratch.query().map(str::to_owned);
        }
        self
    }

    /// Sets the whole query string as given (for passthrough), sent exactly so: it may hold
    /// only the visible ASCII the URL parser leaves as it is (no space, `"`, `#`, `<`, `>` or
    /// `'`, which it would encode, no other byte, which must come percent-encoded).
    pub fn raw_query(mut self, query: &str) -> Result<Self, UpstreamError> {
        let rewritten =
            |b: u8| !b.is_ascii_graphic() || matches!(b, b'"' | b'#' | b'<' | b'>' | b'\'');
        if query.bytes().any(rewritten) {
            return Err(invalid(
                "query holds a fragment, a control character or a byte that is not percent-encoded",
            ));
        }
        self.query = (!query.is_empty()).then(|| query.to_owned());
        Ok(self)
    }

    /// Adds a plain header. Credentials go through the `*_auth` methods; a credential-bearing
    /// header name given here is still marked sensitive so it is never printed.
    pub fn header(mut self, name: HeaderName, value: &str) -> Result<Self, UpstreamError> {
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| invalid("header value is not visible ascii"))?;
        if is_credential_header(&name) {
            value.set_sensitive(true);
        }
        self.headers.append(name, value);
        Ok(self)
    }

    /// Sets a header the connector writes in its code (a pinned API version, `Accept`),
    /// replacing any value it had. It cannot fail: a [`HeaderValue`] is valid by
    /// construction. Credential-bearing names are still marked sensitive.
    #[must_use]
    pub fn fixed_header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        if is_credential_header(&name) {
            value.set_sensitive(true);
        }
        self.headers.insert(name, value);
        self
    }

    /// A body with its content type.
    #[must_use]
    pub fn body(mut self, content_type: HeaderValue, body: impl Into<Bytes>) -> Self {
        self.headers.insert(CONTENT_TYPE, content_type);
        self.body = body.into();
        self
    }

    /// A JSON body (`application/json`).
    #[must_use]
    pub fn json_body(self, body: impl Into<Bytes>) -> Self {
        self.body(HeaderValue::from_static("application/json"), body)
    }

    /// `Authorization: Bearer {token}`.
    #[must_use]
    pub fn bearer_auth(mut self, token: SecretString) -> Self {
        self.auth = Some(SecretAuth::Bearer(token));
        self
    }

    /// `Authorization: Basic base64({username}:{password})`. Both parts are secret because
    /// vendors put keys in either (Freshdesk: the key is the user name).
    #[must_use]
    pub fn basic_auth(mut self, username: SecretString, password: SecretString) -> Self {
        self.auth = Some(SecretAuth::Basic { username, password });
        self
    }

    /// Any other secret header, e.g. an API key header.
    #[must_use]
    pub fn secret_header(mut self, name: HeaderName, value: SecretString) -> Self {
        self.auth = Some(SecretAuth::Header { name, value });
        self
    }

    /// Total time this call may take, waits and retries included (default from config).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// What the request is expected to cost against the account's limit, in the vendor's
    /// unit (Freshdesk: credits; a list with `include=` costs more than 1). Default 1; 0 is
    /// taken as 1. The pacer reserves this much before sending, and when the answer reports
    /// what the vendor counted (`X-Ratelimit-Used-CurrentRequest`), charges the difference.
    #[must_use]
    pub fn cost(mut self, credits: u32) -> Self {
        self.cost = credits.max(1);
        self
    }

    /// The window the vendor's rate-limit headers count over, when it is not the configured
    /// default (a minute): Intercom's `X-RateLimit-Limit` is per 10-second window. The
    /// account's limit is learned, and paced, over this window.
    #[must_use]
    pub fn rate_window(mut self, window: Duration) -> Self {
        self.rate_window = Some(window);
        self
    }

    /// A second budget the request must also pass: the vendor's own, lower cap on this
    /// endpoint of the account (Freshdesk: tickets list 20/min on Growth), named by
    /// [`BudgetKey::endpoint`] on the request's account key. A 429 while the account still
    /// had credits blocks only this key; its cap is learned from such 429s. A key that is not
    /// an endpoint of the request's account makes `send` fail with `InvalidRequest`.
    #[must_use]
    pub fn endpoint_budget(mut self, key: BudgetKey) -> Self {
        self.endpoint_budget = Some(key);
        self
    }

    /// The endpoint's documented cap, when the vendor states one (Zendesk's incremental
    /// exports: 10 requests a minute): the endpoint budget (which must be set too, else
    /// `send` fails with `InvalidRequest`, as it does for a zero `window`) is paced from the
    /// first request at `headroom` of it, with a burst small enough that no span of one
    /// `window` holds more than `requests`, instead of learning the cap from 429s. A 429 on
    /// the endpoint still blocks it for `Retry-After`, and the stated pace stays.
    #[must_use]
    pub fn endpoint_limit(mut self, requests: u32, window: Duration) -> Self {
        self.endpoint_limit = Some((requests.max(1), window));
        self
    }

    /// Marks the request safe to repeat (e.g. a POST carrying an idempotency key), or not.
    #[must_use]
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = Some(idempotent);
        self
    }

    /// Whether 5xx answers and broken connections may be retried: GET, HEAD, OPTIONS, PUT
    /// and DELETE are, unless the caller said otherwise.
    pub(crate) fn is_idempotent(&self) -> bool {
        self.idempotent.unwrap_or(matches!(
            self.method,
            Method::GET
                | Method::HEAD
                | Method::OPTIONS
                | Method::PUT
                | Method::DELETE
                | Method::TRACE
        ))
    }

    /// `{base}{path}?{query}` against either the vendor origin or the sandbox.
    pub(crate) fn url_on(&self, base: Option<&crate::SandboxOverride>) -> Url {
        let mut url = match base {
            Some(sandbox) => sandbox.url_for(self.url.path()),
            None => self.url.clone(),
        };
        url.set_query(self.query.as_deref());
        url
    }

    /// The headers to send, with the secret turned into a sensitive header value.
    pub(crate) fn wire_headers(&self) -> Result<HeaderMap, UpstreamError> {
        let mut headers = self.headers.clone();
        let Some(auth) = &self.auth else {
            return Ok(headers);
        };
        // Joined without `fmt`, and the credential's text wiped once the header value holds
        // it (the header value itself is what the request must carry).
        let (name, text) = match auth {
            SecretAuth::Header { name, value } => (
                name.clone(),
                Zeroizing::new(value.expose_secret().to_owned()),
            ),
            SecretAuth::Bearer(token) => (
                AUTHORIZATION,
                Zeroizing::new(["Bearer ", token.expose_secret()].concat()),
            ),
            SecretAuth::Basic { username, password } => {
                let pair = Zeroizing::new(
                    [username.expose_secret(), ":", password.expose_secret()].concat(),
                );
                let mut text = Zeroizing::new(String::with_capacity(
                    "Basic ".len() + pair.len().div_ceil(3) * 4,
                ));
                text.push_str("Basic ");
                STANDARD.encode_string(pair.as_bytes(), &mut text);
                (AUTHORIZATION, text)
            }
        };
        let mut value = HeaderValue::from_str(&text)
            .map_err(|_| invalid("credential is not a valid header value"))?;
        value.set_sensitive(true);
        headers.insert(name, value);
        Ok(headers)
    }
}

fn is_credential_header(name: &HeaderName) -> bool {
    name == AUTHORIZATION
        || name == PROXY_AUTHORIZATION
        || name == COOKIE
        || name.as_str().contains("token")
        || name.as_str().contains("key")
        || name.as_str().contains("secret")
}

fn invalid(reason: &'static str) -> UpstreamError {
    UpstreamError::InvalidRequest { reason }
}

fn check_path(path: &str) -> Result<(), UpstreamError> {
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(invalid("path must start with a single '/'"));
    }
    // RFC 3986 path characters only: unreserved, percent-encoded, sub-delims, ':', '@', '/'.
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:@/".contains(c);
    if !path.chars().all(allowed) {
        return Err(invalid(
            "path contains a character outside the rfc 3986 path set",
        ));
    }
    if path.split('/').any(is_dot_segment) {
        return Err(invalid("path contains a dot segment"));
    }
    // Checked on every vendor call: byte comparisons, no lower-cased copies.
    let encoded = path.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1], w[2].to_ascii_lowercase()),
                (b'2', b'f') | (b'5', b'c') | (b'0', b'0')
            )
    });
    if encoded {
        return Err(invalid("path contains an encoded slash, backslash or nul"));
    }
    Ok(())
}

/// `.` or `..`, each dot written plainly or as `%2e`/`%2E`.
fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while let Some(&first) = rest.first() {
        if first == b'.' {
            rest = &rest[1..];
        } else if rest.len() >= 3
            && first == b'%'
            && rest[1] == b'2'
            && rest[2].eq_ignore_ascii_case(&b'e')
        {
            rest = &rest[3..];
        } else {
            return false;
        }
        dots += 1;
    }
    dots == 1 || dots == 2
}

impl fmt::Debug for UpstreamRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpstreamRequest")
            .field("method", &self.method)
            .field("origin", &self.origin)
            .field("path_template", &self.path_template)
            .field("budget_key", &self.budget_key)
            .field("endpoint_budget", &self.endpoint_budget)
            .field("cost", &self.cost)
            .field("connection_id", &self.connection_id)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("auth", &self.auth.as_ref().map(|_| "[redacted]"))
            .field("body_len", &self.body.len())
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use http::header::ACCEPT;
    use proptest::prelude::*;

    use super::*;
    use crate::egress::label::DnsLabel;

    fn origin() -> VendorOrigin {
        VendorOrigin::tenant(&DnsLabel::parse("acme").unwrap(), "zendesk.com").unwrap()
    }

    fn key() -> BudgetKey {
        BudgetKey::new("zendesk", "acme").unwrap()
    }

    #[test]
    fn a_raw_query_goes_out_exactly_as_given_or_not_at_all() {
        let request = || UpstreamRequest::new(Method::GET, &origin(), "/api", key()).unwrap();
        for query in [
            "page[size]=2&sort=-updated_at",
            "q=a%27b%20c%C3%A9&x=%FF",
            "a=1;b=2&c=~!$()*+,/:?@",
        ] {
            let sent = request().raw_query(query).unwrap().url_on(None);
            assert_eq!(sent.query(), Some(query));
        }
        for query in [
            "a=1#frag", "a=b c", "a='b'", "a=\"b\"", "a=<b>", "a=é", "a=\n",
        ] {
            assert!(request().raw_query(query).is_err(), "{query:?}");
        }
    }

    #[test]
    fn paths_that_could_move_the_request_are_refused() {
        for path in [
            "",
            "api",
            "//evil.com/x",
            "/\\evil.com",
            "/a?x=1",
            "/a#f",
            "/a b",
            "/a\0",
            "/a\r\nHost: evil",
            "/../admin",
            "/api/%2e%2e/x",
            "/api/%2E./x",
            "/api/.%2E",
            "/api/%2e/x",
            "/api/./x",
            "/a%2Fb",
            "/a%5Cb",
            "/a%00b",
            "/a%2fb",
            "/a%5cb",
            "/ａ",
            "http://127.0.0.1/",
        ] {
            assert!(
                UpstreamRequest::new(Method::GET, &origin(), path, key()).is_err(),
                "{path:?}"
            );
        }
    }

    #[test]
    fn dots_that_are_not_a_dot_segment_pass() {
        for path in [
            "/api/.../x",
            "/api/.well-known",
            "/api/v2/tickets/1.json",
            "/a%2e%2e%2e",
            "/a%20b",
            "/%2",
        ] {
            assert!(
                UpstreamRequest::new(Method::GET, &origin(), path, key()).is_ok(),
                "{path:?}"
            );
        }
    }

    #[test]
    fn ordinary_paths_and_queries_build_the_expected_url() {
        let request =
            UpstreamRequest::new(Method::GET, &origin(), "/api/v2/tickets/12.json", key())
                .unwrap()
                .query_pair("page[size]", "100")
                .query_pair("q", "a&b=c");
        assert_eq!(
            request.url_on(None).as_str(),
            "https://acme.zendesk.com/api/v2/tickets/12.json?page%5Bsize%5D=100&q=a%26b%3Dc"
        );
        let odd =
            UpstreamRequest::new(Method::GET, &origin(), "/api/v2/users/@me:x", key()).unwrap();
        assert_eq!(odd.url_on(None).host_str(), Some("acme.zendesk.com"));
    }

    #[test]
    fn debug_output_never_contains_the_secret_or_the_concrete_path() {
        let request = UpstreamRequest::new(Method::GET, &origin(), "/api/v2/tickets/4242", key())
            .unwrap()
            .path_template("/api/v2/tickets/{id}")
            .bearer_auth(SecretString::from("canary-token-123"))
            .query_pair("email", "someone@example.com");
        let printed = format!("{request:?}");
        assert!(!printed.contains("canary-token-123"));
        assert!(!printed.contains("4242"));
        assert!(!printed.contains("someone@example.com"));
        assert!(printed.contains("/api/v2/tickets/{id}"));
        let headers = request.wire_headers().unwrap();
        assert!(headers[AUTHORIZATION].is_sensitive());
        assert!(!format!("{headers:?}").contains("canary-token-123"));
    }

    #[test]
    fn fixed_headers_replace_earlier_values_and_credential_names_stay_sensitive() {
        let request = UpstreamRequest::new(Method::GET, &origin(), "/api/v2/tickets", key())
            .unwrap()
            .fixed_header(ACCEPT, HeaderValue::from_static("text/plain"))
            .fixed_header(ACCEPT, HeaderValue::from_static("application/json"))
            .fixed_header(
                HeaderName::from_static("x-api-key"),
                HeaderValue::from_static("k"),
            );
        let headers = request.wire_headers().unwrap();
        assert_eq!(headers.get_all(ACCEPT).iter().count(), 1);
        assert_eq!(headers[ACCEPT], "application/json");
        assert!(headers["x-api-key"].is_sensitive());
    }

    #[test]
    fn basic_auth_is_encoded_at_send_time() {
        let request = UpstreamRequest::new(Method::GET, &origin(), "/api/v2/tickets", key())
            .unwrap()
            .basic_auth(
                SecretString::from("agent@acme.test/token"),
                SecretString::from("s3cret"),
            );
        let headers = request.wire_headers().unwrap();
        let expected = format!("Basic {}", STANDARD.encode("agent@acme.test/token:s3cret"));
        assert_eq!(headers[AUTHORIZATION].to_str().unwrap(), expected);
    }

    #[test]
    fn post_is_retryable_only_when_marked_idempotent() {
        let post =
            || UpstreamRequest::new(Method::POST, &origin(), "/api/v2/tickets", key()).unwrap();
        assert!(!post().is_idempotent());
        assert!(post().idempotent(true).is_idempotent());
        let get = UpstreamRequest::new(Method::GET, &origin(), "/api/v2/tickets", key()).unwrap();
        assert!(get.is_idempotent());
    }

    proptest! {
        #[test]
        fn no_accepted_path_or_query_changes_the_origin(path in "/\\PC{0,40}", query in "\\PC{0,20}") {
            if let Ok(request) = UpstreamRequest::new(Method::GET, &origin(), &path, key()) {
                let request = request.query_pair("q", &query);
                let url = request.url_on(None);
                prop_assert_eq!(url.origin(), origin().url().origin());
                prop_assert_eq!(url.path(), path.as_str());
            }
        }
    }
}
