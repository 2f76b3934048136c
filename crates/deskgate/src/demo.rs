//! `deskgate demo`: the newcomer's one command.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use deskgate_app::connections::{ConnectRequest, ListConnections};
use deskgate_app::webhooks::NewEndpoint;
use deskgate_app::webhooks::signing::SigningKey;
use deskgate_app::{App, RequestContext};
use deskgate_core::{ConnectionId, Provider, TenantId};
use deskgate_sandbox::{
    FreshdeskAccountConfig, IntercomWorkspaceConfig, Sandbox, SandboxConfig, ZendeskAccountConfig,
};
use secrecy::ExposeSecret;

use crate::cli::DemoArgs;
use crate::config::Config;
use crate::keys;
use crate::serve::{build_app, open_store, run_server, shutdown_signal};

const TENANT: &str = "demo";
const ZENDESK_ACCOUNT: &str = "acme";
const ZENDESK_REF: &str = "demo-zendesk-acme";
const FRESHDESK_ACCOUNT: &str = "acme";
const FRESHDESK_REF: &str = "demo-freshdesk-acme";
const INTERCOM_WORKSPACE: &str = "acme";
const INTERCOM_REF: &str = "demo-intercom-acme";

/// Starts the sandbox helpdesks and the gateway (wired to them), prepares a tenant, a key
/// and connections, prints how to call them, and serves until Ctrl-C.
pub(crate) async fn run(mut config: Config, args: &DemoArgs) -> anyhow::Result<()> {
    let sandbox = Sandbox::new(SandboxConfig {
        zendesk: vec![ZendeskAccountConfig {
            tickets: 200,
            ..ZendeskAccountConfig::new(ZENDESK_ACCOUNT)
        }],
        freshdesk: vec![FreshdeskAccountConfig {
            tickets: 200,
            ..FreshdeskAccountConfig::new(FRESHDESK_ACCOUNT)
        }],
        intercom: vec![IntercomWorkspaceConfig {
            tickets: 200,
            ..IntercomWorkspaceConfig::new(INTERCOM_WORKSPACE)
        }],
    })
    .context("seeding the sandbox")?;
    let sandbox_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("starting the sandbox")?;
    let sandbox_url = format!(
        "http://{}",
        sandbox_listener
            .local_addr()
            .context("reading the sandbox address")?
    );
    let sandbox_task = tokio::spawn(deskgate_sandbox::serve(
        sandbox_listener,
        sandbox.clone(),
        std::future::pending(),
    ));

    config.sandbox.url = Some(sandbox_url.clone());
    // The demo's webhook receivers run on this machine.
    config.webhooks.allow_loopback_http = true;
    let keys = keys::load(&config)?;
    let store = open_store(&config).await?;
    let app = build_app(&config, store.clone(), keys).await?;

    let ctx = RequestContext::operator();
    let tenant = demo_tenant(&app, &ctx).await?;
    let key = app
        .create_api_key(tenant, "demo", None, &ctx)
        .await
        .context("issuing the demo key")?;
    let demo = connections(&app, &sandbox, tenant, &ctx).await?;
    let connect_url = connect_link(&app, &sandbox, tenant, &ctx).await?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| {
            format!(
                "listening on {} (pass --listen to choose another address)",
                config.listen
            )
        })?;
    let base = format!(
        "http://{}",
        listener.local_addr().context("reading the bound address")?
    );
    let receiver = receiver(&app, tenant, &base, &ctx).await?;
    let api_key = key.secret.expose_secret();
    let mut out = std::io::stdout().lock();
    if args.json {
        let line = serde_json::json!({
            "base_url": base,
            "api_key": api_key,
            "tenant_id": tenant,
            "connections": {
                Provider::Zendesk.as_str(): demo.zendesk,
                Provider::Freshdesk.as_str(): demo.freshdesk,
                Provider::Intercom.as_str(): demo.intercom,
            },
            "sandbox_url": sandbox_url,
            "connect_url": connect_url,
            "webhook_endpoint_id": receiver.endpoint_id,
        });
        writeln!(out, "{line}")?;
    } else {
        writeln!(
            out,
            "{}",
            guide(&base, api_key, &demo, &sandbox_url, &connect_url)
        )?;
    }
    out.flush()?;
    drop(out);

    let renewal = config.renewal.settings()?;
    let returned = axum::Router::new()
        .route(RETURN_PATH, axum::routing::get(returned))
        .route(
            RECEIVER_PATH,
            axum::routing::post(received).with_state(Arc::new(receiver.key)),
        );
    let background = crate::serve::Background {
        renewal,
        syncs: config.events.run_syncs,
        replicas: config.replicas.settings()?,
    };
    let server = config.server.settings()?;
    let (served, threads) = run_server(
        listener,
        app,
        background,
        shutdown_signal(),
        server,
        returned,
    )
    .await;
    sandbox_task.abort();
    crate::serve::close_store(&store).await;
    drop(threads);
    served
}

