use std::io::Write;

use anyhow::Context;
use deskgate_sandbox::{
    FreshdeskAccountConfig, IntercomRegion, IntercomWorkspaceConfig, Sandbox, SandboxConfig,
    ZendeskAccountConfig,
};

use crate::cli::SandboxArgs;

/// Serves the sandbox helpdesks until Ctrl-C or SIGTERM, after printing their accounts and
/// (fake) credentials.
pub(crate) async fn run(args: &SandboxArgs) -> anyhow::Result<()> {
    let zendesk = args
        .zendesk
        .iter()
        .map(|sub| ZendeskAccountConfig {
            tickets: args.tickets,
            seed: args.seed,
            rate_limit_per_minute: args.rate_limit,
            ..ZendeskAccountConfig::new(sub.clone())
        })
        .collect();
    let freshdesk = args
        .freshdesk
        .iter()
        .map(|domain| {
            let mut account = FreshdeskAccountConfig {
                tickets: args.tickets,
                seed: args.seed,
                ..FreshdeskAccountConfig::new(domain.clone())
            };
            account.rate_limits.per_minute = args.rate_limit;
            account
        })
        .collect();
    let intercom = args
        .intercom
        .iter()
        .map(|spec| {
            let (region, name) = match spec.split_once(':') {
                Some((region, name)) => (
                    IntercomRegion::parse(region).with_context(|| {
                        format!("--intercom {spec}: the region must be us, eu or au")
                    })?,
                    name,
                ),
                None => (IntercomRegion::Us, spec.as_str()),
            };
            Ok(IntercomWorkspaceConfig {
                region,
                tickets: args.tickets,
                seed: args.seed,
                rate_limit_per_10s: args.intercom_rate_limit,
                ..IntercomWorkspaceConfig::new(name)
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let sandbox = Sandbox::new(SandboxConfig {
        zendesk,
        freshdesk,
        intercom,
    })
    .context("invalid sandbox settings")?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let summary = sandbox.summary(&format!("http://{addr}"));
    writeln!(std::io::stdout().lock(), "{summary}")?;
    tracing::info!("sandbox listening on http://{addr}");
    deskgate_sandbox::serve(listener, sandbox, crate::serve::shutdown_signal())
        .await
        .context("serving the sandbox")
}
