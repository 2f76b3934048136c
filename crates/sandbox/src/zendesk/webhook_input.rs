//! Reading `POST /api/v2/webhooks`: `{"webhook": {name, endpoint, http_method,
//! request_format, status, subscriptions, description?, custom_headers?, signing_secret?}}`.
//!
//! Zendesk's rules: an event subscription needs `http_method` `POST` and `request_format`
//! `json`; `conditional_ticket_events` (triggers and automations) stands alone. The
//! sandbox refuses `authentication` (not imitated) rather than ignore it, so that no test
//! believes its receiver was sent credentials.

use std::collections::BTreeMap;

use base64::Engine as _;
use http::StatusCode;
use serde_json::{Map, Value};

use super::errors::ZendeskError;
use super::webhook_store::{Activity, CONDITIONAL_TICKET_EVENTS, EVENT_TYPE_PREFIX, Webhook, ulid};

const HTTP_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const REQUEST_FORMATS: [&str; 3] = ["json", "xml", "form_encoded"];
/// Zendesk allows five custom headers.
const MAX_CUSTOM_HEADERS: usize = 5;

/// A 400 in the Webhooks API's error shape (the body is not recorded; the shape is the
/// `Errors` schema of Zendesk's newer APIs).
pub(crate) fn invalid(pointer: &'static str, detail: impl Into<String>) -> ZendeskError {
    ZendeskError::Api {
        status: StatusCode::BAD_REQUEST,
        code: "InvalidValue",
        title: "Invalid value".to_owned(),
        detail: Some(detail.into()),
        pointer: Some(pointer),
    }
}

fn text<'a>(
    map: &'a Map<String, Value>,
    field: &str,
    pointer: &'static str,
) -> Result<&'a str, ZendeskError> {
    map.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| invalid(pointer, format!("{field} is required")))
}

fn one_of(
    map: &Map<String, Value>,
    field: &str,
    pointer: &'static str,
    allowed: &[&str],
) -> Result<String, ZendeskError> {
    let value = text(map, field, pointer)?;
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .map(|a| (*a).to_owned())
        .ok_or_else(|| {
            invalid(
                pointer,
                format!("{field} must be one of {}", allowed.join(", ")),
            )
        })
}

fn endpoint(map: &Map<String, Value>) -> Result<String, ZendeskError> {
    let raw = text(map, "endpoint", "/webhook/endpoint")?;
    url::Url::parse(raw)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| invalid("/webhook/endpoint", "endpoint must be an http or https URL"))?;
    Ok(raw.to_owned())
}

fn subscriptions(map: &Map<String, Value>) -> Result<Vec<String>, ZendeskError> {
    const POINTER: &str = "/webhook/subscriptions";
    let items = map
        .get("subscriptions")
        .and_then(Value::as_array)
        .filter(|items| !items.is_empty())
        .ok_or_else(|| invalid(POINTER, "subscriptions is required"))?;
    let list: Vec<String> = items
        .iter()
        .map(|i| i.as_str().map(str::to_owned))
        .collect::<Option<_>>()
        .ok_or_else(|| invalid(POINTER, "subscriptions must be strings"))?;
    let conditional = list.iter().any(|s| s == CONDITIONAL_TICKET_EVENTS);
    if conditional && list.len() > 1 {
        return Err(invalid(
            POINTER,
            "conditional_ticket_events cannot be combined with other subscriptions",
        ));
    }
    let malformed = list.iter().find(|s| {
        *s != CONDITIONAL_TICKET_EVENTS
            && s.strip_prefix(EVENT_TYPE_PREFIX)
                .is_none_or(|rest| !rest.contains('.') || rest.contains(char::is_whitespace))
    });
    if let Some(s) = malformed {
        return Err(invalid(POINTER, format!("{s} is not a valid subscription")));
    }
    Ok(list)
}

fn custom_headers(map: &Map<String, Value>) -> Result<BTreeMap<String, String>, ZendeskError> {
    const POINTER: &str = "/webhook/custom_headers";
    let Some(value) = map.get("custom_headers").filter(|v| !v.is_null()) else {
        return Ok(BTreeMap::new());
    };
    let object = value
        .as_object()
        .ok_or_else(|| invalid(POINTER, "custom_headers must be an object"))?;
    if object.len() > MAX_CUSTOM_HEADERS {
        return Err(invalid(POINTER, "at most 5 custom headers"));
    }
    object
        .iter()
        .map(|(name, value)| {
            let value = value
                .as_str()
                .filter(|v| http::HeaderValue::from_str(v).is_ok())
                .ok_or_else(|| invalid(POINTER, format!("{name} must have a text value")))?;
            http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| invalid(POINTER, format!("{name} is not a header name")))?;
            Ok((name.clone(), value.to_owned()))
        })
        .collect()
}

fn signing_secret(map: &Map<String, Value>) -> Result<String, ZendeskError> {
    const POINTER: &str = "/webhook/signing_secret";
    let given = map
        .get("signing_secret")
        .filter(|v| !v.is_null())
        .map(|v| {
            let algorithm = v
                .get("algorithm")
                .and_then(Value::as_str)
                .unwrap_or("SHA256");
            if algorithm != "SHA256" {
                return Err(invalid(POINTER, "algorithm must be SHA256"));
            }
            v.get("secret")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| invalid(POINTER, "secret is required"))
        })
        .transpose()?;
    // Zendesk's secrets are 32 random bytes in URL-safe base64.
    Ok(given.unwrap_or_else(|| {
        base64::engine::general_purpose::URL_SAFE.encode(rand::random::<[u8; 32]>())
    }))
}

/// A new webhook from the request body, created at `now_ms` by `actor`.
pub(crate) fn parse(body: &[u8], now_ms: i64, actor: u64) -> Result<Webhook, ZendeskError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        invalid(
            "/webhook",
            format!("the request body is not valid json: {e}"),
        )
    })?;
    let map = value
        .get("webhook")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("/webhook", "webhook is required"))?;
    if map.get("authentication").is_some_and(|a| !a.is_null()) {
        return Err(invalid(
            "/webhook/authentication",
            "authentication is not imitated by the sandbox; use custom_headers",
        ));
    }
    let name = text(map, "name", "/webhook/name")?.to_owned();
    let endpoint = endpoint(map)?;
    let http_method = one_of(map, "http_method", "/webhook/http_method", &HTTP_METHODS)?;
    let request_format = one_of(
        map,
        "request_format",
        "/webhook/request_format",
        &REQUEST_FORMATS,
    )?;
    let status = Activity::parse(text(map, "status", "/webhook/status")?)
        .ok_or_else(|| invalid("/webhook/status", "status must be active or inactive"))?;
    let subscriptions = subscriptions(map)?;
    let events = subscriptions.iter().any(|s| s != CONDITIONAL_TICKET_EVENTS);
    if events && (http_method != "POST" || request_format != "json") {
        return Err(invalid(
            "/webhook/subscriptions",
            "webhooks subscribed to events must use http_method POST and request_format json",
        ));
    }
    Ok(Webhook {
        id: ulid(now_ms),
        name,
        description: map
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
        endpoint,
        http_method,
        request_format,
        status,
        subscriptions,
        custom_headers: custom_headers(map)?,
        secret: signing_secret(map)?,
        created_at: now_ms.div_euclid(1000),
        created_by: actor,
    })
}
