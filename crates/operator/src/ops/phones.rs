//! Simulated phones (INBOX-1, INBOX-4): their switches, inbox, live stream and compose box, and
//! the facts "Code not arriving?" reasons from. What they send and receive goes through the SMS
//! centre (`ops/sms_centre.rs`); an SMS to 111 goes to the command's handler through the hook the
//! app state holds (`command_hook`), so the phones know nothing of auth.

use std::convert::Infallible;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use mymts_proto::wire::{ComposeSms, DeliveryReport, PhoneState, PhoneStatePatch, Sms};
use mymts_proto::{ApiErrorBody, COMMAND_NUMBER, ErrorCode, PhoneNumber};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Deserialize;
use tokio_stream::wrappers::BroadcastStream;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Path, Query};
use crate::ops::sms_centre::{check_text, queue_sms, wake};
use crate::secrets::ServerKey;
use crate::state::{AppState, SHUTDOWN_SENTINEL};

/// At most this many messages per `/messages` answer; clients page on with `after_id`.
pub const MESSAGES_PAGE: i64 = 1000;
const HOUR_MS: i64 = 3_600_000;
/// AUTH-4 limits, mirrored here for the troubleshooter's facts (INBOX-4).
const RESEND_AFTER_MS: i64 = 60_000;
const REQUESTS_PER_HOUR: i64 = 5;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_phone, patch_phone_route))
        .routes(routes!(messages))
        .routes(routes!(stream))
        .routes(routes!(send))
        .routes(routes!(delivery))
}

/// A number from a path, in any AUTH-2 form.
pub(crate) fn parse_number(s: &str) -> ApiResult<PhoneNumber> {
    PhoneNumber::parse(s).map_err(|e| ApiError::from(e).field("number"))
}

fn load_phone(tx: &Transaction<'_>, number: &PhoneNumber) -> ApiResult<Option<PhoneState>> {
    Ok(tx
        .query_row(
            "SELECT airplane, spam_blocker, on_net FROM phones WHERE number = ?1",
            params![number],
            |r| {
                Ok(PhoneState {
                    number: number.clone(),
                    airplane: r.get::<_, i64>(0)? != 0,
                    spam_blocker: r.get::<_, i64>(1)? != 0,
                    on_net: r.get::<_, i64>(2)? != 0,
                })
            },
        )
        .optional()?)
}

fn no_phone(number: &PhoneNumber) -> ApiError {
    ApiError::not_found(format!(
        "There is no simulated phone with the number {number}."
    ))
    .field("number")
}

pub(crate) fn require_phone(tx: &Transaction<'_>, number: &PhoneNumber) -> ApiResult<PhoneState> {
    load_phone(tx, number)?.ok_or_else(|| no_phone(number))
}

/// Describes what a patch changes, for the audit log; empty when it changes nothing.
fn describe_change(before: &PhoneState, after: &PhoneState) -> String {
    let onoff = |b: bool| if b { "on" } else { "off" };
    let mut parts = Vec::new();
    if before.airplane != after.airplane {
        parts.push(format!("airplane={}", onoff(after.airplane)));
    }
    if before.spam_blocker != after.spam_blocker {
        parts.push(format!("spam_blocker={}", onoff(after.spam_blocker)));
    }
    if before.on_net != after.on_net {
        parts.push(format!("on_net={}", onoff(after.on_net)));
    }
    parts.join(" ")
}

