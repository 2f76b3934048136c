//! A connection's stored credentials: a small set of named secrets, written and read back by
//! each provider's description.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

/// The name of one credential field. The label is part of each sealed blob's associated data,
/// so labels are frozen once released: renaming one makes every blob stored under it
/// unreadable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CredentialField {
    /// A legacy API token (Zendesk), used with `email`.
    ApiToken,
    /// An API key (Freshdesk).
    ApiKey,
    /// The user an API token belongs to (Zendesk).
    Email,
    /// An OAuth access token, or a private-app access token (Intercom).
    AccessToken,
    /// An OAuth refresh token.
    RefreshToken,
    /// The customer's own OAuth client id, when they bring their own client.
    ClientId,
    /// The customer's own OAuth client secret.
    ClientSecret,
}

impl CredentialField {
    /// Every field.
    pub const ALL: [CredentialField; 7] = [
        CredentialField::ApiToken,
        CredentialField::ApiKey,
        CredentialField::Email,
        CredentialField::AccessToken,
        CredentialField::RefreshToken,
        CredentialField::ClientId,
        CredentialField::ClientSecret,
    ];

    /// The stored name, which is also part of the associated data.
    pub fn label(self) -> &'static str {
        match self {
            CredentialField::ApiToken => "api_token",
            CredentialField::ApiKey => "api_key",
            CredentialField::Email => "email",
            CredentialField::AccessToken => "access_token",
            CredentialField::RefreshToken => "refresh_token",
            CredentialField::ClientId => "client_id",
            CredentialField::ClientSecret => "client_secret",
        }
    }
}

impl fmt::Display for CredentialField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A stored field name this release does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown credential field `{0}`")]
pub struct UnknownCredentialField(pub String);

impl FromStr for CredentialField {
    type Err = UnknownCredentialField;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CredentialField::ALL
            .into_iter()
            .find(|field| field.label() == s)
            .ok_or_else(|| UnknownCredentialField(s.to_owned()))
    }
}

/// A connection's credentials: each field's plaintext as a [`SecretString`], which redacts
/// `Debug`, zeroizes on drop and is not `Serialize`. `Debug` shows field names only.
#[derive(Clone, Default)]
pub struct Credentials {
    fields: BTreeMap<CredentialField, SecretString>,
}

impl Credentials {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds or replaces a field, builder style.
    #[must_use]
    pub fn with(mut self, field: CredentialField, value: impl Into<SecretString>) -> Self {
        self.fields.insert(field, value.into());
        self
    }

    /// Adds or replaces a field; returns the value it replaced.
    pub fn insert(&mut self, field: CredentialField, value: SecretString) -> Option<SecretString> {
        self.fields.insert(field, value)
    }

    pub fn get(&self, field: CredentialField) -> Option<&SecretString> {
        self.fields.get(&field)
    }

    /// The names of the fields present, in a fixed order.
    pub fn fields(&self) -> impl Iterator<Item = CredentialField> + '_ {
        self.fields.keys().copied()
    }

    /// Each field with its secret.
    pub fn iter(&self) -> impl Iterator<Item = (CredentialField, &SecretString)> + '_ {
        self.fields.iter().map(|(field, value)| (*field, value))
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// A field a stored connection must have.
    pub fn require(&self, field: CredentialField) -> Result<&SecretString, StoredError> {
        self.get(field)
            .ok_or_else(|| StoredError(format!("no stored `{field}`")))
    }

    /// A non-secret field (an email, a client id), as text.
    pub fn text(&self, field: CredentialField) -> Result<String, StoredError> {
        Ok(self.require(field)?.expose_secret().to_owned())
    }
}

/// What is stored for a connection cannot be used: a bug or a corrupted row, never the
/// caller's mistake. The message names fields, never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the stored connection is unusable: {0}")]
pub struct StoredError(pub String);

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("fields", &self.fields.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for field in CredentialField::ALL {
            assert_eq!(field.label().parse::<CredentialField>(), Ok(field));
            assert!(seen.insert(field.label()));
        }
        assert_eq!(
            "password".parse::<CredentialField>(),
            Err(UnknownCredentialField("password".into()))
        );
    }

    #[test]
    fn debug_names_fields_and_hides_values() {
        let creds = Credentials::new()
            .with(CredentialField::Email, "agent@example.com")
            .with(CredentialField::ApiToken, "canary-token-7f3a");
        let shown = format!("{creds:?}");
        assert!(
            shown.contains("ApiToken") && shown.contains("Email"),
            "{shown}"
        );
        assert!(!shown.contains("canary-token-7f3a") && !shown.contains("agent@"));
        assert_eq!(
            creds
                .get(CredentialField::ApiToken)
                .map(|s| s.expose_secret()),
            Some("canary-token-7f3a")
        );
    }
}
