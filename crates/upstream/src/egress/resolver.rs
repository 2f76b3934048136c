//! The DNS resolver the HTTP client uses: resolve, drop every non-public address, and hand
//! the client only the addresses that passed, so the connection is pinned to a checked
//! address and a second, rebinding answer never gets a say.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_trait::async_trait;
use hyper_util::client::legacy::connect::dns::Name;

use super::address::is_public;

/// Turns a host name into addresses. The production lookup is the system resolver; tests
/// plug in one that answers whatever they need (for instance a rebinding `127.0.0.1`).
///
/// A port of 0 means "the URL's port" (the system lookup always answers 0).
#[async_trait]
pub trait Lookup: Send + Sync + fmt::Debug + 'static {
    async fn lookup(&self, host: &str) -> io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver (`getaddrinfo` through tokio).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemLookup;

#[async_trait]
impl Lookup for SystemLookup {
    async fn lookup(&self, host: &str) -> io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, 0)).await?.collect())
    }
}

/// Raised (inside the client's error chain) when no resolved address may be used.
#[derive(Debug, thiserror::Error)]
#[error("every address the host resolved to is private, loopback or reserved")]
pub(crate) struct NoPublicAddress;

/// The one host name an operator lets past the public-address policy, and which of its
/// addresses it may use instead.
#[derive(Clone, Debug)]
pub(crate) struct Exemption {
    host: String,
    allows: fn(IpAddr) -> bool,
}

impl Exemption {
    /// The sandbox's host name: any address it resolves to.
    pub(crate) fn any_address(host: &str) -> Self {
        Self {
            host: host.to_owned(),
            allows: |_| true,
        }
    }

    /// `localhost` for webhooks in development: its loopback addresses only.
    pub(crate) fn loopback(host: &str) -> Self {
        Self {
            host: host.to_owned(),
            allows: |ip| ip.is_loopback(),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct GuardedResolver {
    lookup: Arc<dyn Lookup>,
    exemption: Option<Exemption>,
}

impl GuardedResolver {
    pub(crate) fn new(lookup: Arc<dyn Lookup>, exemption: Option<Exemption>) -> Self {
        Self { lookup, exemption }
    }

    pub(crate) async fn resolve_checked(
        &self,
        host: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let exempt = self
            .exemption
            .as_ref()
            .filter(|exemption| exemption.host == host)
            .map(|exemption| exemption.allows);
        let found = self.lookup.lookup(host).await?;
        let allowed: Vec<SocketAddr> = found
            .into_iter()
            .filter(|addr| exempt.map_or_else(|| is_public(addr.ip()), |allows| allows(addr.ip())))
            .collect();
        if allowed.is_empty() {
            return Err(Box::new(NoPublicAddress));
        }
        Ok(allowed)
    }
}

/// The resolver as hyper's connector calls it.
impl tower_service::Service<Name> for GuardedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let this = self.clone();
        Box::pin(async move { Ok(this.resolve_checked(name.as_str()).await?.into_iter()) })
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    #[derive(Debug)]
    struct Answers(Vec<SocketAddr>);

    #[async_trait]
    impl Lookup for Answers {
        async fn lookup(&self, _host: &str) -> io::Result<Vec<SocketAddr>> {
            Ok(self.0.clone())
        }
    }

    fn resolver(answers: &[&str], exemption: Option<Exemption>) -> GuardedResolver {
        let ips = answers
            .iter()
            .map(|a| SocketAddr::new(a.parse::<IpAddr>().unwrap(), 0))
            .collect();
        GuardedResolver::new(Arc::new(Answers(ips)), exemption)
    }

    #[tokio::test]
    async fn only_public_addresses_survive() {
        let guarded = resolver(
            &[
                "10.0.0.1",
                "93.184.216.34",
                "::ffff:127.0.0.1",
                "2606:4700::1",
            ],
            None,
        );
        let addrs = guarded.resolve_checked("acme.zendesk.com").await.unwrap();
        assert_eq!(
            addrs,
            vec![
                "93.184.216.34:0".parse().unwrap(),
                "[2606:4700::1]:0".parse().unwrap()
            ]
        );
    }

    #[tokio::test]
    async fn a_name_resolving_only_to_private_addresses_is_refused() {
        let guarded = resolver(&["127.0.0.1", "169.254.169.254", "::1"], None);
        let err = guarded
            .resolve_checked("acme.zendesk.com")
            .await
            .unwrap_err();
        assert!(err.is::<NoPublicAddress>());
    }

    #[tokio::test]
    async fn only_the_sandbox_name_may_resolve_to_loopback() {
        let guarded = resolver(&["127.0.0.1"], Some(Exemption::any_address("localhost")));
        assert!(guarded.resolve_checked("localhost").await.is_ok());
        assert!(guarded.resolve_checked("acme.zendesk.com").await.is_err());
    }

    #[tokio::test]
    async fn a_loopback_exemption_lets_only_loopback_addresses_through() {
        let guarded = resolver(
            &["10.0.0.1", "127.0.0.1", "::1", "93.184.216.34"],
            Some(Exemption::loopback("localhost")),
        );
        let addrs = guarded.resolve_checked("localhost").await.unwrap();
        assert_eq!(
            addrs,
            vec!["127.0.0.1:0".parse().unwrap(), "[::1]:0".parse().unwrap()]
        );
        let private = resolver(&["10.0.0.1"], Some(Exemption::loopback("localhost")));
        assert!(private.resolve_checked("localhost").await.is_err());
        let elsewhere = resolver(&["127.0.0.1"], Some(Exemption::loopback("localhost")));
        assert!(
            elsewhere
                .resolve_checked("hooks.example.com")
                .await
                .is_err()
        );
    }
}