/// Applies a patch to a phone's switches, audits the change and wakes the SMS centre. Shared by
/// `PATCH /sim/phones/{number}` and `PATCH /qa/phones/{number}`; `channel` names which.
pub(crate) async fn patch_phone(
    state: &AppState,
    number: &str,
    patch: PhoneStatePatch,
    channel: &'static str,
) -> ApiResult<PhoneState> {
    let number = parse_number(number)?;
    let now = state.now_ms();
    let (after, changed) = state
        .db
        .tx(move |tx| {
            let before = require_phone(tx, &number)?;
            let after = PhoneState {
                number: number.clone(),
                airplane: patch.airplane.unwrap_or(before.airplane),
                spam_blocker: patch.spam_blocker.unwrap_or(before.spam_blocker),
                on_net: patch.on_net.unwrap_or(before.on_net),
            };
            let detail = describe_change(&before, &after);
            if detail.is_empty() {
                return Ok((after, false));
            }
            tx.execute(
                "UPDATE phones SET airplane = ?1, spam_blocker = ?2, on_net = ?3 WHERE number = ?4",
                params![after.airplane, after.spam_blocker, after.on_net, number],
            )?;
            let actor = Actor {
                login: Some(number.to_string()),
                ..Actor::anonymous(channel)
            };
            audit::record(tx, now, &actor, "phone_state_changed", &detail)?;
            Ok((after, true))
        })
        .await?;
    if changed {
        // Airplane off delivers what was held; the loop re-reads every switch, so wake on any.
        wake(state);
    }
    Ok(after)
}

/// A simulated phone's switches.
#[utoipa::path(
    get, path = "/sim/phones/{number}", operation_id = "sim_get_phone", tag = "sim",
    params(("number" = String, Path, description = "The phone number, in any AUTH-2 form")),
    responses(
        (status = 200, body = PhoneState),
        (status = 400, description = "Not a phone number (invalid_phone)", body = ApiErrorBody),
        (status = 404, description = "No such phone (not_found)", body = ApiErrorBody),
    )
)]
async fn get_phone(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<axum::Json<PhoneState>> {
    let number = parse_number(&number)?;
    let phone = state.db.tx(move |tx| require_phone(tx, &number)).await?;
    Ok(axum::Json(phone))
}

/// Flips a phone's airplane mode, spam blocker or on-net state; held SMS go out when airplane
/// mode ends.
#[utoipa::path(
    patch, path = "/sim/phones/{number}", operation_id = "sim_patch_phone", tag = "sim",
    params(("number" = String, Path, description = "The phone number, in any AUTH-2 form")),
    request_body = PhoneStatePatch,
    responses(
        (status = 200, body = PhoneState),
        (status = 400, description = "Bad number or body", body = ApiErrorBody),
        (status = 404, description = "No such phone (not_found)", body = ApiErrorBody),
    )
)]
async fn patch_phone_route(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Json(patch): Json<PhoneStatePatch>,
) -> ApiResult<axum::Json<PhoneState>> {
    patch_phone(&state, &number, patch, "sim")
        .await
        .map(axum::Json)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AfterQuery {
    /// Only messages with a larger id.
    #[serde(default)]
    pub after_id: Option<i64>,
}

/// The phone's inbox: delivered messages, oldest first, at most 1000 per answer.
#[utoipa::path(
    get, path = "/sim/phones/{number}/messages", operation_id = "sim_phone_messages", tag = "sim",
    params(("number" = String, Path, description = "The phone number, in any AUTH-2 form"), AfterQuery),
    responses(
        (status = 200, body = [Sms]),
        (status = 400, description = "Bad number or query", body = ApiErrorBody),
        (status = 404, description = "No such phone (not_found)", body = ApiErrorBody),
    )
)]
async fn messages(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Query(q): Query<AfterQuery>,
) -> ApiResult<axum::Json<Vec<Sms>>> {
    let number = parse_number(&number)?;
    let after = q.after_id.unwrap_or(0);
    let st = state.clone();
    let list = state
        .db
        .tx(move |tx| {
            require_phone(tx, &number)?;
            inbox(tx, &st.key, &number, after)
        })
        .await?;
    Ok(axum::Json(list))
}

fn inbox(
    tx: &Transaction<'_>,
    key: &ServerKey,
    number: &PhoneNumber,
    after: i64,
) -> ApiResult<Vec<Sms>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, sender, body, COALESCE(status_ms, created_ms) FROM sms
         WHERE recipient = ?1 AND status = 'delivered' AND id > ?2 ORDER BY id LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![number, after, MESSAGES_PAGE], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, sender, body, received_ms) = row?;
        out.push(Sms {
            id,
            sender,
            text: key.open_string(&body)?,
            received_ms,
        });
    }
    Ok(out)
}

