-- Notification worker: one row per (notification, channel, target) once its outcome is
-- final, so a redelivered notification.requested skips what was already sent (or already
-- failed for good). The first outcome recorded wins (INSERT … ON CONFLICT DO NOTHING).
CREATE TABLE notification_sends (
    notification_id TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('push', 'email')),
    target          TEXT NOT NULL,
    provider        TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('sent', 'token_rejected', 'failed')),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    detail          TEXT,
    recorded_at     TEXT NOT NULL,
    PRIMARY KEY (notification_id, channel, target)
) STRICT;
