-- Tab counts are kept by triggers so the Users page never counts the table per request.
-- PostgreSQL: writers run side by side, so one row per (organization, status) would make
-- every invitation, signup and status change in an organization wait for the one before it.
-- Each count is spread over 16 slots instead (the writing connection's backend pid picks one)
-- and read as their sum: at most 16 rows per status. The triggers are per statement, over
-- the transition tables, so a bulk load adds one delta per status, not one per row.
CREATE TABLE membership_counts (
	org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	status TEXT COLLATE "C" NOT NULL,
	slot   SMALLINT NOT NULL DEFAULT 0,
	n      BIGINT NOT NULL,
	PRIMARY KEY (org_id, status, slot)
);
INSERT INTO membership_counts (org_id, status, slot, n)
	SELECT org_id, status, 0, COUNT(*) FROM memberships GROUP BY org_id, status;
CREATE FUNCTION memberships_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO membership_counts (org_id, status, slot, n)
		SELECT org_id, status, pg_backend_pid() % 16, COUNT(*) FROM new_rows GROUP BY org_id, status ORDER BY org_id, status
		ON CONFLICT (org_id, status, slot) DO UPDATE SET n = membership_counts.n + EXCLUDED.n;
	RETURN NULL;
END $$;
-- A deleted organization takes its counts with it: the memberships deleted with it add no delta.
CREATE FUNCTION memberships_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO membership_counts (org_id, status, slot, n)
		SELECT o.org_id, o.status, pg_backend_pid() % 16, -COUNT(*) FROM old_rows o
		WHERE EXISTS (SELECT 1 FROM organizations WHERE organizations.id = o.org_id)
		GROUP BY o.org_id, o.status ORDER BY o.org_id, o.status
		ON CONFLICT (org_id, status, slot) DO UPDATE SET n = membership_counts.n + EXCLUDED.n;
	RETURN NULL;
END $$;
CREATE FUNCTION memberships_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO membership_counts (org_id, status, slot, n)
		SELECT d.org_id, d.status, pg_backend_pid() % 16, SUM(d.n) FROM (
			SELECT o.org_id, o.status, -1 AS n FROM old_rows o JOIN new_rows w ON w.id = o.id
				WHERE (o.org_id, o.status) IS DISTINCT FROM (w.org_id, w.status)
			UNION ALL
			SELECT w.org_id, w.status, 1 FROM old_rows o JOIN new_rows w ON w.id = o.id
				WHERE (o.org_id, o.status) IS DISTINCT FROM (w.org_id, w.status)) d
		GROUP BY d.org_id, d.status HAVING SUM(d.n) <> 0 ORDER BY d.org_id, d.status
		ON CONFLICT (org_id, status, slot) DO UPDATE SET n = membership_counts.n + EXCLUDED.n;
	RETURN NULL;
END $$;
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_count_insert();
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_count_delete();
CREATE TRIGGER memberships_count_update AFTER UPDATE ON memberships
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_count_update();