/// Live SMS for one phone: Server-Sent Events named `sms`, data = Sms JSON. Sends nothing
/// historic: fetch `/messages` first, then follow the stream.
#[utoipa::path(
    get, path = "/sim/phones/{number}/stream", operation_id = "sim_phone_stream", tag = "sim",
    params(("number" = String, Path, description = "The phone number, in any AUTH-2 form")),
    responses(
        (status = 200, description = "text/event-stream; events named `sms`", content_type = "text/event-stream", body = Sms),
        (status = 400, description = "Not a phone number (invalid_phone)", body = ApiErrorBody),
        (status = 404, description = "No such phone (not_found)", body = ApiErrorBody),
    )
)]
async fn stream(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let number = parse_number(&number)?;
    // Subscribe before the check, so nothing delivered in between is missed.
    let rx = state.sms_tx.subscribe();
    let n = number.clone();
    state.db.tx(move |tx| require_phone(tx, &n)).await?;
    Ok(Sse::new(sms_events(rx, number)).keep_alive(KeepAlive::default()))
}

fn sms_events(
    rx: tokio::sync::broadcast::Receiver<(String, Sms)>,
    number: PhoneNumber,
) -> impl Stream<Item = Result<Event, Infallible>> {
    BroadcastStream::new(rx)
        // A lagging client loses some live events; it still has `/messages` to catch up.
        .filter_map(|item| async move { item.ok() })
        .take_while(|(to, _)| std::future::ready(to != SHUTDOWN_SENTINEL))
        .filter_map(move |(to, sms)| {
            let mine = to == number.as_str();
            async move {
                if !mine {
                    return None;
                }
                Event::default().event("sms").json_data(&sms).ok().map(Ok)
            }
        })
}

/// The phone's compose box: an SMS from this phone. To `111` it is the `25 <password>` command
/// (AUTH-5); to another simulated phone it is an ordinary SMS.
#[utoipa::path(
    post, path = "/sim/phones/{number}/send", operation_id = "sim_phone_send", tag = "sim",
    params(("number" = String, Path, description = "The sending phone, in any AUTH-2 form")),
    request_body = ComposeSms,
    responses(
        (status = 202, description = "Handed to the SMS centre"),
        (status = 400, description = "Bad number, recipient or text", body = ApiErrorBody),
        (status = 404, description = "No such phone (not_found)", body = ApiErrorBody),
        (status = 409, description = "The phone is in airplane mode (conflict)", body = ApiErrorBody),
    )
)]
async fn send(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Json(req): Json<ComposeSms>,
) -> ApiResult<StatusCode> {
    let from = parse_number(&number)?;
    check_compose_text(&req.text)?;
    let to = recipient_of(&req.to)?;
    // A command to 111 is read and its password hashed before the transaction (floods).
    let command = if to == COMMAND_NUMBER {
        Some((state.command_hook)(&state, &from, &req.text).await?)
    } else {
        None
    };
    let now = state.now_ms();
    let faults = state.faults();
    let st = state.clone();
    state
        .db
        .tx(move |tx| {
            let phone = require_phone(tx, &from)?;
            if phone.airplane {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    "The phone is in airplane mode: turn it off to send an SMS.",
                )
                .field("airplane"));
            }
            if let Some(reply) = command {
                // The text holds the requested password: the audit names the command only.
                let actor = Actor {
                    login: Some(from.to_string()),
                    ..Actor::anonymous("sim")
                };
                audit::record(tx, now, &actor, "sms_to_111", "command SMS sent to 111")?;
                reply(tx, &st.key, &faults, now)
            } else {
                queue_sms(tx, &st.key, &faults, now, &to, &from, &req.text).map(|_| ())
            }
        })
        .await?;
    wake(&state);
    Ok(StatusCode::ACCEPTED)
}

fn check_compose_text(text: &str) -> ApiResult<()> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid("text", "Write the message first."));
    }
    check_text(text)
}

/// `111`, or a phone number in any AUTH-2 form (normalised).
fn recipient_of(to: &str) -> ApiResult<String> {
    let to = to.trim();
    if to == COMMAND_NUMBER {
        return Ok(COMMAND_NUMBER.to_string());
    }
    PhoneNumber::parse(to)
        .map(|n| n.to_string())
        .map_err(|e| ApiError::from(e).field("to"))
}

