//! What goes on the wire: every request the connector sends, through the real outbound
//! engine over a scripted transport. Each carries the bearer token, `Intercom-Version: 2.16`
//! and `Accept: application/json`, and goes to the region's fixed host.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use bytes::Bytes;
use deskgate_connector::testing::{Script, Seen};
use deskgate_connector::{AuthInput, CodeExchange, OAuthClientInput, ProviderSpec, Stored};
use deskgate_core::model::{
    NewAttachment, NewComment, NewTicket, TagChange, TicketPatch, TicketStatus,
};
use deskgate_core::page::{ReadOptions, TicketFilter};
use deskgate_core::{AuthMode, Connector, ConnectorError, PageRequest};
use deskgate_upstream::Upstream;
use http::{HeaderMap, Method};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::INTERCOM;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Answers that also say `X-RateLimit-Limit: limit`, `-Remaining: remaining` and a reset 10
/// seconds ahead.
fn with_rate(answers: Vec<(u16, Value)>, limit: u32, remaining: u32) -> Arc<Script> {
    Script::with_headers(answers, move || {
        let mut headers = HeaderMap::new();
        let reset = chrono::Utc::now().timestamp() + 10;
        headers.insert("x-ratelimit-limit", limit.into());
        headers.insert("x-ratelimit-remaining", remaining.into());
        headers.insert("x-ratelimit-reset", reset.into());
        headers
    })
}

fn upstream(script: &Arc<Script>) -> Upstream {
    script.upstream().unwrap()
}

const TOKEN: &str = "canary-token-5e2a";

/// A stored EU connection for workspace `wks7h2q1`, acting as admin 991267461.
pub(crate) fn connector(script: &Arc<Script>) -> Arc<dyn Connector> {
    let credentials = deskgate_connector::Credentials::new()
        .with(deskgate_connector::CredentialField::AccessToken, TOKEN);
    let settings = json!({"workspace_id": "wks7h2q1", "region": "eu", "admin_id": "991267461"});
    let stored = Stored {
        account_label: "eu",
        mode: AuthMode::AccessToken,
        credentials: &credentials,
        settings: &settings,
        token_expires_at: None,
        connection_id: "conn-1",
    };
    INTERCOM.connector(&upstream(script), &stored).unwrap()
}

/// Every request the connector sent is authorized, pinned and on the EU host.
pub(crate) fn assert_pinned(seen: &[Seen], host: &str) {
    assert!(!seen.is_empty());
    for s in seen {
        assert_eq!(s.host, host, "{} {}", s.method, s.path);
        assert_eq!(s.headers["intercom-version"], "2.16", "{}", s.path);
        assert_eq!(s.headers["accept"], "application/json", "{}", s.path);
        assert_eq!(
            s.headers["authorization"].to_str().unwrap(),
            format!("Bearer {TOKEN}"),
            "{}",
            s.path
        );
        assert!(s.headers["authorization"].is_sensitive());
    }
}

fn me() -> Value {
    fixture("me.json")
}

#[tokio::test]
async fn connecting_with_an_access_token_reads_me_on_the_regional_host_and_stores_the_workspace() {
    let script = Script::new(vec![(200, me()), (200, fixture("ticket_types.json"))]);
    let mode = INTERCOM.mode(AuthMode::AccessToken).unwrap();
    let input = AuthInput::from_pairs(mode, &[("access_token", TOKEN)]).unwrap();
    let auth = INTERCOM
        .connect(&upstream(&script), "au", input)
        .await
        .unwrap();
    assert_eq!(auth.account_label, "au");
    assert_eq!(auth.mode, AuthMode::AccessToken);
    assert_eq!(auth.token_expires_at, None);
    assert_eq!(
        auth.settings,
        json!({"workspace_id": "wks7h2q1", "region": "au", "admin_id": "991267461", "workspace_name": "Acme Support"})
    );
    let seen = script.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].method.clone(), seen[0].path.as_str()),
        (Method::GET, "/me")
    );
    // Then whether the app may read tickets, so a missing permission shows at connect.
    assert_eq!(
        (seen[1].method.clone(), seen[1].path.as_str()),
        (Method::GET, "/ticket_types")
    );
    assert_pinned(&seen, "api.au.intercom.io");
}

