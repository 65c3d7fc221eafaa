-- Tab counts are kept by triggers so the Users page never counts the table per request.
CREATE TABLE membership_counts (
	org_id INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	n      INTEGER NOT NULL,
	PRIMARY KEY (org_id, status)
) WITHOUT ROWID;
INSERT INTO membership_counts (org_id, status, n)
	SELECT org_id, status, COUNT(*) FROM memberships GROUP BY org_id, status;
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships BEGIN
	INSERT INTO membership_counts (org_id, status, n) VALUES (NEW.org_id, NEW.status, 1)
		ON CONFLICT (org_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships BEGIN
	UPDATE membership_counts SET n = n - 1 WHERE org_id = OLD.org_id AND status = OLD.status;
END;
CREATE TRIGGER memberships_count_update AFTER UPDATE OF status, org_id ON memberships
	WHEN OLD.status IS NOT NEW.status OR OLD.org_id IS NOT NEW.org_id BEGIN
	UPDATE membership_counts SET n = n - 1 WHERE org_id = OLD.org_id AND status = OLD.status;
	INSERT INTO membership_counts (org_id, status, n) VALUES (NEW.org_id, NEW.status, 1)
		ON CONFLICT (org_id, status) DO UPDATE SET n = n + 1;
END;
