CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE organizations (
	id                    INTEGER PRIMARY KEY,
	name                  TEXT NOT NULL,
	invite_lifetime_hours INTEGER NOT NULL DEFAULT 72,
	created_at            DATETIME NOT NULL,
	updated_at            DATETIME NOT NULL
);
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	first_name    TEXT NOT NULL DEFAULT '',
	last_name     TEXT NOT NULL DEFAULT '',
	phone         TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	last_org_id   INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
	last_login_at DATETIME NOT NULL DEFAULT '0001-01-01 00:00:00+00:00',
	created_at    DATETIME NOT NULL,
	updated_at    DATETIME NOT NULL
);
CREATE TABLE memberships (
	id            INTEGER PRIMARY KEY,
	org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	user_id       INTEGER REFERENCES users(id) ON DELETE CASCADE,
	status        TEXT NOT NULL,
	email         TEXT NOT NULL,
	first_name    TEXT NOT NULL DEFAULT '',
	last_name     TEXT NOT NULL DEFAULT '',
	name_key      TEXT NOT NULL,
	last_name_key TEXT NOT NULL DEFAULT '',
	department    TEXT NOT NULL DEFAULT '',
	position      TEXT NOT NULL DEFAULT '',
	job_id        TEXT NOT NULL DEFAULT '',
	location      TEXT NOT NULL DEFAULT '',
	invited_by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	last_login_at DATETIME NOT NULL DEFAULT '0001-01-01 00:00:00+00:00',
	created_at    DATETIME NOT NULL,
	updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX memberships_org_email ON memberships(org_id, email);
CREATE UNIQUE INDEX memberships_org_user ON memberships(org_id, user_id);
CREATE INDEX memberships_user ON memberships(user_id);
CREATE INDEX memberships_by_name ON memberships(org_id, status, name_key, id);
CREATE INDEX memberships_by_email ON memberships(org_id, status, email, id);
CREATE INDEX memberships_by_last_name ON memberships(org_id, status, last_name_key, id);
CREATE INDEX memberships_by_login ON memberships(org_id, status, last_login_at, id);
CREATE INDEX memberships_by_created ON memberships(org_id, status, created_at, id);
CREATE TABLE membership_roles (
	membership_id INTEGER NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
	role          TEXT NOT NULL,
	PRIMARY KEY (membership_id, role)
) WITHOUT ROWID;
CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	token_hash   BLOB NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	org_id       INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT '',
	created_at   DATETIME NOT NULL,
	last_seen_at DATETIME NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE tokens (
	id         INTEGER PRIMARY KEY,
	purpose    TEXT NOT NULL,
	email      TEXT NOT NULL DEFAULT '',
	hash       BLOB NOT NULL UNIQUE,
	expires_at DATETIME NOT NULL,
	used_at    DATETIME,
	created_at DATETIME NOT NULL
);
CREATE TABLE audit_events (
	id                   INTEGER PRIMARY KEY,
	org_id               INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
	actor_user_id        INTEGER REFERENCES users(id) ON DELETE SET NULL,
	actor_email          TEXT NOT NULL DEFAULT '',
	action               TEXT NOT NULL,
	target_membership_id INTEGER REFERENCES memberships(id) ON DELETE SET NULL,
	target_email         TEXT NOT NULL DEFAULT '',
	ip                   TEXT NOT NULL DEFAULT '',
	user_agent           TEXT NOT NULL DEFAULT '',
	detail               TEXT NOT NULL DEFAULT '',
	created_at           DATETIME NOT NULL
);
CREATE INDEX audit_events_org ON audit_events(org_id, id);
CREATE INDEX audit_events_org_action ON audit_events(org_id, action, id);
CREATE INDEX audit_events_target ON audit_events(target_membership_id, id);
