//! The parameters a Zendesk consent page is shown for, and the decision on it. The pages
//! awaiting a decision are kept by the shared `consent_store`.

use crate::consent_store::{ShownFields, ShownParams};

/// The fields of Zendesk's authorize request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthorizeFields;

impl ShownFields for AuthorizeFields {
    const NAMES: &'static [&'static str] = &[
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ];
}

pub(crate) use crate::consent_store::ConsentDecision;

/// One authorize request's parameters, exactly as sent.
pub(crate) type AuthorizeParams = ShownParams<AuthorizeFields>;

/// The consent pages of one account that still await a decision.
pub(crate) type Consents = crate::consent_store::Consents<AuthorizeParams>;
