-- The limits every server instance on this database shares (as SQLite's
-- migration 0009): failed sign-ins per address, and when each
-- invitation-mail cooldown key is free again. The rules are
-- src/auth/throttle.rs and src/cooldown.rs, the SQL src/store/limits.rs.

-- A sign-in attempt counts as failed from its start until a success
-- clears the address. An address holds at most one row per slot (0 to the
-- throttle's limit - 1): a new attempt takes a slot whose attempt is over
-- (INSERT … ON CONFLICT … DO UPDATE … WHERE, which checks the condition
-- again on the row a concurrent attempt left, under its lock), so
-- concurrent attempts cannot take more slots than there are.
CREATE TABLE sign_in_attempts (
    email_normalized TEXT COLLATE "C" NOT NULL,
    slot             BIGINT NOT NULL,
    attempted_at     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (email_normalized, slot)
);
-- Pruning the attempts that are over.
CREATE INDEX sign_in_attempts_time ON sign_in_attempts(attempted_at);

-- One invitation mail per organization and address per minute: when the
-- key ("<organization id> <normalized address>") is free again. A key free
-- again in the past is as good as none; such rows are pruned. Written in
-- the server's write transactions only (one at a time).
CREATE TABLE mail_slots (
    key     TEXT COLLATE "C" PRIMARY KEY,
    free_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX mail_slots_free_at ON mail_slots(free_at);
