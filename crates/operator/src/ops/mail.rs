//! Mailboxes (INBOX-2): Inbox and Spam folders, a quota that bounces, filters that file or delete,
//! and the recovery-address rules (no disposable domains) the account module calls.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use mymts_proto::wire::{
    Attachment, FilterAction, Mail, MailFilter, MailFolder, MailboxState, MoveMail,
};
use mymts_proto::{ApiErrorBody, ErrorCode};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Path, Query};
use crate::ops::phones::SHUTDOWN_SENTINEL;
use crate::secrets::ServerKey;
use crate::state::AppState;

/// A mailbox holds at most this many filters.
pub const MAX_FILTERS: usize = 50;
/// A filter's `from_contains` is 1 to this many characters.
pub const MAX_FILTER_CHARS: usize = 100;
/// At most this many letters per folder listing (newest first).
pub const LIST_LIMIT: i64 = 500;
/// The longest e-mail address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// What `ServerKey::seal` adds to a plaintext: a 24-byte nonce and a 16-byte tag.
const SEAL_OVERHEAD: i64 = 40;
const DAY_MS: i64 = 86_400_000;

/// Well-known throwaway-address services (INBOX-2): a recovery address must outlive the account.
const DISPOSABLE_DOMAINS: &[&str] = &[
    "10minutemail.com",
    "10minutemail.net",
    "20minutemail.com",
    "33mail.com",
    "burnermail.io",
    "dispostable.com",
    "emailondeck.com",
    "fakeinbox.com",
    "getairmail.com",
    "getnada.com",
    "guerrillamail.biz",
    "guerrillamail.com",
    "guerrillamail.de",
    "guerrillamail.info",
    "guerrillamail.net",
    "guerrillamail.org",
    "guerrillamailblock.com",
    "grr.la",
    "inboxkitten.com",
    "mailcatch.com",
    "maildrop.cc",
    "mailinator.com",
    "mailinator.net",
    "mailnesia.com",
    "mintemail.com",
    "mohmal.com",
    "mytemp.email",
    "nada.email",
    "sharklasers.com",
    "spam4.me",
    "spamgourmet.com",
    "temp-mail.io",
    "temp-mail.org",
    "tempail.com",
    "tempmail.com",
    "tempmail.net",
    "tempmailo.com",
    "tempr.email",
    "throwawaymail.com",
    "trashmail.com",
    "trashmail.de",
    "trashmail.net",
    "yopmail.com",
    "yopmail.fr",
    "yopmail.net",
];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_mailbox))
        .routes(routes!(list_messages))
        .routes(routes!(attachment))
        .routes(routes!(move_message))
        .routes(routes!(delete_message))
        .routes(routes!(put_filters))
        .routes(routes!(stream))
}

// ---------------------------------------------------------------------------------------------
// Recovery addresses (ACC-8 calls these)
// ---------------------------------------------------------------------------------------------

/// True for a throwaway-mail domain or any subdomain of one.
pub fn is_disposable(domain: &str) -> bool {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    DISPOSABLE_DOMAINS
        .iter()
        .any(|bad| d == *bad || d.ends_with(&format!(".{bad}")))
}

