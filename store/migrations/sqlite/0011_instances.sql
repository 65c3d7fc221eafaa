-- Several instances on one database (issue 13).
-- Outbox claims: a worker takes due messages by writing its id and a lease; another worker
-- takes only messages whose lease has run out (a crashed instance's claims come back).
ALTER TABLE outbox_messages ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_messages ADD COLUMN claimed_until DATETIME;
-- Rate limits, login backoff and cap-audit windows shared by every instance: one row per key
-- (its SHA-256 in hex), counted in a window; rows past expires_at are swept, so the table stays bounded.
CREATE TABLE rate_limits (
	key_hash      TEXT PRIMARY KEY,
	window_start  DATETIME NOT NULL,
	count         INTEGER NOT NULL,
	blocked_until DATETIME,
	expires_at    DATETIME NOT NULL
);
CREATE INDEX rate_limits_expiry ON rate_limits(expires_at);
-- One row per write that may change who may use what; each instance polls MAX(id) to drop
-- its forward-auth cache when another instance wrote. Append-only (no hot row to lock);
-- rows older than a few minutes are swept, the newest always kept.
CREATE TABLE store_changes (
	id         INTEGER PRIMARY KEY,
	created_at DATETIME NOT NULL
);
