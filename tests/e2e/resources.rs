//! The normalized resources of a connection against the sandbox, for every helpdesk: every
//! route, raw vendor data on request, filters, a full cursor walk, and cursors that are
//! refused before any vendor call. Where the helpdesks legitimately differ (Freshdesk has no
//! tag resource, needs a requester to create a ticket and does not count a ticket's
//! description among its comments), the scenario branches on the vendor in one place and
//! asserts what `docs/connectors/` documents for each.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use deskgate_tests::{Backend, TestApp, TestTenant, Vendor, read, vendors};
use serde_json::{Value, json};

vendors!(
    tickets_are_listed_read_created_updated_and_deleted,
    comments_are_listed_and_added_public_private_and_with_files,
    the_directory_lists_and_reads_users_contacts_accounts_teams_and_tags,
    include_remote_data_adds_the_vendor_object,
    filters_narrow_every_page,
    a_cursor_walk_sees_every_ticket_once,
    foreign_tampered_and_garbage_cursors_are_400_without_a_vendor_call,
);

struct Fixture {
    vendor: Vendor,
    t: TestApp,
    tenant: TestTenant,
    id: String,
}

async fn fixture(vendor: Vendor, backend: Backend, tickets: u64) -> Fixture {
    let t =
        TestApp::spawn_with_sandbox(backend, vendor.accounts(&["acme", "globex"], tickets)).await;
    let tenant = t.tenant("acme-corp").await;
    let id = t.connect_vendor(vendor, &tenant.key, "acme").await;
    Fixture {
        vendor,
        t,
        tenant,
        id,
    }
}

/// Seeded people of the `acme` account, by email.
struct People {
    /// An agent or admin: a user.
    admin: String,
    /// Another agent, to pick out of the users list by email.
    agent: String,
    /// A customer: a contact, never a user.
    customer: String,
}

impl Fixture {
    fn path(&self, rest: &str) -> String {
        format!("/v1/connections/{}{rest}", self.id)
    }