#[tokio::test]
async fn a_refused_token_says_to_reconnect_and_a_missing_permission_is_named() {
    let script = Script::new(vec![
        (401, fixture("error_list.json")),
        (403, fixture("error_forbidden.json")),
    ]);
    let c = connector(&script);
    let e = c.check().await.unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Unauthorized { hint } if hint.contains("reconnect")),
        "{e:?}"
    );
    let e = c
        .get_ticket(&"631".into(), ReadOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Forbidden { hint } if hint.contains("the app lacks a permission: OAuth token lacks read_tickets scope")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_token_that_moved_to_another_workspace_fails_the_check() {
    let mut other = me();
    other["app"]["id_code"] = json!("otherws");
    let script = Script::new(vec![(200, other)]);
    let e = connector(&script).check().await.unwrap_err();
    assert!(matches!(&e, ConnectorError::Unauthorized { hint } if hint.contains("otherws")));
}

#[tokio::test]
async fn ticket_lists_search_with_native_filters_and_page_on_starting_after() {
    let second_page = json!({"type": "ticket.list", "tickets": [], "pages": {"type": "pages"}});
    let script = Script::new(vec![
        (200, fixture("tickets_search.json")),
        (200, second_page),
    ]);
    let c = connector(&script);
    let after = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let req = PageRequest {
        limit: 2u32.try_into().unwrap(),
        updated_after: Some(after),
        filter: TicketFilter {
            assignee_id: Some("991267461".into()),
            requester_id: Some("6762f2f61bb69f9f2193bc59".into()),
            ..TicketFilter::default()
        },
        ..PageRequest::default()
    };
    let page = c.list_tickets(&req).await.unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].id.as_str(), "631");
    let next = page.next.clone().unwrap();
    let page2 = c
        .list_tickets(&PageRequest {
            cursor: Some(next),
            ..req
        })
        .await
        .unwrap();
    assert!(page2.items.is_empty() && page2.next.is_none());

    let seen = script.seen();
    assert_pinned(&seen, "api.eu.intercom.io");
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].path, "/tickets/search");
    assert_eq!(seen[0].headers["content-type"], "application/json");
    assert_eq!(
        seen[0].json(),
        json!({
            "query": {"operator": "AND", "value": [
                {"field": "updated_at", "operator": ">", "value": 1_700_000_000},
                {"field": "admin_assignee_id", "operator": "=", "value": "991267461"},
                {"field": "contact_ids", "operator": "=", "value": "6762f2f61bb69f9f2193bc59"}
            ]},
            "pagination": {"per_page": 2}
        })
    );
    assert_eq!(
        seen[1].json()["pagination"],
        json!({"per_page": 2, "starting_after": "WzE3MzQ1Mzc5NzYwMDAsNjMxXQ=="})
    );
}

#[tokio::test]
async fn a_status_filter_is_applied_to_what_the_search_answers() {
    let script = Script::new(vec![
        (200, fixture("tickets_search.json")),
        (200, json!({"tickets": []})),
    ]);
    let req = PageRequest {
        filter: TicketFilter {
            status: Some(TicketStatus::Closed),
            ..TicketFilter::default()
        },
        ..PageRequest::default()
    };
    let page = connector(&script).list_tickets(&req).await.unwrap();
    let ids: Vec<&str> = page.items.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["632"]);
    let seen = script.seen();
    assert_eq!(
        seen[0].json()["query"],
        json!({"field": "updated_at", "operator": ">", "value": 0})
    );
}

#[tokio::test]
async fn an_account_filter_on_tickets_is_refused_without_a_call() {
    let script = Script::new(vec![]);
    let req = PageRequest {
        filter: TicketFilter {
            account_id: Some("5ba6".into()),
            ..TicketFilter::default()
        },
        ..PageRequest::default()
    };
    let e = connector(&script).list_tickets(&req).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Unsupported { .. }));
    assert!(script.seen().is_empty());
}

fn new_ticket() -> NewTicket {
    NewTicket {
        subject: "Printer on fire".into(),
        description: "Floor 2".into(),
        status: None,
        priority: None,
        ticket_type: None,
        requester_id: Some("6762f2f61bb69f9f2193bc59".into()),
        assignee_id: Some("991267461".into()),
        team_id: None,
        tags: vec![],
        due_at: None,
        custom_fields: vec![],
    }
}

