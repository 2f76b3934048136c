//! The URLs a tenant's customers come back to after a connect session. Registered per
//! tenant and compared exactly (RFC 9700 §4.1.3): no wildcard, no prefix, no normalization at
//! comparison time. So that "exactly" has one meaning, a URL is accepted only in its canonical
//! form (what a URL parser writes back), and must be absolute `https`, or `http` on a loopback
//! host for local development, without user info or fragment.

use chrono::Utc;
use deskgate_core::TenantId;
use deskgate_store::audit::AuditEvent;
use url::{Host, Url};

use crate::{App, AppError, RequestContext};

/// Most URLs one tenant registers.
pub const MAX_RETURN_URLS: usize = 20;
/// Longest URL accepted.
const MAX_LEN: usize = 2_000;

fn loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks one return URL; the message says what to change.
pub fn check_return_url(text: &str) -> Result<(), String> {
    if text.len() > MAX_LEN {
        return Err(format!("must be at most {MAX_LEN} characters"));
    }
    let url = Url::parse(text).map_err(|e| format!("must be an absolute URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if loopback(&url) => {}
        "http" => return Err("must use https (http only on a loopback host)".into()),
        other => return Err(format!("must use https, not `{other}`")),
    }
    match url.host() {
        None => return Err("must name a host".into()),
        Some(Host::Domain(d))
            if !d.split('.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            }) =>
        {
            return Err(
                "must name one host: letters, digits, hyphens and dots, no wildcard".into(),
            );
        }
        Some(_) => {}
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry user info".into());
    }
    if url.fragment().is_some() {
        return Err("must not carry a fragment".into());
    }
    if url.as_str() != text {
        return Err(format!(
            "must be written in canonical form, exactly as it will be compared: `{}`",
            url.as_str()
        ));
    }
    Ok(())
}

impl App {
    /// Replaces the tenant's return URLs; every one is checked first, and a refusal names
    /// its index (`return_urls[2]`). Duplicates are refused too.
    pub async fn set_return_urls(
        &self,
        tenant: TenantId,
        urls: Vec<String>,
        ctx: &RequestContext,
    ) -> Result<Vec<String>, AppError> {
        if urls.len() > MAX_RETURN_URLS {
            return Err(AppError::invalid(
                "return_urls",
                format!("at most {MAX_RETURN_URLS} return URLs"),
            ));
        }
        for (i, url) in urls.iter().enumerate() {
            check_return_url(url).map_err(|m| AppError::invalid(format!("return_urls[{i}]"), m))?;
            if urls[..i].contains(url) {
                return Err(AppError::invalid(
                    format!("return_urls[{i}]"),
                    "is listed twice",
                ));
            }
        }
        let now = Utc::now();
        let audit = AuditEvent {
            tenant_id: Some(tenant),
            at: now,
            actor: ctx.actor.to_string(),
            action: "settings.return_urls".into(),
            target: Some(format!("tenant:{tenant}")),
            request_id: ctx.request_id.clone(),
            detail: serde_json::json!({ "return_urls": urls }),
        };
        self.store()
            .replace_return_urls(tenant, &urls, now, &audit)
            .await?;
        self.return_urls(tenant).await
    }

    /// The tenant's return URLs, sorted.
    pub async fn return_urls(&self, tenant: TenantId) -> Result<Vec<String>, AppError> {
        Ok(self.store().return_urls(tenant).await?)
    }

    /// Whether `url` is, character for character, one of the tenant's return URLs.
    pub async fn is_return_url(&self, tenant: TenantId, url: &str) -> Result<bool, AppError> {
        Ok(self.return_urls(tenant).await?.iter().any(|u| u == url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_in_canonical_form_are_accepted() {
        for ok in [
            "https://app.example.com/connected",
            "https://app.example.com:8443/back?from=deskgate",
            "http://127.0.0.1:3000/cb",
            "http://localhost/cb",
            "http://[::1]:8080/cb",
        ] {
            assert_eq!(check_return_url(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn everything_else_is_refused_with_what_to_change() {
        let cases = [
            ("app.example.com/cb", "absolute"),
            ("http://app.example.com/cb", "https"),
            ("ftp://app.example.com/cb", "https"),
            ("javascript:alert(1)", "https"),
            ("https://user:pw@app.example.com/cb", "user info"),
            ("https://app.example.com/cb#frag", "fragment"),
            ("https://APP.example.com/cb", "canonical"),
            ("https://app.example.com", "canonical"),
            ("https://app.example.com:443/cb", "canonical"),
            ("https://app.example.com/a/../cb", "canonical"),
            ("https://*.example.com/cb", "wildcard"),
        ];
        for (bad, words) in cases {
            let e = check_return_url(bad).unwrap_err();
            assert!(e.contains(words), "{bad}: {e}");
        }
        assert!(check_return_url(&format!("https://a.example/{}", "x".repeat(2000))).is_err());
    }
}
