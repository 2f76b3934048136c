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
            "\nZendesk account {subdomain:?}: {} tickets, seed {}, {} requests/min \
             ({} incremental exports/min)",
            config.tickets,
            config.seed,
            config.rate_limit_per_minute,
            config.incremental_export_per_minute
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
    for domain in sandbox.freshdesk_domains() {
        let (Some(config), Some(c)) = (
            sandbox.freshdesk_config(&domain),
            sandbox.freshdesk_credentials(&domain),
        ) else {
            continue;
        };
        let limits = config.rate_limits;
        let _ = writeln!(
            out,
            "\nFreshdesk account {domain:?}: {} tickets, seed {}, {} credits/min \
             (tickets list {}, contacts list {}, ticket create {}, ticket update {})",
            config.tickets,
            config.seed,
            limits.per_minute,
            limits.tickets_list,
            limits.contacts_list,
            limits.ticket_create,
            limits.ticket_update
        );
        let _ = writeln!(
            out,
            "  base URL      {base_url}/freshdesk/{domain}  (or Host: {domain}.freshdesk.localhost)"
        );
        let _ = writeln!(
            out,
            "  admin agent   {} (id {})  API key {}",
            c.admin_email,
            c.admin_agent_id,
            c.admin_api_key.expose_secret()
        );
        let _ = writeln!(
            out,
            "  no-API agent  {} (id {})  API key {}  (answers 403)",
            c.restricted_email,
            c.restricted_agent_id,
            c.restricted_api_key.expose_secret()
        );
        let _ = writeln!(
            out,
            "  contact       {} (id {})",
            c.contact_email, c.contact_id
        );
        let _ = writeln!(out, "  basic auth    {{api_key}}:X  (any password)");
    }
    for name in sandbox.intercom_workspaces() {
        let (Some(config), Some(c)) = (
            sandbox.intercom_config(&name),
            sandbox.intercom_credentials(&name),
        ) else {
            continue;
        };
        let region = config.region.as_str();
        let _ = writeln!(
            out,
            "\nIntercom workspace {name:?} ({}): {} tickets, {} conversations, seed {}, \
             {} requests/10 s",
            config.region.label(),
            config.tickets,
            config.conversations,
            config.seed,
            config.rate_limit_per_10s
        );
        let _ = writeln!(
            out,
            "  API base URL  {base_url}/intercom/{region}  (or Host: {})",
            c.api_host
        );
        let _ = writeln!(
            out,
            "  OAuth page    {base_url}/intercom/app/oauth?client_id={}  (or Host: app.intercom.io)",
            c.oauth_client_id
        );
        let _ = writeln!(
            out,
            "  workspace id  {}  admin {} (id {})",
            c.workspace_id, c.admin_email, c.admin_id
        );
        let _ = writeln!(
            out,
            "  access token  {}  (Authorization: Bearer ...)",
            c.access_token.expose_secret()
        );
        let _ = writeln!(
            out,
            "  OAuth app     id {}  secret {}",
            c.oauth_client_id,
            c.oauth_client_secret.expose_secret()
        );
        let _ = writeln!(out, "  redirect URIs {}", c.redirect_uris.join(", "));
        let _ = writeln!(
            out,
            "  private app   id {}  secret {}  (signs its webhooks)",
            c.private_app_client_id,
            c.private_app_client_secret.expose_secret()
        );
    }
    out
}
