//! Reading what a connection is made from out of a request body, against the providers'
//! descriptions: the provider, its account field, the auth mode and that mode's fields.
//! Every error names the field at fault (`provider`, `domain`, `auth.mode`, `auth.api_key`)
//! and never echoes a secret.

use deskgate_connector::{AuthInput, ProviderSpec};
use deskgate_core::Provider;
use serde_json::{Map, Value};

use crate::AppError;
use crate::connections::model::ConnectRequest;
use crate::connections::registry;

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::invalid(field, message)
}

fn string(object: &mut Map<String, Value>, field: &str) -> Result<Option<String>, AppError> {
    match object.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(field, "must be a string")),
    }
}

/// The `provider` of a body, among those this build connects to.
fn provider(object: &mut Map<String, Value>) -> Result<&'static dyn ProviderSpec, AppError> {
    let name = string(object, "provider")?.ok_or_else(|| {
        invalid(
            "provider",
            format!("is required: one of {}", registry::available()),
        )
    })?;
    name.parse::<Provider>()
        .ok()
        .and_then(registry::spec)
        .ok_or_else(|| {
            invalid(
                "provider",
                format!("must be one of {}", registry::available()),
            )
        })
}

/// The `auth` object of a body, read as one of `spec`'s modes that a backend may post.
pub(crate) fn auth(spec: &dyn ProviderSpec, value: Option<Value>) -> Result<AuthInput, AppError> {
    let modes = || {
        spec.modes()
            .iter()
            .filter(|m| m.posted)
            .map(|m| m.mode.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut object = match value {
        Some(Value::Object(object)) => object,
        None | Some(Value::Null) => return Err(invalid("auth", "is required")),
        Some(_) => return Err(invalid("auth", "must be an object with a `mode`")),
    };
    let mode_name = string(&mut object, "mode")?.ok_or_else(|| {
        invalid(
            "auth.mode",
            format!("is required: one of {} for {}", modes(), spec.provider()),
        )
    })?;
    let mode = spec
        .modes()
        .iter()
        .find(|m| m.mode.as_str() == mode_name)
        .ok_or_else(|| {
            invalid(
                "auth.mode",
                format!("must be one of {} for {}", modes(), spec.provider()),
            )
        })?;
    if !mode.posted {
        return Err(invalid(
            "auth.mode",
            format!(
                "`{mode_name}` connections are made through a connect session's redirect; \
                 post one of {}",
                modes()
            ),
        ));
    }
    AuthInput::read(mode, object, "auth.").map_err(|f| AppError::invalid(f.field, f.message))
}

impl ConnectRequest {
    /// Reads `POST /v1/connections`'s body: `provider`, the provider's account field
    /// (`subdomain`, `domain`), `auth` and the optional `external_ref`. Unknown fields are
    /// refused.
    pub fn from_body(mut object: Map<String, Value>) -> Result<Self, AppError> {
        let spec = provider(&mut object)?;
        let account = spec.account_field();
        let label = string(&mut object, account.name)?.ok_or_else(|| {
            invalid(
                account.name,
                format!("is required: {}", account.description),
            )
        })?;
        let account_label = spec
            .account_label(&label)
            .map_err(|f| AppError::invalid(f.field, f.message))?;
        let external_ref = string(&mut object, "external_ref")?;
        let auth = auth(spec, object.remove("auth"))?;
        if let Some(unknown) = object.keys().next() {
            return Err(invalid(
                unknown,
                format!(
                    "is not a field of a {} connection: expected provider, {}, auth, external_ref",
                    spec.provider(),
                    account.name
                ),
            ));
        }
        Ok(Self {
            provider: spec.provider(),
            account_label,
            auth,
            external_ref,
        })
    }
}

/// Reads `PUT /v1/connections/{id}/credentials`'s body (`{"auth": {...}}`) for a connection
/// of `provider`.
pub(crate) fn replacement(
    spec: &dyn ProviderSpec,
    mut object: Map<String, Value>,
) -> Result<AuthInput, AppError> {
    let auth = auth(spec, object.remove("auth"))?;
    if let Some(unknown) = object.keys().next() {
        return Err(invalid(unknown, "is not a field: expected auth"));
    }
    Ok(auth)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(o) => o,
            _ => panic!("not an object"),
        }
    }

    fn field_of(e: AppError) -> String {
        match e {
            AppError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_zendesk_body_is_read_against_its_description() {
        let r = ConnectRequest::from_body(body(json!({
            "provider": "zendesk", "subdomain": "Acme", "external_ref": "c-1",
            "auth": {"mode": "api_token", "email": "a@b.test", "token": "canary"}
        })))
        .unwrap();
        assert_eq!(r.provider, Provider::Zendesk);
        assert_eq!(r.account_label, "acme");
        assert_eq!(r.external_ref.as_deref(), Some("c-1"));
        assert_eq!(r.auth.text("email"), Some("a@b.test"));
        assert!(!format!("{r:?}").contains("canary"));
    }

    #[test]
    fn each_mistake_names_its_field() {
        let cases = [
            (json!({}), "provider"),
            (json!({"provider": "nope"}), "provider"),
            (json!({"provider": "zendesk", "auth": {}}), "subdomain"),
            (
                json!({"provider": "zendesk", "subdomain": "a.b"}),
                "subdomain",
            ),
            (json!({"provider": "zendesk", "subdomain": "acme"}), "auth"),
            (
                json!({"provider": "zendesk", "subdomain": "acme", "auth": {}}),
                "auth.mode",
            ),
            (
                json!({"provider": "zendesk", "subdomain": "acme", "auth": {"mode": "oauth_code"}}),
                "auth.mode",
            ),
            (
                json!({"provider": "zendesk", "subdomain": "acme", "auth": {"mode": "api_token", "email": "a@b.test"}}),
                "auth.token",
            ),
            (
                json!({"provider": "zendesk", "subdomain": "acme", "extra": 1, "auth": {"mode": "api_token", "email": "a@b.test", "token": "t"}}),
                "extra",
            ),
        ];
        for (b, field) in cases {
            assert_eq!(
                field_of(ConnectRequest::from_body(body(b)).unwrap_err()),
                field
            );
        }
    }
}
