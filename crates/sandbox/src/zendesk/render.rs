//! Records to Zendesk's JSON, with the vendor's field names and types (`TicketObject`,
//! `TicketCommentObject`, `UserObject`, `OrganizationObject`, `GroupObject`).

use serde_json::{Value, json};

use super::context::Ctx;
use super::records::{
    Attachment, Channel, Comment, Group, Organization, Satisfaction, Ticket, User,
};

pub(crate) use crate::timestamp::timestamp;

fn channel(channel: &Channel) -> Value {
    match channel {
        Channel::Name(name) => json!(name),
        Channel::Id(id) => json!(id),
    }
}

fn via(channel_value: &Channel) -> Value {
    json!({"channel": channel(channel_value), "source": {"from": {}, "to": {}, "rel": null}})
}

pub(crate) fn ticket(ctx: &Ctx, t: &Ticket) -> Value {
    let custom_fields: Vec<Value> = t
        .custom_fields
        .iter()
        .map(|f| json!({"id": f.id, "value": f.value}))
        .collect();
    let satisfaction = match &t.satisfaction {
        Satisfaction::Unoffered => json!({"score": "unoffered"}),
        Satisfaction::Offered => json!({"score": "offered"}),
        Satisfaction::Rated { id, score, comment } => {
            json!({"id": id, "score": score, "comment": comment})
        }
    };
    json!({
        "url": ctx.url(&format!("/api/v2/tickets/{}.json", t.id)),
        "id": t.id,
        "external_id": t.external_id,
        "via": via(&t.channel),
        "created_at": timestamp(t.created_at),
        "updated_at": timestamp(t.updated_at),
        "generated_timestamp": t.updated_at,
        "type": t.kind.map(|k| k.as_str()),
        "subject": t.subject,
        "raw_subject": t.subject,
        "description": t.description,
        "priority": t.priority.map(|p| p.as_str()),
        "status": t.status.as_str(),
        "custom_status_id": t.status.custom_status_id(),
        "recipient": t.recipient,
        "requester_id": t.requester_id,
        "submitter_id": t.submitter_id,
        "assignee_id": t.assignee_id,
        "organization_id": t.organization_id,
        "group_id": t.group_id,
        "collaborator_ids": t.collaborator_ids,
        "follower_ids": t.follower_ids,
        "email_cc_ids": t.collaborator_ids,
        "forum_topic_id": null,
        "problem_id": t.problem_id,
        "has_incidents": false,
        "is_public": t.is_public,
        "due_at": t.due_at.map(timestamp),
        "tags": t.tags,
        "custom_fields": custom_fields,
        "fields": custom_fields,
        "satisfaction_rating": satisfaction,
        "sharing_agreement_ids": [],
        "followup_ids": [],
        "ticket_form_id": null,
        "brand_id": t.brand_id,
        "allow_channelback": false,
        "allow_attachments": true,
        "from_messaging_channel": false,
    })
}

pub(crate) fn attachment(ctx: &Ctx, a: &Attachment) -> Value {
    let content_url = format!(
        "{}/attachments/token/{}/?name={}",
        ctx.base_url,
        a.token,
        encode(&a.file_name)
    );
    json!({
        "url": ctx.url(&format!("/api/v2/attachments/{}.json", a.id)),
        "id": a.id,
        "file_name": a.file_name,
        "content_url": content_url,
        "mapped_content_url": content_url,
        "content_type": a.content_type,
        "size": a.size,
        "width": null,
        "height": null,
        "inline": false,
        "deleted": false,
        "thumbnails": [],
    })
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

pub(crate) fn comment(ctx: &Ctx, c: &Comment) -> Value {
    json!({
        "id": c.id,
        "type": "Comment",
        "author_id": c.author_id,
        "body": c.body,
        "html_body": c.html_body,
        "plain_body": c.body,
        "public": c.public,
        "attachments": c.attachments.iter().map(|a| attachment(ctx, a)).collect::<Vec<_>>(),
        "audit_id": c.audit_id,
        "via": via(&c.channel),
        "created_at": timestamp(c.created_at),
        "metadata": {"system": {}, "custom": {}},
    })
}

pub(crate) fn user(ctx: &Ctx, u: &User) -> Value {
    json!({
        "id": u.id,
        "url": ctx.url(&format!("/api/v2/users/{}.json", u.id)),
        "name": u.name,
        "email": u.email,
        "created_at": timestamp(u.created_at),
        "updated_at": timestamp(u.updated_at),
        "time_zone": u.time_zone,
        "iana_time_zone": u.iana_time_zone,
        "phone": u.phone,
        "shared_phone_number": null,
        "photo": null,
        "locale_id": 1,
        "locale": u.locale,
        "organization_id": u.organization_id,
        "role": u.role.as_str(),
        "verified": u.verified,
        "external_id": null,
        "tags": u.tags,
        "alias": null,
        "active": true,
        "shared": false,
        "shared_agent": false,
        "last_login_at": null,
        "two_factor_auth_enabled": false,
        "signature": null,
        "details": null,
        "notes": null,
        "role_type": null,
        "custom_role_id": null,
        "moderator": u.role.is_staff(),
        "ticket_restriction": if u.role.is_staff() { Value::Null } else { json!("requested") },
        "only_private_comments": false,
        "restricted_agent": !u.role.is_staff(),
        "suspended": false,
        "default_group_id": u.default_group_id,
        "report_csv": false,
        "user_fields": {},
    })
}

pub(crate) fn organization(ctx: &Ctx, o: &Organization) -> Value {
    json!({
        "url": ctx.url(&format!("/api/v2/organizations/{}.json", o.id)),
        "id": o.id,
        "name": o.name,
        "shared_tickets": false,
        "shared_comments": false,
        "external_id": null,
        "created_at": timestamp(o.created_at),
        "updated_at": timestamp(o.updated_at),
        "domain_names": o.domain_names,
        "details": null,
        "notes": null,
        "group_id": o.group_id,
        "tags": o.tags,
        "organization_fields": {},
    })
}

pub(crate) fn group(ctx: &Ctx, g: &Group) -> Value {
    json!({
        "url": ctx.url(&format!("/api/v2/groups/{}.json", g.id)),
        "id": g.id,
        "is_public": g.is_public,
        "name": g.name,
        "description": g.description,
        "default": g.id == super::seed::GROUP_BASE,
        "deleted": false,
        "created_at": timestamp(g.created_at),
        "updated_at": timestamp(g.updated_at),
    })
}
