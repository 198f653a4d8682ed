-- Uploaded media and the state of their processing.
CREATE TABLE media_assets (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('uploaded', 'processing', 'ready', 'failed')),
    source       TEXT NOT NULL,
    content_type TEXT NOT NULL,
    file_size    BIGINT NOT NULL CHECK (file_size >= 0),
    outputs      JSONB,
    duration_ms  BIGINT CHECK (duration_ms IS NULL OR duration_ms >= 0),
    error        TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX media_assets_user_id ON media_assets (user_id);
