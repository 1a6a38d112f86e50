-- AUTH-6, rotation by successor use. A replaced refresh token keeps the digest of its successor
-- (the token issued for it last), never the pair itself: the grace window's sealed copy of the
-- live pair goes, and the opener wipes the pages it leaves (VACUUM, then the WAL truncated).
-- A successor voided because its predecessor was presented again is marked, so that presenting
-- it later shows a second copy of the family in use.
ALTER TABLE refresh_tokens ADD COLUMN successor_hash TEXT;
ALTER TABLE refresh_tokens ADD COLUMN voided_ms INTEGER;
-- A rotation stored the new refresh token with created_ms = the old one's replaced_ms, in the
-- same session: that links each replaced token to its successor without opening anything.
UPDATE refresh_tokens AS r SET successor_hash = (
  SELECT n.hash FROM refresh_tokens AS n
  WHERE n.session_id = r.session_id AND n.created_ms = r.replaced_ms AND n.hash != r.hash
  ORDER BY n.rowid LIMIT 1)
WHERE r.replaced_ms IS NOT NULL;
UPDATE refresh_tokens SET successor = NULL;
ALTER TABLE refresh_tokens DROP COLUMN successor;

-- AUTH-8: when the session's access ended for 20 idle minutes. A refresh of its family (the
-- remembered device signing in again) clears it; a logout revokes the session for good.
ALTER TABLE sessions ADD COLUMN idle_ended_ms INTEGER;
