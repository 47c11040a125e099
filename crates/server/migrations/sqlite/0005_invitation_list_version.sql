-- Like members_version (0004), for the organization's invitation list: a
-- counter that changes, in the same transaction, with anything the list
-- shows. The serialized lists live in src/list_cache.rs.
ALTER TABLE organizations ADD COLUMN invitations_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER invitations_version_insert AFTER INSERT ON invitations
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1
     WHERE id = NEW.organization_id;
END;

CREATE TRIGGER invitations_version_update AFTER UPDATE ON invitations
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1
     WHERE id IN (OLD.organization_id, NEW.organization_id);
END;

CREATE TRIGGER invitations_version_delete AFTER DELETE ON invitations
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1
     WHERE id = OLD.organization_id;
END;

-- Invitations show their organization's name.
CREATE TRIGGER invitations_version_organization_name AFTER UPDATE OF name ON organizations
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1 WHERE id = NEW.id;
END;

-- Both lists resolve assignment ids to the custom assignments' content; an
-- id can name an assignment created after it was stored.
CREATE TRIGGER invitations_version_role_insert AFTER INSERT ON organization_roles
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1,
                             members_version = members_version + 1
     WHERE id = NEW.organization_id;
END;

CREATE TRIGGER invitations_version_role_update AFTER UPDATE ON organization_roles
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1
     WHERE id IN (OLD.organization_id, NEW.organization_id);
END;

CREATE TRIGGER invitations_version_role_delete AFTER DELETE ON organization_roles
BEGIN
    UPDATE organizations SET invitations_version = invitations_version + 1
     WHERE id = OLD.organization_id;
END;
