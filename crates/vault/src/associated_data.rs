//! The owner a sealed blob is bound to, and its canonical encoding as AEAD associated data.

use uuid::Uuid;

/// What a sealed blob is for. Part of the associated data, so a blob sealed for one purpose
/// never opens as another.
///
/// Each purpose is encoded by its [`label`](Purpose::label); labels are frozen once released,
/// because changing one makes every blob sealed under it unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// A credential of a helpdesk connection (API token, OAuth tokens, API key).
    ConnectionCredential,
    /// A tenant's OAuth client secret. `connection_id` then holds the OAuth app's id.
    OAuthClientSecret,
    /// A secret of one OAuth authorize round trip (the PKCE verifier, a client secret the
    /// customer typed). `connection_id` then holds the OAuth session's id.
    OAuthSessionSecret,
    /// The secret that verifies a vendor's webhooks for one connection (Zendesk's signing
    /// secret). `connection_id` holds the connection's id.
    HookSecret,
    /// A webhook endpoint's signing secret. `connection_id` then holds the endpoint's id.
    WebhookSecret,
    /// The stored answer to a write with an Idempotency-Key (it may show a secret once).
    /// `connection_id` is nil and `field` is the key.
    IdempotencyResponse,
}

impl Purpose {
    /// Every purpose, for tests and tooling that must cover them all.
    pub const ALL: [Purpose; 6] = [
        Purpose::ConnectionCredential,
        Purpose::OAuthClientSecret,
        Purpose::OAuthSessionSecret,
        Purpose::HookSecret,
        Purpose::WebhookSecret,
        Purpose::IdempotencyResponse,
    ];

    /// The stable label that goes into the associated data.
    pub fn label(self) -> &'static str {
        match self {
            Purpose::ConnectionCredential => "connection_credential",
            Purpose::OAuthClientSecret => "oauth_client_secret",
            Purpose::OAuthSessionSecret => "oauth_session_secret",
            Purpose::HookSecret => "hook_secret",
            Purpose::WebhookSecret => "webhook_secret",
            Purpose::IdempotencyResponse => "idempotency_response",
        }
    }
}

/// The owner of a sealed blob: `(purpose, tenant, connection, field)`.
///
/// The same value must be given to open a blob as was given to seal it, so a blob copied to
/// another row, connection or tenant fails to open. The key version is deliberately not part
/// of it: the caller does not need to know which key sealed a blob in order to open it, and
/// re-wrapping under a new key keeps the owner unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssociatedData<'a> {
    /// What the blob is for.
    pub purpose: Purpose,
    /// The tenant that owns the blob.
    pub tenant_id: Uuid,
    /// The connection (or, for [`Purpose::OAuthClientSecret`], the OAuth app) the blob belongs to.
    pub connection_id: Uuid,
    /// Which credential field of the owner this is, e.g. `api_token` or `refresh_token`.
    pub field: &'a str,
}

impl<'a> AssociatedData<'a> {
    /// The owner of one credential field of a connection.
    pub fn connection_credential(tenant_id: Uuid, connection_id: Uuid, field: &'a str) -> Self {
        AssociatedData {
            purpose: Purpose::ConnectionCredential,
            tenant_id,
            connection_id,
            field,
        }
    }

    /// The owner of a secret of another kind (an OAuth app's, an OAuth session's).
    pub fn new(purpose: Purpose, tenant_id: Uuid, owner_id: Uuid, field: &'a str) -> Self {
        AssociatedData {
            purpose,
            tenant_id,
            connection_id: owner_id,
            field,
        }
    }

    /// The bytes authenticated by the AEAD: the envelope header bytes that select format and
    /// algorithm, then each owner component as a 64-bit big-endian length followed by its bytes.
    ///
    /// Length prefixes make the encoding injective: no two different owners encode to the same
    /// bytes, whatever characters the field name holds.
    pub(crate) fn encode(&self, authenticated_header: [u8; 2]) -> Vec<u8> {
        let purpose = self.purpose.label().as_bytes();
        let field = self.field.as_bytes();
        let mut out = Vec::with_capacity(2 + 4 * 8 + purpose.len() + 16 + 16 + field.len());
        out.extend_from_slice(&authenticated_header);
        for component in [
            purpose,
            self.tenant_id.as_bytes().as_slice(),
            self.connection_id.as_bytes().as_slice(),
            field,
        ] {
            out.extend_from_slice(&(component.len() as u64).to_be_bytes());
            out.extend_from_slice(component);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_the_header_then_length_prefixed_components() {
        let tenant = Uuid::from_u128(0x0102);
        let connection = Uuid::from_u128(0x0304);
        let encoded =
            AssociatedData::connection_credential(tenant, connection, "api_token").encode([1, 1]);

        let mut expected = vec![1, 1];
        expected.extend_from_slice(&21u64.to_be_bytes());
        expected.extend_from_slice(b"connection_credential");
        expected.extend_from_slice(&16u64.to_be_bytes());
        expected.extend_from_slice(tenant.as_bytes());
        expected.extend_from_slice(&16u64.to_be_bytes());
        expected.extend_from_slice(connection.as_bytes());
        expected.extend_from_slice(&9u64.to_be_bytes());
        expected.extend_from_slice(b"api_token");
        assert_eq!(encoded, expected);
    }

    #[test]
    fn purpose_labels_are_distinct() {
        let labels: std::collections::HashSet<_> =
            Purpose::ALL.iter().map(|purpose| purpose.label()).collect();
        assert_eq!(labels.len(), Purpose::ALL.len());
    }
}
