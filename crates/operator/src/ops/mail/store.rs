//! The mailbox rows: mailboxes, their filters and letters (sealed with the server key).

use mymts_proto::wire::{Attachment, FilterAction, Mail, MailFilter, MailFolder, MailboxState};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{DAY_MS, SEAL_OVERHEAD};
use crate::audit::Actor;
use crate::error::{ApiError, ApiResult};
use crate::secrets::ServerKey;

pub(super) fn normalise_address(s: &str) -> String {
    s.trim().to_lowercase()
}

pub(super) fn no_mailbox(address: &str) -> ApiError {
    ApiError::not_found(format!("There is no mailbox {address}.")).field("address")
}

pub(super) fn folder_str(f: MailFolder) -> &'static str {
    match f {
        MailFolder::Inbox => "inbox",
        MailFolder::Spam => "spam",
    }
}

pub(super) fn action_str(a: FilterAction) -> &'static str {
    match a {
        FilterAction::Spam => "spam",
        FilterAction::Delete => "delete",
    }
}

/// `(quota_bytes, base_bytes)`.
pub(super) fn mailbox_row(tx: &Transaction<'_>, address: &str) -> ApiResult<Option<(i64, i64)>> {
    Ok(tx
        .query_row(
            "SELECT quota_bytes, base_bytes FROM mailboxes WHERE address = ?1",
            params![address],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub(super) fn used_bytes(tx: &Transaction<'_>, address: &str) -> ApiResult<i64> {
    Ok(tx.query_row(
        "SELECT m.base_bytes + COALESCE((SELECT SUM(size_bytes) FROM mail WHERE address = ?1), 0)
         FROM mailboxes m WHERE m.address = ?1",
        params![address],
        |r| r.get(0),
    )?)
}

pub(super) fn load_filters(tx: &Transaction<'_>, address: &str) -> ApiResult<Vec<MailFilter>> {
    let mut stmt = tx.prepare_cached(
        "SELECT from_contains, action FROM mail_filters WHERE address = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![address], |r| {
        let action: String = r.get(1)?;
        Ok(MailFilter {
            from_contains: r.get(0)?,
            action: if action == "delete" {
                FilterAction::Delete
            } else {
                FilterAction::Spam
            },
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(super) fn mailbox_state(
    tx: &Transaction<'_>,
    address: &str,
    now: i64,
) -> ApiResult<MailboxState> {
    let (quota, _) = mailbox_row(tx, address)?.ok_or_else(|| no_mailbox(address))?;
    let bounced: i64 = tx.query_row(
        "SELECT COUNT(*) FROM mail_bounces WHERE address = ?1 AND at_ms >= ?2",
        params![address, now - DAY_MS],
        |r| r.get(0),
    )?;
    Ok(MailboxState {
        address: address.to_string(),
        quota_bytes: quota,
        used_bytes: used_bytes(tx, address)?,
        filters: load_filters(tx, address)?,
        bounced: u32::try_from(bounced).unwrap_or(u32::MAX),
    })
}

pub(super) const MAIL_COLUMNS: &str =
    "id, folder, sender, subject, body, attachment_name, attachment_type,
     CASE WHEN attachment IS NULL THEN 0 ELSE length(attachment) END, received_ms";

/// A `mail` row (selected with [`MAIL_COLUMNS`]) with its body still sealed.
pub(super) struct MailRow {
    id: i64,
    folder: String,
    sender: String,
    subject: String,
    body: Vec<u8>,
    att_name: Option<String>,
    att_type: Option<String>,
    att_sealed_len: i64,
    received_ms: i64,
}

impl MailRow {
    pub(super) fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            folder: r.get(1)?,
            sender: r.get(2)?,
            subject: r.get(3)?,
            body: r.get(4)?,
            att_name: r.get(5)?,
            att_type: r.get(6)?,
            att_sealed_len: r.get(7)?,
            received_ms: r.get(8)?,
        })
    }

    pub(super) fn open(self, key: &ServerKey) -> ApiResult<Mail> {
        let attachment = self.att_name.map(|name| Attachment {
            name,
            content_type: self.att_type.unwrap_or_default(),
            size_bytes: (self.att_sealed_len - SEAL_OVERHEAD).max(0),
        });
        Ok(Mail {
            id: self.id,
            folder: if self.folder == "spam" {
                MailFolder::Spam
            } else {
                MailFolder::Inbox
            },
            from: self.sender,
            subject: self.subject,
            body: key.open_string(&self.body)?,
            attachment,
            received_ms: self.received_ms,
        })
    }
}

pub(super) fn load_mail(
    tx: &Transaction<'_>,
    key: &ServerKey,
    address: &str,
    id: i64,
) -> ApiResult<Mail> {
    let sql = format!("SELECT {MAIL_COLUMNS} FROM mail WHERE address = ?1 AND id = ?2");
    tx.query_row(&sql, params![address, id], MailRow::read)
        .optional()?
        .ok_or_else(|| ApiError::not_found("There is no such letter in this mailbox.").field("id"))?
        .open(key)
}

pub(super) fn sim_actor() -> Actor {
    Actor::anonymous("sim")
}
