-- Search for the Users page: the first one, two and three characters of each member's email,
-- "first last" and last name, beside the name sort key. A term of up to three characters is
-- one range of the primary key, already in name order, so a page of matches costs the same
-- however many there are; a longer term walks the range of its first three characters.
-- Triggers keep it in step with memberships; only searchMembers reads it.
-- PostgreSQL: the triggers are per statement over the transition tables (a bulk load is one
-- INSERT … SELECT), and the keys compare byte-wise (COLLATE "C") as SQLite's do.
CREATE TABLE member_prefixes (
	org_id        BIGINT NOT NULL,
	status        TEXT COLLATE "C" NOT NULL,
	prefix        TEXT COLLATE "C" NOT NULL,
	name_key      TEXT COLLATE "C" NOT NULL,
	membership_id BIGINT NOT NULL,
	PRIMARY KEY (org_id, status, prefix, name_key, membership_id)
);
CREATE FUNCTION member_prefixes_of(email TEXT, name_key TEXT, last_name_key TEXT) RETURNS SETOF TEXT
	LANGUAGE sql IMMUTABLE AS $$
	SELECT DISTINCT p FROM (VALUES (left(email, 1)), (left(email, 2)), (left(email, 3)),
		(left(name_key, 1)), (left(name_key, 2)), (left(name_key, 3)),
		(left(last_name_key, 1)), (left(last_name_key, 2)), (left(last_name_key, 3))) AS v(p)
	WHERE p <> ''
$$;
INSERT INTO member_prefixes (org_id, status, prefix, name_key, membership_id)
	SELECT m.org_id, m.status, p.p, m.name_key, m.id FROM memberships m
		CROSS JOIN LATERAL member_prefixes_of(m.email, m.name_key, m.last_name_key) AS p(p)
	ON CONFLICT DO NOTHING;
CREATE FUNCTION memberships_prefixes_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO member_prefixes (org_id, status, prefix, name_key, membership_id)
		SELECT n.org_id, n.status, p.p, n.name_key, n.id FROM new_rows n
			CROSS JOIN LATERAL member_prefixes_of(n.email, n.name_key, n.last_name_key) AS p(p)
		ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;
CREATE FUNCTION memberships_prefixes_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM member_prefixes mp USING old_rows o
		WHERE mp.org_id = o.org_id AND mp.status = o.status AND mp.name_key = o.name_key AND mp.membership_id = o.id
			AND mp.prefix IN (SELECT member_prefixes_of(o.email, o.name_key, o.last_name_key));
	RETURN NULL;
END $$;
CREATE FUNCTION memberships_prefixes_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM member_prefixes mp USING old_rows o JOIN new_rows n ON n.id = o.id
		WHERE (o.org_id, o.status, o.email, o.name_key, o.last_name_key) IS DISTINCT FROM (n.org_id, n.status, n.email, n.name_key, n.last_name_key)
			AND mp.org_id = o.org_id AND mp.status = o.status AND mp.name_key = o.name_key AND mp.membership_id = o.id
			AND mp.prefix IN (SELECT member_prefixes_of(o.email, o.name_key, o.last_name_key));
	INSERT INTO member_prefixes (org_id, status, prefix, name_key, membership_id)
		SELECT n.org_id, n.status, p.p, n.name_key, n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
			CROSS JOIN LATERAL member_prefixes_of(n.email, n.name_key, n.last_name_key) AS p(p)
		WHERE (o.org_id, o.status, o.email, o.name_key, o.last_name_key) IS DISTINCT FROM (n.org_id, n.status, n.email, n.name_key, n.last_name_key)
		ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;
CREATE TRIGGER memberships_prefixes_insert AFTER INSERT ON memberships
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_prefixes_insert();
CREATE TRIGGER memberships_prefixes_delete AFTER DELETE ON memberships
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_prefixes_delete();
CREATE TRIGGER memberships_prefixes_update AFTER UPDATE ON memberships
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION memberships_prefixes_update();
