-- Call signaling: the two parties of a call, fixed by the first join (INSERT … ON CONFLICT
-- DO NOTHING, then read back: whoever opens second gets the first opener's row).
CREATE TABLE calls (
    call_id    TEXT PRIMARY KEY NOT NULL,
    caller     TEXT NOT NULL,
    callee     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    ended_at   TEXT,
    CHECK (caller <> callee)
) STRICT;
