-- Push tokens of users' devices; one row per (user, token).
CREATE TABLE device_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    TEXT NOT NULL,
    platform   TEXT NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
    token      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, token)
);

-- For deleting a token from every user when a provider reports it unregistered.
CREATE INDEX device_tokens_token ON device_tokens (token);
