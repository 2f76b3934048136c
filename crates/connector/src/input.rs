//! [`AuthInput`]: the fields of one auth mode, read from a request body's `auth` object
//! against the mode's description. Secret fields are `SecretString`s from the moment they
//! are read; errors name the field (`auth.api_key`) and never echo a value.

use std::collections::BTreeMap;
use std::fmt;

use deskgate_core::{AuthMode, FieldError};
use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::provider::{InputField, ModeDescription};

/// The checked fields of one auth mode.
pub struct AuthInput {
    mode: AuthMode,
    texts: BTreeMap<&'static str, String>,
    secrets: BTreeMap<&'static str, SecretString>,
}

fn invalid(prefix: &str, name: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: format!("{prefix}{name}"),
        message: message.into(),
    }
}

/// Whether `email` is plausibly an email address (one `@`, a dotted domain, no spaces).
pub fn plausible_email(email: &str) -> bool {
    email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

impl AuthInput {
    /// Reads `object` (the `auth` object without its `mode`) as `mode`'s fields. `prefix` is
    /// put before field names in errors (`auth.`). Unknown fields, wrong types, missing or
    /// empty required fields and over-long values are refused.
    pub fn read(
        mode: &ModeDescription,
        object: Map<String, Value>,
        prefix: &str,
    ) -> Result<Self, FieldError> {
        let mut input = Self {
            mode: mode.mode,
            texts: BTreeMap::new(),
            secrets: BTreeMap::new(),
        };
        for (name, value) in object {
            let Some(field) = mode.fields.iter().find(|f| f.name == name) else {
                let known: Vec<&str> = mode.fields.iter().map(|f| f.name).collect();
                return Err(invalid(
                    prefix,
                    &name,
                    format!(
                        "is not a field of mode `{}`: expected {}",
                        mode.mode.as_str(),
                        known.join(", ")
                    ),
                ));
            };
            let text = match value {
                Value::String(text) => text,
                Value::Null if !field.required => continue,
                _ => return Err(invalid(prefix, field.name, "must be a string")),
            };
            input.put(field, text, prefix)?;
        }
        if let Some(missing) = mode
            .fields
            .iter()
            .find(|f| f.required && !input.has(f.name))
        {
            return Err(invalid(prefix, missing.name, "is required"));
        }
        Ok(input)
    }

    fn put(&mut self, field: &InputField, text: String, prefix: &str) -> Result<(), FieldError> {
        let value = if field.secret {
            text
        } else {
            text.trim().to_owned()
        };
        if value.trim().is_empty() {
            return Err(invalid(prefix, field.name, "must not be empty"));
        }
        if value.chars().count() > field.max_chars {
            return Err(invalid(
                prefix,
                field.name,
                format!("must be at most {} characters", field.max_chars),
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(invalid(
                prefix,
                field.name,
                "must not contain control characters",
            ));
        }
        if field.email && !plausible_email(&value) {
            return Err(invalid(prefix, field.name, "must be an email address"));
        }
        if field.secret {
            self.secrets.insert(field.name, SecretString::from(value));
        } else {
            self.texts.insert(field.name, value);
        }
        Ok(())
    }

    fn has(&self, name: &str) -> bool {
        self.texts.contains_key(name) || self.secrets.contains_key(name)
    }

    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// A non-secret field, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// A secret field, if given.
    pub fn secret(&self, name: &str) -> Option<&SecretString> {
        self.secrets.get(name)
    }

    /// A required non-secret field ([`AuthInput::read`] has checked it is there).
    pub fn required_text(&self, name: &str) -> Result<&str, FieldError> {
        self.text(name)
            .ok_or_else(|| invalid("auth.", name, "is required"))
    }

    /// A required secret field.
    pub fn required_secret(&self, name: &str) -> Result<&SecretString, FieldError> {
        self.secret(name)
            .ok_or_else(|| invalid("auth.", name, "is required"))
    }

    /// An input built in code (tests, the demo), checked like a body's.
    pub fn from_pairs(mode: &ModeDescription, pairs: &[(&str, &str)]) -> Result<Self, FieldError> {
        let object = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect();
        Self::read(mode, object, "auth.")
    }
}

impl fmt::Debug for AuthInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthInput")
            .field("mode", &self.mode)
            .field("texts", &self.texts)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use secrecy::ExposeSecret;
    use serde_json::json;

    use super::*;

    const MODE: ModeDescription = ModeDescription {
        title: "Test",
        mode: AuthMode::ApiToken,
        summary: "",
        fields: &[
            InputField::email("email", "the agent"),
            InputField::secret("token", "the token"),
            InputField::text("scope", "scopes").optional(),
        ],
        posted: true,
        renews: false,
        revokes: false,
    };

    fn read(value: Value) -> Result<AuthInput, FieldError> {
        let Value::Object(object) = value else {
            panic!("not an object")
        };
        AuthInput::read(&MODE, object, "auth.")
    }

    #[test]
    fn fields_are_read_trimmed_and_secrets_kept_secret() {
        let input = read(json!({"email": " a@b.test ", "token": "canary-7"})).unwrap();
        assert_eq!(input.text("email"), Some("a@b.test"));
        assert_eq!(input.secret("token").unwrap().expose_secret(), "canary-7");
        assert_eq!(input.text("scope"), None);
        assert!(!format!("{input:?}").contains("canary"));
    }

    #[test]
    fn errors_name_the_field_and_never_the_value() {
        let cases = [
            (json!({"email": "a@b.test"}), "auth.token", "is required"),
            (
                json!({"email": "nope", "token": "t"}),
                "auth.email",
                "email",
            ),
            (
                json!({"email": "a@b.test", "token": 7}),
                "auth.token",
                "string",
            ),
            (
                json!({"email": "a@b.test", "token": "  "}),
                "auth.token",
                "empty",
            ),
            (
                json!({"email": "a@b.test", "token": "t", "tokne": "canary"}),
                "auth.tokne",
                "expected email, token, scope",
            ),
        ];
        for (body, field, words) in cases {
            let e = read(body).unwrap_err();
            assert_eq!(e.field, field);
            assert!(e.message.contains(words), "{}", e.message);
            assert!(!e.message.contains("canary"));
        }
    }

    #[test]
    fn emails_need_one_at_and_a_dotted_domain() {
        for ok in ["a@b.co", "first.last@sub.example.com"] {
            assert!(plausible_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a@b.", "a b@c.co", "a@b@c.co",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}
