//! The state every handler and middleware shares.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use axum::http::HeaderValue;
use deskgate_app::App;

use crate::Lifecycle;
use crate::middleware::metrics::Metrics;

/// The application, the metrics and the server's lifecycle, behind one `Arc`: the state is
/// cloned for every extractor and middleware of every request, and one reference count is
/// cheaper to move between threads than three.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Shared>,
}

/// What an [`AppState`] holds; its fields read through the state (`state.app`).
#[derive(Debug)]
pub struct Shared {
    pub app: App,
    pub(crate) metrics: Metrics,
    pub lifecycle: Lifecycle,
    /// The `RateLimit-Policy` header every authenticated answer carries; `None` when limits
    /// are off.
    pub(crate) rate_policy: Option<HeaderValue>,
}

impl AppState {
    pub fn new(app: App) -> Self {
        let rate_policy = crate::middleware::limits::policy_value(app.limit_settings());
        Self {
            inner: Arc::new(Shared {
                rate_policy,
                app,
                metrics: Metrics::new(),
                lifecycle: Lifecycle::default(),
            }),
        }
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.inner
    }
}

impl FromRef<AppState> for App {
    fn from_ref(state: &AppState) -> App {
        state.app.clone()
    }
}
