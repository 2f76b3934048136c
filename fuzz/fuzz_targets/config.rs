//! Configuration: TOML text as a config file layered over the built-in defaults, through the
//! binary's own `config::load` (its sources are compiled in here: the binary has no library).
//! No input may panic; a file that loads must give settings every accessor accepts, the way
//! `serve` reads them.
#![no_main]
#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/deskgate/src/cli.rs"]
mod cli;
#[path = "../../crates/deskgate/src/config.rs"]
mod config;
#[path = "../../crates/deskgate/src/shutdown.rs"]
mod shutdown;

/// One file, rewritten for every input: `load` reads a path.
static FILE: LazyLock<std::path::PathBuf> = LazyLock::new(|| {
    std::env::temp_dir().join(format!("deskgate-fuzz-config-{}.toml", std::process::id()))
});

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = std::fs::File::create(&*FILE) else {
        return;
    };
    if file.write_all(data).is_err() {
        return;
    }
    drop(file);
    let cli = cli::Cli {
        config: Some(FILE.clone()),
        database_url: None,
        command: cli::Command::Migrate,
    };
    let Ok(config) = config::load(&cli) else {
        return;
    };
    config
        .upstream_settings()
        .expect("validated upstream settings");
    config.public_url().expect("a validated public url");
    let _ = config.database.pool_options();
    config
        .server
        .settings()
        .expect("validated server settings");
    config
        .renewal
        .settings()
        .expect("validated renewal settings");
    config.events.settings().expect("validated event settings");
    config
        .webhooks
        .settings()
        .expect("validated webhook settings");
    let _ = config.replicas.settings();
});
