//! [`Budgets`]: every account's budget, the waiting, and the sharing of blocks.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use moka::future::Cache;
use tokio::sync::Notify;
use tokio::time::{Instant, sleep_until, timeout_at};

use super::account::{AccountState, Admission};
use super::headers;
use super::key::BudgetKey;
use super::lane::Lane;
use super::registry::BlockRegistry;
use super::replicas::Replicas;
use super::state::BudgetState;
use crate::clock::WallClock;
use crate::config::BudgetConfig;
use crate::error::UpstreamError;

#[derive(Debug)]
struct Account {
    state: Mutex<AccountState>,
    /// Woken when a probe answers or is abandoned.
    probe_settled: Notify,
}

impl Account {
    fn lock(&self) -> MutexGuard<'_, AccountState> {
        // The state stays consistent between statements, so a panic elsewhere cannot leave
        // it half-written: recover the guard.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The right to send one request on an account (and an endpoint's cap, if it named one).
/// Dropping it unanswered (an error, a cancelled call) hands the probe role, if it had it, to
/// the next caller.
#[derive(Debug)]
pub(crate) struct Permit {
    account: Arc<Account>,
    endpoint: Option<Arc<Account>>,
    probe: bool,
    /// Taken from the account's pacer at admission; the vendor's own count is charged
    /// against it when the answer arrives.
    reserved: u32,
    /// The window the vendor's limit counts over, when the request named one.
    window: Option<Duration>,
    /// What the request counts as in flight on the account until it is answered or dropped.
    in_flight: u32,
}

impl Permit {
    /// The window the request's vendor counts its limit over (`UpstreamRequest::rate_window`).
    #[must_use]
    pub(crate) fn rate_window(mut self, window: Option<Duration>) -> Self {
        self.window = window;
        self
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut state = self.account.lock();
        state.settle(self.in_flight);
        if self.probe {
            state.abandon_probe();
            drop(state);
            self.account.probe_settled.notify_waiters();
        }
    }
}

/// What one request asks of the budgets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Demand<'a> {
    /// The account.
    pub(crate) key: &'a BudgetKey,
    /// An endpoint's own cap the request also passes.
    pub(crate) endpoint: Option<&'a BudgetKey>,
    /// That endpoint's documented cap (requests per window), when the request states it.
    pub(crate) endpoint_limit: Option<(u32, Duration)>,
    /// What the request is expected to cost the account, in the vendor's unit.
    pub(crate) cost: u32,
    pub(crate) lane: Lane,
}

#[derive(Debug)]
pub(crate) struct Budgets {
    accounts: Cache<BudgetKey, Arc<Account>>,
    registry: Arc<dyn BlockRegistry>,
    clock: Arc<dyn WallClock>,
    config: BudgetConfig,
    /// Between how many replicas each account's pace is split.
    replicas: Replicas,
}

impl Budgets {
    pub(crate) fn new(
        config: BudgetConfig,
        registry: Arc<dyn BlockRegistry>,
        clock: Arc<dyn WallClock>,
        replicas: Replicas,
    ) -> Self {
        let accounts = Cache::builder()
            .max_capacity(config.max_accounts)
            .time_to_idle(Duration::from_secs(config.idle_account_ttl_secs))
            .build();
        Self {
            accounts,
            registry,
            clock,
            config,
            replicas,
        }
    }

    pub(crate) fn replicas(&self) -> &Replicas {
        &self.replicas
    }

    /// The budget of `key`; an endpoint key gets an endpoint's state (see `account`).
    async fn account(&self, key: &BudgetKey) -> Arc<Account> {
        self.accounts
            .get_with(key.clone(), async {
                let state = if key.endpoint_name().is_some() {
                    AccountState::endpoint()
                } else {
                    AccountState::new()
                };
                Arc::new(Account {
                    state: Mutex::new(state),
                    probe_settled: Notify::new(),
                })
            })
            .await
    }