/// Where the demo's own webhook endpoint points: a receiver that verifies each delivery and
/// logs it.
const RECEIVER_PATH: &str = "/demo/webhooks";
/// How the demo's endpoint is told apart from the tenant's own, to replace it on each run.
const RECEIVER_DESCRIPTION: &str = "deskgate demo: its own receiver";
/// Seconds between two syncs of the demo's connections.
const DEMO_SYNC_SECS: u32 = 10;

/// The demo's webhook endpoint and the key its deliveries are signed with.
struct DemoReceiver {
    endpoint_id: String,
    key: SigningKey,
}

/// Turns the demo tenant's syncs on and points a webhook endpoint at the demo's own receiver
/// (replacing one an earlier run left, whose port is gone).
async fn receiver(
    app: &App,
    tenant: TenantId,
    base: &str,
    ctx: &RequestContext,
) -> anyhow::Result<DemoReceiver> {
    app.put_sync_defaults(tenant, true, DEMO_SYNC_SECS)
        .await
        .context("turning the demo's syncs on")?;
    let earlier = app
        .list_webhook_endpoints(tenant, None, 100)
        .await
        .context("listing the demo's webhook endpoints")?;
    for endpoint in earlier
        .iter()
        .filter(|e| e.description.as_deref() == Some(RECEIVER_DESCRIPTION))
    {
        app.delete_webhook_endpoint(tenant, &endpoint.id.to_string(), ctx)
            .await
            .context("removing an earlier run's webhook endpoint")?;
    }
    let created = app
        .create_webhook_endpoint(
            tenant,
            NewEndpoint {
                url: format!("{base}{RECEIVER_PATH}"),
                description: Some(RECEIVER_DESCRIPTION.to_owned()),
                event_types: None,
                connection_id: None,
                enabled: true,
            },
            ctx,
        )
        .await
        .context("registering the demo's webhook endpoint")?;
    let key = SigningKey::from_secret(&created.secret)
        .map_err(|_| anyhow::anyhow!("the demo endpoint's secret does not read back"))?;
    Ok(DemoReceiver {
        endpoint_id: created.endpoint.id.to_string(),
        key,
    })
}

/// The demo's receiver: checks the signature as a tenant would and logs the event.
async fn received(
    axum::extract::State(key): axum::extract::State<Arc<SigningKey>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::http::StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let expected = timestamp
        .parse::<i64>()
        .map(|ts| key.sign(id, ts, &body))
        .unwrap_or_default();
    let verified = header("webhook-signature")
        .split(' ')
        .any(|signature| !expected.is_empty() && signature == expected);
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let event_type = event["type"].as_str().unwrap_or("?");
    if verified {
        tracing::info!(
            event = id,
            r#type = event_type,
            "the demo's receiver got a webhook; its signature verifies"
        );
        axum::http::StatusCode::NO_CONTENT
    } else {
        tracing::warn!(
            event = id,
            "the demo's receiver got a webhook whose signature does not verify"
        );
        axum::http::StatusCode::UNAUTHORIZED
    }
}

/// Where the demo's connect link sends a customer back: a page that says what came back.
const RETURN_PATH: &str = "/demo/connected";

