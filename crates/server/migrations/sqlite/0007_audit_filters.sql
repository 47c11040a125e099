-- Daytona's audit filters (v0.205): the indexes of the log's order also hold
-- the status code and the target type, so the Outcome and Target filters of
-- the Audit Logs page, alone or with the action, actor and time filters, are
-- read off the index a page walks, without a row lookup per entry skipped;
-- a target type compared for equality walks its own index (store/audit.rs).
DROP INDEX audit_logs_org_time;
DROP INDEX audit_logs_org_action;
DROP INDEX audit_logs_org_actor;
CREATE INDEX audit_logs_org_time
    ON audit_logs(organization_id, created_at, seq, status_code, target_type);
CREATE INDEX audit_logs_org_action
    ON audit_logs(organization_id, action, created_at, seq, status_code, target_type);
CREATE INDEX audit_logs_org_actor
    ON audit_logs(organization_id, actor_id, created_at, seq, status_code, target_type);
CREATE INDEX audit_logs_org_target
    ON audit_logs(organization_id, target_type, created_at, seq, status_code);
