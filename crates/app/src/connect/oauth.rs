//! OAuth by redirect (RFC 9700): the start writes an OAuth session — `state` stored as a
//! digest, the PKCE verifier sealed, the provider, account and the connector's token URL —
//! then sends the customer to the vendor. The callback consumes the session at most once,
//! before it expires, for the provider of its own path only; exchanges the code at the
//! stored token URL with the stored verifier; and stores the connection, spending the
//! connect session, in one transaction. All of it lives in the store, so a flow started on
//! one replica completes on any other.

use chrono::{Duration, Utc};
use deskgate_connector::pkce::{OAuthState, PkceVerifier};
use deskgate_connector::{
    AuthInput, AuthorizeRequest, CodeExchange, ModeDescription, OAuthClientInput, ProviderSpec,
};
use deskgate_core::{FieldError, Provider};
use deskgate_store::connect_sessions::{ConnectSessionRecord, OAuthSessionRecord};
use deskgate_vault::{AssociatedData, Purpose};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::connect::digest;
use crate::connect::finish::{Finish, Outcome};
use crate::connect::page::{PageError, sentence};
use crate::connections::registry;
use crate::{App, AppError, RequestContext};

/// How long a customer has to approve at the vendor.
pub const OAUTH_SESSION_LIFETIME: Duration = Duration::minutes(10);

const VERIFIER_FIELD: &str = "code_verifier";
const SECRET_FIELD: &str = "client_secret";

/// Why a redirect mode could not start: errors beside fields, or about the whole form.
#[derive(Debug)]
pub(crate) struct Refused {
    pub(crate) fields: Vec<FieldError>,
    pub(crate) message: Option<String>,
}

/// The query of `GET /oauth/callback/{provider}`.
#[derive(Clone, Default)]
pub struct CallbackParams {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
}

impl std::fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackParams")
            .field("state", &self.state.as_ref().map(|_| "[redacted]"))
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("error", &self.error)
            .finish()
    }
}

fn owner(tenant: deskgate_core::TenantId, id: Uuid, field: &str) -> AssociatedData<'_> {
    AssociatedData::new(Purpose::OAuthSessionSecret, tenant.as_uuid(), id, field)
}

