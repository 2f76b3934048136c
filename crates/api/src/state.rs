use std::sync::Arc;

use axum::extract::FromRef;
use deskgate_app::App;

use crate::Lifecycle;
use crate::middleware::metrics::Metrics;

/// What every handler can reach. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub(crate) metrics: Arc<Metrics>,
    /// Draining and requests in flight, shared with whoever serves the router.
    pub lifecycle: Lifecycle,
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self {
            app,
            metrics: Arc::new(Metrics::new()),
            lifecycle: Lifecycle::default(),
        }
    }
}

impl FromRef<AppState> for App {
    fn from_ref(state: &AppState) -> App {
        state.app.clone()
    }
}
