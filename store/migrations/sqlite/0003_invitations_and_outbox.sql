-- Invitations (one row per emailed link) and the outbox that delivers email and SMS.
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
