-- The limits every server instance on this database shares, which each
-- instance used to keep in its memory: failed sign-ins per address, and
-- when each invitation-mail cooldown key is free again. Timestamps are
-- RFC 3339 text, as everywhere; the rules are src/auth/throttle.rs and
-- src/cooldown.rs, the SQL src/store/limits.rs.

-- A sign-in attempt counts as failed from its start until a success
-- clears the address. An address holds at most one row per slot (0 to the
-- throttle's limit - 1): a new attempt takes a slot whose attempt is over,
-- so concurrent attempts cannot take more slots than there are.
CREATE TABLE sign_in_attempts (
    email_normalized TEXT NOT NULL,
    slot             INTEGER NOT NULL,
    attempted_at     TEXT NOT NULL,
    PRIMARY KEY (email_normalized, slot)
);
-- Pruning the attempts that are over.
CREATE INDEX sign_in_attempts_time ON sign_in_attempts(attempted_at);

-- One invitation mail per organization and address per minute: when the
-- key ("<organization id> <normalized address>") is free again. A key free
-- again in the past is as good as none; such rows are pruned.
CREATE TABLE mail_slots (
    key     TEXT PRIMARY KEY,
    free_at TEXT NOT NULL
);
CREATE INDEX mail_slots_free_at ON mail_slots(free_at);
