-- Live replicas: see the PostgreSQL migration. A single node has one row, its own.
CREATE TABLE replicas (
    name TEXT PRIMARY KEY NOT NULL,
    version TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    beat_at_ms INTEGER NOT NULL
);
