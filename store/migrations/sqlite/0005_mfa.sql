-- Second factors (SMS and authenticator app), recovery codes, login challenges between the
-- password and the second step, and each organization's MFA policy.
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
