-- When each member last used the API in the organization (as SQLite's
-- migration 0010): RFC 3339 text, NULL when never. Written at most once an
-- hour per member by a conditional UPDATE (src/store/members.rs,
-- `record_activity`), so several instances do not multiply the writes. The
-- member list shows it, so the list's version moves with it (the
-- members_version trigger): at most once an hour per active member.
ALTER TABLE organization_members ADD COLUMN last_active_at TEXT COLLATE "C";
