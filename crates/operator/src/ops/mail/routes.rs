//! The mailbox routes of the world door (`/sim/mailboxes/…`): state, folders, attachments, moving
//! and deleting letters, filters, and the live stream.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt};
use mymts_proto::ApiErrorBody;
use mymts_proto::wire::{Mail, MailFilter, MailFolder, MailboxState, MoveMail};
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;

use super::store::*;
use super::{LIST_LIMIT, MAX_FILTER_CHARS, MAX_FILTERS};
use crate::audit;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Path, Query};
use crate::state::{AppState, SHUTDOWN_SENTINEL};

/// A mailbox's quota, use, filters and recent bounces.
#[utoipa::path(
    get, path = "/sim/mailboxes/{address}", operation_id = "sim_get_mailbox", tag = "sim",
    params(("address" = String, Path, description = "The e-mail address")),
    responses(
        (status = 200, body = MailboxState),
        (status = 404, description = "No such mailbox (not_found)", body = ApiErrorBody),
    )
)]
pub(super) async fn get_mailbox(
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
pub(super) async fn list_messages(
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
pub(super) async fn attachment(
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

pub(super) fn file_response(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
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
pub(super) fn safe_content_type(ct: &str) -> HeaderValue {
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
pub(super) fn content_disposition(name: &str) -> String {
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
pub(super) async fn move_message(
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
pub(super) async fn delete_message(
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

pub(super) fn check_filters(filters: &[MailFilter]) -> ApiResult<Vec<MailFilter>> {
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
pub(super) async fn put_filters(
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
pub(super) async fn stream(
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
