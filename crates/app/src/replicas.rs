//! The replica heartbeat: every serving process writes its row in the store every
//! `heartbeat` and counts the replicas that wrote theirs within `dead_after`; the outbound
//! engine paces each upstream account at one over that count. A replica that stops deletes
//! its row, so the others take its share at their next beat; one that dies is counted dead
//! `dead_after` after its last beat.

use std::time::Duration;

use chrono::{DateTime, Utc};
use deskgate_store::replicas::{Beat, ReplicaRecord};

use crate::{App, AppError};

/// How often replicas beat, and how long a silent one still counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicaSettings {
    pub heartbeat: Duration,
    pub dead_after: Duration,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        Self {
            heartbeat: Duration::from_secs(1),
            dead_after: Duration::from_secs(3),
        }
    }
}

impl ReplicaSettings {
    /// Whether the values can work: a beat at least every 100 ms and at most every minute,
    /// and a replica counted dead only after missing two beats.
    pub fn validate(&self) -> Result<(), String> {
        if self.heartbeat < Duration::from_millis(100) || self.heartbeat > Duration::from_secs(60) {
            return Err("heartbeat_ms must be between 100 and 60000".into());
        }
        if self.dead_after < self.heartbeat * 2 {
            return Err(format!(
                "dead_after_ms must be at least twice heartbeat_ms ({} ms)",
                (self.heartbeat * 2).as_millis()
            ));
        }
        Ok(())
    }
}

impl App {
    /// Writes this replica's beat at `now` and sets the engine's count of live replicas from
    /// the answer; returns the live replicas, this one included.
    pub async fn beat(
        &self,
        settings: ReplicaSettings,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReplicaRecord>, AppError> {
        let live = self.write_beat(settings, started_at, now).await?;
        self.count_replicas(u32::try_from(live.len()).unwrap_or(u32::MAX));
        Ok(live)
    }

    async fn write_beat(
        &self,
        settings: ReplicaSettings,
        started_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReplicaRecord>, AppError> {
        Ok(self
            .store()
            .beat_replica(
                Beat {
                    name: self.replica(),
                    version: env!("CARGO_PKG_VERSION"),
                    started_at,
                    now,
                },
                settings.dead_after,
            )
            .await?)
    }

    fn count_replicas(&self, live: u32) {
        let before = self.upstream().replicas().get();
        self.upstream().replicas().set(live);
        if before != live.max(1) {
            tracing::info!(
                live,
                before,
                "live replicas changed: each paces upstream accounts at its share"
            );
        }
    }

    /// Beats every `settings.heartbeat` until `stop` turns true, then deletes this replica's
    /// row. A failed beat (the database away) keeps the last count; so does the first beat
    /// after failures, unless it counts more: the others could not beat either, and their
    /// rows say they are dead until their own next beat.
    pub async fn run_heartbeats(
        self,
        settings: ReplicaSettings,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) {
        let started_at = Utc::now();
        let mut every = tokio::time::interval(settings.heartbeat);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failed = false;
        loop {
            tokio::select! {
                _ = every.tick() => {}
                _ = stop.wait_for(|stop| *stop) => break,
            }
            match self.write_beat(settings, started_at, Utc::now()).await {
                Ok(live) => {
                    let live = u32::try_from(live.len()).unwrap_or(u32::MAX);
                    let kept = if failed {
                        live.max(self.upstream().replicas().get())
                    } else {
                        live
                    };
                    self.count_replicas(kept);
                    failed = false;
                }
                Err(e) => {
                    failed = true;
                    tracing::warn!(error = %e, "the replica heartbeat failed: keeping the last count");
                }
            }
        }
        if let Err(e) = self.store().leave_replica(self.replica()).await {
            tracing::warn!(error = %e, "could not remove this replica's heartbeat row");
        }
    }
}
