//! Just enough of the W3C WebDriver protocol to walk the connect page in real headless
//! Chromium through `chromedriver`: start a session, navigate, find, click, type, read the
//! URL and text, resize, take screenshots. A dozen JSON commands over the HTTP client the
//! tests already have, rather than a WebDriver crate and its dependency tree.
//!
//! `chromedriver` and `chromium` come from Debian's `chromium-driver` and `chromium`
//! (`.ci/run` installs them). Without them a browser test says so and passes as skipped,
//! unless `DESKGATE_REQUIRE_BROWSER` is set (CI sets it), when it fails.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

/// The W3C element key in a find answer.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn which(names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        if name.starts_with('/') {
            return std::path::Path::new(name)
                .exists()
                .then(|| (*name).to_owned());
        }
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.exists())
                .map(|p| p.display().to_string())
        })
    })
}

/// A headless Chromium, driven.
#[derive(Debug)]
pub struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
}

impl Browser {
    /// A browser, or `None` (with a line saying why) where chromedriver or chromium is
    /// missing and `DESKGATE_REQUIRE_BROWSER` is not set.
    pub async fn start() -> Option<Self> {
        let driver = which(&["chromedriver", "/usr/bin/chromedriver"]);
        let chromium = which(&["chromium", "/usr/bin/chromium", "chromium-browser"]);
        let (Some(driver), Some(chromium)) = (driver, chromium) else {
            let why = "browser tests need Debian's chromium and chromium-driver \
                       (apt-get install chromium chromium-driver)";
            assert!(
                std::env::var_os("DESKGATE_REQUIRE_BROWSER").is_none(),
                "{why}; DESKGATE_REQUIRE_BROWSER is set"
            );
            eprintln!("skipped: {why}");
            return None;
        };
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1280,900",
                         "--hide-scrollbars", "--force-device-scale-factor=1"],
            },
        }}});
        let answer: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no webdriver session: {answer}"))
            .to_owned();
        Some(Self {
            http,
            base,
            session,
            driver: child,
        })
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        if answer["value"]["error"].is_string() {
            panic!("webdriver {path}: {}", answer["value"]);
        }
        answer["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    pub async fn current_url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn source(&self) -> String {
        self.command(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The element `css` selects, waiting up to 5 s for it to appear (a page may still be
    /// loading after a click).
    async fn element(&self, css: &str) -> String {
        let url = format!("{}/session/{}/element", self.base, self.session);
        let mut last = Value::Null;
        for _ in 0..100 {
            let answer: Value = self
                .http
                .post(&url)
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(id) = answer["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            last = answer;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no element {css} at {}: {last}", self.current_url().await);
    }

    pub async fn click(&self, css: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css).await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
        let id = self.element(css).await;
        self.command(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The id of the element that has the keyboard focus.
    pub async fn active_id(&self) -> String {
        let found = self
            .command(reqwest::Method::GET, "/element/active", None)
            .await;
        let id = found[ELEMENT].as_str().unwrap().to_owned();
        self.command(
            reqwest::Method::GET,
            &format!("/element/{id}/attribute/id"),
            None,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Presses Tab once.
    pub async fn tab(&self) {
        self.command(
            reqwest::Method::POST,
            "/actions",
            Some(
                json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                    {"type": "keyDown", "value": "\u{E004}"}, {"type": "keyUp", "value": "\u{E004}"}
                ]}]}),
            ),
        )
        .await;
    }

    /// The handles of the open windows.
    pub async fn windows(&self) -> Vec<String> {
        self.command(reqwest::Method::GET, "/window/handles", None)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn window(&self) -> String {
        self.command(reqwest::Method::GET, "/window", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn switch_to(&self, handle: &str) {
        self.command(
            reqwest::Method::POST,
            "/window",
            Some(json!({"handle": handle})),
        )
        .await;
    }

    /// Waits until `css` holds a text that satisfies `done`; returns it.
    pub async fn wait_for_text(&self, css: &str, done: impl Fn(&str) -> bool) -> String {
        for _ in 0..100 {
            let text = self.text(css).await;
            if done(&text) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} kept {:?}", self.text(css).await);
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.command(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Saves a PNG of the page as it shows now, when `DESKGATE_SCREENSHOTS` names a folder.
    pub async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("DESKGATE_SCREENSHOTS") else {
            return;
        };
        let png = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let path = std::path::Path::new(&dir).join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
    }

    /// Waits until the current URL satisfies `done`; returns it.
    pub async fn wait_for_url(&self, done: impl Fn(&str) -> bool) -> String {
        for _ in 0..100 {
            let url = self.current_url().await;
            if done(&url) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the browser stayed at {}", self.current_url().await);
    }

    pub async fn quit(mut self) {
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = self.http.delete(url).send().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
