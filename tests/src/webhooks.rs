//! An app's webhook delivery for tests: a compressed schedule, and workers that run until
//! their guard is dropped.

use std::time::Duration;

use deskgate_app::webhooks::WebhookSettings;
use deskgate_app::{App, AppSettings};
use tokio::sync::watch;

use crate::TestApp;

/// Webhook settings for tests: loopback `http` allowed (for a [`crate::Receiver`]), retries
/// after 100, 200, 300, 400 and 500 ms (six attempts in all), no jitter, a 50 ms poll, and an
/// endpoint disabled after an hour of failures (tests of that set less).
pub fn fast_webhooks() -> WebhookSettings {
    WebhookSettings {
        retries: (1..=5).map(|n| Duration::from_millis(100 * n)).collect(),
        jitter: 0.0,
        timeout: Duration::from_secs(2),
        claim: Duration::from_secs(4),
        poll_interval: Duration::from_millis(50),
        disable_after: Duration::from_secs(3600),
        allow_loopback_http: true,
        ..WebhookSettings::default()
    }
}

/// Delivery workers running for a test; dropping this stops them.
#[derive(Debug)]
pub struct Workers {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Workers {
    /// Runs `app`'s delivery workers until the guard drops.
    pub fn run(app: &App) -> Self {
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(app.clone().run_deliveries(stopped));
        Self { stop, task }
    }

    /// Stops the workers after their attempts in flight are recorded.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        let _ = (&mut self.task).await;
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestApp {
    /// Another replica over the same database (its own name in claims), with `webhooks`
    /// settings; run its workers with [`App::run_deliveries`].
    pub async fn webhook_replica(&self, webhooks: WebhookSettings) -> App {
        self.replica_app(AppSettings {
            webhooks,
            ..AppSettings::default()
        })
        .await
    }

    /// Runs this app's delivery workers (as `deskgate serve` does) until the guard drops.
    pub fn deliver_webhooks(&self) -> Workers {
        Workers::run(&self.app)
    }
}
