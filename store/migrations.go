package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// migration is one versioned schema change. Migrations are frozen once released:
// change the schema by appending a new one, never by editing an old one.
type migration struct {
	name string
	sql  string
}

// migrations are applied in order; the index plus one is the schema version.
var migrations = []migration{
	{name: "core schema", sql: `
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
`},
	// Tab counts are kept by triggers so the Users page never counts the table per request.
	{name: "membership counts", sql: `
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
`},
	// Invitations (one row per emailed link) and the outbox that delivers email and SMS.
	{name: "invitations and outbox", sql: `
CREATE TABLE invitations (
	id            INTEGER PRIMARY KEY,
	org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	membership_id INTEGER NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
	email         TEXT NOT NULL,
	token_hash    BLOB NOT NULL UNIQUE,
	invited_by_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
	expires_at    DATETIME NOT NULL,
	used_at       DATETIME,
	revoked_at    DATETIME,
	superseded_at DATETIME,
	created_at    DATETIME NOT NULL
);
CREATE INDEX invitations_membership ON invitations(membership_id, id);
CREATE INDEX invitations_inviter ON invitations(invited_by_id, created_at);
CREATE TABLE outbox_messages (
	id              INTEGER PRIMARY KEY,
	org_id          INTEGER REFERENCES organizations(id) ON DELETE CASCADE,
	invitation_id   INTEGER REFERENCES invitations(id) ON DELETE SET NULL,
	channel         TEXT NOT NULL,
	recipient       TEXT NOT NULL,
	subject         TEXT NOT NULL DEFAULT '',
	text_body       TEXT NOT NULL,
	html_body       TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at DATETIME NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	sent_at         DATETIME,
	created_at      DATETIME NOT NULL
);
CREATE INDEX outbox_due ON outbox_messages(status, next_attempt_at);
CREATE INDEX outbox_org ON outbox_messages(org_id, id);
CREATE INDEX outbox_invitation ON outbox_messages(invitation_id);
`},
	// The audit log's Member filter reads what one user did in one organization, newest first.
	{name: "audit events by actor", sql: `
CREATE INDEX audit_events_org_actor ON audit_events(org_id, actor_user_id, id);
`},
	// Second factors (SMS and authenticator app), recovery codes, login challenges between the
	// password and the second step, and each organization's MFA policy.
	{name: "mfa", sql: `
ALTER TABLE organizations ADD COLUMN mfa_policy TEXT NOT NULL DEFAULT 'required';
ALTER TABLE organizations ADD COLUMN mfa_grace_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN mfa_enabled INTEGER NOT NULL DEFAULT 0;
CREATE TABLE mfa_factors (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	phone        TEXT NOT NULL DEFAULT '',
	secret       TEXT NOT NULL DEFAULT '',
	last_step    INTEGER NOT NULL DEFAULT 0,
	confirmed_at DATETIME,
	created_at   DATETIME NOT NULL
);
CREATE INDEX mfa_factors_user ON mfa_factors(user_id);
CREATE TABLE recovery_codes (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash  BLOB NOT NULL,
	used_at    DATETIME,
	created_at DATETIME NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
CREATE TABLE mfa_challenges (
	id              INTEGER PRIMARY KEY,
	token_hash      BLOB NOT NULL UNIQUE,
	user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	purpose         TEXT NOT NULL,
	factor_id       INTEGER REFERENCES mfa_factors(id) ON DELETE CASCADE,
	code_hash       BLOB,
	code_expires_at DATETIME,
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_sent_at    DATETIME,
	ip              TEXT NOT NULL DEFAULT '',
	created_at      DATETIME NOT NULL,
	expires_at      DATETIME NOT NULL
);
CREATE INDEX mfa_challenges_user ON mfa_challenges(user_id);
CREATE INDEX outbox_recipient ON outbox_messages(channel, recipient, created_at);
`},
	// Search for the Users page: the first one, two and three characters of each member's email,
	// "first last" and last name, beside the name sort key. A term of up to three characters is
	// one range of the primary key, already in name order, so a page of matches costs the same
	// however many there are; a longer term walks the range of its first three characters.
	// Triggers keep it in step with memberships; only searchMembers reads it.
	{name: "member search prefixes", sql: `
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
`},
}

// SchemaVersion is the version a fully migrated database has.
func SchemaVersion() int { return len(migrations) }

// migrate applies the migrations in list that the database has not seen, each in its own transaction.
func (s *Store) migrate(ctx context.Context, list []migration) error {
	db := s.w.WithContext(ctx)
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at DATETIME NOT NULL)`).Error; err != nil {
		return fmt.Errorf("store: unable to create schema_migrations: %w", err)
	}
	var current int
	if err := db.Raw("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current).Error; err != nil {
		return fmt.Errorf("store: unable to read schema version: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("store: database schema version %d is newer than this binary knows (%d); upgrade Gatehouse", current, len(migrations))
	}
	for i := current; i < len(list); i++ {
		m := list[i]
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(m.sql).Error; err != nil {
				return err
			}
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", i+1, m.name, s.now()).Error
		})
		if err != nil {
			return fmt.Errorf("store: migration %d (%s) failed: %w", i+1, m.name, err)
		}
	}
	return nil
}