#[tokio::test]
async fn creating_a_ticket_picks_the_first_customer_ticket_type() {
    let script = Script::new(vec![
        (200, fixture("ticket_types.json")),
        (200, fixture("ticket.json")),
    ]);
    let ticket = connector(&script)
        .create_ticket(&new_ticket())
        .await
        .unwrap();
    assert_eq!(ticket.id.as_str(), "631");
    let seen = script.seen();
    assert_pinned(&seen, "api.eu.intercom.io");
    assert_eq!(
        (seen[0].method.clone(), seen[0].path.as_str()),
        (Method::GET, "/ticket_types")
    );
    assert_eq!(
        (seen[1].method.clone(), seen[1].path.as_str()),
        (Method::POST, "/tickets")
    );
    assert_eq!(
        seen[1].json(),
        json!({
            "ticket_type_id": "95",
            "contacts": [{"id": "6762f2f61bb69f9f2193bc59"}],
            "ticket_attributes": {"_default_title_": "Printer on fire", "_default_description_": "Floor 2"},
            "assignment": {"admin_assignee_id": "991267461"}
        })
    );
}

#[tokio::test]
async fn a_ticket_without_a_requester_or_with_a_priority_is_refused_without_a_call() {
    let script = Script::new(vec![]);
    let c = connector(&script);
    let e = c
        .create_ticket(&NewTicket {
            requester_id: None,
            ..new_ticket()
        })
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Refused { field, .. } if field.field == "requester_id"));
    let e = c
        .create_ticket(&NewTicket {
            priority: Some(deskgate_core::model::Priority::High),
            ..new_ticket()
        })
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Refused { field, .. } if field.field == "priority"));
    assert!(script.seen().is_empty());
}

#[tokio::test]
async fn setting_a_status_finds_the_state_of_the_tickets_type() {
    let mut solved = fixture("ticket.json");
    solved["ticket_state"] =
        json!({"id": "8540", "category": "resolved", "internal_label": "Resolved"});
    let script = Script::new(vec![
        (200, fixture("ticket.json")),
        (200, fixture("ticket_states.json")),
        (200, solved),
    ]);
    let patch = TicketPatch {
        status: Some(TicketStatus::Solved),
        team_id: Some("815".into()),
        ..TicketPatch::default()
    };
    let t = connector(&script)
        .update_ticket(&"631".into(), &patch)
        .await
        .unwrap();
    assert_eq!(t.status, TicketStatus::Solved);
    let seen = script.seen();
    assert_pinned(&seen, "api.eu.intercom.io");
    let calls: Vec<(Method, &str)> = seen
        .iter()
        .map(|s| (s.method.clone(), s.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            (Method::GET, "/tickets/631"),
            (Method::GET, "/ticket_states"),
            (Method::PUT, "/tickets/631")
        ]
    );
    assert_eq!(
        seen[2].json(),
        json!({"ticket_state_id": "8540", "open": true, "assignee_id": "815", "admin_id": 991267461_u64})
    );
}

#[tokio::test]
async fn closing_a_ticket_sets_open_false_without_lookups() {
    let mut closed = fixture("ticket.json");
    closed["open"] = json!(false);
    let script = Script::new(vec![(200, closed)]);
    let patch = TicketPatch {
        status: Some(TicketStatus::Closed),
        ..TicketPatch::default()
    };
    let t = connector(&script)
        .update_ticket(&"631".into(), &patch)
        .await
        .unwrap();
    assert_eq!(t.status, TicketStatus::Closed);
    let seen = script.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].json(),
        json!({"open": false, "admin_id": 991267461_u64})
    );
}

#[tokio::test]
async fn deleting_a_ticket_and_reading_one_use_its_api_id() {
    let script = Script::new(vec![
        (
            200,
            json!({"id": "631", "object": "ticket", "deleted": true}),
        ),
        (200, fixture("ticket.json")),
    ]);
    let c = connector(&script);
    c.delete_ticket(&"631".into()).await.unwrap();
    c.get_ticket(&"631".into(), ReadOptions::default())
        .await
        .unwrap();
    assert_eq!(
        c.get_ticket(&"../me".into(), ReadOptions::default()).await,
        Err(ConnectorError::NotFound)
    );
    assert_eq!(
        c.get_user(&"abc".into(), ReadOptions::default()).await,
        Err(ConnectorError::NotFound),
        "admin ids are integers"
    );
    let seen = script.seen();
    assert_eq!(seen.len(), 2, "an implausible id is never sent");
    assert_eq!(
        (seen[0].method.clone(), seen[0].path.as_str()),
        (Method::DELETE, "/tickets/631")
    );
    assert_eq!(
        (seen[1].method.clone(), seen[1].path.as_str()),
        (Method::GET, "/tickets/631")
    );
}

