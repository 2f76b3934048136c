//! Retries, redirects and deadlines, on tokio's paused clock with a scripted vendor.

use std::time::Duration;

use deskgate_upstream::{TransportError, UpstreamConfig, UpstreamError};
use http::Method;

use crate::support::fake::{FakeVendor, Reply, engine, engine_with, get, ok, post, response, secs};

fn status(code: u16) -> Reply {
    Reply::Respond(response(code, &[]))
}

#[tokio::test(start_paused = true)]
async fn idempotent_requests_retry_5xx_until_they_succeed() {
    let fake = FakeVendor::new(|n, _| match n {
        0 => status(503),
        1 => status(502),
        _ => ok(),
    });
    let answer = engine(fake.clone())
        .send(get("/api/v2/tickets"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.attempts(), 3);
}

#[tokio::test(start_paused = true)]
async fn retries_stop_after_the_configured_attempts_and_return_the_last_answer() {
    let fake = FakeVendor::new(|_, _| status(500));
    let answer = engine(fake.clone())
        .send(get("/api/v2/tickets"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 500);
    assert_eq!(fake.calls().len(), 3);
    assert!(
        matches!(answer.error_for_status(), Err(UpstreamError::Status { status, .. }) if status == 500)
    );
}

#[tokio::test(start_paused = true)]
async fn a_post_is_not_retried_on_5xx() {
    let fake = FakeVendor::new(|_, _| status(500));
    let answer = engine(fake.clone()).send(post()).await.unwrap();
    assert_eq!(answer.status(), 500);
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_post_marked_idempotent_is_retried() {
    let fake = FakeVendor::new(|n, _| if n == 0 { status(500) } else { ok() });
    let answer = engine(fake.clone())
        .send(post().idempotent(true))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(fake.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_post_is_not_retried_after_a_broken_connection_but_is_after_a_failed_connect() {
    let broken =
        FakeVendor::new(|_, _| Reply::Fail(TransportError::Other("connection reset".into())));
    let err = engine(broken.clone()).send(post()).await.unwrap_err();
    assert!(matches!(err, UpstreamError::Transport { .. }), "{err:?}");
    assert_eq!(broken.calls().len(), 1);

    let refused = FakeVendor::new(|n, _| {
        if n == 0 {
            Reply::Fail(TransportError::Connect("refused".into()))
        } else {
            ok()
        }
    });
    let answer = engine(refused.clone()).send(post()).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(refused.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_503_with_retry_after_waits_exactly_that_without_backoff() {
    let fake = FakeVendor::new(|n, _| {
        if n == 0 {
            Reply::Respond(response(503, &[("retry-after", "3".to_owned())]))
        } else {
            ok()
        }
    });
    engine(fake.clone())
        .send(get("/api/v2/tickets"))
        .await
        .unwrap();
    assert_eq!(fake.call_times(), vec![Duration::ZERO, secs(3)]);
}

#[tokio::test(start_paused = true)]
async fn backoff_sleeps_never_pass_the_deadline() {
    let config = UpstreamConfig {
        retry: deskgate_upstream::RetryConfig {
            max_attempts: 50,
            base_delay_ms: 400,
            max_delay_ms: 400,
        },
        ..UpstreamConfig::default()
    };
    let fake = FakeVendor::new(|_, _| status(502));
    let answer = engine_with(fake.clone(), config)
        .send(get("/api/v2/tickets").deadline(secs(2)))
        .await
        .unwrap();
    assert_eq!(answer.status(), 502);
    assert!(fake.elapsed() < secs(2), "{:?}", fake.elapsed());
    assert!(fake.calls().len() >= 2);
}

#[tokio::test(start_paused = true)]
async fn a_vendor_that_never_answers_times_out_at_the_deadline() {
    let fake = FakeVendor::new(|_, _| Reply::Hang);
    let err = engine(fake.clone())
        .send(post().deadline(secs(4)))
        .await
        .unwrap_err();
    assert!(matches!(err, UpstreamError::Timeout), "{err:?}");
    assert_eq!(fake.elapsed(), secs(4));
}

#[tokio::test(start_paused = true)]
async fn redirects_are_errors_and_are_not_followed() {
    for code in [301, 302, 303, 307, 308] {
        let fake = FakeVendor::new(move |_, _| {
            Reply::Respond(response(
                code,
                &[(
                    "location",
                    "http://169.254.169.254/latest/meta-data/".to_owned(),
                )],
            ))
        });
        let err = engine(fake.clone())
            .send(get("/api/v2/tickets"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, UpstreamError::Redirect { status } if status == code),
            "{err:?}"
        );
        assert_eq!(fake.calls().len(), 1);
    }
    let not_modified = FakeVendor::new(|_, _| status(304));
    assert_eq!(
        engine(not_modified)
            .send(get("/api/v2/tickets"))
            .await
            .unwrap()
            .status(),
        304
    );
}

#[tokio::test(start_paused = true)]
async fn client_errors_are_returned_for_the_connector_to_map() {
    let fake = FakeVendor::new(|_, _| status(404));
    let answer = engine(fake.clone())
        .send(get("/api/v2/tickets/1"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn every_attempt_sends_the_same_request_with_a_sensitive_credential() {
    let fake = FakeVendor::new(|n, _| if n == 0 { status(500) } else { ok() });
    let request = get("/api/v2/tickets")
        .query_pair("page", "2")
        .bearer_auth(secrecy::SecretString::from("attempt-token"));
    engine(fake.clone()).send(request).await.unwrap();
    let calls = fake.calls();
    assert_eq!(calls.len(), 2);
    for call in calls {
        assert_eq!(call.method, Method::GET);
        assert_eq!(call.url, "https://acme.zendesk.com/api/v2/tickets?page=2");
        let auth = &call.headers[http::header::AUTHORIZATION];
        assert_eq!(auth.to_str().unwrap(), "Bearer attempt-token");
        assert!(auth.is_sensitive());
    }
}
