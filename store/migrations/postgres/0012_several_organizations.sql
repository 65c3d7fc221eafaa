-- Several organizations per person (issue 11): see the SQLite twin. A session may have no
-- organization, and deleting an organization moves its sessions there (SET NULL).
ALTER TABLE sessions ALTER COLUMN org_id DROP NOT NULL;
ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_org_id_fkey;
ALTER TABLE sessions ADD CONSTRAINT sessions_org_id_fkey FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE SET NULL;
CREATE INDEX sessions_org ON sessions(org_id);
ALTER TABLE invitations ADD COLUMN declined_at TIMESTAMPTZ;
CREATE INDEX memberships_email_status ON memberships(email, status);
