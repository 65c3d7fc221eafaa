-- Search for the Users page: the first one, two and three characters of each member's email,
-- "first last" and last name, beside the name sort key. A term of up to three characters is
-- one range of the primary key, already in name order, so a page of matches costs the same
-- however many there are; a longer term walks the range of its first three characters.
-- Triggers keep it in step with memberships; only searchMembers reads it.
CREATE TABLE member_prefixes (
	org_id        INTEGER NOT NULL,
	status        TEXT NOT NULL,
	prefix        TEXT NOT NULL,
	name_key      TEXT NOT NULL,
	membership_id INTEGER NOT NULL,
	PRIMARY KEY (org_id, status, prefix, name_key, membership_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO member_prefixes (org_id, status, prefix, name_key, membership_id)
	SELECT org_id, status, p, name_key, id FROM (
		SELECT org_id, status, name_key, id, substr(email, 1, 1) AS p FROM memberships
		UNION ALL SELECT org_id, status, name_key, id, substr(email, 1, 2) FROM memberships
		UNION ALL SELECT org_id, status, name_key, id, substr(email, 1, 3) FROM memberships
		UNION ALL SELECT org_id, status, name_key, id, substr(name_key, 1, 1) FROM memberships
		UNION ALL SELECT org_id, status, name_key, id, substr(name_key, 1, 2) FROM memberships
		UNION ALL SELECT org_id, status, name_key, id, substr(name_key, 1, 3) FROM memberships
		UNION ALL SELECT org_id, status, name_key, id, substr(last_name_key, 1, 1) FROM memberships
		UNION ALL SELECT org_id, status, name_key, id, substr(last_name_key, 1, 2) FROM memberships
		UNION ALL SELECT org_id, status, name_key, id, substr(last_name_key, 1, 3) FROM memberships)
	WHERE p <> '' ORDER BY 1, 2, 3, 4, 5;
CREATE TRIGGER memberships_prefixes_insert AFTER INSERT ON memberships BEGIN
	INSERT OR IGNORE INTO member_prefixes (org_id, status, prefix, name_key, membership_id)
		SELECT NEW.org_id, NEW.status, p, NEW.name_key, NEW.id FROM (
			SELECT substr(NEW.email, 1, 1) AS p UNION SELECT substr(NEW.email, 1, 2) UNION SELECT substr(NEW.email, 1, 3)
			UNION SELECT substr(NEW.name_key, 1, 1) UNION SELECT substr(NEW.name_key, 1, 2) UNION SELECT substr(NEW.name_key, 1, 3)
			UNION SELECT substr(NEW.last_name_key, 1, 1) UNION SELECT substr(NEW.last_name_key, 1, 2) UNION SELECT substr(NEW.last_name_key, 1, 3))
		WHERE p <> '';
END;
CREATE TRIGGER memberships_prefixes_delete AFTER DELETE ON memberships BEGIN
	DELETE FROM member_prefixes WHERE org_id = OLD.org_id AND status = OLD.status AND name_key = OLD.name_key AND membership_id = OLD.id
		AND prefix IN (substr(OLD.email, 1, 1), substr(OLD.email, 1, 2), substr(OLD.email, 1, 3),
			substr(OLD.name_key, 1, 1), substr(OLD.name_key, 1, 2), substr(OLD.name_key, 1, 3),
			substr(OLD.last_name_key, 1, 1), substr(OLD.last_name_key, 1, 2), substr(OLD.last_name_key, 1, 3));
END;
CREATE TRIGGER memberships_prefixes_update AFTER UPDATE OF org_id, status, email, name_key, last_name_key ON memberships
	WHEN OLD.org_id IS NOT NEW.org_id OR OLD.status IS NOT NEW.status OR OLD.email IS NOT NEW.email
		OR OLD.name_key IS NOT NEW.name_key OR OLD.last_name_key IS NOT NEW.last_name_key BEGIN
	DELETE FROM member_prefixes WHERE org_id = OLD.org_id AND status = OLD.status AND name_key = OLD.name_key AND membership_id = OLD.id
		AND prefix IN (substr(OLD.email, 1, 1), substr(OLD.email, 1, 2), substr(OLD.email, 1, 3),
			substr(OLD.name_key, 1, 1), substr(OLD.name_key, 1, 2), substr(OLD.name_key, 1, 3),
			substr(OLD.last_name_key, 1, 1), substr(OLD.last_name_key, 1, 2), substr(OLD.last_name_key, 1, 3));
	INSERT OR IGNORE INTO member_prefixes (org_id, status, prefix, name_key, membership_id)
		SELECT NEW.org_id, NEW.status, p, NEW.name_key, NEW.id FROM (
			SELECT substr(NEW.email, 1, 1) AS p UNION SELECT substr(NEW.email, 1, 2) UNION SELECT substr(NEW.email, 1, 3)
			UNION SELECT substr(NEW.name_key, 1, 1) UNION SELECT substr(NEW.name_key, 1, 2) UNION SELECT substr(NEW.name_key, 1, 3)
			UNION SELECT substr(NEW.last_name_key, 1, 1) UNION SELECT substr(NEW.last_name_key, 1, 2) UNION SELECT substr(NEW.last_name_key, 1, 3))
		WHERE p <> '';
END;
