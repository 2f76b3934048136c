use deskgate_api::AppState;
use deskgate_app::api_keys::IssuedKey;
use deskgate_app::{App, AppSettings, RequestContext};
use deskgate_core::TenantId;
use deskgate_store::Store;
use deskgate_vault::{KeyRing, Vault, generate_key_file};
use secrecy::ExposeSecret;

use crate::{Backend, TestDb};

/// The real router on a loopback port, over a database of its own.
#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub app: App,
    pub store: Store,
    pub db: TestDb,
    server: tokio::task::JoinHandle<()>,
}

/// A tenant and its first key.
#[derive(Debug)]
pub struct TestTenant {
    pub id: TenantId,
    pub key: String,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, AppSettings::default()).await
    }

    pub async fn spawn_with(backend: Backend, settings: AppSettings) -> Self {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let key_ring = KeyRing::from_key_file(&generate_key_file().unwrap()).unwrap();
        let app = App::new(store.clone(), Vault::new(key_ring), settings).unwrap();
        app.check_vault_keys().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = deskgate_api::router(AppState::new(app.clone()));
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
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
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}
