//! Harness for deskgate's end-to-end tests: a fresh database per test on either backend,
//! and the real router served on a loopback port.
//!
//! PostgreSQL tests use `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! to reach a server, create a database of their own there and drop it afterwards.
//! `DESKGATE_TEST_BACKENDS=sqlite` runs the SQLite half alone, for machines without
//! PostgreSQL.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod capture;
pub mod cluster;
pub mod connect_flow;
mod db;
mod receiver;
mod sandbox;
mod spawn;
mod tap;
mod vendor;
pub mod webdriver;
mod webhooks;

pub use capture::Captured;
pub use db::{Backend, TestDb, skip};
pub use receiver::{Received, Receiver};
pub use sandbox::{Replica, account, accounts, fast_upstream, leaks_secret};
pub use spawn::{TestApp, TestTenant};
pub use tap::Tap;
pub use vendor::{Vendor, VendorCounts, freshdesk_account, intercom_workspace};
pub use webhooks::{Workers, fast_webhooks};

/// A response's status and its body as JSON, or as a JSON string when it is not JSON.
pub async fn read(res: reqwest::Response) -> (u16, serde_json::Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// Reads a body until it ends or breaks: the bytes received, and whether the transfer ended
/// in an error (an aborted transfer) rather than at its end.
pub async fn read_until_break(mut res: reqwest::Response) -> (Vec<u8>, bool) {
    let mut got = Vec::new();
    loop {
        match res.chunk().await {
            Ok(Some(chunk)) => got.extend_from_slice(&chunk),
            Ok(None) => return (got, false),
            Err(_) => return (got, true),
        }
    }
}

/// Generates one `#[tokio::test]` per backend for an `async fn(Backend)`.
///
/// `backends!(tenant_a_never_sees_tenant_b_keys);` gives
/// `tenant_a_never_sees_tenant_b_keys::sqlite` and `…::postgres`.
#[macro_export]
macro_rules! backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::skip($crate::Backend::Postgres) {
                        return;
                    }
                    super::$name($crate::Backend::Postgres).await;
                }
            }
        )+
    };
}

/// Generates one `#[tokio::test]` per vendor and backend for an `async fn(Vendor, Backend)`.
///
/// `vendors!(tickets_are_listed);` gives `tickets_are_listed::zendesk::sqlite`,
/// `…::zendesk::postgres`, `…::freshdesk::sqlite` and `…::freshdesk::postgres`.
#[macro_export]
macro_rules! vendors {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                $crate::vendors!(@vendor $name, zendesk, Zendesk);
                $crate::vendors!(@vendor $name, freshdesk, Freshdesk);
                $crate::vendors!(@vendor $name, intercom, Intercom);
            }
        )+
    };
    (@vendor $name:ident, $module:ident, $vendor:ident) => {
        mod $module {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::super::$name($crate::Vendor::$vendor, $crate::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::skip($crate::Backend::Postgres) {
                    return;
                }
                super::super::$name($crate::Vendor::$vendor, $crate::Backend::Postgres).await;
            }
        }
    };
}
