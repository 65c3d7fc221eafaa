-- The OpenID Connect provider: each app's clients (the secret stored as its SHA-256 hash,
-- redirect URIs compared as exact strings, one per line), the RS256 signing keys (private
-- keys in PKCS#8 DER; a retired key is still published until its tokens have expired), the
-- authorization requests waiting for a login or a code exchange (the code stored hashed), and
-- the refresh tokens (hashed).
CREATE TABLE oidc_clients (
	id            INTEGER PRIMARY KEY,
	org_id        INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	app_id        INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
	client_id     TEXT NOT NULL UNIQUE,
	secret_hash   BLOB NOT NULL,
	redirect_uris TEXT NOT NULL,
	created_at    DATETIME NOT NULL
);
CREATE INDEX oidc_clients_app ON oidc_clients(org_id, app_id);
CREATE TABLE oidc_keys (
	id          TEXT PRIMARY KEY,
	private_der BLOB NOT NULL,
	created_at  DATETIME NOT NULL,
	retired_at  DATETIME
);
CREATE TABLE oidc_auth_requests (
	id            TEXT PRIMARY KEY,
	client_id     TEXT NOT NULL REFERENCES oidc_clients(client_id) ON DELETE CASCADE,
	request       TEXT NOT NULL,
	user_id       INTEGER,
	membership_id INTEGER,
	auth_time     DATETIME,
	code_hash     BLOB UNIQUE,
	created_at    DATETIME NOT NULL
);
CREATE TABLE oidc_refresh_tokens (
	id            TEXT PRIMARY KEY,
	token_hash    BLOB NOT NULL UNIQUE,
	client_id     TEXT NOT NULL REFERENCES oidc_clients(client_id) ON DELETE CASCADE,
	user_id       INTEGER NOT NULL,
	membership_id INTEGER NOT NULL REFERENCES memberships(id) ON DELETE CASCADE,
	scopes        TEXT NOT NULL,
	amr           TEXT NOT NULL DEFAULT '',
	auth_time     DATETIME NOT NULL,
	expires_at    DATETIME NOT NULL,
	created_at    DATETIME NOT NULL
);
CREATE INDEX oidc_refresh_tokens_member ON oidc_refresh_tokens(membership_id);
