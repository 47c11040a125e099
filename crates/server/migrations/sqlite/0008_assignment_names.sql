-- One name per idea (issue 16): the custom permission sets are
-- "assignments", as in roster-core and the SPA; "role" is a member's Owner
-- or Member only. The wire keeps Daytona's names ("organization roles",
-- roleIds); the schema no longer does.
--
-- RENAME rewrites every reference inside triggers and indexes; the names of
-- those that said "role" are changed by recreating them with the same body.

ALTER TABLE organization_roles RENAME TO custom_assignments;
ALTER TABLE member_assignments RENAME COLUMN role_id TO assignment_id;
ALTER TABLE invitations RENAME COLUMN assigned_role_ids TO assignment_ids;

DROP INDEX organization_roles_org;
CREATE INDEX custom_assignments_org ON custom_assignments(organization_id);

DROP INDEX member_assignments_role;
CREATE INDEX member_assignments_assignment ON member_assignments(assignment_id);

-- The list-version triggers of 0004 and 0005 on the custom assignments.
DROP TRIGGER members_version_role_update;
CREATE TRIGGER members_version_custom_assignment_update AFTER UPDATE ON custom_assignments
BEGIN
    UPDATE organizations SET members_version = members_version + 1
     WHERE id IN (OLD.organization_id, NEW.organization_id);
END;

DROP TRIGGER members_version_role_delete;
CREATE TRIGGER members_version_custom_assignment_delete AFTER DELETE ON custom_assignments
BEGIN
    UPDATE organizations SET members_version = members_version + 1 WHERE id = OLD.organization_id;
END;

DROP TRIGGER invitations_version_role_insert;
CREATE TRIGGER invitations_version_custom_assignment_insert AFTER INSERT ON custom_assignments
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1,
                             members_version = members_version + 1
     WHERE id = NEW.organization_id;
END;

DROP TRIGGER invitations_version_role_update;
CREATE TRIGGER invitations_version_custom_assignment_update AFTER UPDATE ON custom_assignments
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1
     WHERE id IN (OLD.organization_id, NEW.organization_id);
END;

DROP TRIGGER invitations_version_role_delete;
CREATE TRIGGER invitations_version_custom_assignment_delete AFTER DELETE ON custom_assignments
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1
     WHERE id = OLD.organization_id;
END;
