-- CREATE nothing: version 8 is taken by another branch's migration (the oidc branch was told
-- to use 9). When merging, delete this file and keep that branch's 0008.
SELECT 1;