impl App {
    /// Starts the redirect mode of `spec` for a session: the vendor's authorize URL, or the
    /// form's field errors.
    pub(crate) async fn start_oauth(
        &self,
        record: &ConnectSessionRecord,
        spec: &'static dyn ProviderSpec,
        mode: &ModeDescription,
        account_label: &str,
        typed: Map<String, Value>,
        popup: bool,
    ) -> Result<Result<String, Refused>, PageError> {
        let field = |name: &str, message: String| {
            Ok(Err(Refused {
                fields: vec![FieldError {
                    field: name.to_owned(),
                    message,
                }],
                message: None,
            }))
        };
        let provider = spec.provider();
        let title = spec.description().title;
        let own = !typed.is_empty();
        let client = if own {
            let input = match AuthInput::read(mode, typed, "") {
                Ok(input) => input,
                Err(f) => return field(&f.field, sentence(&f.message)),
            };
            let Some(client_id) = input.text("client_id") else {
                return field(
                    "client_id",
                    "Enter the client ID that goes with this secret.".into(),
                );
            };
            OAuthClientInput {
                client_id: client_id.to_owned(),
                client_secret: input.secret("client_secret").cloned(),
                scopes: None,
            }
        } else {
            match self.tenant_oauth_client(record.tenant_id, provider).await? {
                Some(client) => client,
                // The customer may bring their own client where the mode takes one.
                None if mode.fields.iter().any(|f| f.name == "client_id") => {
                    return field(
                        "client_id",
                        format!(
                            "This app has no {title} OAuth client set up: enter the ID and \
                             secret of an OAuth client of your own {title} account."
                        ),
                    );
                }
                None => {
                    return Ok(Err(Refused {
                        fields: vec![],
                        message: Some(format!(
                            "This app has not set up signing in with {title} yet: choose \
                             another way to connect, or ask the app's support."
                        )),
                    }));
                }
            }
        };
        let token_url = spec.token_url(account_label).ok_or_else(|| {
            AppError::Internal(format!("{provider} has a redirect mode but no token URL"))
        })?;
        let state = OAuthState::generate();
        let verifier = PkceVerifier::generate();
        let redirect_uri = self.oauth_redirect_uri(provider);
        let url = match spec.authorize_url(&AuthorizeRequest {
            account_label,
            client: &client,
            redirect_uri: &redirect_uri,
            state: state.secret(),
            verifier: verifier.secret(),
        }) {
            Ok(Some(url)) => url,
            Ok(None) => {
                return Err(AppError::Internal(format!("{provider} gave no authorize URL")).into());
            }
            Err(deskgate_connector::ProviderError::Invalid(f)) => {
                return field(&f.field, sentence(&f.message));
            }
            Err(e) => return Err(AppError::Internal(e.to_string()).into()),
        };
        let id = Uuid::now_v7();
        let seal = |field: &str, secret: &SecretString| {
            self.vault()
                .seal(
                    &owner(record.tenant_id, id, field),
                    secret.expose_secret().as_bytes(),
                )
                .map_err(|e| AppError::Internal(format!("sealing an oauth session: {e}")))
        };
        let now = Utc::now();
        let session = OAuthSessionRecord {
            id,
            state_hash: digest(state.secret().expose_secret()),
            tenant_id: record.tenant_id,
            connect_session_id: record.id,
            provider,
            account_label: account_label.to_owned(),
            token_url,
            redirect_uri,
            client_id: client.client_id.clone(),
            scopes: client.scopes.clone(),
            own_client: own,
            verifier: seal(VERIFIER_FIELD, verifier.secret())?,
            client_secret: match (&client.client_secret, own) {
                (Some(secret), true) => Some(seal(SECRET_FIELD, secret)?),
                _ => None,
            },
            popup,
            created_at: now,
            expires_at: now + OAUTH_SESSION_LIFETIME,
            consumed_at: None,
        };
        self.store().insert_oauth_session(&session).await?;
        tracing::info!(tenant = %record.tenant_id, session = %record.id, %provider, "oauth authorize started");
        let url = url::Url::parse(&url)
            .map_err(|e| AppError::Internal(format!("{provider}'s authorize URL: {e}")))?;
        Ok(Ok(self.upstream().browser_url(&url).to_string()))
    }

    fn open_sealed(
        &self,
        session: &OAuthSessionRecord,
        field: &str,
        blob: &[u8],
    ) -> Result<SecretString, PageError> {
        let opened = self
            .vault()
            .open(&owner(session.tenant_id, session.id, field), blob)
            .map_err(|_| PageError::BadCallback("this sign-in cannot be completed any more"))?;
        String::from_utf8(opened.expose_secret().to_vec())
            .map(SecretString::from)
            .map_err(|_| PageError::BadCallback("this sign-in cannot be completed any more"))
    }

    /// Deletes OAuth sessions that expired over an hour ago; how many.
    pub async fn sweep_oauth_sessions(&self) -> Result<u64, AppError> {
        Ok(self
            .store()
            .purge_oauth_sessions(Utc::now() - Duration::hours(1))
            .await?)
    }

