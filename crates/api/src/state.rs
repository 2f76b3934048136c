use std::sync::Arc;

use axum::extract::FromRef;
use deskgate_app::App;

use crate::middleware::metrics::Metrics;

/// What every handler can reach. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub(crate) metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(app: App) -> Self {
        Self {
            app,
            metrics: Arc::new(Metrics::new()),
        }
    }
}

impl FromRef<AppState> for App {
    fn from_ref(state: &AppState) -> App {
        state.app.clone()
    }
}
