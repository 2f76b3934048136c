//! Real `deskgate serve` processes over one PostgreSQL database, one vault key ring and one
//! sandbox: for tests of what must hold across processes, or when one is killed.

use std::num::NonZeroU32;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use secrecy::ExposeSecret;

const BIN: &str = env!("CARGO_BIN_EXE_deskgate");

/// What a test's gateway processes share: the database, the vault's keys and the sandbox.
pub(crate) struct Deployment {
    db: String,
    keys: String,
    sandbox: String,
    /// Settings every process of this deployment gets (`DESKGATE_VAULT_ACTIVE` after a key
    /// was added).
    env: Vec<(String, String)>,
}

impl Deployment {
    /// A deployment over the database at `db` (migrated here) calling the sandbox at
    /// `sandbox`, with a new vault key.
    pub(crate) fn new(db: &str, sandbox: &str) -> Self {
        let keys = deskgate_vault::generate_key_entry(NonZeroU32::new(1).unwrap())
            .unwrap()
            .expose_secret()
            .to_owned();
        let deployment = Self {
            db: db.to_owned(),
            keys,
            sandbox: sandbox.to_owned(),
            env: Vec::new(),
        };
        deployment.run(&["migrate"]);
        deployment
    }

    /// The binary with the shared database, keys and sandbox, and nothing inherited.
    fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        for name in [
            "DATABASE_URL",
            "DESKGATE_CONFIG",
            "RUST_LOG",
            "DESKGATE_PUBLIC_URL",
        ] {
            cmd.env_remove(name);
        }
        cmd.args(["--database-url", &self.db])
            .env("DESKGATE_VAULT_KEYS", &self.keys)
            .env("DESKGATE_API_KEY_PEPPER", "process-test-pepper")
            .env("DESKGATE_SANDBOX__URL", &self.sandbox)
            .env("DESKGATE_RENEWAL__ENABLED", "false")
            .env("DESKGATE_SERVER__DRAIN_DELAY_MS", "0")
            .env("NO_COLOR", "1")
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Adds a vault key of the next version and makes it the active one, for every process
    /// started from now on; the old key still opens what it sealed.
    #[allow(dead_code)] // each test binary uses its own part of this module
    pub(crate) fn add_active_key(&mut self) {
        let version = self.keys.split(',').count() as u32 + 1;
        let entry = deskgate_vault::generate_key_entry(NonZeroU32::new(version).unwrap())
            .unwrap()
            .expose_secret()
            .to_owned();
        self.keys = format!("{},{entry}", self.keys);
        self.env.retain(|(k, _)| k != "DESKGATE_VAULT_ACTIVE");
        self.env
            .push(("DESKGATE_VAULT_ACTIVE".into(), version.to_string()));
    }

    /// Refuses to open anything sealed below `version`, for every process started from now
    /// on.
    #[allow(dead_code)]
    pub(crate) fn set_min_version(&mut self, version: u32) {
        self.env.retain(|(k, _)| k != "DESKGATE_VAULT_MIN_VERSION");
        self.env
            .push(("DESKGATE_VAULT_MIN_VERSION".into(), version.to_string()));
    }

    /// Starts a command (`vault rewrap`, …) as a process of its own, its standard output
    /// piped, for a test that kills it or waits for it.
    #[allow(dead_code)]
    pub(crate) fn spawn(&self, args: &[&str]) -> Child {
        self.command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Runs a command to its end; its standard output.
    fn run(&self, args: &[&str]) -> String {
        let out = self.command().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "deskgate {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Creates a tenant; its API key.
    pub(crate) fn create_tenant(&self, name: &str) -> String {
        let stdout = self.run(&["tenant", "create", name]);
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("api key: "))
            .unwrap_or_else(|| panic!("no key in {stdout:?}"))
            .to_owned()
    }

    /// Starts `deskgate serve` on a free loopback port with `env` on top of the shared
    /// settings (`DESKGATE_EVENTS__…`, `DESKGATE_WEBHOOKS__…`), and waits until it is ready.
    #[allow(dead_code)]
    pub(crate) async fn start(&self, env: &[(&str, &str)]) -> Gateway {
        self.start_logging(env, None).await
    }

    /// Like [`Deployment::start`], with the process's log written to `log` (or dropped).
    pub(crate) async fn start_logging(
        &self,
        env: &[(&str, &str)],
        log: Option<&std::path::Path>,
    ) -> Gateway {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let mut cmd = self.command();
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("DESKGATE_PUBLIC_URL", &base)
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(match log {
                Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
                None => Stdio::null(),
            });
        let gateway = Gateway {
            child: cmd.spawn().unwrap(),
            base,
        };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(res) = http.get(format!("{}/readyz", gateway.base)).send().await
                && res.status() == 200
            {
                return gateway;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("deskgate serve on {} did not become ready", gateway.base);
    }
}

/// One `deskgate serve` process, killed with SIGKILL (`kill -9`) when dropped: nothing in
/// it runs after that, as when a machine dies.
pub(crate) struct Gateway {
    pub(crate) base: String,
    child: Child,
}

#[allow(dead_code)]
impl Gateway {
    /// Sends SIGTERM, as an orchestrator does to stop a replica.
    pub(crate) fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill -TERM failed");
    }

    /// How many of the process's threads serve HTTP (`deskgate-http-{i}`), read from
    /// `/proc`: Linux only.
    pub(crate) fn serving_threads(&self) -> usize {
        let tasks = format!("/proc/{}/task", self.child.id());
        std::fs::read_dir(tasks)
            .unwrap()
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
            .filter(|name| name.starts_with("deskgate-http-"))
            .count()
    }

    /// Kills the process with SIGKILL at once, as when a machine dies.
    pub(crate) fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits up to `within` for the process to exit; its exit status.
    pub(crate) async fn exited(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "deskgate serve on {} did not exit within {within:?}",
                self.base
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A sandbox with one Zendesk account, `acme`, holding `tickets` tickets and allowing
/// `rate_limit_per_minute` requests a minute.
#[allow(dead_code)]
pub(crate) async fn acme_sandbox(
    tickets: u64,
    rate_limit_per_minute: u32,
) -> deskgate_sandbox::RunningSandbox {
    deskgate_sandbox::spawn(deskgate_sandbox::SandboxConfig {
        zendesk: vec![deskgate_sandbox::ZendeskAccountConfig {
            tickets,
            rate_limit_per_minute,
            ..deskgate_sandbox::ZendeskAccountConfig::new("acme")
        }],
        freshdesk: vec![],
        intercom: vec![],
    })
    .await
    .unwrap()
}
