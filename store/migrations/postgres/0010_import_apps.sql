-- Import rows carry the apps to grant (issue 12: the import offers the organization's enabled
-- apps): the Apps cell as written, resolved by name when the row is invited.
ALTER TABLE member_import_rows ADD COLUMN apps TEXT COLLATE "C" NOT NULL DEFAULT '';
