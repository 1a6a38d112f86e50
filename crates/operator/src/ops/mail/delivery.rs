//! Delivery: a letter lands in a mailbox's Inbox or Spam, or bounces when the quota is full;
//! filters file or delete it. Live streams learn of it through `announce_mail`.

use mymts_proto::ErrorCode;
use mymts_proto::wire::{Attachment, FilterAction, Mail, MailFilter, MailFolder};
use rusqlite::{Transaction, params};

use super::store::*;
use crate::error::{ApiError, ApiResult};
use crate::secrets::ServerKey;
use crate::state::AppState;

/// A letter to deliver. `attachment` is `(name, content type, bytes)`.
pub struct Letter<'a> {
    pub to: &'a str,
    pub from: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub attachment: Option<(&'a str, &'a str, &'a [u8])>,
}

impl Letter<'_> {
    /// What the letter takes of the quota.
    fn size(&self) -> i64 {
        let att = self
            .attachment
            .map_or(0, |(n, t, b)| n.len() + t.len() + b.len());
        let total = self.from.len() + self.subject.len() + self.body.len() + att;
        i64::try_from(total).unwrap_or(i64::MAX)
    }
}

/// Delivers a letter: applies the mailbox's filters and quota. `Ok(None)` when a filter deleted it;
/// `Err(mailbox_full)` when it bounced. The caller broadcasts the returned letter after commit
/// ([`announce_mail`]).
///
/// A bounce is recorded in `mail_bounces` within `tx`: it counts (in `MailboxState::bounced`) only
/// if the caller commits. A caller that wants the bounce seen should catch `mailbox_full`, commit,
/// and then report it.
pub fn deliver_mail(
    tx: &Transaction<'_>,
    key: &ServerKey,
    now_ms: i64,
    letter: &Letter<'_>,
) -> ApiResult<Option<Mail>> {
    let address = normalise_address(letter.to);
    let (quota, _) = mailbox_row(tx, &address)?.ok_or_else(|| no_mailbox(&address))?;
    let folder = match filter_action(tx, &address, letter.from)? {
        Some(FilterAction::Delete) => return Ok(None),
        Some(FilterAction::Spam) => MailFolder::Spam,
        None => MailFolder::Inbox,
    };
    let size = letter.size();
    if used_bytes(tx, &address)?.saturating_add(size) > quota {
        tx.execute(
            "INSERT INTO mail_bounces (address, at_ms) VALUES (?1, ?2)",
            params![address, now_ms],
        )?;
        return Err(ApiError::new(
            ErrorCode::MailboxFull,
            format!("The mailbox {address} is full: the letter bounced."),
        )
        .hint("Delete old mail to free space in the mailbox, then ask again."));
    }
    let id = insert_mail(tx, key, now_ms, &address, folder, letter, size)?;
    Ok(Some(Mail {
        id,
        folder,
        from: letter.from.to_string(),
        subject: letter.subject.to_string(),
        body: letter.body.to_string(),
        attachment: letter.attachment.map(|(name, ct, bytes)| Attachment {
            name: name.to_string(),
            content_type: ct.to_string(),
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        }),
        received_ms: now_ms,
    }))
}

pub(super) fn insert_mail(
    tx: &Transaction<'_>,
    key: &ServerKey,
    now_ms: i64,
    address: &str,
    folder: MailFolder,
    letter: &Letter<'_>,
    size: i64,
) -> ApiResult<i64> {
    let (att_name, att_type, att) = match letter.attachment {
        Some((n, t, b)) => (Some(n), Some(t), Some(key.seal(b))),
        None => (None, None, None),
    };
    tx.execute(
        "INSERT INTO mail (address, folder, sender, subject, body, attachment_name, attachment_type,
                           attachment, size_bytes, received_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            address,
            folder_str(folder),
            letter.from,
            letter.subject,
            key.seal(letter.body.as_bytes()),
            att_name,
            att_type,
            att,
            size,
            now_ms
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Tells live mailbox streams about a delivered letter; call after the delivering tx commits.
pub fn announce_mail(state: &AppState, address: &str, mail: Mail) {
    // No receivers is fine: nobody is watching that mailbox right now.
    let _ = state.mail_tx.send((normalise_address(address), mail));
}

/// The first filter whose `from_contains` is in the sender (case-insensitive) decides.
pub(super) fn filter_action(
    tx: &Transaction<'_>,
    address: &str,
    from: &str,
) -> ApiResult<Option<FilterAction>> {
    Ok(MailFilter::deciding(&load_filters(tx, address)?, from).map(|f| f.action))
}
