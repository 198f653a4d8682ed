-- Push tokens of users' devices; one row per (user, token).
CREATE TABLE device_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL,
    platform   TEXT NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
    token      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, token)
) STRICT;

-- For deleting a token from every user when a provider reports it unregistered.
CREATE INDEX device_tokens_token ON device_tokens (token);
