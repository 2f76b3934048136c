//! Live replicas: each serving process beats (writes its row) every few seconds, and each
//! paces upstream accounts at its share, one over the replicas beating.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::{Scope, Store, StoreError};

/// Rows not written for this long are removed by the next beat of any replica.
const FORGET_AFTER: chrono::Duration = chrono::Duration::hours(1);

/// One replica, as its beats describe it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ReplicaRecord {
    pub name: String,
    pub version: String,
    pub started_at_ms: i64,
    pub beat_at_ms: i64,
}

/// What a replica says of itself on every beat.
#[derive(Clone, Copy, Debug)]
pub struct Beat<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub started_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Store {
    /// Writes `beat`'s row and returns the replicas that beat within `dead_after` of its
    /// `now`, itself included (oldest first); removes rows silent for an hour. One
    /// transaction.
    pub async fn beat_replica(
        &self,
        beat: Beat<'_>,
        dead_after: Duration,
    ) -> Result<Vec<ReplicaRecord>, StoreError> {
        let now = beat.now.timestamp_millis();
        let live_since = now.saturating_sub(millis(dead_after));
        let forget_before = (beat.now - FORGET_AFTER).timestamp_millis();
        let live = scoped!(self, Scope::Operator, |conn| {
            sqlx::query(
                "INSERT INTO replicas (name, version, started_at_ms, beat_at_ms) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (name) DO UPDATE SET version = excluded.version, \
                 beat_at_ms = excluded.beat_at_ms",
            )
            .bind(beat.name)
            .bind(beat.version)
            .bind(beat.started_at.timestamp_millis())
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM replicas WHERE beat_at_ms < $1")
                .bind(forget_before)
                .execute(&mut *conn)
                .await?;
            sqlx::query_as::<_, ReplicaRecord>(
                "SELECT name, version, started_at_ms, beat_at_ms FROM replicas \
                 WHERE beat_at_ms >= $1 OR name = $2 ORDER BY started_at_ms, name",
            )
            .bind(live_since)
            .bind(beat.name)
            .fetch_all(&mut *conn)
            .await?
        });
        Ok(live)
    }

    /// Removes `name`'s row: a replica stopping, so that the others take its share at their
    /// next beat instead of after `dead_after`.
    pub async fn leave_replica(&self, name: &str) -> Result<(), StoreError> {
        scoped!(self, Scope::Operator, |conn| {
            sqlx::query("DELETE FROM replicas WHERE name = $1")
                .bind(name)
                .execute(conn)
                .await?
                .rows_affected()
        });
        Ok(())
    }
}
