-- With shared limits (veil.limits.shared), each settlement is appended to a Redis stream at once and moved into
-- spend by whichever replica comes first; the position of the last entry moved is kept here, in the transaction
-- that adds the spend, so each entry is added exactly once even when a replica dies between the two stores.
CREATE TABLE spend_stream (
    name TEXT COLLATE "C" PRIMARY KEY,
    last_id TEXT NOT NULL
);