    /// Whether the account, or the endpoint, is blocked at `now`.
    fn blocked(account: &Account, endpoint: Option<&Arc<Account>>, now: Instant) -> bool {
        account.lock().blocked_at(now).is_some()
            || endpoint.is_some_and(|endpoint| endpoint.lock().blocked_at(now).is_some())
    }

    /// Waits until the request may go on its account (and on its endpoint's cap, if it names
    /// one), or fails at once when that would be after `deadline`. Returns the permit and
    /// the time spent waiting.
    pub(crate) async fn acquire(
        &self,
        demand: &Demand<'_>,
        deadline: Instant,
    ) -> Result<(Permit, Duration), UpstreamError> {
        let start = Instant::now();
        let (key, endpoint_key) = (demand.key, demand.endpoint);
        let account = self.account(key).await;
        let endpoint = match endpoint_key {
            Some(endpoint_key) => Some(self.account(endpoint_key).await),
            None => None,
        };
        loop {
            self.sync_from_registry(key, &account).await;
            if let (Some(endpoint_key), Some(endpoint)) = (endpoint_key, endpoint.as_ref()) {
                self.sync_from_registry(endpoint_key, endpoint).await;
            }
            let now = Instant::now();
            let (admission, probe_settled) = {
                // Always the account first, then the endpoint: one lock order, no deadlock.
                let mut state = account.lock();
                let mut endpoint_state = endpoint.as_ref().map(|endpoint| endpoint.lock());
                if let (Some(endpoint), Some((requests, window))) =
                    (endpoint_state.as_deref_mut(), demand.endpoint_limit)
                {
                    endpoint.state_cap(requests, window, &self.config);
                }
                let admission = state.admit(
                    endpoint_state.as_deref_mut(),
                    now,
                    deadline,
                    demand.cost,
                    demand.lane,
                    self.replicas.get(),
                );
                // Created under the lock, so a probe settling right after cannot be missed.
                let probe_settled = matches!(admission, Ok(Admission::AwaitProbe))
                    .then(|| account.probe_settled.notified());
                (admission, probe_settled)
            };
            match admission {
                Err(retry_after) => return Err(UpstreamError::RateLimited { retry_after }),
                Ok(Admission::Go {
                    at,
                    probe,
                    reserved,
                }) => {
                    let permit = Permit {
                        account: Arc::clone(&account),
                        endpoint: endpoint.clone(),
                        probe,
                        reserved,
                        window: None,
                        in_flight: demand.cost,
                    };
                    if at > now {
                        sleep_until(at).await;
                        // A 429 may have arrived while this slot was waiting: then queue again.
                        if Self::blocked(&account, endpoint.as_ref(), Instant::now()) {
                            continue;
                        }
                    }
                    return Ok((permit, start.elapsed()));
                }
                Ok(Admission::Blocked(until) | Admission::Later(until)) => sleep_until(until).await,
                Ok(Admission::AwaitProbe) => {
                    if let Some(settled) = probe_settled {
                        timeout_at(deadline, settled)
                            .await
                            .map_err(|_| UpstreamError::Timeout)?;
                    }
                }
            }
        }
    }

