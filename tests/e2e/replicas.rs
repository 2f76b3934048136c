//! The replica heartbeat on both backends: replicas count each other by their rows, a silent
//! one is counted dead after `dead_after`, one that stops removes itself at once, and the
//! outbound engine splits every account's budget by the count.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deskgate_app::replicas::ReplicaSettings;
use deskgate_app::{App, AppSettings};
use deskgate_tests::{Backend, TestApp, backends};

backends!(
    replicas_count_each_other_and_a_silent_one_is_dead_after_the_limit,
    a_running_heartbeat_announces_the_replica_and_removes_it_when_stopped
);

fn at(start: DateTime<Utc>, millis: i64) -> DateTime<Utc> {
    start + chrono::Duration::milliseconds(millis)
}

/// A beat every 2 s, a replica silent for 6 s dead.
const SETTINGS: ReplicaSettings = ReplicaSettings {
    heartbeat: Duration::from_secs(2),
    dead_after: Duration::from_secs(6),
};

async fn live(app: &App, start: DateTime<Utc>, millis: i64) -> usize {
    app.beat(SETTINGS, start, at(start, millis))
        .await
        .unwrap()
        .len()
}

async fn replicas_count_each_other_and_a_silent_one_is_dead_after_the_limit(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let a = t.app.clone();
    let b = t.replica_app(AppSettings::default()).await;
    let c = t.replica_app(AppSettings::default()).await;
    let start = Utc::now();
    assert_eq!(live(&a, start, 0).await, 1);
    assert_eq!(live(&b, start, 100).await, 2);
    assert_eq!(live(&c, start, 200).await, 3);
    assert_eq!(live(&a, start, 2_000).await, 3);
    assert_eq!(a.upstream().replicas().get(), 3);

    // c dies after its first beat: still counted 5.8 s later, dead once 6 s have passed.
    assert_eq!(live(&b, start, 6_000).await, 3);
    assert_eq!(live(&a, start, 6_300).await, 2);
    assert_eq!(a.upstream().replicas().get(), 2);

    // b stops: it removes its row, and a takes the whole budget at its next beat.
    b.store().leave_replica(b.replica()).await.unwrap();
    assert_eq!(live(&a, start, 6_500).await, 1);
    assert_eq!(a.upstream().replicas().get(), 1);
    let metrics = t.metrics().await;
    assert!(
        metrics.contains("deskgate_replicas_live 1"),
        "{}",
        metrics
            .lines()
            .filter(|l| l.contains("replicas"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

async fn a_running_heartbeat_announces_the_replica_and_removes_it_when_stopped(backend: Backend) {
    let t = TestApp::spawn(backend).await;
    let other = t.replica_app(AppSettings::default()).await;
    let settings = ReplicaSettings {
        heartbeat: Duration::from_millis(100),
        dead_after: Duration::from_millis(5_000),
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(other.clone().run_heartbeats(settings, stopped));
    let start = Utc::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    // Each counts the other once both rows are there: this replica at its next beat, the
    // running one at its next tick after that.
    let mut seen = 0;
    while (seen != 2 || other.upstream().replicas().get() != 2)
        && tokio::time::Instant::now() < deadline
    {
        seen = t.app.beat(settings, start, Utc::now()).await.unwrap().len();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 2, "the running heartbeat was never counted");
    assert_eq!(
        other.upstream().replicas().get(),
        2,
        "the running heartbeat never counted this replica"
    );

    stop.send(true).unwrap();
    running.await.unwrap();
    let left = t.app.beat(settings, start, Utc::now()).await.unwrap();
    assert_eq!(
        left.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        [t.app.replica()],
        "a stopped replica removes its row"
    );
    assert_eq!(t.app.upstream().replicas().get(), 1);
}
