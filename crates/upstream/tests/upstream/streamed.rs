//! `send_streamed`: the same budget, retries and refusals as `send`, the body handed over as
//! it arrives and capped as it is read.

use bytes::Bytes;
use deskgate_upstream::{UpstreamConfig, UpstreamError};
use futures_util::StreamExt;

use crate::support::fake::{FakeVendor, Reply, engine, engine_with, get, post, response};

fn with_body(status: u16, body: &'static [u8]) -> Reply {
    let mut answer = response(status, &[]);
    answer.body = Bytes::from_static(body);
    Reply::Respond(answer)
}

#[tokio::test(start_paused = true)]
async fn a_read_retries_server_errors_before_its_body_is_handed_over() {
    let fake = FakeVendor::new(|n, _| match n {
        0 => with_body(503, b"busy"),
        _ => with_body(200, br#"{"tickets":[]}"#),
    });
    let answer = engine(fake.clone())
        .send_streamed(get("/api/v2/tickets"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.attempts(), 2);
    let (_, _, mut body) = answer.into_parts();
    let mut read = Vec::new();
    while let Some(chunk) = body.next().await {
        read.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(read, br#"{"tickets":[]}"#);
    assert_eq!(fake.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_refusal_comes_back_as_an_answer_to_read_whole() {
    let fake = FakeVendor::new(|_, _| with_body(404, br#"{"error":"RecordNotFound"}"#));
    let answer = engine(fake)
        .send_streamed(get("/api/v2/tickets/9"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let whole = answer.collect().await.unwrap();
    assert_eq!(whole.body().as_ref(), br#"{"error":"RecordNotFound"}"#);
}

#[tokio::test(start_paused = true)]
async fn a_body_past_the_cap_ends_the_stream_with_an_error() {
    let fake = FakeVendor::new(|_, _| with_body(200, b"0123456789abcdef"));
    let config = UpstreamConfig {
        max_body_bytes: 10,
        ..UpstreamConfig::default()
    };
    let answer = engine_with(fake, config)
        .send_streamed(get("/api/v2/tickets"))
        .await
        .unwrap();
    let (_, _, mut body) = answer.into_parts();
    let first = body.next().await.unwrap();
    assert!(
        matches!(first, Err(UpstreamError::TooLarge { limit: 10 })),
        "{first:?}"
    );
    assert!(body.next().await.is_none(), "nothing follows an error");
}

fn breaks_off(status: u16, first: &'static [u8]) -> Reply {
    let mut answer = response(status, &[]);
    answer.body = Bytes::from_static(first);
    Reply::BreaksOff(answer)
}

#[tokio::test(start_paused = true)]
async fn a_read_that_breaks_off_before_its_first_bytes_is_tried_again() {
    let fake = FakeVendor::new(|n, _| match n {
        0 => breaks_off(200, b""),
        _ => with_body(200, br#"{"tickets":[]}"#),
    });
    let answer = engine(fake.clone())
        .send_streamed(get("/api/v2/tickets"))
        .await
        .unwrap();
    assert_eq!(answer.attempts(), 2);
    let whole = answer.collect().await.unwrap();
    assert_eq!(whole.body().as_ref(), br#"{"tickets":[]}"#);
    assert_eq!(fake.calls().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_write_that_breaks_off_before_its_first_bytes_is_not_sent_twice() {
    let fake = FakeVendor::new(|_, _| breaks_off(201, b""));
    let error = engine(fake.clone())
        .send_streamed(post())
        .await
        .unwrap_err();
    assert!(
        matches!(error, UpstreamError::Transport { .. }),
        "{error:?}"
    );
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_body_that_breaks_off_after_its_first_bytes_ends_with_an_error() {
    let fake = FakeVendor::new(|_, _| breaks_off(200, br#"{"tickets":[{"id":1},"#));
    let answer = engine(fake.clone())
        .send_streamed(get("/api/v2/tickets"))
        .await
        .unwrap();
    assert_eq!(
        answer.attempts(),
        1,
        "what was handed over is not asked for again"
    );
    let (_, _, mut body) = answer.into_parts();
    let first = body.next().await.unwrap().unwrap();
    assert_eq!(first.as_ref(), br#"{"tickets":[{"id":1},"#);
    let broke = body.next().await.unwrap();
    assert!(
        matches!(broke, Err(UpstreamError::Transport { .. })),
        "{broke:?}"
    );
    assert!(body.next().await.is_none(), "nothing follows an error");
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_empty_body_ends_without_being_read_past_its_end() {
    let fake = FakeVendor::new(|_, _| with_body(204, b""));
    let answer = engine(fake)
        .send_streamed(get("/api/v2/tickets/1"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 204);
    let (_, _, mut body) = answer.into_parts();
    assert!(body.next().await.is_none());
    assert!(body.next().await.is_none(), "an ended body stays ended");
}