async fn returned(
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> axum::response::Html<String> {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), html_escape(&v)))
            .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let body = match (get("connection_id"), get("error")) {
        (Some(id), _) => format!(
            "<h1>Connected</h1><p>The customer <code>{}</code> connected a helpdesk: \
             connection <code id=\"connection\">{id}</code>.</p>\
             <pre>curl -s \"/v1/connections/{id}/tickets?limit=5\" -H \"Authorization: Bearer $DG\"</pre>",
            get("end_user").unwrap_or_default()
        ),
        (None, Some(error)) => format!("<h1>Not connected</h1><p>error: <code>{error}</code></p>"),
        _ => "<h1>Nothing came back</h1>".to_owned(),
    };
    axum::response::Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>deskgate demo</title>\
         <body style=\"font-family:system-ui;max-width:40rem;margin:2rem auto\">\
         <p>This page stands for the tenant's own app (the demo's return URL).</p>{body}</body></html>"
    ))
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A connect link for a demo customer: the tenant's return URL and Zendesk OAuth app (the
/// sandbox account's client) are registered first.
async fn connect_link(
    app: &App,
    sandbox: &Sandbox,
    tenant: TenantId,
    ctx: &RequestContext,
) -> anyhow::Result<String> {
    let return_url = format!("{}{RETURN_PATH}", app.public_url());
    app.set_return_urls(tenant, vec![return_url.clone()], ctx)
        .await
        .context("registering the demo return URL")?;
    let c = sandbox
        .zendesk_credentials(ZENDESK_ACCOUNT)
        .context("the sandbox's zendesk account")?;
    app.put_oauth_app(
        tenant,
        Provider::Zendesk.as_str(),
        deskgate_app::connect::OAuthAppInput {
            client_id: c.oauth_client_id.clone(),
            client_secret: Some(c.oauth_client_secret.clone()),
            scopes: None,
        },
        ctx,
    )
    .await
    .context("registering the demo's zendesk oauth app")?;
    let ic = sandbox
        .intercom_credentials(INTERCOM_WORKSPACE)
        .context("the sandbox's intercom workspace")?;
    app.put_oauth_app(
        tenant,
        Provider::Intercom.as_str(),
        deskgate_app::connect::OAuthAppInput {
            client_id: ic.oauth_client_id.clone(),
            client_secret: Some(ic.oauth_client_secret.clone()),
            scopes: None,
        },
        ctx,
    )
    .await
    .context("registering the demo's intercom oauth app")?;
    let created = app
        .create_connect_session(
            tenant,
            deskgate_app::connect::NewConnectSession {
                end_user: deskgate_app::connect::EndUser {
                    external_ref: "demo-customer".into(),
                    email: None,
                    display_name: Some("Demo customer".into()),
                },
                allowed_providers: None,
                return_url,
                connection_id: None,
            },
            ctx,
        )
        .await
        .context("opening a demo connect session")?;
    Ok(created.connect_url)
}

async fn demo_tenant(app: &App, ctx: &RequestContext) -> anyhow::Result<TenantId> {
    let tenants = app.list_tenants().await.context("listing tenants")?;
    if let Some(t) = tenants.into_iter().find(|t| t.name == TENANT) {
        return Ok(t.id);
    }
    let (tenant, _first_key) = app
        .create_tenant(TENANT, ctx)
        .await
        .context("creating the demo tenant")?;
    Ok(tenant.id)
}

/// The demo's three connections.
struct DemoConnections {
    zendesk: ConnectionId,
    freshdesk: ConnectionId,
    intercom: ConnectionId,
}

/// The demo tenant's connections to the sandbox's accounts (Zendesk through its API token,
/// Freshdesk through its admin's API key), made afresh on every run.
async fn connections(
    app: &App,
    sandbox: &Sandbox,
    tenant: TenantId,
    ctx: &RequestContext,
) -> anyhow::Result<DemoConnections> {
    let zendesk = sandbox
        .zendesk_credentials(ZENDESK_ACCOUNT)
        .context("the sandbox has no zendesk account")?;
    let freshdesk = sandbox
        .freshdesk_credentials(FRESHDESK_ACCOUNT)
        .context("the sandbox has no freshdesk account")?;
    let intercom = sandbox
        .intercom_credentials(INTERCOM_WORKSPACE)
        .context("the sandbox has no intercom workspace")?;
    // The sandbox's own fake credentials, read as a backend's body would be.
    let zendesk = connect(
        app,
        tenant,
        ctx,
        serde_json::json!({
            "provider": "zendesk",
            "subdomain": ZENDESK_ACCOUNT,
            "external_ref": ZENDESK_REF,
            "auth": {
                "mode": "api_token",
                "email": zendesk.admin_email,
                "token": zendesk.api_token.expose_secret(),
            },
        }),
    )
    .await?;
    let freshdesk = connect(
        app,
        tenant,
        ctx,
        serde_json::json!({
            "provider": "freshdesk",
            "domain": FRESHDESK_ACCOUNT,
            "external_ref": FRESHDESK_REF,
            "auth": {"mode": "api_key", "api_key": freshdesk.admin_api_key.expose_secret()},
        }),
    )
    .await?;
    let intercom = connect(
        app,
        tenant,
        ctx,
        serde_json::json!({
            "provider": "intercom",
            "region": intercom.region.as_str(),
            "external_ref": INTERCOM_REF,
            "auth": {"mode": "access_token", "access_token": intercom.access_token.expose_secret()},
        }),
    )
    .await?;
    Ok(DemoConnections {
        zendesk,
        freshdesk,
        intercom,
    })
}

