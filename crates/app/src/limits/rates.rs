//! Request rates per API key and per tenant.
//!
//! Each is a GCRA in a keyed `governor` limiter: `per_minute` on average, `burst` at once.
//! A request is counted against its key first and, if the key lets it through, against its
//! tenant: a key over its own limit spends none of its tenant's (other keys of the tenant are
//! not held back by it), and a request the tenant refuses has spent a cell of its key. The
//! stricter of the two decides.
//!
//! Only authenticated requests are counted, so the limiters hold at most one entry per key
//! and tenant that called lately. Every [`PRUNE_EVERY`] admissions, entries whose bucket is
//! full again (indistinguishable from a new one) are dropped, so memory follows the keys
//! active in the last burst's refill time, not every key ever seen.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use deskgate_core::TenantId;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::{StateInformationMiddleware, StateSnapshot};
use governor::state::keyed::DashMapStateStore;
use governor::{NotUntil, Quota, RateLimiter};

use super::settings::Rate;

/// Admissions between two prunings of idle entries.
const PRUNE_EVERY: u32 = 1 << 14;

type Keyed<K> = RateLimiter<K, DashMapStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// Which limit a figure or a refusal is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Key,
    Tenant,
}

/// What is left of one limit after a request: `left` more requests may come at once, and
/// all of the burst is back after `full_in`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remaining {
    pub left: u32,
    pub full_in: Duration,
}

/// What is left of both limits after an admitted request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub key: Remaining,
    pub tenant: Remaining,
}

/// A refused request: which limit, and when the next request would be let through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub by: Policy,
    pub rate: Rate,
    pub retry_after: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    Admitted(Standing),
    Refused(Refusal),
}

/// The limiters of this replica.
pub struct RateLimits {
    keys: Keyed<String>,
    tenants: Keyed<TenantId>,
    key: Rate,
    tenant: Rate,
    admitted: AtomicU32,
}

impl fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimits")
            .field("key", &self.key)
            .field("tenant", &self.tenant)
            .field("keys", &self.keys.len())
            .field("tenants", &self.tenants.len())
            .finish()
    }
}

fn quota(rate: Rate) -> Quota {
    let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(rate.interval())
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
        .allow_burst(burst)
}

impl RateLimits {
    /// Limiters for `key` and `tenant` rates (checked by
    /// [`LimitSettings::validate`](super::LimitSettings::validate)).
    pub fn new(key: Rate, tenant: Rate) -> Self {
        Self {
            keys: RateLimiter::dashmap(quota(key)).with_middleware(),
            tenants: RateLimiter::dashmap(quota(tenant)).with_middleware(),
            key,
            tenant,
            admitted: AtomicU32::new(0),
        }
    }

    /// The configured rates, per key and per tenant.
    pub fn rates(&self) -> (Rate, Rate) {
        (self.key, self.tenant)
    }

    /// Counts one request of `key_id` (of `tenant`). Allocates only the first time a key or
    /// tenant is seen since it was last pruned.
    pub fn admit(&self, key_id: &String, tenant: TenantId) -> Admission {
        let key = match self.keys.check_key(key_id) {
            Ok(snapshot) => remaining(self.key, &snapshot),
            Err(not_until) => return self.refused(Policy::Key, self.key, &not_until),
        };
        let tenant = match self.tenants.check_key(&tenant) {
            Ok(snapshot) => remaining(self.tenant, &snapshot),
            Err(not_until) => return self.refused(Policy::Tenant, self.tenant, &not_until),
        };
        if self.admitted.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
        Admission::Admitted(Standing { key, tenant })
    }

    fn refused(
        &self,
        by: Policy,
        rate: Rate,
        not_until: &NotUntil<<DefaultClock as Clock>::Instant>,
    ) -> Admission {
        Admission::Refused(Refusal {
            by,
            rate,
            retry_after: not_until.wait_time_from(self.keys.clock().now()),
        })
    }

    /// Drops the entries of keys and tenants whose burst is whole again.
    pub fn prune(&self) {
        self.keys.retain_recent();
        self.keys.shrink_to_fit();
        self.tenants.retain_recent();
        self.tenants.shrink_to_fit();
    }

