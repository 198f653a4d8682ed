-- Append-only records: who did what (audit) and product analytics.
CREATE TABLE audit_logs (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     TIMESTAMPTZ NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail JSONB NOT NULL
);

CREATE TABLE analytics_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    user_id    TEXT,
    name       TEXT NOT NULL,
    properties JSONB NOT NULL
);

CREATE INDEX analytics_events_name ON analytics_events (name);
