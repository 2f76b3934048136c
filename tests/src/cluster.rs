//! A private PostgreSQL cluster in a temporary directory on a free port, for tests that stop
//! and start the database under a running gateway (the shared server on 5432 is never
//! stopped). As root, PostgreSQL's tools refuse to run: they are run as the `postgres` user
//! over a directory it owns.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use sqlx::Connection;

/// A running (or stopped) private cluster; removed, stopped at once, when dropped.
#[derive(Debug)]
pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// `runuser -u postgres --` when running as root.
    as_postgres: bool,
}

impl Cluster {
    /// Creates and starts a cluster with a database `deskgate`; `None`, with the reason
    /// printed, when no `initdb` exists on this machine.
    pub async fn start() -> Option<Self> {
        let Some(bin) = bin_dir() else {
            eprintln!(
                "skipped: no PostgreSQL initdb found (in PATH, /usr/lib/postgresql/*/bin or \
                 DESKGATE_TEST_PG_BIN): install the PostgreSQL server to run this test"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = is_root();
        if as_postgres {
            let (uid, gid) = postgres_ids();
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).unwrap();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Self {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.resume();
        let mut admin = sqlx::PgConnection::connect(&cluster.url("postgres"))
            .await
            .unwrap();
        sqlx::query("CREATE DATABASE deskgate")
            .execute(&mut admin)
            .await
            .unwrap();
        let _ = admin.close().await;
        Some(cluster)
    }

    /// The URL of database `db` on this cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Stops the server with `pg_ctl stop -m <mode>` (`immediate`: as if it crashed; `fast`:
    /// sessions are told "terminating connection due to administrator command").
    pub fn stop(&self, mode: &str) {
        self.run("pg_ctl", &["stop", "-D", &self.data(), "-m", mode, "-w"]);
    }

    /// Starts the server (again) and waits until it takes connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.run(
            "pg_ctl",
            &[
                "start",
                "-D",
                &self.data(),
                "-l",
                &log.display().to_string(),
                "-o",
                &options,
                "-w",
            ],
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "the cluster did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let program = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(&program);
            cmd
        } else {
            Command::new(&program)
        };
        // The server must not inherit the test's locale quirks or a PGDATA of the machine's.
        let out = cmd
            .args(args)
            .env_remove("PGDATA")
            .env("LC_ALL", "C")
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let program = self.bin.join("pg_ctl");
        let args = ["stop", "-D", data.as_str(), "-m", "immediate", "-w"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        };
    }
}

/// The directory of `initdb` and `pg_ctl`: `DESKGATE_TEST_PG_BIN`, the one of `initdb` in
/// `PATH`, or the newest `/usr/lib/postgresql/*/bin`.
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DESKGATE_TEST_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("initdb"))
            .find(|p| p.is_file())
    });
    if let Some(initdb) = in_path {
        let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
        if let Some(dir) = real.parent().filter(|d| d.join("pg_ctl").is_file()) {
            return Some(dir.to_path_buf());
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|p| version_of(p));
    versions.pop()
}

fn version_of(bin: &Path) -> u32 {
    bin.parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn is_root() -> bool {
    id(&["-u"]) == 0
}

fn postgres_ids() -> (u32, u32) {
    (id(&["-u", "postgres"]), id(&["-g", "postgres"]))
}

fn id(args: &[&str]) -> u32 {
    let out = Command::new("id").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "id {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}
