//! Mailboxes (INBOX-2).

use rusqlite::Transaction;
use utoipa_axum::router::OpenApiRouter;

use mymts_proto::wire::Mail;

use crate::error::ApiResult;
use crate::secrets::ServerKey;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}

/// A letter to deliver. `attachment` is `(name, content type, bytes)`.
pub struct Letter<'a> {
    pub to: &'a str,
    pub from: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub attachment: Option<(&'a str, &'a str, &'a [u8])>,
}

/// Delivers a letter: applies the mailbox's filters and quota. `Ok(None)` when a filter deleted it;
/// `Err(mailbox_full)` when it bounced. The caller broadcasts the returned letter after commit.
pub fn deliver_mail(
    tx: &Transaction<'_>,
    key: &ServerKey,
    now_ms: i64,
    letter: &Letter<'_>,
) -> ApiResult<Option<Mail>> {
    let _ = (tx, key, now_ms, letter);
    Ok(None)
}
