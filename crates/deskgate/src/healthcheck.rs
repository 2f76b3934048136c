//! `deskgate healthcheck`: asks the gateway running on this machine whether it can serve, for
//! container health checks (the image has no shell and no curl). It reads the listen address
//! from the same configuration layers as `serve`, so the image's `DESKGATE_LISTEN` or a
//! mounted config file is all it needs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::cli::HealthcheckArgs;
use crate::config::Config;

/// The most of an answer's body read for the reason: a problem+json object is far smaller.
const BODY_CAP: usize = 4096;

/// `Ok` when the gateway answers 200; otherwise an error whose text is the one-line reason.
pub(crate) async fn run(config: &Config, args: &HealthcheckArgs) -> anyhow::Result<()> {
    let addr = probe_address(config.listen)?;
    let path = if args.live { "/healthz" } else { "/readyz" };
    let url = format!("http://{addr}{path}");
    let timeout = Duration::from_secs(args.timeout);
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("building the http client")?;
    let response = match client.get(&url).send().await {
        Ok(response) => response,
        Err(e) if e.is_timeout() => bail!("{url} did not answer within {}s", args.timeout),
        Err(e) => bail!("{url} could not be reached: {}", root_cause(&e)),
    };
    let status = response.status();
    if status == reqwest::StatusCode::OK {
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), "{url} answered {status}")?;
        return Ok(());
    }
    let reason = problem_reason(response).await;
    bail!("{url} answered {status}{reason}")
}

/// Where to reach a gateway listening on `listen`: an unspecified address is reached on the
/// loopback address of its family.
fn probe_address(listen: SocketAddr) -> anyhow::Result<SocketAddr> {
    if listen.port() == 0 {
        bail!(
            "the configured listen address {listen} has no fixed port: pass the gateway's \
             address with --listen"
        );
    }
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Ok(SocketAddr::new(ip, listen.port()))
}

/// The innermost cause ("Connection refused (os error 111)"), which says what happened
/// better than the request error wrapping it.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// `: <code>: <detail>` from a problem+json answer, or nothing when the body is not one.
async fn problem_reason(response: reqwest::Response) -> String {
    let Ok(body) = response.bytes().await else {
        return String::new();
    };
    let Ok(problem) =
        serde_json::from_slice::<serde_json::Value>(&body[..body.len().min(BODY_CAP)])
    else {
        return String::new();
    };
    let field = |name: &str| {
        problem
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(|s| s.replace(['\r', '\n'], " "))
    };
    match (field("code"), field("detail")) {
        (Some(code), Some(detail)) if !detail.is_empty() => format!(": {code}: {detail}"),
        (Some(code), _) => format!(": {code}"),
        (None, Some(detail)) => format!(": {detail}"),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_listen_addresses_are_probed_on_loopback() {
        let probe = |listen: &str| probe_address(listen.parse().unwrap()).unwrap().to_string();
        assert_eq!(probe("0.0.0.0:8080"), "127.0.0.1:8080");
        assert_eq!(probe("[::]:8080"), "[::1]:8080");
        assert_eq!(probe("10.1.2.3:9000"), "10.1.2.3:9000");
        let e = probe_address("127.0.0.1:0".parse().unwrap()).unwrap_err();
        assert!(e.to_string().contains("--listen"), "{e}");
    }
}
