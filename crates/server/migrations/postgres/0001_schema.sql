-- Roster's schema on PostgreSQL (15 or newer): the schema SQLite reaches
-- through its migrations 0001-0008 (../sqlite), with the same tables,
-- columns, indexes and invariants, written the PostgreSQL way. The store's
-- SQL is the same on both (src/db.rs), so the types are those SQLite
-- stores: text (UUID ids, RFC 3339 UTC timestamps that sort as text,
-- JSON arrays), 64-bit integers, and 0/1 for flags. Text compares and sorts
-- byte-wise (COLLATE "C"), as SQLite's does, whatever the database's locale.
--
-- Concurrency: the server's write transactions take one advisory lock
-- (src/db.rs); the guards below also hold for any other writer: the
-- last-owner triggers lock the organization's row before counting owners,
-- and the unique indexes are the database's own.

CREATE TABLE users (
    id               TEXT COLLATE "C" PRIMARY KEY,
    email            TEXT COLLATE "C" NOT NULL,
    -- trimmed and lower-cased: the identity used for uniqueness and invitations
    email_normalized TEXT COLLATE "C" NOT NULL UNIQUE,
    name             TEXT COLLATE "C" NOT NULL,
    -- NULL for generated accounts that cannot sign in
    password_hash    TEXT COLLATE "C",
    email_verified   BIGINT NOT NULL DEFAULT 0,
    created_at       TEXT COLLATE "C" NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE email_verifications (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT COLLATE "C" NOT NULL
);

CREATE TABLE organizations (
    id                  TEXT COLLATE "C" PRIMARY KEY,
    name                TEXT COLLATE "C" NOT NULL,
    created_by          TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    personal            BIGINT NOT NULL DEFAULT 0,
    default_region_id   TEXT COLLATE "C",
    created_at          TEXT COLLATE "C" NOT NULL,
    updated_at          TEXT COLLATE "C" NOT NULL,
    -- List versions (SQLite's 0004 and 0005): they change, in the same
    -- transaction, with anything the member or invitation list shows; every
    -- instance serves a kept list only at the version it reads here.
    members_version     BIGINT NOT NULL DEFAULT 0,
    invitations_version BIGINT NOT NULL DEFAULT 0
);
-- exactly one personal organization per user
CREATE UNIQUE INDEX organizations_one_personal ON organizations(created_by) WHERE personal = 1;
CREATE INDEX organizations_created_by ON organizations(created_by);

CREATE TABLE organization_members (
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            TEXT COLLATE "C" NOT NULL CHECK (role IN ('owner', 'member')),
    created_at      TEXT COLLATE "C" NOT NULL,
    updated_at      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user ON organization_members(user_id);
CREATE INDEX organization_members_role ON organization_members(organization_id, role);

-- The last-owner rule, enforced by the database whatever the interleaving of
-- requests: an organization that still exists keeps at least one owner.
-- (When the organization itself is deleted its row is gone first, so the
-- cascade may remove every member.) Changes to one organization's owners
-- take turns on its row, so each count sees the changes committed before it.
CREATE FUNCTION organization_keeps_an_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.role = 'owner' AND (TG_OP = 'DELETE' OR NEW.role <> 'owner') THEN
        PERFORM 1 FROM organizations WHERE id = OLD.organization_id FOR UPDATE;
        IF FOUND AND (SELECT COUNT(*) FROM organization_members
                       WHERE organization_id = OLD.organization_id
                         AND role = 'owner') <= 1 THEN
            RAISE EXCEPTION 'last owner';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER organization_keeps_an_owner_on_update
BEFORE UPDATE OF role ON organization_members
FOR EACH ROW EXECUTE FUNCTION organization_keeps_an_owner();

CREATE TRIGGER organization_keeps_an_owner_on_delete
BEFORE DELETE ON organization_members
FOR EACH ROW EXECUTE FUNCTION organization_keeps_an_owner();

-- Custom assignments ("organization roles" on the wire).
CREATE TABLE custom_assignments (
    id              TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name            TEXT COLLATE "C" NOT NULL,
    description     TEXT COLLATE "C" NOT NULL,
    -- JSON array of permission strings
    permissions     TEXT COLLATE "C" NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL,
    updated_at      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX custom_assignments_org ON custom_assignments(organization_id);

-- Which assignments a member holds; assignment_id is a global id (from
-- core) or a custom one. Viewer is implicit and never stored.
CREATE TABLE member_assignments (
    organization_id TEXT COLLATE "C" NOT NULL,
    user_id         TEXT COLLATE "C" NOT NULL,
    assignment_id   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (organization_id, user_id, assignment_id),
    FOREIGN KEY (organization_id, user_id)
        REFERENCES organization_members(organization_id, user_id) ON DELETE CASCADE
);
CREATE INDEX member_assignments_assignment ON member_assignments(assignment_id);

CREATE TABLE invitations (
    id               TEXT COLLATE "C" PRIMARY KEY,
    organization_id  TEXT COLLATE "C" NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email            TEXT COLLATE "C" NOT NULL,
    email_normalized TEXT COLLATE "C" NOT NULL,
    role             TEXT COLLATE "C" NOT NULL CHECK (role IN ('owner', 'member')),
    -- JSON array of assignment ids
    assignment_ids   TEXT COLLATE "C" NOT NULL,
    invited_by       TEXT COLLATE "C" NOT NULL,
    status           TEXT COLLATE "C" NOT NULL
                     CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled')),
    expires_at       TEXT COLLATE "C" NOT NULL,
    created_at       TEXT COLLATE "C" NOT NULL,
    updated_at       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX invitations_org ON invitations(organization_id, status, expires_at);
CREATE INDEX invitations_email ON invitations(email_normalized, status);
-- At most one pending invitation per address and organization (see
-- SQLite's 0003).
CREATE UNIQUE INDEX invitations_one_pending
    ON invitations(organization_id, email_normalized) WHERE status = 'pending';

CREATE TABLE audit_logs (
    id              TEXT COLLATE "C" PRIMARY KEY,
    -- ordering key: strictly increasing, so pages are stable and seekable
    -- (taken and committed under an advisory lock: src/db.rs)
    seq             BIGINT NOT NULL UNIQUE,
    organization_id TEXT COLLATE "C",
    actor_id        TEXT COLLATE "C" NOT NULL,
    actor_email     TEXT COLLATE "C" NOT NULL,
    action          TEXT COLLATE "C" NOT NULL,
    target_type     TEXT COLLATE "C",
    target_id       TEXT COLLATE "C",
    status_code     BIGINT,
    error_message   TEXT COLLATE "C",
    metadata        TEXT COLLATE "C",
    ip_address      TEXT COLLATE "C",
    user_agent      TEXT COLLATE "C",
    source          TEXT COLLATE "C",
    created_at      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_logs_org_time
    ON audit_logs(organization_id, created_at, seq, status_code, target_type);
CREATE INDEX audit_logs_org_action
    ON audit_logs(organization_id, action, created_at, seq, status_code, target_type);
CREATE INDEX audit_logs_org_actor
    ON audit_logs(organization_id, actor_id, created_at, seq, status_code, target_type);
CREATE INDEX audit_logs_org_target
    ON audit_logs(organization_id, target_type, created_at, seq, status_code);

-- Every e-mail the server sends, and the SMTP queue: a row is written in the
-- transaction of the change it reports; a mailer (of any instance) leases
-- it, delivers it after commit and records the outcome here.
CREATE TABLE outbox (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    recipient       TEXT COLLATE "C" NOT NULL,
    subject         TEXT COLLATE "C" NOT NULL,
    body            TEXT COLLATE "C" NOT NULL,
    link            TEXT COLLATE "C",
    created_at      TEXT COLLATE "C" NOT NULL,
    sent_at         TEXT COLLATE "C",
    attempts        BIGINT NOT NULL DEFAULT 0,
    -- NULL: due now. Also the lease of a delivery in progress.
    next_attempt_at TEXT COLLATE "C",
    last_error      TEXT COLLATE "C"
);
CREATE INDEX outbox_undelivered ON outbox(id) WHERE sent_at IS NULL;

-- Users who sign in through an OpenID provider.
CREATE TABLE oidc_identities (
    issuer     TEXT COLLATE "C" NOT NULL,
    subject    TEXT COLLATE "C" NOT NULL,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_identities_user ON oidc_identities(user_id);

-- The list versions (SQLite's 0004, 0005 and 0008): one function per
-- counter, one trigger per table and change.
CREATE FUNCTION bump_members_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        UPDATE organizations SET members_version = members_version + 1
         WHERE id IN (SELECT organization_id FROM organization_members WHERE user_id = NEW.id);
    ELSIF TG_OP = 'INSERT' THEN
        UPDATE organizations SET members_version = members_version + 1
         WHERE id = NEW.organization_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE organizations SET members_version = members_version + 1
         WHERE id = OLD.organization_id;
    ELSE
        UPDATE organizations SET members_version = members_version + 1
         WHERE id IN (OLD.organization_id, NEW.organization_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION bump_invitations_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'organizations' THEN
        UPDATE organizations SET invitations_version = invitations_version + 1
         WHERE id = NEW.id;
    ELSIF TG_OP = 'INSERT' THEN
        UPDATE organizations SET invitations_version = invitations_version + 1
         WHERE id = NEW.organization_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE organizations SET invitations_version = invitations_version + 1
         WHERE id = OLD.organization_id;
    ELSE
        UPDATE organizations SET invitations_version = invitations_version + 1
         WHERE id IN (OLD.organization_id, NEW.organization_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER members_version_member_insert AFTER INSERT ON organization_members
FOR EACH ROW EXECUTE FUNCTION bump_members_version();
CREATE TRIGGER members_version_member_update AFTER UPDATE ON organization_members
FOR EACH ROW EXECUTE FUNCTION bump_members_version();
CREATE TRIGGER members_version_member_delete AFTER DELETE ON organization_members
FOR EACH ROW EXECUTE FUNCTION bump_members_version();

CREATE TRIGGER members_version_assignment_insert AFTER INSERT ON member_assignments
FOR EACH ROW EXECUTE FUNCTION bump_members_version();
CREATE TRIGGER members_version_assignment_update AFTER UPDATE ON member_assignments
FOR EACH ROW EXECUTE FUNCTION bump_members_version();
CREATE TRIGGER members_version_assignment_delete AFTER DELETE ON member_assignments
FOR EACH ROW EXECUTE FUNCTION bump_members_version();

-- A new custom assignment changes both lists (an id can name an assignment
-- created after it was stored); updates and deletes change both as well.
CREATE TRIGGER members_version_custom_assignment_insert AFTER INSERT ON custom_assignments
FOR EACH ROW EXECUTE FUNCTION bump_members_version();
CREATE TRIGGER members_version_custom_assignment_update AFTER UPDATE ON custom_assignments
FOR EACH ROW EXECUTE FUNCTION bump_members_version();
CREATE TRIGGER members_version_custom_assignment_delete AFTER DELETE ON custom_assignments
FOR EACH ROW EXECUTE FUNCTION bump_members_version();

CREATE TRIGGER members_version_user_update AFTER UPDATE OF name, email ON users
FOR EACH ROW EXECUTE FUNCTION bump_members_version();

CREATE TRIGGER invitations_version_insert AFTER INSERT ON invitations
FOR EACH ROW EXECUTE FUNCTION bump_invitations_version();
CREATE TRIGGER invitations_version_update AFTER UPDATE ON invitations
FOR EACH ROW EXECUTE FUNCTION bump_invitations_version();
CREATE TRIGGER invitations_version_delete AFTER DELETE ON invitations
FOR EACH ROW EXECUTE FUNCTION bump_invitations_version();

-- Invitations show their organization's name.
CREATE TRIGGER invitations_version_organization_name AFTER UPDATE OF name ON organizations
FOR EACH ROW EXECUTE FUNCTION bump_invitations_version();

CREATE TRIGGER invitations_version_custom_assignment_insert AFTER INSERT ON custom_assignments
FOR EACH ROW EXECUTE FUNCTION bump_invitations_version();
CREATE TRIGGER invitations_version_custom_assignment_update AFTER UPDATE ON custom_assignments
FOR EACH ROW EXECUTE FUNCTION bump_invitations_version();
CREATE TRIGGER invitations_version_custom_assignment_delete AFTER DELETE ON custom_assignments
FOR EACH ROW EXECUTE FUNCTION bump_invitations_version();
