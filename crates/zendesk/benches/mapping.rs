//! Reading and mapping a page of 100 Zendesk tickets (what `list_tickets` does with every
//! page: typed, and through a `Value` per record as filtered lists do) and serializing the
//! result, against the floor: a plain `serde_json` parse and
//! serialize of the same bytes. The page is fetched once from the sandbox, so it has every
//! field shape the sandbox seeds.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use deskgate_sandbox::{SandboxConfig, ZendeskAccountConfig};
use deskgate_zendesk::{
    ZendeskSubdomain, map_ticket_page, map_ticket_page_streamed, map_ticket_page_via_values,
};
use secrecy::ExposeSecret;

fn page_of_100() -> Vec<u8> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime starts");
    runtime.block_on(async {
        let config = SandboxConfig {
            zendesk: vec![ZendeskAccountConfig {
                tickets: 200,
                ..ZendeskAccountConfig::new("acme")
            }],
            freshdesk: vec![],
            intercom: vec![],
        };
        let server = deskgate_sandbox::spawn(config)
            .await
            .expect("the sandbox starts");
        let creds = server
            .sandbox()
            .zendesk_credentials("acme")
            .expect("acme is seeded");
        let body = reqwest::Client::new()
            .get(format!(
                "{}/api/v2/tickets.json?page[size]=100",
                server.zendesk_base_url("acme")
            ))
            .basic_auth(
                format!("{}/token", creds.admin_email),
                Some(creds.api_token.expose_secret()),
            )
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("the sandbox answers the list")
            .bytes()
            .await
            .expect("the page arrives");
        body.to_vec()
    })
}

fn mapping(c: &mut Criterion) {
    let page = page_of_100();
    let subdomain = ZendeskSubdomain::parse("acme").expect("acme is a label");
    let mapped = map_ticket_page(&page, &subdomain).expect("the page maps");
    assert_eq!(mapped.len(), 100);

    let mut group = c.benchmark_group("zendesk");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("map_100_tickets", |b| {
        b.iter(|| {
            let tickets = map_ticket_page(black_box(&page), &subdomain).expect("the page maps");
            serde_json::to_vec(&tickets).expect("tickets serialize")
        });
    });
    // As a streamed list reads the page, in the 16 KiB pieces a connection typically hands
    // over: the cost of reading record by record against the whole-page read above.
    group.bench_function("map_100_tickets_streamed", |b| {
        b.iter(|| {
            let tickets = map_ticket_page_streamed(black_box(&page), 16 * 1024, &subdomain)
                .expect("the page maps");
            serde_json::to_vec(&tickets).expect("tickets serialize")
        });
    });
    group.bench_function("map_100_tickets_streamed_one_piece", |b| {
        b.iter(|| {
            let tickets = map_ticket_page_streamed(black_box(&page), page.len(), &subdomain)
                .expect("the page maps");
            serde_json::to_vec(&tickets).expect("tickets serialize")
        });
    });
    group.bench_function("map_100_tickets_via_values", |b| {
        b.iter(|| {
            let tickets =
                map_ticket_page_via_values(black_box(&page), &subdomain).expect("the page maps");
            serde_json::to_vec(&tickets).expect("tickets serialize")
        });
    });
    group.bench_function("serde_json_floor_100_tickets", |b| {
        b.iter(|| {
            let value: serde_json::Value =
                serde_json::from_slice(black_box(&page)).expect("the page is json");
            serde_json::to_vec(&value).expect("json serializes")
        });
    });
    group.finish();
}

criterion_group!(benches, mapping);
criterion_main!(benches);
