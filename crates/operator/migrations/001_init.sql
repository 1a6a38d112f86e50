-- The operator's whole state. Times are epoch ms by the operator's (injectable) clock; money is
-- kopecks. Nothing here holds a password, code or token in clear: passwords are argon2id PHC
-- strings, tokens are SHA-256 digests, SMS/mail bodies are sealed with the server key.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE tariffs (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  description     TEXT NOT NULL,
  monthly_fee_kop INTEGER NOT NULL,
  change_fee_kop  INTEGER NOT NULL,
  minutes         INTEGER NOT NULL,
  sms             INTEGER NOT NULL,
  data_mb         INTEGER NOT NULL,
  position        INTEGER NOT NULL
) STRICT;

CREATE TABLE services (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT NOT NULL,
  position    INTEGER NOT NULL
) STRICT;

-- Prices of a service depend on the tariff (ACC-3).
CREATE TABLE service_prices (
  service_id      TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  tariff_id       TEXT NOT NULL REFERENCES tariffs(id) ON DELETE CASCADE,
  connect_fee_kop INTEGER NOT NULL,
  monthly_fee_kop INTEGER NOT NULL,
  PRIMARY KEY (service_id, tariff_id)
) STRICT;

CREATE TABLE accounts (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN ('mobile', 'home', 'satellite', 'banking')),
  login             TEXT NOT NULL UNIQUE,
  name              TEXT NOT NULL,
  password_hash     TEXT,
  balance_kop       INTEGER NOT NULL DEFAULT 0,
  tariff_id         TEXT REFERENCES tariffs(id),
  blocked           INTEGER NOT NULL DEFAULT 0,
  recovery_email    TEXT,
  -- AUTH-3: consecutive wrong passwords; 3 locks password login until an SMS or e-mail unlock.
  pw_failures       INTEGER NOT NULL DEFAULT 0,
  pw_locked         INTEGER NOT NULL DEFAULT 0,
  agreement_version INTEGER NOT NULL DEFAULT 0,
  created_ms        INTEGER NOT NULL
) STRICT;

CREATE TABLE account_services (
  account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  service_id   TEXT NOT NULL REFERENCES services(id),
  connected_ms INTEGER NOT NULL,
  PRIMARY KEY (account_id, service_id)
) STRICT;

-- Month's package use (ACC-1, ACC-11). Data in MB. notified_* hold the highest notice sent (0/80/100).
CREATE TABLE usage (
  account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  period           TEXT NOT NULL,
  minutes_used     INTEGER NOT NULL DEFAULT 0,
  sms_used         INTEGER NOT NULL DEFAULT 0,
  data_mb_used     INTEGER NOT NULL DEFAULT 0,
  notified_minutes INTEGER NOT NULL DEFAULT 0,
  notified_sms     INTEGER NOT NULL DEFAULT 0,
  notified_data    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, period)
) STRICT;

CREATE TABLE usage_notices (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('minutes', 'sms', 'data')),
  percent    INTEGER NOT NULL,
  at_ms      INTEGER NOT NULL,
  text       TEXT NOT NULL
) STRICT;

-- Call detail (ACC-5).
CREATE TABLE calls (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  at_ms       INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('call', 'sms', 'data')),
  direction   TEXT NOT NULL CHECK (direction IN ('outgoing', 'incoming')),
  party       TEXT NOT NULL,
  duration_s  INTEGER NOT NULL DEFAULT 0,
  volume_kb   INTEGER NOT NULL DEFAULT 0,
  cost_kop    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX calls_by_time ON calls (account_id, at_ms DESC, id DESC);
CREATE INDEX calls_by_kind ON calls (account_id, kind, at_ms DESC, id DESC);

-- Monthly fees and other charges, for the spending chart's "subscriptions".
CREATE TABLE charges (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  at_ms      INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  amount_kop INTEGER NOT NULL,
  detail     TEXT NOT NULL
) STRICT;
CREATE INDEX charges_by_time ON charges (account_id, at_ms);

CREATE TABLE links (
  owner_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  linked_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  linked_ms INTEGER NOT NULL,
  PRIMARY KEY (owner_id, linked_id)
) STRICT;

