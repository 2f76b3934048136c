//! The HTML the authorize step shows a person: the consent page and the page that refuses
//! a decision. Plain, self-contained markup (no scripts, styles or external assets) with
//! stable ids, so a browser test can find the buttons.
//!
//! Zendesk's real page is not in the reference; only its purpose is imitated: who asks,
//! for which account and user, for what, and an Approve and a Deny button.

use axum::response::Response;
use http::StatusCode;

use super::consent::AuthorizeParams;
use crate::html::{document, escape, page as html};

/// What the consent page names.
pub(crate) struct ConsentView<'a> {
    pub(crate) params: &'a AuthorizeParams,
    pub(crate) subdomain: &'a str,
    pub(crate) user_name: &'a str,
    pub(crate) user_email: &'a str,
    /// Where the form posts the decision.
    pub(crate) action: &'a str,
    pub(crate) consent_token: &'a str,
}

pub(crate) fn render(view: &ConsentView<'_>) -> Response {
    let client = escape(view.params.get("client_id").unwrap_or_default());
    let subdomain = escape(view.subdomain);
    let scopes: String = view
        .params
        .get("scope")
        .unwrap_or_default()
        .split_whitespace()
        .map(|s| format!("<li><code>{}</code></li>\n", escape(s)))
        .collect();
    let redirect = escape(view.params.get("redirect_uri").unwrap_or_default());
    let mut hidden = format!(
        "<input type=\"hidden\" name=\"consent_token\" value=\"{}\">\n",
        escape(view.consent_token)
    );
    for (name, value) in view.params.present() {
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">\n",
            escape(value)
        ));
    }
    let main = format!(
        "<h1>Allow <span id=\"client\">{client}</span> to access your Zendesk account?</h1>\n\
         <p>The app <strong>{client}</strong> asks to use the Zendesk account \
         <strong id=\"account\">{subdomain}</strong> as \
         <strong id=\"user\">{name}</strong> (<span id=\"email\">{email}</span>).</p>\n\
         <h2 id=\"scopes-heading\">It asks for these scopes</h2>\n\
         <ul id=\"scopes\" aria-labelledby=\"scopes-heading\">\n{scopes}</ul>\n\
         <p>Either answer sends you back to <code id=\"redirect-uri\">{redirect}</code>.</p>\n\
         <form method=\"post\" action=\"{action}\" aria-label=\"Your decision\">\n{hidden}\
         <button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>\n",
        name = escape(view.user_name),
        email = escape(view.user_email),
        action = escape(view.action),
    );
    html(
        StatusCode::OK,
        document("Allow access to your Zendesk account?", &main),
    )
}

/// A 400 page for a decision the sandbox will not act on; nothing was issued.
pub(crate) fn refuse(reason: &str) -> Response {
    let main = format!(
        "<h1>This authorization cannot be completed</h1>\n\
         <p id=\"reason\">{}</p>\n\
         <p>Nothing was granted. Start again from the app that sent you here.</p>\n",
        escape(reason)
    );
    html(
        StatusCode::BAD_REQUEST,
        document("Authorization refused", &main),
    )
}