/// The facts "Code not arriving?" reasons from (INBOX-4). A number without a phone still gets an
/// answer with `registered = false`: that is the "mistyped number" diagnosis.
#[utoipa::path(
    get, path = "/sim/phones/{number}/delivery", operation_id = "sim_phone_delivery", tag = "sim",
    params(("number" = String, Path, description = "The phone number, in any AUTH-2 form")),
    responses(
        (status = 200, body = DeliveryReport),
        (status = 400, description = "Not a phone number (invalid_phone)", body = ApiErrorBody),
    )
)]
async fn delivery(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<axum::Json<DeliveryReport>> {
    let number = parse_number(&number)?;
    let now = state.now_ms();
    let report = state
        .db
        .tx(move |tx| delivery_report(tx, &number, now))
        .await?;
    Ok(axum::Json(report))
}

fn count(tx: &Transaction<'_>, sql: &str, number: &PhoneNumber, since: i64) -> ApiResult<u32> {
    let n: i64 = tx.query_row(sql, params![number, since], |r| r.get(0))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Whole seconds from `now` until `until`, rounded up; 0 when past.
fn seconds_until(now: i64, until: i64) -> u64 {
    u64::try_from(until.saturating_sub(now)).map_or(0, |ms| ms.div_ceil(1000))
}

pub(crate) fn delivery_report(
    tx: &Transaction<'_>,
    number: &PhoneNumber,
    now: i64,
) -> ApiResult<DeliveryReport> {
    let phone = load_phone(tx, number)?;
    let registered = crate::db::accounts::mobile(tx, number)?.is_some();
    let hour_ago = now - HOUR_MS;
    let held: i64 = tx.query_row(
        "SELECT COUNT(*) FROM sms WHERE recipient = ?1 AND status = 'queued'",
        params![number],
        |r| r.get(0),
    )?;
    let blocked = count(
        tx,
        "SELECT COUNT(*) FROM sms WHERE recipient = ?1 AND status = 'blocked' AND status_ms >= ?2",
        number,
        hour_ago,
    )?;
    let dropped = count(
        tx,
        "SELECT COUNT(*) FROM sms WHERE recipient = ?1 AND status = 'dropped' AND status_ms >= ?2",
        number,
        hour_ago,
    )?;
    let recent_requests = count(
        tx,
        "SELECT COUNT(*) FROM sms_requests WHERE phone = ?1 AND at_ms > ?2",
        number,
        hour_ago,
    )?;
    let last_request: Option<i64> = tx.query_row(
        "SELECT MAX(at_ms) FROM sms_requests WHERE phone = ?1",
        params![number],
        |r| r.get(0),
    )?;
    Ok(DeliveryReport {
        number: number.clone(),
        registered,
        airplane: phone.as_ref().is_some_and(|p| p.airplane),
        spam_blocker: phone.as_ref().is_some_and(|p| p.spam_blocker),
        held: u32::try_from(held).unwrap_or(u32::MAX),
        blocked_by_spam_filter: blocked,
        dropped,
        last_code_request_ms: last_request,
        resend_after_s: last_request.map_or(0, |t| seconds_until(now, t + RESEND_AFTER_MS)),
        code_valid_for_s: code_valid_for_s(tx, number, now)?,
        requests_left_this_hour: u32::try_from(
            (REQUESTS_PER_HOUR - i64::from(recent_requests)).max(0),
        )
        .unwrap_or(0),
    })
}

fn code_valid_for_s(tx: &Transaction<'_>, number: &PhoneNumber, now: i64) -> ApiResult<u64> {
    // Wrong guesses burn the challenge they were made with, not the code (SEC-2): the code is
    // valid until it is used or expires.
    let row: Option<(i64, i64)> = tx
        .query_row(
            "SELECT expires_ms, spent FROM sms_codes WHERE phone = ?1",
            params![number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        Some((expires, 0)) => seconds_until(now, expires),
        _ => 0,
    })
}
