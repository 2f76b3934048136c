//! What the published document says beyond the routes' own attributes: the rules every
//! operation of a kind shares, written once here so that no route can forget them.
//!
//! - any path parameter can be refused before its handler runs (400 `invalid_path`);
//! - any JSON body can be malformed (400), too large (413), of another type (415) or wrong
//!   (422);
//! - every list's `limit` is 1 to [`page::LIMIT_MAX`] and a `cursor` is never empty;
//! - every POST and PATCH takes an `Idempotency-Key`, checked as
//!   [`deskgate_app::idempotency::check_key`] checks it;
//! - an enum serde reads as `{"variant": …}` takes exactly one key, so each of its forms
//!   refuses other properties;
//! - the ids a create answers with lead to the operations that take them (OpenAPI links), so
//!   a client or a stateful test can follow a created object to its reads and writes;
//! - every operation that takes an API key counts against the key's and its tenant's request
//!   rates (`middleware/limits.rs`): its 429 `rate_limited` with `Retry-After`, and the
//!   `RateLimit-Policy` and `RateLimit` headers its answers carry.
//!
//! A test renders the document and checks each rule against the code that enforces it.

use serde_json::{Map, Value, json};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Schema, Type};
use utoipa::openapi::{ContentBuilder, Object, OpenApi, Ref, RefOr, Required, ResponseBuilder};

use crate::problem::PROBLEM_JSON;
use crate::routes::page;

/// Applies every rule above to `doc`.
pub(crate) fn apply(doc: &mut OpenApi) {
    close_tagged_enums(doc);
    let mut operations = Vec::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in methods_mut(item) {
            if let Some(op) = op {
                operations.push((path.clone(), method.to_owned(), op.operation_id.clone()));
            }
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in methods_mut(item) {
            let Some(op) = op else { continue };
            if path.contains('{') {
                respond(op, "400", "A path parameter that is wrong (`invalid_path`)");
            }
            if op.request_body.is_some() {
                respond(
                    op,
                    "400",
                    "The body is not JSON (`malformed_json`) or broke off (`unreadable_body`)",
                );
                respond(op, "413", "The body is over 1 MiB (`payload_too_large`)");
                respond(
                    op,
                    "415",
                    "The body is not `application/json` (`unsupported_media_type`)",
                );
                respond(
                    op,
                    "422",
                    "A body field is wrong, missing or unknown (`invalid_body`); `errors` names it",
                );
            }
            tighten_list_parameters(op);
            if matches!(method, "post" | "patch") && op.security.is_some() {
                idempotency_key(op);
            }
            if method == "post" {
                link_created(path, op, &operations);
            }
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                rate_limited(op);
            }
        }
    }
}

/// The operations of a path the API can serve, by method.
pub(crate) fn methods_mut(item: &mut PathItem) -> [(&'static str, &mut Option<Operation>); 5] {
    [
        ("get", &mut item.get),
        ("post", &mut item.post),
        ("put", &mut item.put),
        ("patch", &mut item.patch),
        ("delete", &mut item.delete),
    ]
}

/// serde reads an externally tagged enum (`{"set": […]}`) from an object of one key and
/// refuses a second; utoipa renders each form as an object that would take more.
fn close_tagged_enums(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::OneOf(one_of)) = schema else {
            continue;
        };
        let tagged = one_of.items.iter().all(|item| {
            matches!(item, RefOr::T(Schema::Object(o))
                if o.properties.len() == 1 && o.required.len() == 1
                    && o.properties.contains_key(&o.required[0]))
        });
        if !tagged {
            continue;
        }
        for item in &mut one_of.items {
            if let RefOr::T(Schema::Object(o)) = item {
                o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
        }
    }
}

/// Documents a problem answer under `status` unless the route documents its own.
fn respond(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        PROBLEM_JSON,
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        });
}

/// An operation that takes a key can be refused by the key's or tenant's rate (429
/// `rate_limited`, with `Retry-After`), and its answers carry `RateLimit-Policy` and
/// `RateLimit`. A route's own 429 (a helpdesk's rate limit) gains the sentence and headers.
fn rate_limited(op: &mut Operation) {
    const TOO_MANY: &str =
        "This API key's or its tenant's request rate is used up (`rate_limited`)";
    let string = |description: &str| {
        HeaderBuilder::new()
            .schema(Object::with_type(Type::String))
            .description(Some(description))
            .build()
    };
    let headers: [(&str, Header); 2] = [
        (
            "RateLimit-Policy",
            string(
                "The limits this answer was counted against (draft-ietf-httpapi-ratelimit-headers): \
                 `\"key\";q=200;w=2, \"tenant\";q=600;w=2`, `q` requests at once, all back \
                 after `w` seconds",
            ),
        ),
        (
            "RateLimit",
            string(
                "What is left of each limit: `\"key\";r=199;t=1, \"tenant\";r=598;t=1`, `r` \
                 requests at once, all back after `t` seconds",
            ),
        ),
    ];
    respond(op, "429", TOO_MANY);
    let responses = &mut op.responses.responses;
    if let Some(RefOr::T(limited)) = responses.get_mut("429") {
        if !limited.description.contains("`rate_limited`") {
            limited.description = format!("{TOO_MANY}. {}", limited.description);
        }
        limited.headers.insert(
            "Retry-After".to_owned(),
            HeaderBuilder::new()
                .schema(Object::with_type(Type::Integer))
                .description(Some("Seconds to wait before the next request, at least 1"))
                .build(),
        );
    }
    for (status, response) in responses.iter_mut() {
        if let (true, RefOr::T(response)) = (status.starts_with('2') || status == "429", response) {
            for (name, header) in &headers {
                response.headers.insert((*name).to_owned(), header.clone());
            }
        }
    }
}

