use std::sync::Arc;

use deskgate_api::AppState;
use deskgate_app::api_keys::IssuedKey;
use deskgate_app::{App, AppSettings, RequestContext};
use deskgate_core::TenantId;
use deskgate_sandbox::{ManualClock, RunningSandbox};
use deskgate_store::Store;
use deskgate_vault::{KeyRing, Vault, generate_key_file};
use secrecy::{ExposeSecret, SecretString};

use crate::{Backend, TestDb};

/// The real router on a loopback port, over a database of its own.
#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub app: App,
    pub store: Store,
    pub db: TestDb,
    /// The helpdesk imitation every vendor call goes to, when spawned with one.
    pub sandbox: Option<RunningSandbox>,
    /// The sandbox's clock, which moves only when a test moves it.
    pub clock: Option<Arc<ManualClock>>,
    /// The vault's key file, so that a second replica opens the same credentials.
    pub(crate) key_file: SecretString,
    server: tokio::task::JoinHandle<()>,
}

/// A tenant and its first key.
#[derive(Debug)]
pub struct TestTenant {
    pub id: TenantId,
    pub key: String,
}

impl TestApp {
    /// What `/metrics` shows.
    pub async fn metrics(&self) -> String {
        let res = self.http.get(self.url("/metrics")).send().await.unwrap();
        res.text().await.unwrap()
    }

    /// `deskgate_streamed_answers_aborted_total` for `answer` (`list`, `passthrough`), as
    /// `/metrics` shows it.
    pub async fn aborted_answers(&self, answer: &str) -> u64 {
        let text = self.metrics().await;
        let series = format!(r#"deskgate_streamed_answers_aborted_total{{answer="{answer}"}} "#);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(&series))
            .unwrap_or_else(|| panic!("no {series}in {text}"));
        line.trim().parse().unwrap()
    }

    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, AppSettings::default()).await
    }

    pub async fn spawn_with(backend: Backend, settings: AppSettings) -> Self {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let key_file = generate_key_file().unwrap();
        let (listener, base) = bind().await;
        let settings = AppSettings {
            public_url: base.clone(),
            ..settings
        };
        let app = build_app(store.clone(), &key_file, settings).await;
        let server = serve_on(listener, app.clone());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base,
            http,
            app,
            store,
            db,
            sandbox: None,
            clock: None,
            key_file,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn tenant(&self, name: &str) -> TestTenant {
        let (tenant, key): (_, IssuedKey) = self
            .app
            .create_tenant(name, &RequestContext::operator())
            .await
            .unwrap();
        TestTenant {
            id: tenant.id,
            key: key.secret.expose_secret().to_owned(),
        }
    }

    pub fn get(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(key)
    }

    pub fn post(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(key)
    }

    pub fn delete(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.delete(self.url(path)).bearer_auth(key)
    }

    pub fn patch(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.patch(self.url(path)).bearer_auth(key)
    }

    pub fn put(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.put(self.url(path)).bearer_auth(key)
    }
}

impl TestApp {
    /// Another replica's application over the same database and keys (its own name in
    /// leases, claims and heartbeats), not serving HTTP.
    pub async fn replica_app(&self, settings: AppSettings) -> App {
        build_app(self.db.store().await, &self.key_file, settings).await
    }
}

/// A new `App` over `store` with the key ring of `key_file`, its keys checked.
pub(crate) async fn build_app(store: Store, key_file: &SecretString, settings: AppSettings) -> App {
    let key_ring = KeyRing::from_key_file(key_file).unwrap();
    let app = App::new(store, Vault::new(key_ring), settings).unwrap();
    app.check_vault_keys().await.unwrap();
    app
}

/// A loopback port and its base URL, to build an app's public URL on before serving it.
pub(crate) async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    (listener, base)
}

/// Serves the router over `app` on `listener`.
pub(crate) fn serve_on(listener: tokio::net::TcpListener, app: App) -> tokio::task::JoinHandle<()> {
    let router = deskgate_api::router(AppState::new(app));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    })
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
