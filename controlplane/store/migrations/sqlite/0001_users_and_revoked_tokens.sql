-- Users, and the JWT ids revoked before their expiry.
CREATE TABLE users (
    id           TEXT PRIMARY KEY NOT NULL,
    email        TEXT,
    display_name TEXT,
    created_at   TEXT NOT NULL
) STRICT;

CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT NOT NULL
) STRICT;

CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