#[tokio::test]
async fn comments_are_the_message_parts_and_replies_post_as_the_admin() {
    let script = Script::new(vec![
        (200, fixture("ticket.json")),
        (200, fixture("reply.json")),
    ]);
    let c = connector(&script);
    let page = c
        .list_comments(&"631".into(), &PageRequest::default())
        .await
        .unwrap();
    let ids: Vec<&str> = page.items.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["186", "187", "188"]);
    let note = NewComment {
        body: "Checked the logs".into(),
        html_body: None,
        public: false,
        author_id: None,
        attachments: vec![NewAttachment {
            file_name: "log.txt".into(),
            content_type: "text/plain".into(),
            content: Bytes::from_static(b"hello"),
        }],
    };
    let made = c.create_comment(&"631".into(), &note).await.unwrap();
    assert!(!made.public);
    let seen = script.seen();
    assert_pinned(&seen, "api.eu.intercom.io");
    assert_eq!(
        (seen[1].method.clone(), seen[1].path.as_str()),
        (Method::POST, "/tickets/631/reply")
    );
    assert_eq!(
        seen[1].json(),
        json!({
            "message_type": "note",
            "type": "admin",
            "admin_id": "991267461",
            "body": "Checked the logs",
            "attachment_files": [{"content_type": "text/plain", "data": "aGVsbG8=", "name": "log.txt"}]
        })
    );
}

#[tokio::test]
async fn more_than_ten_attachments_are_refused_without_a_call() {
    let script = Script::new(vec![]);
    let file = NewAttachment {
        file_name: "a".into(),
        content_type: "text/plain".into(),
        content: Bytes::from_static(b"a"),
    };
    let comment = NewComment {
        body: "x".into(),
        html_body: None,
        public: true,
        author_id: None,
        attachments: vec![file; 11],
    };
    let e = connector(&script)
        .create_comment(&"631".into(), &comment)
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Refused { field, .. } if field.field == "attachments"));
    assert!(script.seen().is_empty());
}

#[tokio::test]
async fn adding_tags_resolves_names_and_creates_only_missing_ones() {
    let script = Script::new(vec![
        (200, fixture("tags.json")),
        (
            200,
            json!({"type": "tag", "id": "7522910", "name": "urgent"}),
        ),
        (200, json!({"type": "tag", "id": "7522907", "name": "vip"})),
        (
            200,
            json!({"type": "tag", "id": "7522910", "name": "urgent"}),
        ),
    ]);
    let added = connector(&script)
        .change_ticket_tags(
            &"631".into(),
            &TagChange::Add(vec!["urgent".into(), "vip".into()]),
        )
        .await
        .unwrap();
    assert_eq!(added, ["urgent", "vip"]);
    let seen = script.seen();
    assert_pinned(&seen, "api.eu.intercom.io");
    let calls: Vec<(Method, &str, Value)> = seen
        .iter()
        .map(|s| {
            let body = if s.body.is_empty() {
                Value::Null
            } else {
                s.json()
            };
            (s.method.clone(), s.path.as_str(), body)
        })
        .collect();
    assert_eq!(
        calls,
        [
            (Method::GET, "/tags", Value::Null),
            (Method::POST, "/tags", json!({"name": "urgent"})),
            (
                Method::POST,
                "/tickets/631/tags",
                json!({"id": "7522910", "admin_id": "991267461"})
            ),
            (
                Method::POST,
                "/tickets/631/tags",
                json!({"id": "7522907", "admin_id": "991267461"})
            ),
        ]
    );
}

#[tokio::test]
async fn removing_tags_never_creates_one() {
    let script = Script::new(vec![
        (200, fixture("tags.json")),
        (
            200,
            json!({"type": "tag", "id": "7522908", "name": "hardware"}),
        ),
    ]);
    let left = connector(&script)
        .change_ticket_tags(
            &"631".into(),
            &TagChange::Remove(vec!["hardware".into(), "nope".into()]),
        )
        .await
        .unwrap();
    assert!(left.is_empty());
    let seen = script.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[1].method.clone(), seen[1].path.as_str()),
        (Method::DELETE, "/tickets/631/tags/7522908")
    );
    assert_eq!(seen[1].json(), json!({"admin_id": "991267461"}));
}

