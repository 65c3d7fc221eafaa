-- Ways to join (issue 11 B): the organization's rules for inviting and enrolling, its public
-- invitation (link and join code), how each membership came in and why it was rejected.
ALTER TABLE organizations ADD COLUMN who_may_invite TEXT COLLATE "C" NOT NULL DEFAULT 'admins';
ALTER TABLE organizations ADD COLUMN enrollment_approval BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE organizations ADD COLUMN required_at_signup TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN country TEXT COLLATE "C" NOT NULL DEFAULT 'US';
-- The public invitation: looked up by the hashes of its link token and join code; shown again
-- to admins from join_sealed, both sealed with a key derived from the installation secret.
ALTER TABLE organizations ADD COLUMN join_enabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organizations ADD COLUMN join_token_hash BYTEA;
ALTER TABLE organizations ADD COLUMN join_code_hash BYTEA;
ALTER TABLE organizations ADD COLUMN join_sealed BYTEA;
ALTER TABLE organizations ADD COLUMN join_expires_at TIMESTAMPTZ;
ALTER TABLE organizations ADD COLUMN join_max_uses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN join_uses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN join_domains TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE UNIQUE INDEX organizations_join_token ON organizations(join_token_hash);
CREATE UNIQUE INDEX organizations_join_code ON organizations(join_code_hash);
-- How a membership came in: '' an invitation by an Owner or Admin, 'member' an invitation by
-- another member, 'link' the public link, 'code' the join code.
ALTER TABLE memberships ADD COLUMN joined_via TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN reject_reason TEXT COLLATE "C" NOT NULL DEFAULT '';
-- Phone invitations: the membership and its links carry the phone; the email is '' until the
-- person gives one at signup. One membership per email and one per phone in an organization.
ALTER TABLE memberships ADD COLUMN phone TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE invitations ADD COLUMN phone TEXT COLLATE "C" NOT NULL DEFAULT '';
DROP INDEX memberships_org_email;
CREATE UNIQUE INDEX memberships_org_email ON memberships(org_id, email) WHERE email <> '';
CREATE UNIQUE INDEX memberships_org_phone ON memberships(org_id, phone) WHERE phone <> '';