-- AUTH-4 / AUTH-5: the one live SMS password of a number. The code itself is never stored: it is
-- derived from `nonce` with the server key, so a re-send can repeat it.
CREATE TABLE sms_codes (
  phone                 TEXT PRIMARY KEY,
  nonce                 TEXT NOT NULL,
  purpose               TEXT NOT NULL CHECK (purpose IN ('login', 'set_password')),
  pending_password_hash TEXT,
  issued_ms             INTEGER NOT NULL,
  expires_ms            INTEGER NOT NULL,
  wrong                 INTEGER NOT NULL DEFAULT 0,
  spent                 INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Every SMS password sent, for the per-number limits (once per 60 s, 5 an hour).
CREATE TABLE sms_requests (
  id    INTEGER PRIMARY KEY,
  phone TEXT NOT NULL,
  at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX sms_requests_by_phone ON sms_requests (phone, at_ms);

-- Contract password recovery by e-mail; the code is derived like SMS codes.
CREATE TABLE recovery_codes (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  nonce      TEXT NOT NULL,
  issued_ms  INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  wrong      INTEGER NOT NULL DEFAULT 0,
  spent      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A session is one refresh-token family (AUTH-6, AUTH-11).
CREATE TABLE sessions (
  id              TEXT PRIMARY KEY,
  account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  method          TEXT NOT NULL,
  device_name     TEXT NOT NULL,
  device_platform TEXT NOT NULL,
  created_ms      INTEGER NOT NULL,
  last_seen_ms    INTEGER NOT NULL,
  revoked_ms      INTEGER,
  revoked_reason  TEXT
) STRICT;
CREATE INDEX sessions_by_account ON sessions (account_id);

CREATE TABLE access_tokens (
  hash         TEXT PRIMARY KEY,
  session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  last_used_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX access_tokens_by_session ON access_tokens (session_id);

-- Rotated on every use. `successor` is the pair that replaced this token, sealed with the server
-- key, kept only to answer a replay inside the grace window with the same pair.
CREATE TABLE refresh_tokens (
  hash        TEXT PRIMARY KEY,
  session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  created_ms  INTEGER NOT NULL,
  replaced_ms INTEGER,
  successor   BLOB
) STRICT;
CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

-- Simulated phones (INBOX-1): one per mobile number.
CREATE TABLE phones (
  number       TEXT PRIMARY KEY,
  airplane     INTEGER NOT NULL DEFAULT 0,
  spam_blocker INTEGER NOT NULL DEFAULT 0,
  on_net       INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The SMS centre's queue and the phones' inboxes. status: queued, delivered, blocked, dropped,
-- undeliverable. Bodies are sealed.
CREATE TABLE sms (
  id            INTEGER PRIMARY KEY,
  recipient     TEXT NOT NULL,
  sender        TEXT NOT NULL,
  body          BLOB NOT NULL,
  created_ms    INTEGER NOT NULL,
  deliver_after INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'queued',
  status_ms     INTEGER
) STRICT;
CREATE INDEX sms_queue ON sms (status, deliver_after);
CREATE INDEX sms_by_recipient ON sms (recipient, status, id);

-- Mailboxes (INBOX-2).
CREATE TABLE mailboxes (
  address     TEXT PRIMARY KEY,
  quota_bytes INTEGER NOT NULL,
  -- Space taken by older mail the simulation does not keep letter by letter.
  base_bytes  INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE mail_filters (
  id            INTEGER PRIMARY KEY,
  address       TEXT NOT NULL REFERENCES mailboxes(address) ON DELETE CASCADE,
  from_contains TEXT NOT NULL,
  action        TEXT NOT NULL CHECK (action IN ('spam', 'delete'))
) STRICT;

CREATE TABLE mail (
  id                   INTEGER PRIMARY KEY,
  address              TEXT NOT NULL REFERENCES mailboxes(address) ON DELETE CASCADE,
  folder               TEXT NOT NULL CHECK (folder IN ('inbox', 'spam')),
  sender               TEXT NOT NULL,
  subject              TEXT NOT NULL,
  body                 BLOB NOT NULL,
  attachment_name      TEXT,
  attachment_type      TEXT,
  attachment           BLOB,
  size_bytes           INTEGER NOT NULL,
  received_ms          INTEGER NOT NULL
) STRICT;
CREATE INDEX mail_by_box ON mail (address, folder, id);

CREATE TABLE mail_bounces (
  id      INTEGER PRIMARY KEY,
  address TEXT NOT NULL,
  at_ms   INTEGER NOT NULL
) STRICT;

-- The simulated social network (AUTH-12).
CREATE TABLE social_accounts (
  provider      TEXT NOT NULL,
  username      TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  account_id    INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
  linked_ms     INTEGER,
  PRIMARY KEY (provider, username)
) STRICT;

-- Top-ups (ACC-10). A payment needing a second step waits for the code the bank sent by SMS.
CREATE TABLE payments (
  id         TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  amount_kop INTEGER NOT NULL,
  card_last4 TEXT NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('succeeded', 'declined', 'action_required', 'failed')),
  nonce      TEXT,
  created_ms INTEGER NOT NULL,
  wrong      INTEGER NOT NULL DEFAULT 0
) STRICT;

-- AUTH-11: every action, hash-chained: hash = SHA-256(prev_hash | id | at_ms | login | action |
-- channel | device | detail).
CREATE TABLE audit (
  id        INTEGER PRIMARY KEY,
  at_ms     INTEGER NOT NULL,
  account_id INTEGER,
  login     TEXT,
  action    TEXT NOT NULL,
  channel   TEXT NOT NULL,
  device    TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_account ON audit (account_id, id);
