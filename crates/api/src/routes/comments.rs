//! `/v1/connections/{id}/tickets/{ticket_id}/comments`: a ticket's conversation.

use crate::extract::ValidPath;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use deskgate_core::ids::TicketId;
use deskgate_core::model::{Comment, NewAttachment, NewComment};
use deskgate_core::page::NoFilter;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{AuthTenant, ValidJson, ValidQuery};
use crate::problem::{CallProblems, Problem};
use crate::routes::connections::connection_id;
use crate::routes::page::{self, ListResponse, Window};
use crate::{ApiError, AppState};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_comments, create_comment))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    cursor: Option<String>,
    limit: Option<u32>,
    include_remote_data: Option<bool>,
}

/// A comment to add: a public reply or a private note, optionally with files.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateComment {
    /// Plain text.
    body: String,
    html_body: Option<String>,
    /// A public reply (`true`, the default) or a private note (`false`).
    #[serde(default = "default_public")]
    public: bool,
    author_id: Option<String>,
    /// Files, base64-encoded; the whole request body is limited to 1 MiB.
    #[serde(default)]
    attachments: Vec<AttachmentUpload>,
}

fn default_public() -> bool {
    true
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachmentUpload {
    file_name: String,
    /// A MIME type, e.g. `image/png`.
    content_type: String,
    /// The file's bytes in standard base64.
    content_base64: String,
}

/// A page of a ticket's comments, oldest first.
#[utoipa::path(
    get,
    path = "/v1/connections/{id}/tickets/{ticket_id}/comments",
    tag = "tickets",
    params(("id" = String, Path, description = "The connection's id"), ("ticket_id" = String, Path, description = "The helpdesk's ticket id"), ListParams),
    security(("api_key" = [])),
    responses(
        (status = 200, body = ListResponse<Comment>),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        CallProblems,
    )
)]
async fn list_comments(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, ticket_id)): ValidPath<(String, String)>,
    ValidQuery(q): ValidQuery<ListParams>,
) -> Result<Response, ApiError> {
    let list = format!("comments/{ticket_id}");
    let ticket_id = TicketId(ticket_id);
    let window = Window {
        list: &list,
        cursor: q.cursor.as_deref(),
        limit: q.limit,
        updated_after: None,
        include_remote_data: q.include_remote_data,
    };
    page::list(&state, &auth, &id, window, NoFilter, |c, r| async move {
        c.list_comments(&ticket_id, &r).await
    })
    .await
}

/// Adds a comment to a ticket. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    post,
    path = "/v1/connections/{id}/tickets/{ticket_id}/comments",
    tag = "tickets",
    request_body = CreateComment,
    params(("id" = String, Path, description = "The connection's id"), ("ticket_id" = String, Path, description = "The helpdesk's ticket id"), ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for 24 hours")),
    security(("api_key" = [])),
    responses(
        (status = 201, body = Comment),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        CallProblems,
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_comment(
    State(state): State<AppState>,
    auth: AuthTenant,
    ValidPath((id, ticket_id)): ValidPath<(String, String)>,
    ValidJson(body): ValidJson<CreateComment>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    let id = connection_id(&id)?;
    if body.body.trim().is_empty()
        && body
            .html_body
            .as_deref()
            .is_none_or(|h| h.trim().is_empty())
    {
        return Err(ApiError::invalid_body("body", "must not be empty"));
    }
    let mut attachments = Vec::with_capacity(body.attachments.len());
    for (i, a) in body.attachments.into_iter().enumerate() {
        let content = STANDARD.decode(a.content_base64.as_bytes()).map_err(|_| {
            ApiError::invalid_body(
                &format!("attachments[{i}].content_base64"),
                "is not standard base64",
            )
        })?;
        if a.file_name.trim().is_empty() || a.file_name.contains(['/', '\\', '\0']) {
            return Err(ApiError::invalid_body(
                &format!("attachments[{i}].file_name"),
                "must be a plain file name",
            ));
        }
        attachments.push(NewAttachment {
            file_name: a.file_name,
            content_type: a.content_type,
            content: content.into(),
        });
    }
    let comment = NewComment {
        body: body.body,
        html_body: body.html_body,
        public: body.public,
        author_id: body.author_id,
        attachments,
    };
    let ticket_id = TicketId(ticket_id);
    let created = state
        .app
        .call(auth.tenant, id, &auth.ctx, |c| async move {
            c.create_comment(&ticket_id, &comment).await
        })
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
