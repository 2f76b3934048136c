//! `/v1/events`: the tenant's change events in order, read from a cursor.

use axum::Json;
use axum::extract::State;
use deskgate_app::events::{EventList, ListEvents};
use deskgate_core::EventType;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidQuery};
use crate::problem::Problem;
use crate::routes::connections::connection_id;
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_events))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct EventParams {
    /// Events after this one: an event's `id`, or the `next_after` of the previous page.
    /// Without it, from the oldest event the log still keeps.
    after: Option<String>,
    /// Only this connection's events.
    connection_id: Option<String>,
    /// Only these types, comma-separated: `ticket.created,comment.created`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    types: Option<String>,
    /// 1 to 100; 50 by default.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

fn event_types(raw: &str) -> Result<Vec<EventType>, ApiError> {
    raw.split(',')
        .map(|t| {
            t.trim().parse::<EventType>().map_err(|_| {
                let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
                ApiError::invalid_query(
                    "type",
                    format!(
                        "`{}` is not an event type; use {}",
                        t.trim(),
                        known.join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// The tenant's events in the order they were recorded (kept for the configured retention,
/// 7 days by default). Read on with `after=<next_after>`; an empty page keeps the same
/// `next_after`, so a reader can poll with it.
#[utoipa::path(
    get,
    path = "/v1/events",
    tag = "events",
    params(EventParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = EventList),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_events(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidQuery(params): ValidQuery<EventParams>,
) -> Result<Json<EventList>, ApiError> {
    let limit = crate::routes::page::limit(params.limit)?;
    let connection_id = params
        .connection_id
        .as_deref()
        .map(|raw| {
            connection_id(raw)
                .map_err(|_| ApiError::invalid_query("connection_id", "is not a connection id"))
        })
        .transpose()?;
    let types = params
        .types
        .as_deref()
        .map(event_types)
        .transpose()?
        .unwrap_or_default();
    let query = ListEvents {
        after: params.after,
        connection_id,
        types,
        limit,
    };
    Ok(Json(state.app.list_events(auth.tenant, &query).await?))
}
