//! `deskgate events tail`: a tenant's events as they are recorded, for a person at a
//! terminal. It reads the running gateway's `GET /v1/events` with the tenant's key, like any
//! client would, so it works against any replica and needs no database access.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::cli::TailArgs;

/// Reads on from `after` until interrupted, printing each event.
pub(crate) async fn tail(args: &TailArgs) -> anyhow::Result<()> {
    let base = args.url.trim_end_matches('/');
    url::Url::parse(base).with_context(|| format!("--url {base} is not a URL"))?;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .context("building the http client")?;
    let mut after = args.after.clone();
    // By default, only what comes from now on: read to the end without printing.
    let mut print = args.after.is_some() || args.from_start;
    let mut out = std::io::stdout().lock();
    loop {
        let mut query: Vec<(&str, String)> = vec![("limit", "100".into())];
        if let Some(a) = &after {
            query.push(("after", a.clone()));
        }
        if let Some(c) = &args.connection_id {
            query.push(("connection_id", c.clone()));
        }
        if let Some(t) = &args.types {
            query.push(("type", t.clone()));
        }
        let res = http
            .get(format!("{base}/v1/events"))
            .bearer_auth(&args.api_key)
            .query(&query)
            .send()
            .await
            .with_context(|| format!("reading {base}/v1/events"))?;
        let status = res.status();
        let body: Value = res.json().await.context("reading the answer")?;
        if !status.is_success() {
            let detail = body["detail"].as_str().unwrap_or("no detail");
            bail!("the gateway answered {status}: {detail}");
        }
        let data = body["data"].as_array().cloned().unwrap_or_default();
        if print {
            for event in &data {
                if args.json {
                    writeln!(out, "{event}")?;
                } else {
                    writeln!(out, "{}", summary(event))?;
                }
            }
            out.flush()?;
        }
        after = body["next_after"].as_str().map(str::to_owned).or(after);
        if body["has_more"] != Value::Bool(true) {
            print = true;
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(args.interval_ms)) => {}
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
    }
}

/// One line: time, type, connection, and what the event is about.
fn summary(event: &Value) -> String {
    let data = &event["data"];
    let text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_default();
    let about = if let Some(ticket) = data.get("ticket") {
        let changed = match data.get("changed_fields") {
            Some(Value::Array(fields)) => format!(
                " changed: {}",
                fields.iter().map(text).collect::<Vec<_>>().join(", ")
            ),
            Some(Value::Null) => " changed: (not known)".to_owned(),
            _ => String::new(),
        };
        let backfill = if data["backfill"] == Value::Bool(true) {
            " (backfill)"
        } else {
            ""
        };
        format!(
            "ticket {} \"{}\" [{}]{changed}{backfill}",
            text(&ticket["id"]),
            text(&ticket["subject"]),
            text(&ticket["status"])
        )
    } else if let Some(comment) = data.get("comment") {
        format!(
            "ticket {} comment {}",
            text(&data["ticket_id"]),
            text(&comment["id"])
        )
    } else if let Some(connection) = data.get("connection") {
        format!(
            "{} {} [{}]",
            text(&connection["provider"]),
            text(&connection["account_label"]),
            text(&connection["status"])
        )
    } else if let Some(ticket_id) = data.get("ticket_id") {
        format!("ticket {}", text(ticket_id))
    } else if let Some(error) = data.get("error") {
        format!("{}: {}", text(&error["code"]), text(&error["detail"]))
    } else {
        data.to_string()
    };
    format!(
        "{}  {:<24} {}  {about}",
        text(&event["timestamp"]),
        text(&event["type"]),
        event["connection_id"].as_str().unwrap_or("-"),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::summary;

    #[test]
    fn a_summary_names_what_changed() {
        let line = summary(&json!({
            "id": "evt_1", "type": "ticket.updated", "timestamp": "2026-11-29T14:00:00Z",
            "connection_id": "c1",
            "data": {"connection_id": "c1", "changed_fields": ["status", "raw_status"],
                     "ticket": {"id": "42", "subject": "Printer on fire", "status": "pending"}},
        }));
        assert!(
            line.starts_with("2026-11-29T14:00:00Z  ticket.updated"),
            "{line}"
        );
        assert!(
            line.ends_with("ticket 42 \"Printer on fire\" [pending] changed: status, raw_status"),
            "{line}"
        );
        let line = summary(&json!({
            "type": "ticket.deleted", "timestamp": "t", "connection_id": "c1",
            "data": {"ticket_id": "42"},
        }));
        assert!(line.ends_with("ticket 42"), "{line}");
    }
}
