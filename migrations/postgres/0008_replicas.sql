-- Live replicas. Every serving process writes its row every `[replicas] heartbeat_ms` and
-- deletes it when it stops; a row not written for `dead_after_ms` is a dead replica (killed,
-- or cut off from the database), and rows dead for an hour are removed by the next beat.
-- Each replica paces every upstream account at its share: one over the live rows. Times are
-- milliseconds since the Unix epoch by the writing replica's clock. No tenant data: no
-- row-level security, like upstream_blocks.
CREATE TABLE replicas (
    name text PRIMARY KEY,
    version text NOT NULL,
    started_at_ms bigint NOT NULL,
    beat_at_ms bigint NOT NULL
);
