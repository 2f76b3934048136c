//! `POST /tickets/search`: every operator, the nesting and group-size limits, pagination.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::{assert_error, roomy, start_with};

fn ids(tickets: &[Value]) -> BTreeSet<String> {
    tickets
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

fn filter(field: &str, operator: &str, value: Value) -> Value {
    let mut filter = json!({"field": field, "operator": operator});
    filter["value"] = value;
    filter
}

#[tokio::test]
async fn every_operator_selects_what_it_says() {
    let h = start_with(roomy("acme", 200)).await;
    let all = h.search_all(filter("created_at", ">", json!(0)), 150).await;
    assert_eq!(all.len(), 200);
    let everything = ids(&all);
    let pick = &all[57];
    let id = pick["id"].as_str().unwrap();
    let created = pick["created_at"].as_i64().unwrap();
    let title = pick["ticket_attributes"]["_default_title_"]
        .as_str()
        .unwrap()
        .to_owned();
    let check = |op: &str, value: Value, expect: &dyn Fn(&Value) -> bool| {
        let expected: BTreeSet<String> = all
            .iter()
            .filter(|t| expect(t))
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect();
        (op.to_owned(), value, expected)
    };
    let title_of = |t: &Value| {
        t["ticket_attributes"]["_default_title_"]
            .as_str()
            .unwrap()
            .to_lowercase()
    };
    let word = title.split(' ').next().unwrap().to_owned();
    let last = title.split(' ').next_back().unwrap().to_owned();
    let cases = vec![
        ("id", check("=", json!(id), &|t| t["id"] == id)),
        ("id", check("!=", json!(id), &|t| t["id"] != id)),
        (
            "id",
            check("IN", json!([id, "700001"]), &|t| {
                t["id"] == id || t["id"] == "700001"
            }),
        ),
        (
            "id",
            check("NIN", json!([id, "700001"]), &|t| {
                t["id"] != id && t["id"] != "700001"
            }),
        ),
        // `>` and `<` are inclusive, as the spec says ("greater (or equal)").
        (
            "created_at",
            check(">", json!(created), &|t| {
                t["created_at"].as_i64().unwrap() >= created
            }),
        ),
        (
            "created_at",
            check("<", json!(created.to_string()), &|t| {
                t["created_at"].as_i64().unwrap() <= created
            }),
        ),
        (
            "created_at",
            check(">=", json!(created), &|t| {
                t["created_at"].as_i64().unwrap() >= created
            }),
        ),
        (
            "created_at",
            check("<=", json!(created), &|t| {
                t["created_at"].as_i64().unwrap() <= created
            }),
        ),
        (
            "title",
            check("~", json!(word.to_uppercase()), &|t| {
                title_of(t).contains(&word.to_lowercase())
            }),
        ),
        (
            "title",
            check("!~", json!(word), &|t| {
                !title_of(t).contains(&word.to_lowercase())
            }),
        ),
        (
            "title",
            check("^", json!(word), &|t| {
                title_of(t).starts_with(&word.to_lowercase())
            }),
        ),
        (
            "title",
            check("$", json!(last), &|t| {
                title_of(t).ends_with(&last.to_lowercase())
            }),
        ),
        ("open", check("=", json!(false), &|t| t["open"] == false)),
        (
            "state",
            check("=", json!("resolved"), &|t| {
                t["ticket_state"]["category"] == "resolved"
            }),
        ),
        (
            "state",
            check("IN", json!(["submitted", "in_progress"]), &|t| {
                ["submitted", "in_progress"]
                    .contains(&t["ticket_state"]["category"].as_str().unwrap())
            }),
        ),
        (
            "category",
            check("=", json!("request"), &|t| t["category"] == "Customer"),
        ),
        (
            "ticket_type_id",
            check("=", json!(h.creds.ticket_type_id), &|t| {
                t["ticket_type"]["id"] == h.creds.ticket_type_id.as_str()
            }),
        ),
        (
            "team_assignee_id",
            check("!=", json!("0"), &|t| t["team_assignee_id"] != 0),
        ),
        (
            "contact_ids",
            check("=", json!(pick["contacts"]["contacts"][0]["id"]), &|t| {
                t["contacts"]["contacts"][0]["id"] == pick["contacts"]["contacts"][0]["id"]
            }),
        ),
    ];
    for (field, (op, value, expected)) in cases {
        let found = ids(&h.search_all(filter(field, &op, value.clone()), 150).await);
        assert_eq!(found, expected, "{field} {op} {value}");
        assert!(
            !found.is_empty() || op == "NIN",
            "{field} {op} {value} matched nothing"
        );
        assert!(found.is_subset(&everything));
    }
}

#[tokio::test]
async fn groups_combine_with_and_and_or() {
    let h = start_with(roomy("acme", 100)).await;
    let query = json!({"operator": "OR", "value": [
        {"operator": "AND", "value": [
            filter("id", "=", json!("700001")),
            filter("open", "IN", json!([true, false])),
        ]},
        filter("id", "=", json!("700002")),
    ]});
    let found = ids(&h.search_all(query, 20).await);
    assert_eq!(
        found,
        BTreeSet::from(["700001".to_owned(), "700002".to_owned()])
    );

    // `ticket_attribute.{id}` reads the attribute of the ticket's type with that id.
    let ticket = h.get_json("/tickets/700003").await;
    let title = ticket["ticket_attributes"]["_default_title_"]
        .as_str()
        .unwrap();
    let attribute = ticket["ticket_type"]["ticket_type_attributes"]["data"][0]["id"]
        .as_str()
        .unwrap();
    let field = format!("ticket_attribute.{attribute}");
    let found = h.search_all(filter(&field, "=", json!(title)), 150).await;
    assert!(ids(&found).contains("700003"));
    assert!(
        found
            .iter()
            .all(|t| t["ticket_attributes"]["_default_title_"] == title)
    );
}

#[tokio::test]
async fn deeper_nesting_and_big_groups_are_refused() {
    let h = start_with(roomy("acme", 20)).await;
    let deep = json!({"query": {"operator": "AND", "value": [
        {"operator": "OR", "value": [
            {"operator": "AND", "value": [filter("open", "=", json!(true))]}
        ]}
    ]}});
    let response = h
        .send(reqwest::Method::POST, "/tickets/search", &deep)
        .await;
    assert_error(response, 400, "parameter_invalid").await;

    let group = |n: usize| {
        let filters: Vec<Value> = (0..n)
            .map(|i| filter("id", "!=", json!(format!("{i}"))))
            .collect();
        json!({"query": {"operator": "AND", "value": filters}})
    };
    let fifteen = h
        .send(reqwest::Method::POST, "/tickets/search", &group(15))
        .await;
    assert_eq!(fifteen.status(), 200);
    let sixteen = h
        .send(reqwest::Method::POST, "/tickets/search", &group(16))
        .await;
    assert_error(sixteen, 400, "parameter_invalid").await;

    for bad in [
        json!({"query": filter("nonsense", "=", json!(1))}),
        json!({"query": filter("title", ">", json!(1))}),
        json!({"query": filter("created_at", "~", json!("1"))}),
        json!({"query": filter("created_at", "=", json!("yesterday"))}),
        json!({"query": filter("id", "IN", json!("700001"))}),
        json!({"query": filter("id", "LIKE", json!("7"))}),
        json!({"query": {"operator": "XOR", "value": [filter("open", "=", json!(true))]}}),
        json!({"query": filter("open", "=", json!(true)), "pagination": {"per_page": 151}}),
        json!({"query": filter("open", "=", json!(true)), "pagination": {"starting_after": "!!"}}),
    ] {
        let response = h.send(reqwest::Method::POST, "/tickets/search", &bad).await;
        assert_error(response, 400, "parameter_invalid").await;
    }
    let no_query = h
        .send(reqwest::Method::POST, "/tickets/search", &json!({}))
        .await;
    assert_error(no_query, 400, "parameter_not_found").await;
}

#[tokio::test]
async fn pages_run_to_the_end_in_updated_at_order() {
    let h = start_with(roomy("acme", 95)).await;
    let query =
        json!({"query": filter("updated_at", ">", json!(0)), "pagination": {"per_page": 20}});
    let first = h.post_json("/tickets/search", &query).await;
    assert_eq!(first["type"], "ticket.list");
    assert_eq!(first["total_count"], 95);
    assert_eq!(first["pages"]["type"], "pages");
    assert_eq!(first["pages"]["page"], 1);
    assert_eq!(first["pages"]["per_page"], 20);
    assert_eq!(first["pages"]["total_pages"], 5);
    assert_eq!(first["pages"]["next"]["per_page"], 20);
    let default = h
        .post_json(
            "/tickets/search",
            &json!({"query": filter("open", "IN", json!([true, false]))}),
        )
        .await;
    assert_eq!(
        default["tickets"].as_array().unwrap().len(),
        20,
        "20 by default"
    );

    let mut pages = 0;
    let mut keys = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut body = query.clone();
        if let Some(c) = &cursor {
            body["pagination"]["starting_after"] = json!(c);
        }
        let page = h.post_json("/tickets/search", &body).await;
        pages += 1;
        assert_eq!(page["pages"]["page"], pages);
        for t in page["tickets"].as_array().unwrap() {
            keys.push((
                t["updated_at"].as_i64().unwrap(),
                t["id"].as_str().unwrap().parse::<u64>().unwrap(),
            ));
        }
        match page["pages"]["next"]["starting_after"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => {
                assert!(page["pages"].get("next").is_none());
                break;
            }
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(keys.len(), 95);
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted, "(updated_at, id) ascending");
}
