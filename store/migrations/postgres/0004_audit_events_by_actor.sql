-- The audit log's Member filter reads what one user did in one organization, newest first.
CREATE INDEX audit_events_org_actor ON audit_events(org_id, actor_user_id, id);
