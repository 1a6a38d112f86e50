-- Idempotent (IF NOT EXISTS), like 005: a test rewinds user_version to re-run later steps.
-- SEC-2 (issue 11, the holes left): the tries at an SMS code belong to the request that sent it.
-- Each request gets a challenge (an opaque random id; only its SHA-256 is kept) with five tries
-- of its own, so a stranger guessing at a number spends only the tries of a request of their
-- own. A guess without a live challenge of the code spends the code's shared tries
-- (`sms_codes.wrong`), which is how a code from the 111 command's reply is entered.
CREATE TABLE IF NOT EXISTS sms_challenges (
  digest    TEXT PRIMARY KEY,
  phone     TEXT NOT NULL,
  nonce     TEXT NOT NULL,
  wrong     INTEGER NOT NULL DEFAULT 0,
  issued_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS sms_challenges_by_phone ON sms_challenges (phone);

-- Codes a number had before its live one (expired and replaced, or replaced by the 111
-- command), kept an hour, so that typing one is answered "used or expired" and spends none of
-- the live code's tries (issue 13, item 13). A used code stays in `sms_codes` (spent = 1) until
-- it is replaced. The nonce, as for the live code: the code is derived from it with the key.
CREATE TABLE IF NOT EXISTS sms_old_codes (
  phone    TEXT NOT NULL,
  nonce    TEXT NOT NULL,
  until_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS sms_old_codes_by_phone ON sms_old_codes (phone, until_ms);

-- SEC-2 / SEC-3: a recovery code is guessed through the challenge its request returned, for a
-- contract nobody has as well (`contract` is an HMAC of the contract, as in recovery_requests;
-- `nonce` is NULL when no code stands behind the challenge), so confirming answers alike for
-- every contract and a stranger cannot burn the owner's code.
CREATE TABLE IF NOT EXISTS recovery_challenges (
  digest     TEXT PRIMARY KEY,
  contract   TEXT NOT NULL,
  nonce      TEXT,
  wrong      INTEGER NOT NULL DEFAULT 0,
  expires_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS recovery_challenges_by_contract ON recovery_challenges (contract);
