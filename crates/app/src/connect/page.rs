//! What the hosted connect page shows and does. Everything on it comes from the providers'
//! descriptions (titles, account field, modes and their fields, deprecations): no provider
//! is written out here.
//!
//! Every form post carries a CSRF token: a MAC of the session id under the vault's keys, so
//! a page from another site cannot post for a session it has not loaded. A posted mode's
//! form is checked with the vendor before anything is stored; a refusal comes back as the
//! connector's diagnosis beside the field it concerns, with what the customer typed kept
//! (secrets excepted).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use deskgate_connector::{AuthInput, InputField, ModeDescription, ProviderSpec};
use deskgate_core::{ConnectorError, FieldError, Provider, TenantId};
use deskgate_store::connect_sessions::{ConnectSessionRecord, SessionSpend, SessionStatus};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::connect::finish::{Finish, Outcome};
use crate::connect::{digest, sessions};
use crate::connections::{Connection, registry};
use crate::{App, AppError, RequestContext};

const CSRF_LABEL: &str = "deskgate connect form v1";

/// One input of a mode's form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    pub description: String,
    pub secret: bool,
    pub required: bool,
    pub email: bool,
    pub max_chars: usize,
}

/// One way to connect, as the page offers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeView {
    pub mode: &'static str,
    pub title: &'static str,
    pub summary: String,
    /// Fields typed on the page (for a redirect mode: the customer's own OAuth client).
    pub fields: Vec<FieldView>,
    /// Whether the form sends the customer to the vendor to sign in.
    pub redirect: bool,
    /// Whether a redirect mode's fields may be left empty (the tenant set up an OAuth app).
    pub fields_optional: bool,
    /// The first mode, the one to prefer.
    pub recommended: bool,
    /// The day this mode stops working, and what to do.
    pub notice: Option<String>,
}

/// A provider as the page offers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderView {
    pub provider: &'static str,
    pub title: &'static str,
    pub account_field: &'static str,
    pub account_label: String,
    pub account_description: String,
    pub account_example: &'static str,
    /// The values the account field takes, when it is a choice (shown as a list).
    pub account_choices: &'static [&'static str],
    /// The account, fixed when the session re-authorizes a connection.
    pub fixed_account: Option<String>,
    pub modes: Vec<ModeView>,
}

/// What the page renders for an open session.
#[derive(Clone, Debug)]
pub struct PageView {
    pub session_id: Uuid,
    pub csrf: String,
    pub end_user_name: Option<String>,
    pub providers: Vec<ProviderView>,
    pub reauthorizes: bool,
    pub expires_at: DateTime<Utc>,
    /// Origins that may frame the page: those of the tenant's registered return URLs.
    pub frame_ancestors: Vec<String>,
    /// The return URL's origin, where the page's cancel link leads.
    pub return_origin: String,
}

impl PageView {
    pub fn provider(&self, name: &str) -> Option<&ProviderView> {
        self.providers.iter().find(|p| p.provider == name)
    }
}

/// Why the page cannot be shown or acted on.
#[derive(Debug)]
pub enum PageError {
    /// No session has this token (a mistyped or forged link).
    Unknown,
    /// The session ended: spent, expired or revoked. `back` leads to the return URL with the
    /// reason, where there is one to give.
    Closed {
        status: SessionStatus,
        back: Option<Finish>,
    },
    /// A form post without the session's CSRF token.
    Forgery,
    /// An OAuth callback that cannot be acted on (unknown, replayed, expired or another
    /// provider's state; no code). Nothing was stored.
    BadCallback(&'static str),
    Internal(AppError),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::Internal(e)
    }
}

impl From<deskgate_store::StoreError> for PageError {
    fn from(e: deskgate_store::StoreError) -> Self {
        PageError::Internal(e.into())
    }
}

/// What a form post asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PageAction {
    Connect { provider: String, mode: String },
    Cancel,
}

/// A form post, as the page's fields came.
pub struct PageForm {
    pub action: PageAction,
    pub csrf: String,
    pub popup: bool,
    /// Every other field, by name (the account field and the mode's fields).
    pub fields: Vec<(String, String)>,
}

