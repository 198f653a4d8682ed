-- Append-only records: who did what (audit) and product analytics.
CREATE TABLE audit_logs (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL CHECK (json_valid(detail))
) STRICT;

CREATE TABLE analytics_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    user_id    TEXT,
    name       TEXT NOT NULL,
    properties TEXT NOT NULL CHECK (json_valid(properties))
) STRICT;

CREATE INDEX analytics_events_name ON analytics_events (name);