/// `limit` is 1 to [`page::LIMIT_MAX`] (50 when absent); `cursor` is what a page answered as
/// `next_cursor`, never empty.
fn tighten_list_parameters(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        if p.parameter_in != ParameterIn::Query {
            continue;
        }
        let Some(RefOr::T(Schema::Object(schema))) = p.schema.as_mut() else {
            continue;
        };
        match p.name.as_str() {
            "limit" => {
                schema.minimum = Some(1.into());
                schema.maximum = Some(page::LIMIT_MAX.into());
                schema.default = Some(page::LIMIT_DEFAULT.into());
            }
            "cursor" => schema.min_length = Some(1),
            _ => {}
        }
    }
}

/// Every POST and PATCH may carry an `Idempotency-Key`; the middleware takes it on any.
fn idempotency_key(op: &mut Operation) {
    let params = op.parameters.get_or_insert_with(Vec::new);
    params.retain(|p| !p.name.eq_ignore_ascii_case("Idempotency-Key"));
    params.push(
        ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes a retry safe: the first response is kept for 24 hours and replayed \
                 (`Idempotent-Replayed: true`); the same key with another request is a 422 \
                 (`idempotency_key_reused`), and while the first runs a 409 \
                 (`idempotency_in_progress`). 1 to 255 printable ASCII characters, e.g. a UUID.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$")),
            ))
            .build(),
    );
    respond(
        op,
        "409",
        "A request with this Idempotency-Key is still running (`idempotency_in_progress`)",
    );
    respond(
        op,
        "422",
        "The Idempotency-Key was used with another request (`idempotency_key_reused`)",
    );
}

/// Where each create answers with the new object's id, as a JSON pointer into its body.
const CREATED_ID: &[(&str, &str)] = &[
    ("/v1/api-keys", "/id"),
    ("/v1/connect/sessions", "/session/id"),
    ("/v1/connections", "/id"),
    ("/v1/connections/{id}/tickets", "/id"),
    ("/v1/webhook-endpoints", "/id"),
];

/// Links a create's answer to each operation under `{path}/{new_id}`: the new id from the
/// body, the create's own path parameters passed along by name.
///
/// Written as JSON in the response's extensions: utoipa 5.5's `Link` serializes its fields
/// in snake case (`operation_id`), which no OpenAPI reader knows.
fn link_created(path: &str, op: &mut Operation, operations: &[(String, String, Option<String>)]) {
    let Some((_, pointer)) = CREATED_ID.iter().find(|(p, _)| *p == path) else {
        return;
    };
    let Some(RefOr::T(created)) = op.responses.responses.get_mut("201") else {
        return;
    };
    let prefix = format!("{path}/{{");
    let mut links = Map::new();
    for (target, _, id) in operations {
        let (Some(rest), Some(id)) = (target.strip_prefix(&prefix), id) else {
            continue;
        };
        let Some(new_param) = rest.split('}').next() else {
            continue;
        };
        let mut parameters = Map::new();
        parameters.insert(
            new_param.to_owned(),
            json!(format!("$response.body#{pointer}")),
        );
        for own in path_parameters(path) {
            parameters.insert(own.to_owned(), json!(format!("$request.path.{own}")));
        }
        links.insert(
            id.clone(),
            json!({ "operationId": id, "parameters": parameters }),
        );
    }
    created
        .extensions
        .get_or_insert_with(Extensions::default)
        .insert("links".to_owned(), Value::Object(links));
}

fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::Value;

    fn doc() -> Value {
        serde_json::from_str(&crate::openapi().to_json().unwrap()).unwrap()
    }

    fn operations(doc: &Value) -> impl Iterator<Item = (String, String, Value)> + '_ {
        doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .iter()
                    .filter(|(m, _)| {
                        ["get", "post", "put", "patch", "delete"].contains(&m.as_str())
                    })
                    .map(move |(m, op)| (path.clone(), m.clone(), op.clone()))
            })
    }

    #[test]
    fn every_authenticated_operation_documents_its_rate_limit_as_the_middleware_answers_it() {
        let doc = doc();
        // The document's example is what the default limits answer.
        let policy = crate::middleware::limits::policy_value(
            &deskgate_app::limits::LimitSettings::default(),
        )
        .unwrap();
        let mut seen = 0;
        for (path, method, op) in operations(&doc) {
            let Some(security) = op["security"].as_array() else {
                assert!(op["responses"].get("429").is_none_or(|r| {
                    !r["description"]
                        .as_str()
                        .unwrap()
                        .contains("`rate_limited`")
                }));
                continue;
            };
            assert!(!security.is_empty());
            seen += 1;
            let limited = &op["responses"]["429"];
            assert!(
                limited["description"]
                    .as_str()
                    .unwrap()
                    .contains("`rate_limited`"),
                "{method} {path}"
            );
            assert!(
                limited["headers"].get("Retry-After").is_some(),
                "{method} {path}"
            );
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('2') || status == "429" {
                    let described = response["headers"]["RateLimit-Policy"]["description"]
                        .as_str()
                        .unwrap();
                    assert!(
                        described.contains(policy.to_str().unwrap()),
                        "{method} {path} {status}: {described}"
                    );
                    assert!(response["headers"].get("RateLimit").is_some());
                }
            }
        }
        assert!(seen > 40, "only {seen} authenticated operations");
    }

    #[test]
    fn every_limit_is_documented_as_the_server_checks_it() {
        let doc = doc();
        let mut seen = 0;
        for (path, method, op) in operations(&doc) {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["name"] == "limit" {
                    seen += 1;
                    let s = &p["schema"];
                    assert_eq!(s["minimum"], 1, "{method} {path}");
                    assert_eq!(
                        s["maximum"],
                        crate::routes::page::LIMIT_MAX,
                        "{method} {path}"
                    );
                    assert!(crate::routes::page::limit(Some(0)).is_err());
                    assert!(
                        crate::routes::page::limit(Some(crate::routes::page::LIMIT_MAX + 1))
                            .is_err()
                    );
                    assert!(
                        crate::routes::page::limit(Some(crate::routes::page::LIMIT_MAX)).is_ok()
                    );
                }
                if p["name"] == "cursor" {
                    assert_eq!(p["schema"]["minLength"], 1, "{method} {path}");
                }
            }
        }
        assert!(seen >= 10, "only {seen} lists");
    }

    #[test]
    fn every_body_and_every_path_parameter_documents_its_refusals() {
        let doc = doc();
        for (path, method, op) in operations(&doc) {
            let statuses = op["responses"].as_object().unwrap();
            if op.get("requestBody").is_some() {
                for s in ["400", "413", "415", "422"] {
                    assert!(statuses.contains_key(s), "{method} {path} lacks {s}");
                }
            }
            if path.contains('{') {
                assert!(statuses.contains_key("400"), "{method} {path} lacks 400");
            }
        }
    }

    #[test]
    fn every_authenticated_write_documents_the_idempotency_key_the_app_checks() {
        let doc = doc();
        for (path, method, op) in operations(&doc) {
            if !["post", "patch"].contains(&method.as_str()) || op.get("security").is_none() {
                continue;
            }
            let key = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == "Idempotency-Key")
                .unwrap_or_else(|| panic!("{method} {path} lacks Idempotency-Key"));
            assert_eq!(key["in"], "header");
            assert_eq!(key["schema"]["maxLength"], 255);
        }
        let check = deskgate_app::idempotency::check_key;
        assert!(check("!").is_ok() && check("~").is_ok() && check(&"a".repeat(255)).is_ok());
        assert!(check("").is_err() && check(" ").is_err() && check(&"a".repeat(256)).is_err());
        assert!(check("é").is_err());
    }

    #[test]
    fn a_tag_change_takes_one_key_in_the_document_as_in_the_parser() {
        let doc = doc();
        for form in doc["components"]["schemas"]["TagChange"]["oneOf"]
            .as_array()
            .unwrap()
        {
            assert_eq!(form["additionalProperties"], false, "{form}");
        }
        let two: Result<deskgate_core::model::TagChange, _> =
            serde_json::from_str(r#"{"add": ["a"], "remove": ["b"]}"#);
        assert!(two.is_err());
    }

    #[test]
    fn a_create_links_to_the_operations_on_what_it_created() {
        let doc = doc();
        let links =
            &doc["paths"]["/v1/connections/{id}/tickets"]["post"]["responses"]["201"]["links"];
        let get = links
            .as_object()
            .unwrap()
            .values()
            .find(|l| l["parameters"]["ticket_id"] == "$response.body#/id");
        let get = get.unwrap_or_else(|| panic!("{links}"));
        assert_eq!(get["parameters"]["id"], "$request.path.id");
        let ids: Vec<&str> = super::CREATED_ID.iter().map(|(p, _)| *p).collect();
        for path in ids {
            let links = &doc["paths"][path]["post"]["responses"]["201"]["links"];
            assert!(
                links.as_object().is_some_and(|l| !l.is_empty()),
                "{path}: {links}"
            );
            for link in links.as_object().unwrap().values() {
                let target = link["operationId"].as_str().unwrap();
                assert!(
                    operations(&doc).any(|(_, _, op)| op["operationId"] == target),
                    "{path} links to {target}, which is no operation"
                );
            }
        }
    }
}
