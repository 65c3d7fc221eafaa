-- Bulk import (issue 14): the per-inviter daily quota as an organization setting (0 means
-- unlimited), the address each invitation email was asked from (the per-IP quota), and
-- imports with their rows, kept so an import survives a restart half way.
ALTER TABLE organizations ADD COLUMN invite_quota INTEGER NOT NULL DEFAULT 100;
ALTER TABLE invitations ADD COLUMN ip TEXT NOT NULL DEFAULT '';
CREATE INDEX invitations_ip ON invitations(ip, created_at);
CREATE TABLE member_imports (
	id          INTEGER PRIMARY KEY,
	org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	user_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
	ip          TEXT NOT NULL DEFAULT '',
	user_agent  TEXT NOT NULL DEFAULT '',
	file_name   TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	total       INTEGER NOT NULL,
	done        INTEGER NOT NULL DEFAULT 0,
	invited     INTEGER NOT NULL DEFAULT 0,
	skipped     INTEGER NOT NULL DEFAULT 0,
	failed      INTEGER NOT NULL DEFAULT 0,
	created_at  DATETIME NOT NULL,
	finished_at DATETIME
);
CREATE INDEX member_imports_org ON member_imports(org_id, id);
CREATE INDEX member_imports_running ON member_imports(status);
CREATE TABLE member_import_rows (
	import_id  INTEGER NOT NULL REFERENCES member_imports(id) ON DELETE CASCADE,
	line       INTEGER NOT NULL,
	first_name TEXT NOT NULL DEFAULT '',
	last_name  TEXT NOT NULL DEFAULT '',
	email      TEXT NOT NULL DEFAULT '',
	phone      TEXT NOT NULL DEFAULT '',
	roles      TEXT NOT NULL DEFAULT '',
	department TEXT NOT NULL DEFAULT '',
	position   TEXT NOT NULL DEFAULT '',
	job_id     TEXT NOT NULL DEFAULT '',
	location   TEXT NOT NULL DEFAULT '',
	outcome    TEXT NOT NULL DEFAULT '',
	message    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (import_id, line)
) WITHOUT ROWID;
