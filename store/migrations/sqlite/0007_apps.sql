-- Apps and the gate: the organization's apps, the URLs the forward-auth endpoints match
-- (host and optional path prefix), and who may use each app: members directly, or every
-- holder of a role.
CREATE TABLE apps (
	id          INTEGER PRIMARY KEY,
	org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	enabled     INTEGER NOT NULL DEFAULT 1,
	created_at  DATETIME NOT NULL,
	updated_at  DATETIME NOT NULL
);
CREATE INDEX apps_org ON apps(org_id, name);
CREATE TABLE app_urls (
	id          INTEGER PRIMARY KEY,
	app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	host        TEXT NOT NULL,
	path_prefix TEXT NOT NULL DEFAULT ''
);
-- One URL belongs to at most one app of an organization.
CREATE UNIQUE INDEX app_urls_org_url ON app_urls(org_id, host, path_prefix);
CREATE INDEX app_urls_app ON app_urls(app_id);
CREATE TABLE app_members (
	app_id        INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	membership_id INTEGER NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
	PRIMARY KEY (app_id, membership_id)
) WITHOUT ROWID;
CREATE INDEX app_members_member ON app_members(membership_id, app_id);
CREATE TABLE app_roles (
	app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	role   TEXT NOT NULL,
	PRIMARY KEY (app_id, role)
) WITHOUT ROWID;