/// Connects with `body`, first removing an earlier run's connection with the same
/// `external_ref`: its sandbox is gone and a new one listens now, so connect afresh rather
/// than hand out a connection whose credentials may differ.
async fn connect(
    app: &App,
    tenant: TenantId,
    ctx: &RequestContext,
    body: serde_json::Value,
) -> anyhow::Result<ConnectionId> {
    let serde_json::Value::Object(body) = body else {
        anyhow::bail!("a demo connect body is not an object");
    };
    let request = ConnectRequest::from_body(body)?;
    let query = ListConnections {
        provider: Some(request.provider),
        external_ref: request.external_ref.clone(),
        limit: 10,
        ..ListConnections::default()
    };
    let existing = app
        .list_connections(tenant, &query)
        .await
        .context("listing the demo connections")?;
    for old in existing {
        app.delete_connection(tenant, old.id, ctx)
            .await
            .context("removing an old demo connection")?;
    }
    let provider = request.provider;
    let connection = app
        .connect(tenant, request, ctx)
        .await
        .with_context(|| format!("connecting the sandbox {provider} account"))?;
    Ok(connection.id)
}

fn guide(
    base: &str,
    key: &str,
    demo: &DemoConnections,
    sandbox_url: &str,
    connect_url: &str,
) -> String {
    let (zendesk, freshdesk, intercom) = (demo.zendesk, demo.freshdesk, demo.intercom);
    format!(
        r#"deskgate demo is running at {base}
  sandbox helpdesks (local imitations, not real vendors): {sandbox_url}
  database: the demo's own (deskgate-demo.db); Ctrl-C stops everything

API key of tenant "demo" (shown once):
  export DG={key}

Zendesk sandbox connection:   export ZD={zendesk}
Freshdesk sandbox connection: export FD={freshdesk}
Intercom sandbox connection:  export IC={intercom}

Connect a helpdesk as a customer would (valid 30 minutes; OAuth, an API token or a key,
against the sandbox; sandbox credentials: {sandbox_url}/_sandbox/accounts):
  open {connect_url}

Try, with any of the three connections (the same API, the same schema):
  # list tickets, normalized
  curl -s "{base}/v1/connections/$ZD/tickets?limit=5" -H "Authorization: Bearer $DG"
  curl -s "{base}/v1/connections/$FD/tickets?limit=5" -H "Authorization: Bearer $DG"
  curl -s "{base}/v1/connections/$IC/tickets?limit=5" -H "Authorization: Bearer $DG"

  # create a ticket; repeating the same Idempotency-Key replays the first answer
  curl -s -X POST "{base}/v1/connections/$ZD/tickets" -H "Authorization: Bearer $DG" \
    -H "Content-Type: application/json" -H "Idempotency-Key: demo-ticket-1" \
    -d '{{"subject": "Printer on fire", "description": "It is very colorful.", "priority": "urgent"}}'

  # Freshdesk needs a requester: pick a contact first
  curl -s "{base}/v1/connections/$FD/contacts?limit=1" -H "Authorization: Bearer $DG"

  # the vendor's own API with managed auth
  curl -s "{base}/v1/connections/$FD/passthrough/api/v2/agents/me" -H "Authorization: Bearer $DG"

  # what each provider supports
  curl -s "{base}/v1/connectors"

  # a connection's health and rate budget (Freshdesk also shows its per-endpoint caps)
  curl -s "{base}/v1/connections/$FD/health" -H "Authorization: Bearer $DG"

Change events: the demo's connections sync every {DEMO_SYNC_SECS} s, and a webhook endpoint
points at the demo's own receiver ({base}{RECEIVER_PATH}), which logs each delivery below
once its signature verifies:
  # change a ticket in a helpdesk, then read the log (or: deskgate events tail --url {base} --api-key $DG)
  curl -s -X PATCH "{base}/v1/connections/$FD/tickets/1" -H "Authorization: Bearer $DG" \
    -H "Content-Type: application/json" -d '{{"status": "pending"}}'
  curl -s "{base}/v1/events" -H "Authorization: Bearer $DG"

  # the API reference
  open {base}/docs"#
    )
}