    /// Learns from an answer: the account's headers, the credits the vendor counted (also
    /// added to what the request's lane spent), and for an endpoint one more request through
    /// its cap. A 429 (or a 503 with `Retry-After`) blocks the account, or only the endpoint
    /// when the account still had credits for the request; the block is shared and its
    /// length returned.
    pub(crate) async fn record(
        &self,
        demand: &Demand<'_>,
        mut permit: Permit,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Option<Duration> {
        let (key, endpoint_key, cost) = (demand.key, demand.endpoint, demand.cost);
        let now = Instant::now();
        let wall = self.clock.now();
        let seen = headers::observe(headers, wall);
        let explicit = headers::retry_after(headers, wall);
        let limited = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::SERVICE_UNAVAILABLE && explicit.is_some());
        let endpoint = endpoint_key.zip(permit.endpoint.clone());
        let block = {
            let mut state = permit.account.lock();
            state.observe(now, &seen, permit.window, &self.config);
            if let Some(used) = seen.used {
                state.charge(now, used, permit.reserved);
            }
            // An endpoint's cap is the only explanation for a 429 while the account, as last
            // reported, still had the credits this request costs.
            let endpoint_capped = status == StatusCode::TOO_MANY_REQUESTS
                && state.remaining.is_some_and(|remaining| remaining > cost);
            match endpoint {
                Some((endpoint_key, endpoint)) if limited && endpoint_capped => {
                    drop(state);
                    // Retry-After only: a reset in the rate headers is the account's.
                    let wait = endpoint.lock().endpoint_capped(now, explicit, &self.config);
                    Some((endpoint_key, wait))
                }
                // Never exponential on top of an explicit wait: Retry-After, else the reset
                // time the rate headers gave, else back off.
                _ if limited => Some((
                    key,
                    state.rate_limited(now, explicit.or(seen.reset_after), &self.config),
                )),
                _ => {
                    // A refused request spent nothing; an answered one what the vendor
                    // counted, or else what it was declared to cost.
                    state.answered();
                    state.spent.add(demand.lane, seen.used.unwrap_or(cost));
                    drop(state);
                    if let Some((_, endpoint)) = endpoint {
                        let mut endpoint = endpoint.lock();
                        endpoint.answered();
                        endpoint.went_through(now, &self.config);
                        endpoint.spent.add(demand.lane, 1);
                    }
                    None
                }
            }
        };
        if permit.probe {
            permit.probe = false;
            permit.account.probe_settled.notify_waiters();
        }
        let (blocked_key, wait) = block?;
        let until = wall + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
        if let Err(error) = self.registry.store(blocked_key, until).await {
            tracing::warn!(budget_key = %blocked_key, error = %error, "could not share an upstream block");
        }
        Some(wait)
    }

    async fn sync_from_registry(&self, key: &BudgetKey, account: &Account) {
        let now = Instant::now();
        let refresh = Duration::from_millis(self.config.registry_refresh_ms);
        {
            let mut state = account.lock();
            if state
                .last_registry_sync
                .is_some_and(|last| now.duration_since(last) < refresh)
            {
                return;
            }
            state.last_registry_sync = Some(now);
        }
        match self.registry.load(key).await {
            Ok(Some(until)) => {
                let Ok(wait) = (until - self.clock.now()).to_std() else {
                    return;
                };
                let wait = wait.min(Duration::from_secs(self.config.max_block_secs));
                if !wait.is_zero() {
                    account.lock().blocked_elsewhere(Instant::now() + wait);
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(budget_key = %key, error = %error, "could not read shared upstream blocks");
            }
        }
    }

    pub(crate) async fn state(&self, key: &BudgetKey) -> Option<BudgetState> {
        let account = self.accounts.get(key).await?;
        Some(self.snapshot(&account))
    }

    pub(crate) fn states(&self) -> Vec<(BudgetKey, BudgetState)> {
        self.accounts
            .iter()
            .map(|(key, account)| ((*key).clone(), self.snapshot(&account)))
            .collect()
    }

    fn snapshot(&self, account: &Account) -> BudgetState {
        let now = Instant::now();
        let wall = self.clock.now();
        let state = account.lock();
        BudgetState {
            limit: state.limit,
            remaining: state.remaining,
            blocked_until: state
                .blocked_at(now)
                .and_then(|until| chrono::Duration::from_std(until - now).ok())
                .map(|wait| wall + wait),
            paced_per_minute: state.paced_per_minute(&self.config),
            foreground_spent: state.spent.foreground,
            background_spent: state.spent.background,
            replicas: state.replicas,
        }
    }
}
