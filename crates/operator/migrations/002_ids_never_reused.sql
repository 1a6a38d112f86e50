-- SMS and mail ids are never reused (AUTOINCREMENT), so clients that remember "the last id I saw"
-- stay right after a message is deleted. Rebuilt in place: an existing world keeps its messages.
CREATE TABLE sms_v2 (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient     TEXT NOT NULL,
  sender        TEXT NOT NULL,
  body          BLOB NOT NULL,
  created_ms    INTEGER NOT NULL,
  deliver_after INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'queued',
  status_ms     INTEGER
) STRICT;
INSERT INTO sms_v2 (id, recipient, sender, body, created_ms, deliver_after, status, status_ms)
  SELECT id, recipient, sender, body, created_ms, deliver_after, status, status_ms FROM sms;
DROP TABLE sms;
ALTER TABLE sms_v2 RENAME TO sms;
CREATE INDEX sms_queue ON sms (status, deliver_after);
CREATE INDEX sms_by_recipient ON sms (recipient, status, id);

CREATE TABLE mail_v2 (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO mail_v2 (id, address, folder, sender, subject, body, attachment_name, attachment_type,
                     attachment, size_bytes, received_ms)
  SELECT id, address, folder, sender, subject, body, attachment_name, attachment_type,
         attachment, size_bytes, received_ms FROM mail;
DROP TABLE mail;
ALTER TABLE mail_v2 RENAME TO mail;
CREATE INDEX mail_by_box ON mail (address, folder, id);
