//! Percentiles and the HTTP client every driver uses.

use std::time::Duration;

use anyhow::Context;

/// The `p`th percentile (0 to 100) of `sorted`, nearest rank; 0 when empty.
pub(crate) fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A client for loopback targets: a large idle pool, no proxy, a whole-request timeout.
pub(crate) fn client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(4096)
        .timeout(timeout)
        .build()?)
}

/// Sends `request` and reads its JSON answer, which must be a success; `what` names the
/// call in errors (`listing tickets`).
pub(crate) async fn json_answer(
    request: reqwest::RequestBuilder,
    what: &str,
) -> anyhow::Result<serde_json::Value> {
    let res = request.send().await.with_context(|| what.to_owned())?;
    let status = res.status();
    let body: serde_json::Value = res
        .json()
        .await
        .with_context(|| format!("{what}: reading the answer"))?;
    anyhow::ensure!(status.is_success(), "{what} answered {status}: {body}");
    Ok(body)
}

/// Parses `Name: value` command-line headers.
pub(crate) fn headers(raw: &[String]) -> anyhow::Result<reqwest::header::HeaderMap> {
    let mut map = reqwest::header::HeaderMap::new();
    for h in raw {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("a header must look like `name: value`"))?;
        map.insert(
            reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())?,
            reqwest::header::HeaderValue::from_str(value.trim())?,
        );
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[], 50.0), 0);
    }
}
