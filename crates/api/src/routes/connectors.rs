//! `/v1/connectors`: what each provider supports, from the connectors themselves.

use axum::Json;
use deskgate_app::connections::registry;
use deskgate_core::{AuthMode, Capabilities};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::problem::Problem;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_connectors))
}

/// How one auth mode behaves.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AuthModeView {
    mode: AuthMode,
    /// `redirect`: only a connect session's page can start it (OAuth by redirect);
    /// `posted`: a backend may post it to `POST /v1/connections`, and the page offers it too.
    connect: ConnectBy,
    /// Whether deskgate renews the token before it expires.
    renews: bool,
    /// Whether disconnecting revokes the token at the helpdesk.
    revokes: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum ConnectBy {
    Redirect,
    Posted,
}

/// A provider's capabilities and how each of its auth modes behaves.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConnectorView {
    #[serde(flatten)]
    capabilities: Capabilities,
    auth: Vec<AuthModeView>,
}

/// The capability matrix: each provider's auth modes (how each connects, renews and
/// revokes), resources, operations and filters, with each filter marked `native` (the
/// helpdesk filters) or `emulated` (deskgate filters the pages the helpdesk returns).
#[utoipa::path(
    get,
    path = "/v1/connectors",
    tag = "connectors",
    responses((status = 200, body = [ConnectorView]), (status = 500, body = Problem, content_type = "application/problem+json"))
)]
async fn list_connectors() -> Json<Vec<ConnectorView>> {
    Json(
        registry::specs()
            .map(|s| ConnectorView {
                capabilities: s.capabilities(),
                auth: s
                    .modes()
                    .iter()
                    .map(|m| AuthModeView {
                        mode: m.mode,
                        connect: if m.posted {
                            ConnectBy::Posted
                        } else {
                            ConnectBy::Redirect
                        },
                        renews: m.renews,
                        revokes: m.revokes,
                    })
                    .collect(),
            })
            .collect(),
    )
}
