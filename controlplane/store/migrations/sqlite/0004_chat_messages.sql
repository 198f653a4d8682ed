-- Room history. Offsets are per room, start at 1 and are dense: the next one is computed
-- inside the inserting write transaction (SQLite has one writer at a time).
CREATE TABLE chat_messages (
    room_id    TEXT NOT NULL,
    "offset"   INTEGER NOT NULL CHECK ("offset" >= 1),
    message_id TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (room_id, "offset")
) STRICT, WITHOUT ROWID;
