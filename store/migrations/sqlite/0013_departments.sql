-- Departments become an organization-managed list (issue 14). A membership points at its
-- department by id, so renaming one writes one row however many members it has. Every
-- distinct department text an organization's members had becomes a department of that
-- organization (exact text: "Sales" and "sales" stay two, nobody loses theirs), then the
-- text column goes.
CREATE TABLE departments (
	id         INTEGER PRIMARY KEY,
	org_id     INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX departments_org_name ON departments(org_id, name);
INSERT INTO departments (org_id, name, created_at, updated_at)
	SELECT org_id, department, MIN(created_at), MIN(created_at) FROM memberships WHERE department <> '' GROUP BY org_id, department;
ALTER TABLE memberships ADD COLUMN department_id INTEGER REFERENCES departments(id) ON DELETE SET NULL;
UPDATE memberships SET department_id = (SELECT departments.id FROM departments
	WHERE departments.org_id = memberships.org_id AND departments.name = memberships.department)
	WHERE department <> '';
ALTER TABLE memberships DROP COLUMN department;
-- The Users page's department filter walks a department's members in name order, and counts
-- them ("Select all N matching") from the index alone; deleting a department finds its members.
CREATE INDEX memberships_by_department ON memberships(org_id, department_id, status, name_key, id);
