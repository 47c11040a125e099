-- Invitations: at most one pending invitation per address and organization.
-- Creating an invitation while an expired pending one exists cancels the
-- expired one in the same transaction, so this index never blocks a new
-- invitation that the API allows, and it holds whatever the interleaving.
CREATE UNIQUE INDEX invitations_one_pending
    ON invitations(organization_id, email_normalized) WHERE status = 'pending';

-- Mail delivery: the outbox is also the SMTP queue. A row is written in the
-- transaction of the change it reports; the mailer delivers it after commit
-- and records the outcome here.
ALTER TABLE outbox ADD COLUMN sent_at TEXT;
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
-- NULL: due now. Also the lease of a delivery in progress.
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
CREATE INDEX outbox_undelivered ON outbox(id) WHERE sent_at IS NULL;
