//! Intercom's answers: any bytes, and JSON in the shape of its search, list and numbered
//! pages, a ticket's parts, and its error bodies, through every reader and mapper of the
//! connector. No input may panic.
#![no_main]

use deskgate_fuzz::{Shape, shaped};
use libfuzzer_sys::fuzz_target;

const INTERCOM: Shape = Shape {
    keys: &[
        "type",
        "data",
        "tickets",
        "pages",
        "next",
        "starting_after",
        "page",
        "per_page",
        "total_pages",
        "total_count",
        "admins",
        "teams",
        "conversations",
        "deleted_at",
        "id",
        "ticket_id",
        "ticket_attributes",
        "_default_title_",
        "_default_description_",
        "ticket_state",
        "category",
        "internal_label",
        "external_label",
        "ticket_type",
        "open",
        "admin_assignee_id",
        "team_assignee_id",
        "contacts",
        "companies",
        "created_at",
        "updated_at",
        "ticket_parts",
        "part_type",
        "body",
        "author",
        "attachments",
        "url",
        "name",
        "content_type",
        "filesize",
        "email",
        "phone",
        "role",
        "website",
        "job_title",
        "team_ids",
        "archived",
        "errors",
        "code",
        "message",
        "field",
        "request_id",
    ],
    strings: &[
        "ticket",
        "ticket.list",
        "list",
        "conversation",
        "comment",
        "note",
        "admin",
        "user",
        "bot",
        "team",
        "submitted",
        "in_progress",
        "waiting_on_customer",
        "resolved",
        "Customer",
        "Back-office",
        "Tracker",
        "pages",
        "error.list",
        "not_found",
        "parameter_invalid",
        "unauthorized",
        "<p>hello</p>",
    ],
};

fuzz_target!(|data: &[u8]| {
    deskgate_intercom::fuzzing::read_page(data);
    deskgate_intercom::fuzzing::read_error(data);
    let json = shaped(data, &INTERCOM);
    deskgate_intercom::fuzzing::read_page(&json);
    deskgate_intercom::fuzzing::read_error(&json);
});
