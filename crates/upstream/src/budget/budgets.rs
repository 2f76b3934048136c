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
use super::registry::BlockRegistry;
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

/// The right to send one request on an account. Dropping it unanswered (an error, a
/// cancelled call) hands the probe role, if it had it, to the next caller.
#[derive(Debug)]
pub(crate) struct Permit {
    account: Arc<Account>,
    probe: bool,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.probe {
            self.account.lock().abandon_probe();
            self.account.probe_settled.notify_waiters();
        }
    }
}

#[derive(Debug)]
pub(crate) struct Budgets {
    accounts: Cache<BudgetKey, Arc<Account>>,
    registry: Arc<dyn BlockRegistry>,
    clock: Arc<dyn WallClock>,
    config: BudgetConfig,
}

impl Budgets {
    pub(crate) fn new(
        config: BudgetConfig,
        registry: Arc<dyn BlockRegistry>,
        clock: Arc<dyn WallClock>,
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
        }
    }

    async fn account(&self, key: &BudgetKey) -> Arc<Account> {
        self.accounts
            .get_with(key.clone(), async {
                Arc::new(Account {
                    state: Mutex::new(AccountState::new()),
                    probe_settled: Notify::new(),
                })
            })
            .await
    }

    /// Waits until a request on `key` may go, or fails at once when that would be after
    /// `deadline`. Returns the permit and the time spent waiting.
    pub(crate) async fn acquire(
        &self,
        key: &BudgetKey,
        deadline: Instant,
    ) -> Result<(Permit, Duration), UpstreamError> {
        let start = Instant::now();
        let account = self.account(key).await;
        loop {
            self.sync_from_registry(key, &account).await;
            let now = Instant::now();
            let (admission, probe_settled) = {
                let mut state = account.lock();
                let admission = state.admit(now, deadline);
                // Created under the lock, so a probe settling right after cannot be missed.
                let probe_settled = matches!(admission, Ok(Admission::AwaitProbe))
                    .then(|| account.probe_settled.notified());
                (admission, probe_settled)
            };
            match admission {
                Err(retry_after) => return Err(UpstreamError::RateLimited { retry_after }),
                Ok(Admission::Go { probe }) => {
                    return Ok((
                        Permit {
                            account: Arc::clone(&account),
                            probe,
                        },
                        start.elapsed(),
                    ));
                }
                Ok(Admission::GoAt(at)) => {
                    sleep_until(at).await;
                    // A 429 may have arrived while this slot was waiting: then queue again.
                    if account.lock().blocked_at(Instant::now()).is_none() {
                        return Ok((
                            Permit {
                                account: Arc::clone(&account),
                                probe: false,
                            },
                            start.elapsed(),
                        ));
                    }
                }
                Ok(Admission::Blocked(until)) => sleep_until(until).await,
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

    /// Learns from an answer. For a 429 (or a 503 with `Retry-After`) blocks the account,
    /// shares the block, and returns its length.
    pub(crate) async fn record(
        &self,
        key: &BudgetKey,
        mut permit: Permit,
        status: StatusCode,
        headers: &HeaderMap,
    ) -> Option<Duration> {
        let now = Instant::now();
        let wall = self.clock.now();
        let seen = headers::observe(headers, wall);
        let explicit = headers::retry_after(headers, wall);
        let limited = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::SERVICE_UNAVAILABLE && explicit.is_some());
        let block = {
            let mut state = permit.account.lock();
            state.observe(now, &seen, &self.config);
            if limited {
                // Never exponential on top of an explicit wait: Retry-After, else the reset
                // time the rate headers gave, else back off.
                Some(state.rate_limited(now, explicit.or(seen.reset_after), &self.config))
            } else {
                state.answered();
                None
            }
        };
        if permit.probe {
            permit.probe = false;
            permit.account.probe_settled.notify_waiters();
        }
        if let Some(wait) = block {
            let until = wall + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::zero());
            if let Err(error) = self.registry.store(key, until).await {
                tracing::warn!(budget_key = %key, error = %error, "could not share an upstream block");
            }
        }
        block
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
        }
    }
}
