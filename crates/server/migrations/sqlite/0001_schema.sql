-- Roster's schema. Timestamps are RFC 3339 UTC text (they sort as text);
-- ids are UUID text. Global assignments live in roster-core, not here.

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL,
    -- trimmed and lower-cased: the identity used for uniqueness and invitations
    email_normalized TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    -- NULL for generated accounts that cannot sign in
    password_hash    TEXT,
    email_verified   INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE email_verifications (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
);

CREATE TABLE organizations (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    created_by        TEXT NOT NULL REFERENCES users(id),
    personal          INTEGER NOT NULL DEFAULT 0,
    default_region_id TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
-- exactly one personal organization per user
CREATE UNIQUE INDEX organizations_one_personal ON organizations(created_by) WHERE personal = 1;
CREATE INDEX organizations_created_by ON organizations(created_by);

CREATE TABLE organization_members (
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user ON organization_members(user_id);
CREATE INDEX organization_members_role ON organization_members(organization_id, role);

-- The last-owner rule, enforced by the database whatever the interleaving of
-- requests: an organization that still exists keeps at least one owner.
-- (When the organization itself is deleted its row is gone first, so the
-- cascade may remove every member.)
CREATE TRIGGER organization_keeps_an_owner_on_update
BEFORE UPDATE OF role ON organization_members
WHEN OLD.role = 'owner' AND NEW.role <> 'owner'
 AND (SELECT COUNT(*) FROM organization_members
       WHERE organization_id = OLD.organization_id AND role = 'owner') <= 1
BEGIN
    SELECT RAISE(ABORT, 'last owner');
END;

CREATE TRIGGER organization_keeps_an_owner_on_delete
BEFORE DELETE ON organization_members
WHEN OLD.role = 'owner'
 AND EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id)
 AND (SELECT COUNT(*) FROM organization_members
       WHERE organization_id = OLD.organization_id AND role = 'owner') <= 1
BEGIN
    SELECT RAISE(ABORT, 'last owner');
END;

-- Custom assignments ("organization roles" on the wire).
CREATE TABLE organization_roles (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- JSON array of permission strings
    permissions     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX organization_roles_org ON organization_roles(organization_id);

-- Which assignments a member holds; role_id is a global id (from core) or a
-- custom one. Viewer is implicit and never stored.
CREATE TABLE member_assignments (
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    role_id         TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id, role_id),
    FOREIGN KEY (organization_id, user_id)
        REFERENCES organization_members(organization_id, user_id) ON DELETE CASCADE
);
CREATE INDEX member_assignments_role ON member_assignments(role_id);

CREATE TABLE invitations (
    id                TEXT PRIMARY KEY,
    organization_id   TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email             TEXT NOT NULL,
    email_normalized  TEXT NOT NULL,
    role              TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    -- JSON array of assignment ids
    assigned_role_ids TEXT NOT NULL,
    invited_by        TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled')),
    expires_at        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX invitations_org ON invitations(organization_id, status, expires_at);
CREATE INDEX invitations_email ON invitations(email_normalized, status);

CREATE TABLE audit_logs (
    id              TEXT PRIMARY KEY,
    -- ordering key: strictly increasing, so pages are stable and seekable
    seq             INTEGER NOT NULL UNIQUE,
    organization_id TEXT,
    actor_id        TEXT NOT NULL,
    actor_email     TEXT NOT NULL,
    action          TEXT NOT NULL,
    target_type     TEXT,
    target_id       TEXT,
    status_code     INTEGER,
    error_message   TEXT,
    metadata        TEXT,
    ip_address      TEXT,
    user_agent      TEXT,
    source          TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX audit_logs_org_time ON audit_logs(organization_id, created_at, seq);
CREATE INDEX audit_logs_org_action ON audit_logs(organization_id, action, created_at, seq);
CREATE INDEX audit_logs_org_actor ON audit_logs(organization_id, actor_id, created_at, seq);

-- Every e-mail the server sends; dev mode and tests read links from here.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT,
    created_at TEXT NOT NULL
);