    /// The vendor sent the customer back: completes the OAuth session its `state` names.
    pub async fn oauth_callback(
        &self,
        provider: &str,
        params: CallbackParams,
        request_id: Option<String>,
    ) -> Result<Finish, PageError> {
        let spec = provider
            .parse::<Provider>()
            .ok()
            .and_then(registry::spec)
            .ok_or(PageError::Unknown)?;
        let Some(state) = params.state.filter(|s| !s.is_empty() && s.len() <= 200) else {
            return Err(PageError::BadCallback(
                "the answer from the helpdesk carries no state",
            ));
        };
        let state_hash = digest(&state);
        let Some(session) = self
            .store()
            .consume_oauth_session(&state_hash, Utc::now())
            .await?
        else {
            let reason = if self.store().oauth_state_known(&state_hash).await? {
                "this sign-in was completed already or took too long"
            } else {
                "this sign-in is not one this gateway started"
            };
            tracing::warn!(%provider, reason, "oauth callback refused");
            return Err(PageError::BadCallback(reason));
        };
        if session.provider != spec.provider() {
            tracing::warn!(%provider, started_for = %session.provider, "oauth callback on another provider's path");
            return Err(PageError::BadCallback(
                "this sign-in was started for another helpdesk",
            ));
        }
        let Some(record) = self
            .store()
            .connect_session(session.tenant_id, session.connect_session_id)
            .await?
        else {
            return Err(PageError::BadCallback("the connect link was withdrawn"));
        };
        if !record.open(Utc::now()) {
            let code = match record.status(Utc::now()) {
                deskgate_store::connect_sessions::SessionStatus::Revoked => "revoked",
                deskgate_store::connect_sessions::SessionStatus::Connected => "already_connected",
                _ => "expired",
            };
            return Ok(Finish::new(
                &record,
                Outcome::Failed(code.into()),
                session.popup,
            ));
        }
        let record = &record;
        let popup = session.popup;
        let fail = |code: &'static str| async move {
            self.store()
                .fail_connect_session(record.tenant_id, record.id, code, None)
                .await?;
            Ok::<_, PageError>(Finish::new(record, Outcome::Failed(code.into()), popup))
        };
        if let Some(error) = params.error {
            tracing::info!(tenant = %record.tenant_id, session = %record.id, error = %error.chars().take(40).collect::<String>(), "the vendor refused the authorization");
            let code = if error == "access_denied" {
                "access_denied"
            } else {
                "authorization_failed"
            };
            return fail(code).await;
        }
        let Some(code) = params.code.filter(|c| !c.is_empty() && c.len() <= 2000) else {
            return Err(PageError::BadCallback(
                "the answer from the helpdesk carries no code",
            ));
        };
        // Mix-up defense: the code goes only to the token URL the session was started for.
        if spec.token_url(&session.account_label).as_deref() != Some(session.token_url.as_str()) {
            tracing::error!(tenant = %record.tenant_id, session = %record.id, "an oauth session's token url differs from its provider's");
            return Err(PageError::BadCallback(
                "this sign-in cannot be completed any more",
            ));
        }
        let verifier = self.open_sealed(&session, VERIFIER_FIELD, &session.verifier)?;
        let client = if session.own_client {
            OAuthClientInput {
                client_id: session.client_id.clone(),
                client_secret: match &session.client_secret {
                    Some(blob) => Some(self.open_sealed(&session, SECRET_FIELD, blob)?),
                    None => None,
                },
                scopes: session.scopes.clone(),
            }
        } else {
            match self
                .tenant_oauth_client(session.tenant_id, session.provider)
                .await?
            {
                Some(client) if client.client_id == session.client_id => client,
                _ => return fail("authorization_failed").await,
            }
        };
        let code = SecretString::from(code);
        let exchanged = spec
            .exchange_code(
                self.upstream(),
                &CodeExchange {
                    account_label: &session.account_label,
                    client: &client,
                    code: &code,
                    redirect_uri: &session.redirect_uri,
                    verifier: &verifier,
                },
            )
            .await;
        let checked = match exchanged {
            Ok(checked) => checked,
            Err(e) => {
                tracing::warn!(tenant = %record.tenant_id, session = %record.id, error = %e, "the code exchange failed");
                return fail("connection_check_failed").await;
            }
        };
        let mut ctx = RequestContext::connect_session(record.tenant_id, record.id);
        ctx.request_id = request_id;
        self.complete_session(record, session.provider, checked, &ctx, session.popup)
            .await
    }
}
