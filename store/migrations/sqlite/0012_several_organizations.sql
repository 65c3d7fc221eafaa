-- Several organizations per person (issue 11). A session may have no organization: its
-- person lost access to every one (terminated, left, the organization deleted) and sees
-- "You are not a member of any organization"; deleting an organization moves its sessions
-- there (SET NULL) instead of ending them. SQLite cannot drop NOT NULL, so the table is rebuilt.
CREATE TABLE sessions_new (
	id           INTEGER PRIMARY KEY,
	token_hash   BLOB NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	org_id       INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT '',
	created_at   DATETIME NOT NULL,
	last_seen_at DATETIME NOT NULL
);
INSERT INTO sessions_new (id, token_hash, user_id, org_id, ip, user_agent, created_at, last_seen_at)
	SELECT id, token_hash, user_id, org_id, ip, user_agent, created_at, last_seen_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_org ON sessions(org_id);
-- An invitation to an existing account can be declined: the inviter sees "Declined".
ALTER TABLE invitations ADD COLUMN declined_at DATETIME;
-- The bell counts a person's open invitations across organizations, by email.
CREATE INDEX memberships_email_status ON memberships(email, status);