impl std::fmt::Debug for PageForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Field values may be secrets.
        let names: Vec<&str> = self.fields.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("PageForm")
            .field("action", &self.action)
            .field("popup", &self.popup)
            .field("fields", &names)
            .finish()
    }
}

/// A form the page shows again, with what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    pub provider: String,
    pub mode: String,
    /// Errors beside fields, by field name.
    pub fields: Vec<FieldError>,
    /// An error about the whole form.
    pub message: Option<String>,
    /// What the customer typed, secrets excepted.
    pub values: Vec<(String, String)>,
}

/// What a form post led to.
#[derive(Debug)]
pub enum Submitted {
    /// Off to the vendor to sign in (a redirect mode).
    Redirect(String),
    /// Back to the tenant.
    Finished(Finish),
    /// The form again, with its errors.
    Invalid(Box<PageView>, FormError),
}

/// `client_id` → `Client ID`, `api_key` → `API key`.
fn label(name: &str) -> String {
    let words: Vec<String> = name
        .split('_')
        .enumerate()
        .map(|(i, w)| match w {
            "id" => "ID".to_owned(),
            "api" => "API".to_owned(),
            "url" => "URL".to_owned(),
            w if i == 0 => {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
            w => w.to_owned(),
        })
        .collect();
    words.join(" ")
}

fn field_view(f: &InputField, optional: bool) -> FieldView {
    FieldView {
        name: f.name,
        label: label(f.name),
        description: plain(f.description),
        secret: f.secret,
        required: f.required && !optional,
        email: f.email,
        max_chars: f.max_chars,
    }
}

/// A description written for the API reference, as a page shows it: no code marks.
fn plain(text: &str) -> String {
    text.replace('`', "")
}

/// `text` ending with a full stop, as written otherwise.
fn full_stop(mut text: String) -> String {
    if !text.trim_end().ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// A sentence as people read it: no code marks, the first letter upper-case, a full stop at
/// the end.
pub(crate) fn sentence(text: &str) -> String {
    let text = plain(text);
    let mut c = text.trim().chars();
    let mut out: String = c
        .next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

impl App {
    fn csrf_token(&self, session: Uuid) -> Result<String, AppError> {
        let mac = self
            .vault()
            .sign(CSRF_LABEL, session.as_bytes())
            .map_err(|e| AppError::Internal(format!("signing a form token: {e}")))?;
        Ok(URL_SAFE_NO_PAD.encode(mac))
    }

    fn csrf_ok(&self, session: Uuid, token: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(token)
            .is_ok_and(|mac| self.vault().verify(CSRF_LABEL, session.as_bytes(), &mac))
    }

    /// The open session a connect token names.
    pub(crate) async fn open_session(
        &self,
        token: &str,
    ) -> Result<ConnectSessionRecord, PageError> {
        if token.is_empty() || token.len() > 100 {
            return Err(PageError::Unknown);
        }
        let record = self
            .store()
            .connect_session_by_token(&digest(token))
            .await?
            .ok_or(PageError::Unknown)?;
        let status = record.status(Utc::now());
        if record.open(Utc::now()) {
            return Ok(record);
        }
        let back = match status {
            SessionStatus::Expired => Some(Finish::new(
                &record,
                Outcome::Failed("expired".into()),
                false,
            )),
            SessionStatus::Revoked => Some(Finish::new(
                &record,
                Outcome::Failed(
                    record
                        .last_error
                        .clone()
                        .unwrap_or_else(|| "revoked".into()),
                ),
                false,
            )),
            _ => None,
        };
        Err(PageError::Closed { status, back })
    }

    async fn reauthorized(
        &self,
        record: &ConnectSessionRecord,
    ) -> Result<Option<Connection>, AppError> {
        match record.reauthorize_id {
            Some(id) => Ok(Some(self.connection(record.tenant_id, id.into()).await?)),
            None => Ok(None),
        }
    }

    async fn page_view(&self, record: &ConnectSessionRecord) -> Result<PageView, AppError> {
        let tenant = record.tenant_id;
        let reauthorize = self.reauthorized(record).await?;
        let mut providers = Vec::new();
        for provider in sessions::providers_of(record) {
            let Some(spec) = registry::spec(provider) else {
                continue;
            };
            providers.push(
                self.provider_view(tenant, spec, reauthorize.as_ref())
                    .await?,
            );
        }
        let frame_ancestors = self
            .return_urls(tenant)
            .await?
            .iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect();
        let return_origin = url::Url::parse(&record.return_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        Ok(PageView {
            session_id: record.id,
            csrf: self.csrf_token(record.id)?,
            end_user_name: record.end_user_name.clone(),
            providers,
            reauthorizes: reauthorize.is_some(),
            expires_at: record.expires_at,
            frame_ancestors,
            return_origin,
        })
    }

    async fn provider_view(
        &self,
        tenant: TenantId,
        spec: &'static dyn ProviderSpec,
        reauthorize: Option<&Connection>,
    ) -> Result<ProviderView, AppError> {
        let d = spec.description();
        let has_app = self.store().oauth_app(tenant, d.provider).await?.is_some();
        let modes = d
            .modes
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let redirect = !m.posted;
                let optional = redirect && has_app;
                ModeView {
                    mode: m.mode.as_str(),
                    title: m.title,
                    summary: sentence(&plain(m.summary)),
                    fields: m.fields.iter().map(|f| field_view(f, optional)).collect(),
                    redirect,
                    fields_optional: optional,
                    recommended: i == 0,
                    // Said to the customer; the tenant's migration hint is in the API.
                    notice: spec.deprecation(m.mode).map(|dep| {
                        format!(
                            "{} stops accepting these on {}: connect another way before then.",
                            d.title, dep.after
                        )
                    }),
                }
            })
            .collect();
        Ok(ProviderView {
            provider: d.provider.as_str(),
            title: d.title,
            account_field: d.account_field.name,
            account_label: label(d.account_field.name),
            // Not capitalized: it may start with the example (`acme` for acme.zendesk.com).
            account_description: full_stop(plain(d.account_field.description)),
            account_example: d.account_field.example,
            account_choices: d.account_field.choices,
            fixed_account: reauthorize.map(|c| c.account_label.clone()),
            modes,
        })
    }

    /// The page for a connect token: what it offers, or why it cannot be used.
    pub async fn connect_page(&self, token: &str) -> Result<PageView, PageError> {
        let record = self.open_session(token).await?;
        Ok(self.page_view(&record).await?)
    }

    /// Acts on a form post of the page.
    pub async fn submit_connect_page(
        &self,
        token: &str,
        form: PageForm,
        request_id: Option<String>,
    ) -> Result<Submitted, PageError> {
        let record = self.open_session(token).await?;
        if !self.csrf_ok(record.id, &form.csrf) {
            return Err(PageError::Forgery);
        }
        let mut ctx = RequestContext::connect_session(record.tenant_id, record.id);
        ctx.request_id = request_id;
        let (provider, mode) = match &form.action {
            PageAction::Cancel => {
                self.store()
                    .fail_connect_session(
                        record.tenant_id,
                        record.id,
                        "access_denied",
                        Some(Utc::now()),
                    )
                    .await?;
                return Ok(Submitted::Finished(Finish::new(
                    &record,
                    Outcome::Failed("access_denied".into()),
                    form.popup,
                )));
            }
            PageAction::Connect { provider, mode } => (provider.clone(), mode.clone()),
        };
        let view = self.page_view(&record).await?;
        let values: Vec<(String, String)> = form
            .fields
            .iter()
            .filter(|(name, _)| !is_secret(&view, &provider, &mode, name))
            .cloned()
            .collect();
        let refuse = |fields: Vec<FieldError>, message: Option<String>| {
            Submitted::Invalid(
                Box::new(view.clone()),
                FormError {
                    provider: provider.clone(),
                    mode: mode.clone(),
                    fields,
                    message,
                    values: values.clone(),
                },
            )
        };
        let Some(spec) = provider
            .parse::<Provider>()
            .ok()
            .filter(|p| view.provider(p.as_str()).is_some())
            .and_then(registry::spec)
        else {
            return Ok(refuse(
                vec![],
                Some("Choose one of the helpdesks shown.".into()),
            ));
        };
        let Some(mode_d) = spec.modes().iter().find(|m| m.mode.as_str() == mode) else {
            return Ok(refuse(
                vec![],
                Some("Choose one of the ways to connect shown.".into()),
            ));
        };
        let reauthorize = self.reauthorized(&record).await?;
        let account_field = spec.account_field().name;
        let account_label = match &reauthorize {
            Some(c) => c.account_label.clone(),
            None => {
                let typed = form_value(&form.fields, account_field).unwrap_or_default();
                if typed.trim().is_empty() {
                    return Ok(refuse(
                        vec![FieldError {
                            field: account_field.to_owned(),
                            message: format!("Enter your {}.", label(account_field)),
                        }],
                        None,
                    ));
                }
                match spec.account_label(typed) {
                    Ok(l) => l,
                    Err(f) => return Ok(refuse(vec![f.humane()], None)),
                }
            }
        };
        let mut object = Map::new();
        for f in mode_d.fields {
            if let Some(v) = form_value(&form.fields, f.name).filter(|v| !v.is_empty()) {
                object.insert(f.name.to_owned(), Value::String(v.to_owned()));
            }
        }
        if !mode_d.posted {
            return self
                .start_oauth(&record, spec, mode_d, &account_label, object, form.popup)
                .await
                .map(|started| match started {
                    Ok(url) => Submitted::Redirect(url),
                    Err(refused) => refuse(refused.fields, refused.message),
                });
        }
        let input = match AuthInput::read(mode_d, object, "") {
            Ok(input) => input,
            Err(f) => return Ok(refuse(vec![f.humane()], None)),
        };
        let checked = match self
            .check_auth(spec.provider(), &account_label, input)
            .await
        {
            Ok(checked) => checked,
            Err(AppError::ConnectFailed(e)) => {
                self.store()
                    .fail_connect_session(
                        record.tenant_id,
                        record.id,
                        "connection_check_failed",
                        None,
                    )
                    .await?;
                let (fields, message) = diagnosis(spec, mode_d, e);
                return Ok(refuse(fields, message));
            }
            Err(AppError::Invalid { field, message }) => {
                return Ok(refuse(vec![FieldError { field, message }.humane()], None));
            }
            Err(other) => return Err(other.into()),
        };
        let finished = self
            .complete_session(&record, spec.provider(), checked, &ctx, form.popup)
            .await?;
        Ok(Submitted::Finished(finished))
    }

    /// Stores the connection a session produced (or re-authorizes the named one) and spends
    /// the session, in one transaction.
    pub(crate) async fn complete_session(
        &self,
        record: &ConnectSessionRecord,
        provider: Provider,
        checked: deskgate_connector::NewAuth,
        ctx: &RequestContext,
        popup: bool,
    ) -> Result<Finish, PageError> {
        let spend = Some(SessionSpend {
            session_id: record.id,
            at: Utc::now(),
        });
        let stored = match self.reauthorized(record).await? {
            Some(current) => self.replace_auth(&current, checked, ctx, spend).await,
            None => {
                self.store_connection(
                    record.tenant_id,
                    provider,
                    Some(record.end_user_ref.clone()),
                    checked,
                    ctx,
                    spend,
                )
                .await
            }
        };
        match stored {
            Ok(connection) => {
                tracing::info!(tenant = %record.tenant_id, session = %record.id, connection = %connection.id, "connect session completed");
                Ok(Finish::new(
                    record,
                    Outcome::Connected(connection.id),
                    popup,
                ))
            }
            Err(AppError::Gone) => {
                let status = self
                    .store()
                    .connect_session(record.tenant_id, record.id)
                    .await?
                    .map_or(SessionStatus::Expired, |r| r.status(Utc::now()));
                Err(PageError::Closed {
                    status,
                    back: Some(Finish::new(
                        record,
                        Outcome::Failed("expired".into()),
                        popup,
                    )),
                })
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn form_value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn is_secret(view: &PageView, provider: &str, mode: &str, name: &str) -> bool {
    // Unknown names count as secret: nothing typed is echoed unless known to be harmless.
    let Some(p) = view.provider(provider) else {
        return true;
    };
    if name == p.account_field {
        return false;
    }
    p.modes
        .iter()
        .find(|m| m.mode == mode)
        .and_then(|m| m.fields.iter().find(|f| f.name == name))
        .is_none_or(|f| f.secret)
}

/// The connector's refusal in plain words, beside the field it concerns.
fn diagnosis(
    spec: &dyn ProviderSpec,
    mode: &ModeDescription,
    e: ConnectorError,
) -> (Vec<FieldError>, Option<String>) {
    let account = spec.account_field().name;
    let secret_field = mode
        .fields
        .iter()
        .find(|f| f.secret)
        .or(mode.fields.first())
        .map_or(account, |f| f.name);
    match e {
        ConnectorError::Unauthorized { hint } => (
            vec![FieldError {
                field: secret_field.to_owned(),
                message: sentence(&hint),
            }],
            None,
        ),
        ConnectorError::Forbidden { hint } => (vec![], Some(sentence(&hint))),
        ConnectorError::NotFound => (
            vec![FieldError {
                field: account.to_owned(),
                message: format!(
                    "No {} account answers at this {}: check it.",
                    spec.description().title,
                    label(account)
                ),
            }],
            None,
        ),
        ConnectorError::Invalid { message, fields } => {
            let known = |name: &str| name == account || mode.fields.iter().any(|f| f.name == name);
            let (beside, other): (Vec<_>, Vec<_>) =
                fields.into_iter().partition(|f| known(&f.field));
            let beside = beside
                .into_iter()
                .map(|f| FieldError {
                    message: if f.field == account {
                        sentence(&message)
                    } else {
                        sentence(&f.message)
                    },
                    field: f.field,
                })
                .collect::<Vec<_>>();
            let message = (beside.is_empty() || !other.is_empty()).then(|| sentence(&message));
            (beside, message)
        }
        ConnectorError::Refused { message, .. } => (vec![], Some(sentence(&message))),
        other => (
            vec![],
            Some(format!(
                "{} did not answer as expected ({other}). Nothing was saved; try again in a moment.",
                spec.description().title
            )),
        ),
    }
}

trait Humane {
    fn humane(self) -> FieldError;
}

impl Humane for FieldError {
    /// A field error as the page shows it: the field's label leads the sentence.
    fn humane(self) -> FieldError {
        let name = self
            .field
            .rsplit('.')
            .next()
            .unwrap_or(&self.field)
            .to_owned();
        FieldError {
            message: sentence(&format!("{} {}", label(&name), self.message)),
            field: name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_offers_exactly_the_modes_the_capability_matrix_advertises() {
        for spec in registry::specs() {
            let mut advertised: Vec<&str> = spec
                .capabilities()
                .auth_modes
                .iter()
                .map(|m| m.as_str())
                .collect();
            let mut offered: Vec<&str> = spec.modes().iter().map(|m| m.mode.as_str()).collect();
            advertised.sort_unstable();
            offered.sort_unstable();
            assert_eq!(advertised, offered, "{}", spec.provider());
            // Every redirect mode can be started: the provider gives a token URL.
            if spec.modes().iter().any(|m| !m.posted) {
                let label = spec
                    .account_label(spec.account_field().example)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", spec.provider()));
                assert!(spec.token_url(&label).is_some(), "{}", spec.provider());
            }
        }
    }

    #[test]
    fn labels_read_as_words() {
        assert_eq!(label("client_id"), "Client ID");
        assert_eq!(label("api_key"), "API key");
        assert_eq!(label("subdomain"), "Subdomain");
        assert_eq!(label("client_secret"), "Client secret");
    }

    #[test]
    fn an_account_description_keeps_its_example_as_written() {
        assert_eq!(
            full_stop(plain("`acme` for acme.zendesk.com")),
            "acme for acme.zendesk.com."
        );
    }

    #[test]
    fn sentences_start_upper_case_and_end_with_a_stop() {
        assert_eq!(
            sentence("zendesk did not accept"),
            "Zendesk did not accept."
        );
        assert_eq!(sentence("Done."), "Done.");
    }

    #[test]
    fn unauthorized_goes_beside_the_first_secret_field() {
        let spec = registry::spec(Provider::Freshdesk).unwrap_or_else(|| unreachable!());
        let mode = &spec.modes()[0];
        let (fields, message) = diagnosis(
            spec,
            mode,
            ConnectorError::Unauthorized {
                hint: "freshdesk rejected the api key".into(),
            },
        );
        assert_eq!(fields[0].field, "api_key");
        assert_eq!(fields[0].message, "Freshdesk rejected the api key.");
        assert!(message.is_none());
    }
}