#[tokio::test]
async fn directory_lists_read_admins_contacts_companies_teams_and_tags() {
    let script = Script::new(vec![
        (200, fixture("admins.json")),
        (200, fixture("contacts_search.json")),
        (200, fixture("companies.json")),
        (200, fixture("teams.json")),
        (200, fixture("tags.json")),
    ]);
    let c = connector(&script);
    let users = c.list_users(&PageRequest::default()).await.unwrap();
    assert_eq!(users.items.len(), 2);
    let contacts = c
        .list_contacts(&PageRequest {
            filter: deskgate_core::page::ContactFilter {
                email: Some("jo@customer.test".into()),
                account_id: None,
            },
            ..PageRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(contacts.items.len(), 2);
    let accounts = c.list_accounts(&PageRequest::default()).await.unwrap();
    assert_eq!(accounts.next.as_ref().map(|n| n.0.as_str()), Some("2"));
    let teams = c.list_teams(&PageRequest::default()).await.unwrap();
    assert_eq!(teams.items[1].name, "Hardware");
    let tags = c.list_tags(&PageRequest::default()).await.unwrap();
    let names: Vec<&str> = tags.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["vip", "hardware"], "a nameless tag is skipped");

    let seen = script.seen();
    assert_pinned(&seen, "api.eu.intercom.io");
    let calls: Vec<(Method, &str)> = seen
        .iter()
        .map(|s| (s.method.clone(), s.path.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            (Method::GET, "/admins"),
            (Method::POST, "/contacts/search"),
            (Method::GET, "/companies"),
            (Method::GET, "/teams"),
            (Method::GET, "/tags"),
        ]
    );
    assert_eq!(
        seen[1].json(),
        json!({"query": {"field": "email", "operator": "=", "value": "jo@customer.test"}, "pagination": {"per_page": 50}})
    );
    assert_eq!(seen[2].query.as_deref(), Some("page=1&per_page=50"));
}

#[tokio::test]
async fn the_code_exchange_posts_the_code_on_the_regional_host_then_checks_the_token() {
    let script = Script::new(vec![
        (
            200,
            json!({"token": TOKEN, "access_token": TOKEN, "token_type": "Bearer"}),
        ),
        (200, me()),
        (200, fixture("ticket_types.json")),
    ]);
    let client = OAuthClientInput {
        client_id: "app-client".into(),
        client_secret: Some(SecretString::from("app-secret")),
        scopes: None,
    };
    let code = SecretString::from("the-code");
    let verifier = SecretString::from("unused");
    let exchange = CodeExchange {
        account_label: "eu",
        client: &client,
        code: &code,
        redirect_uri: "https://gw.example/oauth/callback/intercom",
        verifier: &verifier,
    };
    let auth = INTERCOM
        .exchange_code(&upstream(&script), &exchange)
        .await
        .unwrap();
    assert_eq!(auth.mode, AuthMode::OauthCode);
    assert_eq!(auth.account_label, "eu");
    assert_eq!(auth.settings["workspace_id"], "wks7h2q1");
    let seen = script.seen();
    assert_eq!(seen[0].host, "api.eu.intercom.io");
    assert_eq!(
        (seen[0].method.clone(), seen[0].path.as_str()),
        (Method::POST, "/auth/eagle/token")
    );
    assert_eq!(
        seen[0].headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    assert!(seen[0].headers.get("authorization").is_none());
    assert_eq!(
        std::str::from_utf8(&seen[0].body).unwrap(),
        "code=the-code&client_id=app-client&client_secret=app-secret"
    );
    assert!(
        !std::str::from_utf8(&seen[0].body)
            .unwrap()
            .contains("unused")
    );
    assert_pinned(&seen[1..], "api.eu.intercom.io");
}

#[tokio::test]
async fn a_refused_code_names_the_code() {
    let script = Script::new(vec![(401, fixture("error_list.json"))]);
    let client = OAuthClientInput {
        client_id: "c".into(),
        client_secret: Some(SecretString::from("s")),
        scopes: None,
    };
    let code = SecretString::from("old");
    let exchange = CodeExchange {
        account_label: "us",
        client: &client,
        code: &code,
        redirect_uri: "https://gw.example/cb",
        verifier: &code,
    };
    let e = INTERCOM
        .exchange_code(&upstream(&script), &exchange)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, deskgate_connector::ProviderError::Vendor(ConnectorError::Invalid { fields, .. }) if fields[0].field == "code"),
        "{e:?}"
    );
    assert_eq!(script.seen()[0].host, "api.intercom.io");
}