    /// Keys and tenants held, for tests and the debug view.
    pub fn entries(&self) -> (usize, usize) {
        (self.keys.len(), self.tenants.len())
    }
}

impl crate::App {
    /// Counts an authenticated request against its key and tenant; `None` when limits are
    /// off.
    pub fn admit(&self, auth: &crate::api_keys::Authenticated) -> Option<Admission> {
        self.rate_limits()
            .map(|limits| limits.admit(&auth.key_id, auth.tenant))
    }
}

fn remaining(rate: Rate, snapshot: &StateSnapshot) -> Remaining {
    let left = snapshot.remaining_burst_capacity().min(rate.burst);
    Remaining {
        left,
        full_in: rate.interval().saturating_mul(rate.burst - left),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(burst: u32) -> Rate {
        // One cell a minute: nothing comes back while a test runs.
        Rate {
            per_minute: 1,
            burst,
        }
    }

    #[test]
    fn a_key_gets_its_burst_then_is_refused_until_a_cell_comes_back() {
        let limits = RateLimits::new(slow(3), slow(100));
        let tenant = TenantId::new();
        let key = "k1".to_owned();
        let left: Vec<u32> = (0..3)
            .map(|_| match limits.admit(&key, tenant) {
                Admission::Admitted(s) => s.key.left,
                Admission::Refused(r) => panic!("refused: {r:?}"),
            })
            .collect();
        assert_eq!(left, [2, 1, 0]);
        let Admission::Refused(refusal) = limits.admit(&key, tenant) else {
            panic!("the fourth request was let through");
        };
        assert_eq!(refusal.by, Policy::Key);
        assert!(refusal.retry_after > Duration::from_secs(50), "{refusal:?}");
        assert!(
            refusal.retry_after <= Duration::from_secs(60),
            "{refusal:?}"
        );
    }

    #[test]
    fn the_tenant_limit_holds_back_every_key_of_the_tenant_and_no_other_tenant() {
        let limits = RateLimits::new(slow(10), slow(4));
        let (tenant, other) = (TenantId::new(), TenantId::new());
        let (a, b) = ("a".to_owned(), "b".to_owned());
        for _ in 0..3 {
            assert!(matches!(limits.admit(&a, tenant), Admission::Admitted(_)));
        }
        assert!(matches!(limits.admit(&b, tenant), Admission::Admitted(_)));
        let Admission::Refused(refusal) = limits.admit(&b, tenant) else {
            panic!("the tenant's fifth request was let through");
        };
        assert_eq!(refusal.by, Policy::Tenant);
        assert!(matches!(
            limits.admit(&"c".to_owned(), other),
            Admission::Admitted(_)
        ));
    }

    #[test]
    fn a_key_over_its_limit_spends_nothing_of_its_tenant() {
        let limits = RateLimits::new(slow(1), slow(3));
        let tenant = TenantId::new();
        let a = "a".to_owned();
        assert!(matches!(limits.admit(&a, tenant), Admission::Admitted(_)));
        for _ in 0..10 {
            assert!(matches!(limits.admit(&a, tenant), Admission::Refused(_)));
        }
        let Admission::Admitted(standing) = limits.admit(&"b".to_owned(), tenant) else {
            panic!("the tenant's second request was refused");
        };
        assert_eq!(standing.tenant.left, 1);
        assert_eq!(standing.tenant.full_in, Duration::from_secs(120));
    }

    #[test]
    fn pruning_drops_keys_whose_burst_is_whole_again() {
        let fast = Rate {
            per_minute: 6_000_000,
            burst: 1,
        };
        let limits = RateLimits::new(fast, fast);
        for i in 0..1000 {
            let _ = limits.admit(&format!("key-{i}"), TenantId::new());
        }
        assert_eq!(limits.entries(), (1000, 1000));
        std::thread::sleep(Duration::from_millis(5));
        limits.prune();
        assert_eq!(limits.entries(), (0, 0));
    }
}
