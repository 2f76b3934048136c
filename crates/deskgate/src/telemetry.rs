use anyhow::Context;
use tracing_subscriber::EnvFilter;

use crate::config::{LogConfig, LogFormat};

/// Logs go to stderr; stdout is for command output (keys, JSON) only. Commands other than
/// `serve` log warnings and errors unless RUST_LOG says otherwise.
pub(crate) fn init(config: &LogConfig, serving: bool) -> anyhow::Result<()> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(f) if !f.is_empty() => EnvFilter::try_new(f).context("invalid RUST_LOG")?,
        _ if serving => {
            EnvFilter::try_new(&config.filter).context("invalid configuration: log.filter")?
        }
        _ => EnvFilter::new("warn"),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match config.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("installing the logger: {e}"))
}
