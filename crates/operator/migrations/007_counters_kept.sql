-- Idempotent (IF NOT EXISTS), like 005 and 006: a test rewinds user_version to re-run later steps.
-- Issue 11: a full guess_counters table pushes out one row per new counter, and only a row that
-- holds nothing a guesser earned: a cooling-off lock that has ended, or a counter short of a
-- lock (3 = PASSWORD_MAX_FAILURES) untouched for a day. These two partial indexes find that row
-- without a scan of 100,000 rows.
CREATE INDEX IF NOT EXISTS guess_counters_idle
  ON guess_counters (updated_ms) WHERE locked_until_ms IS NULL AND failures < 3;
CREATE INDEX IF NOT EXISTS guess_counters_cooling
  ON guess_counters (locked_until_ms) WHERE locked_until_ms IS NOT NULL;
-- Expired recovery challenges are swept by their expiry at every request.
CREATE INDEX IF NOT EXISTS recovery_challenges_by_expiry ON recovery_challenges (expires_ms);