#[tokio::test]
async fn the_workspace_budget_learns_intercoms_limit_per_ten_seconds() {
    let script = with_rate(vec![(200, fixture("teams.json"))], 100, 99);
    let upstream = upstream(&script);
    let credentials = deskgate_connector::Credentials::new()
        .with(deskgate_connector::CredentialField::AccessToken, TOKEN);
    let settings = json!({"workspace_id": "wks7h2q1", "region": "us", "admin_id": "1"});
    let stored = Stored {
        account_label: "us",
        mode: AuthMode::AccessToken,
        credentials: &credentials,
        settings: &settings,
        token_expires_at: None,
        connection_id: "conn-1",
    };
    let c = INTERCOM.connector(&upstream, &stored).unwrap();
    c.list_teams(&PageRequest::default()).await.unwrap();
    let key = crate::workspace_budget("wks7h2q1").unwrap();
    let state = upstream.budget_state(&key).await.unwrap();
    assert_eq!(state.limit, Some(100));
    assert_eq!(state.remaining, Some(99));
    assert_eq!(
        state.paced_per_minute,
        Some(540),
        "90% of 100 per 10 s, not per minute"
    );
    assert_eq!(INTERCOM.connection_budget_keys("us", &settings), [key]);
}

#[tokio::test]
async fn both_error_shapes_become_connector_errors_with_field_errors() {
    let script = Script::new(vec![
        (400, fixture("error_data_invalid.json")),
        (400, fixture("error_flat.json")),
        (
            404,
            json!({"type": "error.list", "errors": [{"code": "not_found", "message": "Ticket Not Found"}]}),
        ),
        (
            410,
            json!({"type": "error.list", "errors": [{"code": "contact_merged"}]}),
        ),
    ]);
    let c = connector(&script);
    let patch = TicketPatch {
        assignee_id: Some("42".into()),
        ..TicketPatch::default()
    };
    let e = c.update_ticket(&"631".into(), &patch).await.unwrap_err();
    let ConnectorError::Invalid { message, fields } = e else {
        panic!("{e:?}")
    };
    assert_eq!(message, "Assignee not found; Ticket state id is required");
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field, "assignee_id");
    let note = NewComment {
        body: "x".into(),
        html_body: None,
        public: true,
        author_id: None,
        attachments: vec![],
    };
    let e = c.create_comment(&"631".into(), &note).await.unwrap_err();
    assert_eq!(
        e,
        ConnectorError::Invalid {
            message: "Request failed due to an internal network error".into(),
            fields: vec![]
        }
    );
    assert_eq!(
        c.get_ticket(&"632".into(), ReadOptions::default()).await,
        Err(ConnectorError::NotFound)
    );
    assert_eq!(
        c.get_contact(&"6762f2f61bb69f9f2193bc59".into(), ReadOptions::default())
            .await,
        Err(ConnectorError::NotFound),
        "a merged contact is gone"
    );
}

#[tokio::test]
async fn a_new_token_refused_at_once_points_at_the_region() {
    let script = Script::new(vec![(401, fixture("error_list.json"))]);
    let mode = INTERCOM.mode(AuthMode::AccessToken).unwrap();
    let input = AuthInput::from_pairs(mode, &[("access_token", TOKEN)]).unwrap();
    let e = INTERCOM
        .connect(&upstream(&script), "eu", input)
        .await
        .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("reconnect") && shown.contains("region than `eu`"),
        "{shown}"
    );
    assert_eq!(script.seen()[0].path, "/me");
}

#[tokio::test]
async fn passthrough_reaches_rest_paths_pinned_but_not_the_oauth_endpoints() {
    let script = Script::new(vec![(
        200,
        json!({"type": "conversation.list", "conversations": []}),
    )]);
    let c = connector(&script);
    let request = |path: &str| deskgate_core::PassthroughRequest {
        method: Method::GET,
        path: path.into(),
        query: Some("per_page=5".into()),
        headers: HeaderMap::new(),
        body: Bytes::new(),
    };
    let mut wants_text = request("conversations");
    wants_text
        .headers
        .insert("accept", "application/json; charset=utf-8".parse().unwrap());
    let answer = c.passthrough(wants_text).await.unwrap();
    assert_eq!(answer.status, 200);
    for refused in ["auth/eagle/token", "/auth/eagle/token", "auth"] {
        assert!(matches!(
            c.passthrough(request(refused)).await,
            Err(ConnectorError::Refused {
                part: deskgate_core::InputPart::Path,
                ..
            })
        ));
    }
    let seen = script.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/conversations");
    assert_eq!(seen[0].query.as_deref(), Some("per_page=5"));
    let accepts: Vec<_> = seen[0].headers.get_all("accept").iter().collect();
    assert_eq!(
        accepts,
        ["application/json; charset=utf-8"],
        "the caller's accept replaces ours"
    );
    assert_eq!(seen[0].headers["intercom-version"], "2.16");
}