/// A recovery address, checked and lowercased: sane syntax, at most 254 characters, and not on a
/// disposable domain (`disposable_email`).
pub fn validate_email(s: &str) -> ApiResult<String> {
    let email = s.trim().to_lowercase();
    let bad =
        |why: &str| ApiError::invalid("email", format!("This is not an e-mail address: {why}."));
    if email.is_empty() {
        return Err(ApiError::invalid("email", "Enter an e-mail address."));
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(bad("it is longer than 254 characters"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(bad("it has no '@'"));
    };
    if !local_part_ok(local) {
        return Err(bad("the part before '@' is not valid"));
    }
    if !domain_ok(domain) {
        return Err(bad("the domain after '@' is not valid"));
    }
    if is_disposable(domain) {
        return Err(ApiError::new(
            ErrorCode::DisposableEmail,
            "Disposable e-mail addresses cannot be used for recovery: use an address you keep.",
        )
        .field("email"));
    }
    Ok(email)
}

fn local_part_ok(local: &str) -> bool {
    const SPECIAL: &str = "!#$%&'*+/=?^_`{|}~-.";
    (1..=64).contains(&local.len())
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    domain.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

// ---------------------------------------------------------------------------------------------
// Delivery
// ---------------------------------------------------------------------------------------------

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

fn insert_mail(
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
fn filter_action(
    tx: &Transaction<'_>,
    address: &str,
    from: &str,
) -> ApiResult<Option<FilterAction>> {
    Ok(MailFilter::deciding(&load_filters(tx, address)?, from).map(|f| f.action))
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

fn normalise_address(s: &str) -> String {
    s.trim().to_lowercase()
}

fn no_mailbox(address: &str) -> ApiError {
    ApiError::not_found(format!("There is no mailbox {address}.")).field("address")
}

fn folder_str(f: MailFolder) -> &'static str {
    match f {
        MailFolder::Inbox => "inbox",
        MailFolder::Spam => "spam",
    }
}

fn action_str(a: FilterAction) -> &'static str {
    match a {
        FilterAction::Spam => "spam",
        FilterAction::Delete => "delete",
    }
}

/// `(quota_bytes, base_bytes)`.
fn mailbox_row(tx: &Transaction<'_>, address: &str) -> ApiResult<Option<(i64, i64)>> {
    Ok(tx
        .query_row(
            "SELECT quota_bytes, base_bytes FROM mailboxes WHERE address = ?1",
            params![address],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

fn used_bytes(tx: &Transaction<'_>, address: &str) -> ApiResult<i64> {
    Ok(tx.query_row(
        "SELECT m.base_bytes + COALESCE((SELECT SUM(size_bytes) FROM mail WHERE address = ?1), 0)
         FROM mailboxes m WHERE m.address = ?1",
        params![address],
        |r| r.get(0),
    )?)
}

fn load_filters(tx: &Transaction<'_>, address: &str) -> ApiResult<Vec<MailFilter>> {
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

fn mailbox_state(tx: &Transaction<'_>, address: &str, now: i64) -> ApiResult<MailboxState> {
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

const MAIL_COLUMNS: &str = "id, folder, sender, subject, body, attachment_name, attachment_type,
     CASE WHEN attachment IS NULL THEN 0 ELSE length(attachment) END, received_ms";

/// A `mail` row (selected with [`MAIL_COLUMNS`]) with its body still sealed.
struct MailRow {
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
    fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
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

    fn open(self, key: &ServerKey) -> ApiResult<Mail> {
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

fn load_mail(tx: &Transaction<'_>, key: &ServerKey, address: &str, id: i64) -> ApiResult<Mail> {
    let sql = format!("SELECT {MAIL_COLUMNS} FROM mail WHERE address = ?1 AND id = ?2");
    tx.query_row(&sql, params![address, id], MailRow::read)
        .optional()?
        .ok_or_else(|| ApiError::not_found("There is no such letter in this mailbox.").field("id"))?
        .open(key)
}

fn sim_actor() -> Actor {
    Actor::anonymous("sim")
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

/// A mailbox's quota, use, filters and recent bounces.
#[utoipa::path(
    get, path = "/sim/mailboxes/{address}", operation_id = "sim_get_mailbox", tag = "sim",
    params(("address" = String, Path, description = "The e-mail address")),
    responses(
        (status = 200, body = MailboxState),
        (status = 404, description = "No such mailbox (not_found)", body = ApiErrorBody),
    )
)]
async fn get_mailbox(
    State(state): State<AppState>,
    Path(address): Path<String>,
) -> ApiResult<axum::Json<MailboxState>> {
    let address = normalise_address(&address);
    let now = state.now_ms();
    let st = state
        .db
        .tx(move |tx| mailbox_state(tx, &address, now))
        .await?;
    Ok(axum::Json(st))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FolderQuery {
    /// `inbox` (default) or `spam`.
    #[serde(default)]
    #[param(value_type = Option<MailFolder>)]
    pub folder: Option<MailFolder>,
}

/// The letters of one folder, newest first (at most 500).
#[utoipa::path(
    get, path = "/sim/mailboxes/{address}/messages", operation_id = "sim_mail_messages", tag = "sim",
    params(("address" = String, Path, description = "The e-mail address"), FolderQuery),
    responses(
        (status = 200, body = [Mail]),
        (status = 400, description = "Unknown folder (bad_request)", body = ApiErrorBody),
        (status = 404, description = "No such mailbox (not_found)", body = ApiErrorBody),
    )
)]
async fn list_messages(
    State(state): State<AppState>,
    Path(address): Path<String>,
    Query(q): Query<FolderQuery>,
) -> ApiResult<axum::Json<Vec<Mail>>> {
    let address = normalise_address(&address);
    let folder = folder_str(q.folder.unwrap_or(MailFolder::Inbox));
    let st = state.clone();
    let list = state
        .db
        .tx(move |tx| {
            mailbox_row(tx, &address)?.ok_or_else(|| no_mailbox(&address))?;
            let sql = format!(
                "SELECT {MAIL_COLUMNS} FROM mail WHERE address = ?1 AND folder = ?2
                 ORDER BY received_ms DESC, id DESC LIMIT ?3"
            );
            let mut stmt = tx.prepare(&sql)?;
            let rows = stmt.query_map(params![address, folder, LIST_LIMIT], MailRow::read)?;
            let rows = rows.collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(|r| r.open(&st.key)).collect()
        })
        .await?;
    Ok(axum::Json(list))
}

/// A letter's attachment, as a file download.
#[utoipa::path(
    get, path = "/sim/mailboxes/{address}/messages/{id}/attachment", operation_id = "sim_mail_attachment", tag = "sim",
    params(
        ("address" = String, Path, description = "The e-mail address"),
        ("id" = i64, Path, description = "The letter's id"),
    ),
    responses(
        (status = 200, description = "The file, with its Content-Type and a Content-Disposition naming it", content_type = "application/octet-stream"),
        (status = 400, description = "Bad id (bad_request)", body = ApiErrorBody),
        (status = 404, description = "No such letter or no attachment (not_found)", body = ApiErrorBody),
    )
)]
async fn attachment(
    State(state): State<AppState>,
    Path((address, id)): Path<(String, i64)>,
) -> ApiResult<Response> {
    let address = normalise_address(&address);
    let st = state.clone();
    let (name, content_type, bytes) = state
        .db
        .tx(move |tx| {
            let row: Option<AttachmentRow> = tx
                .query_row(
                    "SELECT attachment_name, attachment_type, attachment FROM mail
                     WHERE address = ?1 AND id = ?2",
                    params![address, id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            match row {
                Some((Some(name), ct, Some(sealed))) => {
                    Ok((name, ct.unwrap_or_default(), st.key.open(&sealed)?))
                }
                Some(_) => Err(ApiError::not_found("This letter has no attachment.")),
                None => {
                    Err(ApiError::not_found("There is no such letter in this mailbox.").field("id"))
                }
            }
        })
        .await?;
    Ok(file_response(&name, &content_type, bytes))
}

/// `(name, content type, sealed bytes)`, each absent when the letter has no attachment.
type AttachmentRow = (Option<String>, Option<String>, Option<Vec<u8>>);

fn file_response(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ct = safe_content_type(content_type);
    let disposition = HeaderValue::from_str(&content_disposition(name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The stored type when it looks like `type/subtype`, else a plain download: a sender controls it.
fn safe_content_type(ct: &str) -> HeaderValue {
    let ok = ct.len() <= 128
        && ct.contains('/')
        && ct
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/+.-; =_\"".contains(c));
    ok.then(|| HeaderValue::from_str(ct).ok())
        .flatten()
        .unwrap_or_else(|| HeaderValue::from_static("application/octet-stream"))
}

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266), so any name is safe.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Moves a letter between Inbox and Spam.
#[utoipa::path(
    post, path = "/sim/mailboxes/{address}/messages/{id}/move", operation_id = "sim_mail_move", tag = "sim",
    params(
        ("address" = String, Path, description = "The e-mail address"),
        ("id" = i64, Path, description = "The letter's id"),
    ),
    request_body = MoveMail,
    responses(
        (status = 200, body = Mail),
        (status = 400, description = "Bad id or folder (bad_request)", body = ApiErrorBody),
        (status = 404, description = "No such letter (not_found)", body = ApiErrorBody),
    )
)]
async fn move_message(
    State(state): State<AppState>,
    Path((address, id)): Path<(String, i64)>,
    Json(req): Json<MoveMail>,
) -> ApiResult<axum::Json<Mail>> {
    let address = normalise_address(&address);
    let now = state.now_ms();
    let st = state.clone();
    let mail = state
        .db
        .tx(move |tx| {
            let mut mail = load_mail(tx, &st.key, &address, id)?;
            if mail.folder == req.folder {
                return Ok(mail);
            }
            tx.execute(
                "UPDATE mail SET folder = ?1 WHERE id = ?2",
                params![folder_str(req.folder), id],
            )?;
            let detail = format!("{address} letter {id} to {}", folder_str(req.folder));
            audit::record(tx, now, &sim_actor(), "mail_moved", &detail)?;
            mail.folder = req.folder;
            Ok(mail)
        })
        .await?;
    Ok(axum::Json(mail))
}

/// Deletes a letter, freeing its space.
#[utoipa::path(
    delete, path = "/sim/mailboxes/{address}/messages/{id}", operation_id = "sim_mail_delete", tag = "sim",
    params(
        ("address" = String, Path, description = "The e-mail address"),
        ("id" = i64, Path, description = "The letter's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id (bad_request)", body = ApiErrorBody),
        (status = 404, description = "No such letter (not_found)", body = ApiErrorBody),
    )
)]
async fn delete_message(
    State(state): State<AppState>,
    Path((address, id)): Path<(String, i64)>,
) -> ApiResult<StatusCode> {
    let address = normalise_address(&address);
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let n = tx.execute(
                "DELETE FROM mail WHERE address = ?1 AND id = ?2",
                params![address, id],
            )?;
            if n == 0 {
                return Err(
                    ApiError::not_found("There is no such letter in this mailbox.").field("id"),
                );
            }
            audit::record(
                tx,
                now,
                &sim_actor(),
                "mail_deleted",
                &format!("{address} letter {id}"),
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn check_filters(filters: &[MailFilter]) -> ApiResult<Vec<MailFilter>> {
    if filters.len() > MAX_FILTERS {
        return Err(ApiError::invalid(
            "filters",
            format!("A mailbox has at most {MAX_FILTERS} filters."),
        ));
    }
    filters
        .iter()
        .map(|f| {
            let text = f.from_contains.trim();
            let n = text.chars().count();
            if n == 0 || n > MAX_FILTER_CHARS || text.chars().any(char::is_control) {
                return Err(ApiError::invalid(
                    "from_contains",
                    format!("A filter matches 1 to {MAX_FILTER_CHARS} printable characters of the sender."),
                ));
            }
            Ok(MailFilter {
                from_contains: text.to_string(),
                action: f.action,
            })
        })
        .collect()
}

/// Replaces a mailbox's filters (at most 50; each `from_contains` 1–100 characters).
#[utoipa::path(
    put, path = "/sim/mailboxes/{address}/filters", operation_id = "sim_mail_filters", tag = "sim",
    params(("address" = String, Path, description = "The e-mail address")),
    request_body = [MailFilter],
    responses(
        (status = 200, body = MailboxState),
        (status = 400, description = "Bad filters (invalid_input, bad_request)", body = ApiErrorBody),
        (status = 404, description = "No such mailbox (not_found)", body = ApiErrorBody),
    )
)]
async fn put_filters(
    State(state): State<AppState>,
    Path(address): Path<String>,
    Json(filters): Json<Vec<MailFilter>>,
) -> ApiResult<axum::Json<MailboxState>> {
    let address = normalise_address(&address);
    let filters = check_filters(&filters)?;
    let now = state.now_ms();
    let st = state
        .db
        .tx(move |tx| {
            mailbox_row(tx, &address)?.ok_or_else(|| no_mailbox(&address))?;
            tx.execute(
                "DELETE FROM mail_filters WHERE address = ?1",
                params![address],
            )?;
            for f in &filters {
                tx.execute(
                    "INSERT INTO mail_filters (address, from_contains, action) VALUES (?1, ?2, ?3)",
                    params![address, f.from_contains, action_str(f.action)],
                )?;
            }
            let detail = format!("{address}: {} filters", filters.len());
            audit::record(tx, now, &sim_actor(), "mail_filters_changed", &detail)?;
            mailbox_state(tx, &address, now)
        })
        .await?;
    Ok(axum::Json(st))
}

/// Live mail for one mailbox: Server-Sent Events named `mail`, data = Mail JSON. Nothing historic.
#[utoipa::path(
    get, path = "/sim/mailboxes/{address}/stream", operation_id = "sim_mail_stream", tag = "sim",
    params(("address" = String, Path, description = "The e-mail address")),
    responses(
        (status = 200, description = "text/event-stream; events named `mail`", content_type = "text/event-stream", body = Mail),
        (status = 404, description = "No such mailbox (not_found)", body = ApiErrorBody),
    )
)]
async fn stream(
    State(state): State<AppState>,
    Path(address): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let address = normalise_address(&address);
    // Subscribe before the check, so nothing delivered in between is missed.
    let rx = state.mail_tx.subscribe();
    let a = address.clone();
    state
        .db
        .tx(move |tx| mailbox_row(tx, &a)?.ok_or_else(|| no_mailbox(&a)))
        .await?;
    let events = BroadcastStream::new(rx)
        .filter_map(|item| async move { item.ok() })
        .take_while(|(to, _)| std::future::ready(to != SHUTDOWN_SENTINEL))
        .filter_map(move |(to, mail)| {
            let mine = to == address;
            async move {
                if !mine {
                    return None;
                }
                Event::default().event("mail").json_data(&mail).ok().map(Ok)
            }
        });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox2_validate_email_normalises_and_refuses() {
        assert_eq!(
            validate_email("  Anna.Petrova@Mail.Example ")
                .ok()
                .as_deref(),
            Some("anna.petrova@mail.example")
        );
        for bad in [
            "",
            "anna",
            "@mail.example",
            "anna@",
            "anna@@mail.example",
            "an..na@mail.example",
            ".anna@mail.example",
            "anna@mail",
            "anna@-mail.example",
            "anna@mail.123",
            "an na@mail.example",
            "anna@mail..example",
        ] {
            assert_eq!(
                validate_email(bad).map_err(|e| e.code()).err(),
                Some(ErrorCode::InvalidInput),
                "{bad:?}"
            );
        }
        let long = format!("{}@{}.example", "a".repeat(60), "b".repeat(200));
        assert!(validate_email(&long).is_err());
        for disposable in [
            "x@mailinator.com",
            "x@YOPMAIL.com",
            "x@sub.guerrillamail.com",
            "x@temp-mail.org",
        ] {
            assert_eq!(
                validate_email(disposable).map_err(|e| e.code()).err(),
                Some(ErrorCode::DisposableEmail),
                "{disposable}"
            );
        }
        assert!(!is_disposable("notmailinator.com"));
    }

    #[test]
    fn inbox2_content_disposition_is_header_safe() {
        let d = content_disposition("счёт \"март\".csv\r\nX-Evil: 1");
        assert!(HeaderValue::from_str(&d).is_ok());
        assert!(d.starts_with("attachment; filename=\""));
        assert_eq!(
            safe_content_type("text/html\r\nX: y"),
            HeaderValue::from_static("application/octet-stream")
        );
        assert_eq!(
            safe_content_type("text/csv"),
            HeaderValue::from_static("text/csv")
        );
    }
}