    async fn get(&self, rest: &str) -> (u16, Value) {
        read(
            self.t
                .get(&self.path(rest), &self.tenant.key)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    fn people(&self) -> People {
        match self.vendor {
            Vendor::Zendesk => {
                let c = self.t.zendesk("acme");
                People {
                    admin: c.admin_email,
                    agent: c.agent_email,
                    customer: c.end_user_email,
                }
            }
            Vendor::Freshdesk => {
                let c = self.t.freshdesk("acme");
                People {
                    admin: c.admin_email,
                    agent: c.restricted_email,
                    customer: c.contact_email,
                }
            }
            Vendor::Intercom => {
                let c = self.t.intercom("acme");
                People {
                    agent: c.admin_email.clone(),
                    admin: c.admin_email,
                    customer: c.contact_email,
                }
            }
        }
    }

    /// Requests every sandbox account has received so far.
    fn vendor_requests(&self) -> u64 {
        self.t.vendor_requests(self.vendor, "acme") + self.t.vendor_requests(self.vendor, "globex")
    }

    /// The id of the first listed ticket that has comments.
    async fn a_ticket_with_comments(&self) -> String {
        let (_, page) = self.get("/tickets?limit=20").await;
        for t in data(&page) {
            let tid = t["id"].as_str().unwrap();
            let (_, comments) = self.get(&format!("/tickets/{tid}/comments")).await;
            if !data(&comments).is_empty() {
                return tid.to_owned();
            }
        }
        panic!("no ticket on the first page has comments: {page}");
    }
}

fn data(v: &Value) -> &Vec<Value> {
    v["data"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
}

async fn tickets_are_listed_read_created_updated_and_deleted(vendor: Vendor, backend: Backend) {
    let f = fixture(vendor, backend, 20).await;
    let (status, page) = f.get("/tickets?limit=5").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(data(&page).len(), 5);
    assert!(page["next_cursor"].is_string());
    let first = &data(&page)[0];
    assert!(first.get("remote_data").is_none(), "{first}");

    let tid = first["id"].as_str().unwrap();
    let (status, one) = f.get(&format!("/tickets/{tid}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["id"], tid);
    assert_eq!(one["subject"], first["subject"]);

    let mut new_ticket = json!({"subject": "Printer on fire", "description": "It is very colorful.",
                                "priority": "high", "tags": ["fire", "printer"]});
    // Intercom tickets have no priority and no tags on create: refused, naming the field,
    // before anything is sent.
    if vendor == Vendor::Intercom {
        let before = f.vendor_requests();
        let res =
            f.t.post(&f.path("/tickets"), &f.tenant.key)
                .json(&new_ticket)
                .send()
                .await
                .unwrap();
        let (status, p) = read(res).await;
        assert_eq!(status, 422, "{p}");
        assert_eq!(f.vendor_requests(), before, "the vendor was called");
        new_ticket = json!({"subject": "Printer on fire", "description": "It is very colorful."});
    }
    // Freshdesk and Intercom need a requester and are refused without one before anything is
    // sent; Zendesk makes the caller the requester.
    let requester = f.t.vendor_requester(vendor, "acme");
    if let Some(requester) = &requester {
        let before = f.vendor_requests();
        let res =
            f.t.post(&f.path("/tickets"), &f.tenant.key)
                .json(&new_ticket)
                .send()
                .await
                .unwrap();
        let (status, p) = read(res).await;
        assert_eq!(status, 422, "{p}");
        assert_eq!(p["errors"][0]["field"], "requester_id", "{p}");
        assert_eq!(f.vendor_requests(), before, "the vendor was called");
        new_ticket["requester_id"] = json!(requester);
    }
    let res =
        f.t.post(&f.path("/tickets"), &f.tenant.key)
            .json(&new_ticket)
            .send()
            .await
            .unwrap();
    let (status, created) = read(res).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["subject"], "Printer on fire");
    if vendor != Vendor::Intercom {
        assert_eq!(created["priority"], "high");
        assert_eq!(created["tags"], json!(["fire", "printer"]), "{created}");
    }
    if let Some(requester) = &requester {
        assert_eq!(created["requester_id"], requester.as_str(), "{created}");
    }
    let new_id = created["id"].as_str().unwrap().to_owned();

    let res =
        f.t.patch(&f.path(&format!("/tickets/{new_id}")), &f.tenant.key)
            .json(&if vendor == Vendor::Intercom {
                json!({"status": "pending"})
            } else {
                json!({"status": "pending", "tags": ["printer"]})
            })
            .send()
            .await
            .unwrap();
    let (status, updated) = read(res).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["status"], "pending");
    if vendor != Vendor::Intercom {
        assert_eq!(updated["tags"], json!(["printer"]));
    }
    let (_, again) = f.get(&format!("/tickets/{new_id}")).await;
    assert_eq!(again["status"], "pending");

    // Zendesk holds a ticket; Freshdesk has no such status and refuses it, naming the field,
    // before anything is sent.
    let before = f.vendor_requests();
    let res =
        f.t.patch(&f.path(&format!("/tickets/{new_id}")), &f.tenant.key)
            .json(&json!({"status": "on_hold"}))
            .send()
            .await
            .unwrap();
    let (status, held) = read(res).await;
    match vendor {
        Vendor::Zendesk => {
            assert_eq!(status, 200, "{held}");
            assert_eq!(held["status"], "on_hold");
        }
        Vendor::Freshdesk | Vendor::Intercom => {
            assert_eq!(status, 422, "{held}");
            assert_eq!(held["errors"][0]["field"], "status", "{held}");
            assert_eq!(f.vendor_requests(), before, "the vendor was called");
            let (_, again) = f.get(&format!("/tickets/{new_id}")).await;
            assert_eq!(again["status"], "pending");
        }
    }

    // Tags: set, add, remove; a change that is not one of those names the problem.
    let tags = |change: Value| {
        let req =
            f.t.post(&f.path(&format!("/tickets/{new_id}/tags")), &f.tenant.key)
                .json(&change);
        async move { read(req.send().await.unwrap()).await }
    };
    if vendor == Vendor::Intercom {
        // Intercom shows no tags on a ticket, so it cannot replace them: `set` is refused;
        // `add` answers the tags added (creating a missing one), `remove` takes them off.
        let (status, p) = tags(json!({"set": ["billing"]})).await;
        assert_eq!(
            (status, p["errors"][0]["field"].as_str()),
            (422, Some("set")),
            "{p}"
        );
        assert_eq!(
            tags(json!({"add": ["escalated"]})).await,
            (200, json!({"tags": ["escalated"]}))
        );
        let (status, p) = tags(json!({"remove": ["escalated"]})).await;
        assert_eq!(status, 200, "{p}");
        let (status, p) = tags(json!({"replace": ["x"]})).await;
        assert_eq!(
            (status, p["code"].as_str()),
            (422, Some("invalid_body")),
            "{p}"
        );
        delete_and_check_gone(&f, &new_id).await;
        return;
    }
    assert_eq!(
        tags(json!({"set": ["billing", "vip"]})).await,
        (200, json!({"tags": ["billing", "vip"]}))
    );
    assert_eq!(
        tags(json!({"add": ["escalated"]})).await,
        (200, json!({"tags": ["billing", "vip", "escalated"]}))
    );
    assert_eq!(
        tags(json!({"remove": ["billing"]})).await,
        (200, json!({"tags": ["vip", "escalated"]}))
    );
    let (status, p) = tags(json!({"replace": ["x"]})).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (422, Some("invalid_body")),
        "{p}"
    );
    let (_, again) = f.get(&format!("/tickets/{new_id}")).await;
    assert_eq!(again["tags"], json!(["vip", "escalated"]));
    delete_and_check_gone(&f, &new_id).await;
}

async fn delete_and_check_gone(f: &Fixture, id: &str) {
    let res =
        f.t.delete(&f.path(&format!("/tickets/{id}")), &f.tenant.key)
            .send()
            .await
            .unwrap();
    assert_eq!(res.status(), 204);
    let (status, gone) = f.get(&format!("/tickets/{id}")).await;
    assert_eq!(status, 404, "{gone}");
    assert_eq!(gone["code"], "upstream_not_found");
}

async fn comments_are_listed_and_added_public_private_and_with_files(
    vendor: Vendor,
    backend: Backend,
) {
    let f = fixture(vendor, backend, 20).await;
    let (_, page) = f.get("/tickets?limit=1").await;
    let tid = data(&page)[0]["id"].as_str().unwrap().to_owned();
    let (status, before) = f.get(&format!("/tickets/{tid}/comments")).await;
    assert_eq!(status, 200, "{before}");
    let count = data(&before).len();
    // Zendesk's description is the ticket's first comment; Freshdesk's is not a
    // conversation, so a Freshdesk ticket may have no comments at all.
    if vendor == Vendor::Zendesk {
        assert!(count >= 1);
    }
    assert!(data(&before).iter().all(|c| c["ticket_id"] == tid.as_str()));

    let post = |body: Value| {
        let req =
            f.t.post(&f.path(&format!("/tickets/{tid}/comments")), &f.tenant.key)
                .json(&body);
        async move { read(req.send().await.unwrap()).await }
    };
    let (status, public) = post(json!({"body": "We are on it."})).await;
    assert_eq!(status, 201, "{public}");
    assert_eq!(public["public"], true);
    assert_eq!(public["body"], "We are on it.");
    let (status, private) = post(json!({"body": "Internal: call them.", "public": false})).await;
    assert_eq!(status, 201, "{private}");
    assert_eq!(private["public"], false);
    let file = b"%PDF-1.4 the invoice";
    let (status, with_file) = post(json!({"body": "The invoice.", "attachments": [
        {"file_name": "invoice.pdf", "content_type": "application/pdf", "content_base64": STANDARD.encode(file)}
    ]}))
    .await;
    assert_eq!(status, 201, "{with_file}");
    let attachment = &with_file["attachments"][0];
    assert_eq!(attachment["file_name"], "invoice.pdf", "{with_file}");
    assert_eq!(attachment["size"], file.len());

    let (_, after) = f.get(&format!("/tickets/{tid}/comments")).await;
    let listed = data(&after);
    assert_eq!(listed.len(), count + 3);
    assert!(
        listed.iter().all(|c| c["ticket_id"] == tid.as_str()),
        "{after}"
    );
    let last = listed.last().unwrap();
    assert_eq!(last["attachments"][0]["file_name"], "invoice.pdf", "{last}");

    let (status, bad) = post(json!({"body": "x", "attachments": [
        {"file_name": "a.txt", "content_type": "text/plain", "content_base64": "%%%"}]}))
    .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(bad["errors"][0]["field"], "attachments[0].content_base64");
    let (status, empty) = post(json!({"body": "  "})).await;
    assert_eq!(status, 422, "{empty}");
}

async fn the_directory_lists_and_reads_users_contacts_accounts_teams_and_tags(
    vendor: Vendor,
    backend: Backend,
) {
    let f = fixture(vendor, backend, 20).await;
    for resource in ["users", "contacts", "accounts", "teams"] {
        let (status, page) = f.get(&format!("/{resource}?limit=2")).await;
        assert_eq!(status, 200, "{resource}: {page}");
        let items = data(&page);
        assert!(!items.is_empty(), "{resource}");
        let id = items[0]["id"].as_str().unwrap();
        let (status, one) = f.get(&format!("/{resource}/{id}")).await;
        assert_eq!(status, 200, "{resource}: {one}");
        assert_eq!(one["id"], id, "{resource}");
        let (status, missing) = f.get(&format!("/{resource}/999999999999")).await;
        assert_eq!(status, 404, "{resource}: {missing}");
        assert_eq!(missing["code"], "upstream_not_found", "{resource}");
    }
    let people = f.people();
    let (_, users) = f.get("/users?limit=100").await;
    let emails: Vec<&str> = data(&users)
        .iter()
        .filter_map(|u| u["email"].as_str())
        .collect();
    assert!(emails.contains(&people.admin.as_str()), "{emails:?}");
    assert!(
        !emails.contains(&people.customer.as_str()),
        "customers are contacts: {emails:?}"
    );
    let (_, contacts) = f.get("/contacts?limit=100").await;
    let emails: Vec<&str> = data(&contacts)
        .iter()
        .filter_map(|u| u["email"].as_str())
        .collect();
    assert!(emails.contains(&people.customer.as_str()), "{emails:?}");

    if vendor == Vendor::Freshdesk {
        // Freshdesk has no tag resource: listing or reading a tag is a 501 naming the
        // unsupported operation, answered without a vendor call.
        let before = f.vendor_requests();
        for path in ["/tags", "/tags/billing", "/tags/x"] {
            let (status, p) = f.get(path).await;
            assert_eq!(
                (status, p["code"].as_str()),
                (501, Some("unsupported_operation")),
                "{path}: {p}"
            );
        }
        assert_eq!(f.vendor_requests(), before, "the vendor was called");
        return;
    }
    let (status, tags) = f.get("/tags").await;
    assert_eq!(status, 200, "{tags}");
    assert!(!data(&tags).is_empty());
    let name = data(&tags)[0]["name"].as_str().unwrap().to_owned();
    let (status, one) = f.get(&format!("/tags/{name}")).await;
    assert_eq!((status, one), (200, json!({"name": name})));
    let (status, missing) = f.get("/tags/no-such-tag").await;
    assert_eq!(
        (status, missing["code"].as_str()),
        (404, Some("upstream_not_found"))
    );
    if vendor == Vendor::Zendesk {
        // Zendesk finds a tag through autocomplete, which needs two characters.
        let (status, short) = f.get("/tags/x").await;
        assert_eq!(
            (status, short["code"].as_str()),
            (400, Some("invalid_path")),
            "{short}"
        );
        assert_eq!(short["errors"][0]["field"], "tag", "{short}");
    }
}

async fn include_remote_data_adds_the_vendor_object(vendor: Vendor, backend: Backend) {
    let f = fixture(vendor, backend, 20).await;
    for list in ["/tickets", "/users", "/contacts", "/accounts", "/teams"] {
        let (status, page) = f
            .get(&format!("{list}?limit=2&include_remote_data=true"))
            .await;
        assert_eq!(status, 200, "{list}: {page}");
        let item = &data(&page)[0];
        let raw = &item["remote_data"];
        assert!(raw.is_object(), "{list}: {item}");
        // Zendesk and Freshdesk ids are numbers, Intercom's strings.
        let raw_id = match &raw["id"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(raw_id, item["id"].as_str().unwrap(), "{list}");
        let id = item["id"].as_str().unwrap();
        let (_, one) = f
            .get(&format!("{list}/{id}?include_remote_data=true"))
            .await;
        assert!(one["remote_data"].is_object(), "{list}: {one}");
        let (_, plain) = f.get(&format!("{list}/{id}")).await;
        assert!(plain.get("remote_data").is_none(), "{list}: {plain}");
    }
    let tid = f.a_ticket_with_comments().await;
    let (_, comments) = f
        .get(&format!("/tickets/{tid}/comments?include_remote_data=true"))
        .await;
    assert!(data(&comments)[0]["remote_data"].is_object(), "{comments}");
}

async fn filters_narrow_every_page(vendor: Vendor, backend: Backend) {
    let f = fixture(vendor, backend, 60).await;
    let (_, all) = f.get("/tickets?limit=100").await;
    let all = data(&all).clone();
    for status in ["new", "open", "pending", "solved", "closed"] {
        let expected = all.iter().filter(|t| t["status"] == status).count();
        let mut seen = 0;
        let mut cursor: Option<String> = None;
        loop {
            let q = match &cursor {
                Some(c) => format!("/tickets?status={status}&limit=7&cursor={c}"),
                None => format!("/tickets?status={status}&limit=7"),
            };
            let (code, page) = f.get(&q).await;
            assert_eq!(code, 200, "{page}");
            assert!(data(&page).iter().all(|t| t["status"] == status), "{page}");
            seen += data(&page).len();
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, expected, "status={status}");
    }
    let assignee = all.iter().find_map(|t| t["assignee_id"].as_str()).unwrap();
    let (_, page) = f
        .get(&format!("/tickets?assignee_id={assignee}&limit=100"))
        .await;
    assert!(!data(&page).is_empty());
    assert!(
        data(&page).iter().all(|t| t["assignee_id"] == assignee),
        "{page}"
    );

    let agent = f.people().agent;
    let (_, users) = f.get(&format!("/users?email={agent}")).await;
    assert_eq!(data(&users).len(), 1, "{users}");
    assert_eq!(data(&users)[0]["email"], agent.as_str());

    let (status, bad) = f.get("/tickets?status=burning").await;
    assert_eq!(status, 400, "{bad}");
    let (status, bad) = f.get("/tickets?limit=101").await;
    assert_eq!(status, 400, "{bad}");
    let (status, bad) = f.get("/tickets?colour=red").await;
    assert_eq!(status, 400, "{bad}");
}

async fn a_cursor_walk_sees_every_ticket_once(vendor: Vendor, backend: Backend) {
    let f = fixture(vendor, backend, 300).await;
    let mut seen = HashSet::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/tickets?limit=100&cursor={c}"),
            None => "/tickets?limit=100".to_owned(),
        };
        let (status, page) = f.get(&q).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        for t in data(&page) {
            assert!(
                seen.insert(t["id"].as_str().unwrap().to_owned()),
                "{t} twice"
            );
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        assert!(pages < 10, "the walk does not end");
    }
    assert_eq!(seen.len(), 300);
}

async fn foreign_tampered_and_garbage_cursors_are_400_without_a_vendor_call(
    vendor: Vendor,
    backend: Backend,
) {
    let f = fixture(vendor, backend, 20).await;
    let other = f.t.connect_vendor(vendor, &f.tenant.key, "globex").await;
    let (_, page) = f.get("/tickets?limit=2").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (_, users) = f.get("/users?limit=1").await;
    let users_cursor = users["next_cursor"].as_str().unwrap().to_owned();
    // The cursor works where it was issued.
    let (status, _) = f.get(&format!("/tickets?limit=2&cursor={cursor}")).await;
    assert_eq!(status, 200);

    let mut tampered = cursor.clone().into_bytes();
    let mid = tampered.len() / 2;
    tampered[mid] = if tampered[mid] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();

    let cases = [
        (
            format!("/v1/connections/{other}/tickets?limit=2&cursor={cursor}"),
            "another connection",
        ),
        (
            f.path(&format!("/users?limit=2&cursor={cursor}")),
            "another list",
        ),
        (
            f.path(&format!("/tickets?limit=2&cursor={users_cursor}")),
            "a users cursor on tickets",
        ),
        (
            f.path(&format!("/tickets?limit=2&status=open&cursor={cursor}")),
            "other filters",
        ),
        (
            f.path(&format!("/tickets?limit=2&cursor={tampered}")),
            "one character changed",
        ),
        (
            f.path("/tickets?limit=2&cursor=bm90IGEgY3Vyc29y"),
            "garbage",
        ),
        (f.path("/tickets?limit=2&cursor=%F0%9F%92%A9"), "not base64"),
        (
            f.path("/tickets/1/comments?cursor=AAAA"),
            "garbage on comments",
        ),
    ];
    for (url, what) in cases {
        let before = f.vendor_requests();
        let (status, v) = read(f.t.get(&url, &f.tenant.key).send().await.unwrap()).await;
        assert_eq!(status, 400, "{what}: {v}");
        assert_eq!(v["errors"][0]["field"], "cursor", "{what}: {v}");
        assert_eq!(f.vendor_requests(), before, "{what}: the vendor was called");
    }
}
