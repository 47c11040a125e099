-- A counter per organization that changes, in the same transaction, with
-- anything its member list shows: memberships, assignments, the custom
-- assignments' content, members' names and e-mails. The server serializes
-- a large member list once and reuses it while the counter stays the same
-- (see src/member_lists.rs); triggers keep the counter right whichever code
-- or tool writes.
ALTER TABLE organizations ADD COLUMN members_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER members_version_member_insert AFTER INSERT ON organization_members
BEGIN
    UPDATE organizations SET members_version = members_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER members_version_member_update AFTER UPDATE ON organization_members
BEGIN
    UPDATE organizations SET members_version = members_version + 1
     WHERE id IN (OLD.organization_id, NEW.organization_id);
END;

CREATE TRIGGER members_version_member_delete AFTER DELETE ON organization_members
BEGIN
    UPDATE organizations SET members_version = members_version + 1 WHERE id = OLD.organization_id;
END;

CREATE TRIGGER members_version_assignment_insert AFTER INSERT ON member_assignments
BEGIN
    UPDATE organizations SET members_version = members_version + 1 WHERE id = NEW.organization_id;
END;

CREATE TRIGGER members_version_assignment_update AFTER UPDATE ON member_assignments
BEGIN
    UPDATE organizations SET members_version = members_version + 1
     WHERE id IN (OLD.organization_id, NEW.organization_id);
END;

CREATE TRIGGER members_version_assignment_delete AFTER DELETE ON member_assignments
BEGIN
    UPDATE organizations SET members_version = members_version + 1 WHERE id = OLD.organization_id;
END;

CREATE TRIGGER members_version_role_update AFTER UPDATE ON organization_roles
BEGIN
    UPDATE organizations SET members_version = members_version + 1
     WHERE id IN (OLD.organization_id, NEW.organization_id);
END;

CREATE TRIGGER members_version_role_delete AFTER DELETE ON organization_roles
BEGIN
    UPDATE organizations SET members_version = members_version + 1 WHERE id = OLD.organization_id;
END;

CREATE TRIGGER members_version_user_update AFTER UPDATE OF name, email ON users
BEGIN
    UPDATE organizations SET members_version = members_version + 1
     WHERE id IN (SELECT organization_id FROM organization_members WHERE user_id = NEW.id);
END;
