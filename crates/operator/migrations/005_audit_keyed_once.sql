-- SEC-7: the audit chain is moved from the first, unkeyed scheme to the keyed one once, at the
-- start after this migration (a world created with it has no rows then and gets its genesis
-- head). Ordinary starts never key a chain again: after that an unkeyed chain or a missing head
-- is tampering.
INSERT INTO meta (key, value) VALUES ('audit_upgrade', 'pending')
  ON CONFLICT (key) DO UPDATE SET value = excluded.value;
