//! The first leg of the authorization-code flow: the URL a person is sent to.

use deskgate_connector::pkce::{OAuthState, PkceVerifier};
use secrecy::ExposeSecret;
use url::Url;

use crate::subdomain::ZendeskSubdomain;

/// What the authorize URL asks for.
#[derive(Clone, Debug)]
pub struct AuthorizeRequest<'a> {
    pub subdomain: &'a ZendeskSubdomain,
    pub client_id: &'a str,
    /// Must match one registered on the OAuth client exactly.
    pub redirect_uri: &'a str,
    /// Space-separated, e.g. `read write`.
    pub scope: &'a str,
}

/// The URL to send the person to, and what the caller keeps for the callback: the PKCE
/// verifier (for the code exchange) and the `state` (to match the callback to the session).
#[derive(Debug)]
pub struct AuthorizeStart {
    pub url: Url,
    pub verifier: PkceVerifier,
    pub state: OAuthState,
}

impl AuthorizeRequest<'_> {
    /// `https://{subdomain}.zendesk.com/oauth/authorizations/new?response_type=code&…` with a
    /// fresh PKCE S256 challenge and a fresh `state`.
    pub fn start(&self) -> AuthorizeStart {
        let verifier = PkceVerifier::generate();
        let state = OAuthState::generate();
        let url = self.url(&verifier, &state);
        AuthorizeStart {
            url,
            verifier,
            state,
        }
    }

    /// The authorize URL for a given verifier and state.
    pub fn url(&self, verifier: &PkceVerifier, state: &OAuthState) -> Url {
        let mut url = self.subdomain.browser_url("/oauth/authorizations/new");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", self.client_id)
            .append_pair("redirect_uri", self.redirect_uri)
            .append_pair("scope", self.scope)
            .append_pair("state", state.secret().expose_secret())
            .append_pair("code_challenge", &verifier.challenge())
            .append_pair("code_challenge_method", "S256");
        url
    }
}
