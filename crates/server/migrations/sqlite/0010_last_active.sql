-- When each member last used the API in the organization (issue 19): RFC 3339
-- text, NULL when never. Written at most once an hour per member by a
-- conditional UPDATE (src/store/members.rs, `record_activity`), so several
-- instances do not multiply the writes. The member list shows it, so the
-- list's version moves with it (the AFTER UPDATE trigger of 0004): at most
-- once an hour per active member.
ALTER TABLE organization_members ADD COLUMN last_active_at TEXT;
