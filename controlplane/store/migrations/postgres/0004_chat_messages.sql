-- Room history. Offsets are per room, start at 1 and are dense.
CREATE TABLE chat_messages (
    room_id    TEXT NOT NULL,
    "offset"   BIGINT NOT NULL CHECK ("offset" >= 1),
    message_id TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (room_id, "offset")
);

-- The last offset handed out in each room. Appending bumps it with
-- INSERT … ON CONFLICT DO UPDATE … RETURNING, whose row lock serialises concurrent appends
-- to one room until their transaction ends; a rolled-back append rolls the counter back
-- too, so offsets stay dense.
CREATE TABLE chat_room_offsets (
    room_id     TEXT PRIMARY KEY,
    last_offset BIGINT NOT NULL CHECK (last_offset >= 1)
);
