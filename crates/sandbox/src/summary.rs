//! The human summary the CLI prints when it starts the sandbox.

use std::fmt::Write as _;

use secrecy::ExposeSecret as _;

use crate::sandbox::Sandbox;

pub(crate) fn render(sandbox: &Sandbox, base_url: &str) -> String {
    let mut out = String::new();
    let base_url = base_url.trim_end_matches('/');
    let _ = writeln!(
        out,
        "deskgate sandbox at {base_url} (control API: {base_url}/_sandbox/accounts)"
    );
    for subdomain in sandbox.zendesk_subdomains() {
        let (Some(config), Some(c)) = (
            sandbox.zendesk_config(&subdomain),
            sandbox.zendesk_credentials(&subdomain),
        ) else {
            continue;
        };
        // These are the sandbox's own seeded, fake credentials: printing them is the point.
        let _ = writeln!(
            out,
            "\nZendesk account {subdomain:?}: {} tickets, seed {}, {} requests/min",
            config.tickets, config.seed, config.rate_limit_per_minute
        );
        let _ = writeln!(
            out,
            "  base URL      {base_url}/zendesk/{subdomain}  (or Host: {subdomain}.zendesk.localhost)"
        );
        let _ = writeln!(
            out,
            "  admin         {} (id {})",
            c.admin_email, c.admin_user_id
        );
        let _ = writeln!(
            out,
            "  agent         {} (id {})",
            c.agent_email, c.agent_user_id
        );
        let _ = writeln!(
            out,
            "  end user      {} (id {})",
            c.end_user_email, c.end_user_id
        );
        let _ = writeln!(
            out,
            "  API token     {}  (basic auth as {{email}}/token:{{token}})",
            c.api_token.expose_secret()
        );
        let _ = writeln!(
            out,
            "  OAuth client  id {}  secret {}",
            c.oauth_client_id,
            c.oauth_client_secret.expose_secret()
        );
        let _ = writeln!(out, "  redirect URIs {}", c.oauth_redirect_uris.join(", "));
    }
    out
}
