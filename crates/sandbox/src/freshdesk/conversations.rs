//! Conversations: `GET /api/v2/tickets/{id}/conversations` (paged), `POST .../reply`
//! (a public reply, `source: 0`) and `POST .../notes` (a note, `source: 2`, private unless
//! `private: false`). Both writes take JSON or multipart with `attachments[]`, move the
//! ticket's `updated_at`, and run the "ticket updated" automation webhooks.

use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use http::StatusCode;

use super::attachments::store;
use super::auth::Caller;
use super::body::{Input, MAX_BODY_BYTES};
use super::context::Ctx;
use super::errors::{FieldError, FreshdeskError};
use super::fields::Fields;
use super::paging::{Checked, respond};
use super::record_id::RecordId;
use super::records::{Conversation, NOTE_SOURCE, REPLY_SOURCE};
use super::render;
use super::trigger_webhook::{Trigger, fire};
use crate::lock::lock;
use crate::query::QueryParams;
use crate::sandbox::Sandbox;

const REPLY_FIELDS: [&str; 6] = [
    "body",
    "cc_emails",
    "bcc_emails",
    "from_email",
    "user_id",
    "attachments",
];
const NOTE_FIELDS: [&str; 6] = [
    "body",
    "private",
    "incoming",
    "notify_emails",
    "user_id",
    "attachments",
];

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/api/v2/tickets/{id}/conversations",
            get(list_conversations),
        )
        .route("/api/v2/tickets/{id}/reply", writer(REPLY))
        .route("/api/v2/tickets/{id}/notes", writer(NOTE))
}

/// `POST` of a reply or a note.
fn writer(kind: Kind) -> MethodRouter<Sandbox> {
    post(
        move |ctx: Ctx, caller: Caller, RecordId(id): RecordId, input: Input| async move {
            create(&ctx, caller, id, input, kind)
        },
    )
    .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

async fn list_conversations(
    ctx: Ctx,
    _caller: Caller,
    RecordId(id): RecordId,
    q: QueryParams,
) -> Result<Response, FreshdeskError> {
    let mut checked = Checked::new(&q, &[]);
    let page = checked.page(&q);
    checked.finish()?;
    let data = lock(&ctx.account.data);
    data.ticket(id).ok_or(FreshdeskError::NotFound)?;
    let all = data.conversations(id);
    drop(data);
    let skip = usize::try_from(page.skip()).unwrap_or(usize::MAX);
    let items = all
        .iter()
        .skip(skip)
        .take(page.limit())
        .map(|c| render::conversation(&ctx, c))
        .collect();
    let path = format!("/api/v2/tickets/{id}/conversations");
    Ok(respond(
        &ctx,
        &path,
        &q,
        page,
        items,
        page.has_next(all.len() as u64),
    ))
}

/// What differs between a reply and a note.
#[derive(Clone, Copy)]
struct Kind {
    source: u64,
    fields: &'static [&'static str],
}

const REPLY: Kind = Kind {
    source: REPLY_SOURCE,
    fields: &REPLY_FIELDS,
};
const NOTE: Kind = Kind {
    source: NOTE_SOURCE,
    fields: &NOTE_FIELDS,
};

fn create(
    ctx: &Ctx,
    Caller(agent): Caller,
    id: u64,
    input: Input,
    kind: Kind,
) -> Result<Response, FreshdeskError> {
    let now = ctx.now_secs();
    let mut data = lock(&ctx.account.data);
    let mut ticket = data.ticket(id).ok_or(FreshdeskError::NotFound)?;
    let mut fields = Fields::new(&input.fields, kind.fields);
    let body = fields.string("body");
    if body.is_none() && !fields.has("body") {
        fields.errors.push(FieldError::missing("body", "String"));
    }
    let note = kind.source == NOTE_SOURCE;
    let user_id = fields.reference("user_id", "user", |u| {
        data.agent(u).is_some() || (note && data.contact(u).is_some())
    });
    let cc_emails = fields.emails("cc_emails").unwrap_or_default();
    let bcc_emails = fields.emails("bcc_emails").unwrap_or_default();
    let notify_emails = fields.emails("notify_emails").unwrap_or_default();
    let from_email = fields.string("from_email");
    let private = fields.boolean("private").unwrap_or(note);
    let incoming = fields.boolean("incoming").unwrap_or(false);
    if fields.has("attachments") {
        fields.errors.push(FieldError::mismatch(
            "attachments",
            "String",
            "valid file format",
        ));
    }
    if !fields.errors.is_empty() {
        return Err(FreshdeskError::Validation(fields.errors));
    }
    let body = body.unwrap_or_default();
    let to_emails = if note {
        notify_emails
    } else {
        data.contact(ticket.requester_id)
            .and_then(|c| c.email)
            .into_iter()
            .collect()
    };
    let conversation_id = data.next_conversation_id;
    data.next_conversation_id += 1;
    let attachments = store(&mut data, input.files, now);
    let conversation = Conversation {
        id: conversation_id,
        ticket_id: id,
        user_id: user_id.flatten().unwrap_or(agent.id),
        body_text: crate::html::strip_tags(&body),
        body,
        private,
        incoming,
        source: kind.source,
        to_emails,
        from_email: (!note)
            .then(|| from_email.unwrap_or(format!("{} <{}>", agent.name, agent.email))),
        cc_emails,
        bcc_emails,
        created_at: now,
        attachments,
    };
    data.added_conversations
        .entry(id)
        .or_default()
        .push(conversation.clone());
    ticket.updated_at = now;
    data.tickets.put(id, ticket.clone());
    drop(data);
    let trigger = if note {
        Trigger::Note { private }
    } else {
        Trigger::Reply
    };
    fire(ctx, &ticket, trigger);
    let value = render::conversation(ctx, &conversation);
    Ok((StatusCode::CREATED, Json(value)).into_response())
}
