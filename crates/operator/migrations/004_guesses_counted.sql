-- SEC-2 / SEC-3: guesses counted where there is no account row to count them on: a login nobody
-- has (refused exactly like a real one, counter and lock included) and a social network's account
-- (known or not). `key` is an HMAC of what was typed, with the server key, so a password typed
-- into the login field is never stored. A lock with no end has locked_until_ms = NULL and
-- failures at the limit; a cooling-off lock ends at locked_until_ms.
CREATE TABLE guess_counters (
  key             TEXT PRIMARY KEY,
  failures        INTEGER NOT NULL DEFAULT 0,
  locked_until_ms INTEGER,
  updated_ms      INTEGER NOT NULL
) STRICT;
CREATE INDEX guess_counters_by_age ON guess_counters (updated_ms);

-- Recovery requests (floods; SEC-3): 60 s between sends and 5 an hour per contract, counted for
-- contracts nobody has as well, so that the answers look alike. `key` is an HMAC of the contract.
CREATE TABLE recovery_requests (
  key   TEXT NOT NULL,
  at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX recovery_requests_by_key ON recovery_requests (key, at_ms);

-- SEC-6: a session opened by switching to a linked account names the account that linked it, so
-- removing the link ends the sessions it opened.
ALTER TABLE sessions ADD COLUMN linked_by INTEGER;
