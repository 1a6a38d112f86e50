//! The QA API (QA-1): read captcha answers, set faults, move the clock, inject SMS, read and check
//! the audit log, reset to the demo data. Routed only when the operator runs with `--qa`.

use axum::extract::State;
use axum::http::StatusCode;
use mymts_proto::ApiErrorBody;
use mymts_proto::wire::{
    AdvanceClock, AuditCheck, AuditRow, CaptchaAnswer, ClockState, DemoAccounts, Faults, InjectSms,
    Packages, PhoneState, PhoneStatePatch, RecordUsage,
};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{self, Actor};
use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Path, Query};
use crate::ops::{phones, sms_centre};
use crate::state::AppState;

/// Longest injected delay or latency: past a minute a test is better off moving the clock.
pub const MAX_FAULT_DELAY_MS: u64 = 60_000;
/// The clock moves at most ten years per call.
pub const MAX_ADVANCE_S: i64 = 10 * 366 * 86_400;
/// An injected sender is at most this many characters (alphanumeric senders are 11; leave room).
pub const MAX_SENDER_CHARS: usize = 20;
const AUDIT_PAGE_DEFAULT: u32 = 100;
const AUDIT_PAGE_MAX: u32 = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(accounts))
        .routes(routes!(captcha))
        .routes(routes!(get_faults, put_faults))
        .routes(routes!(patch_phone))
        .routes(routes!(inject_sms))
        .routes(routes!(usage))
        .routes(routes!(clock))
        .routes(routes!(advance_clock))
        .routes(routes!(audit_rows))
        .routes(routes!(audit_verify))
        .routes(routes!(reset))
}

fn qa_actor() -> Actor {
    Actor::anonymous("qa")
}

/// The demo accounts and their passwords (the README lists the same).
#[utoipa::path(get, path = "/qa/accounts", operation_id = "qa_accounts", tag = "qa", responses((status = 200, body = DemoAccounts)))]
async fn accounts() -> axum::Json<DemoAccounts> {
    axum::Json(crate::seed::demo_accounts())
}

/// A live captcha's answer, so tests can log in by SMS password.
#[utoipa::path(
    get, path = "/qa/captcha/{id}", operation_id = "qa_captcha", tag = "qa",
    params(("id" = String, Path, description = "The captcha id from POST /v1/captcha")),
    responses(
        (status = 200, body = CaptchaAnswer),
        (status = 404, description = "Unknown, used or expired captcha (not_found)", body = ApiErrorBody),
    )
)]
async fn captcha(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<CaptchaAnswer>> {
    let now = state.now_ms();
    let answer = state
        .captchas
        .lock()
        .map_err(|_| ApiError::internal("captcha store poisoned"))?
        .get(&id)
        .filter(|c| c.expires_ms > now)
        .map(|c| c.answer.clone());
    answer
        .map(|answer| axum::Json(CaptchaAnswer { answer }))
        .ok_or_else(|| ApiError::not_found("No live captcha has this id.").field("id"))
}

/// The faults in force.
#[utoipa::path(get, path = "/qa/faults", operation_id = "qa_get_faults", tag = "qa", responses((status = 200, body = Faults)))]
async fn get_faults(State(state): State<AppState>) -> axum::Json<Faults> {
    axum::Json(state.faults())
}

fn check_faults(f: &Faults) -> ApiResult<()> {
    for (field, rate) in [
        ("sms_drop_rate", f.sms_drop_rate),
        ("error_rate", f.error_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(ApiError::invalid(field, "A rate is between 0 and 1."));
        }
    }
    for (field, ms) in [
        ("sms_delay_ms", f.sms_delay_ms),
        ("latency_ms", f.latency_ms),
    ] {
        if ms > MAX_FAULT_DELAY_MS {
            return Err(ApiError::invalid(
                field,
                format!("A delay is at most {MAX_FAULT_DELAY_MS} ms."),
            ));
        }
    }
    Ok(())
}

/// Sets the faults: SMS delay and drop rate, and a share of 503s and added latency on `/v1`.
#[utoipa::path(
    put, path = "/qa/faults", operation_id = "qa_put_faults", tag = "qa",
    request_body = Faults,
    responses(
        (status = 200, body = Faults),
        (status = 400, description = "A rate outside 0..1 or a delay over 60 s (invalid_input)", body = ApiErrorBody),
    )
)]
async fn put_faults(
    State(state): State<AppState>,
    Json(faults): Json<Faults>,
) -> ApiResult<axum::Json<Faults>> {
    check_faults(&faults)?;
    let now = state.now_ms();
    let detail = format!(
        "sms_delay_ms={} sms_drop_rate={} error_rate={} latency_ms={}",
        faults.sms_delay_ms, faults.sms_drop_rate, faults.error_rate, faults.latency_ms
    );
    state
        .db
        .tx(move |tx| audit::record(tx, now, &qa_actor(), "qa_faults_set", &detail))
        .await?;
    *state
        .faults
        .write()
        .map_err(|_| ApiError::internal("faults lock poisoned"))? = faults.clone();
    Ok(axum::Json(faults))
}

/// Flips a phone's airplane mode, spam blocker or on-net state (as `PATCH /sim/phones/{number}`).
#[utoipa::path(
    patch, path = "/qa/phones/{number}", operation_id = "qa_patch_phone", tag = "qa",
    params(("number" = String, Path, description = "The phone number, in any AUTH-2 form")),
    request_body = PhoneStatePatch,
    responses(
        (status = 200, body = PhoneState),
        (status = 400, description = "Bad number or body", body = ApiErrorBody),
        (status = 404, description = "No such phone (not_found)", body = ApiErrorBody),
    )
)]
async fn patch_phone(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Json(patch): Json<PhoneStatePatch>,
) -> ApiResult<axum::Json<PhoneState>> {
    phones::patch_phone(&state, &number, patch, "qa")
        .await
        .map(axum::Json)
}

/// A sender as an SMS centre shows it: 1–20 printable characters, e.g. `3339` or `MTS-Bank`.
fn check_sender(from: &str) -> ApiResult<String> {
    let from = from.trim();
    let n = from.chars().count();
    if n == 0 || n > MAX_SENDER_CHARS || from.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "from",
            format!("A sender is 1 to {MAX_SENDER_CHARS} printable characters."),
        ));
    }
    Ok(from.to_string())
}

/// Sends an SMS from any sender to a simulated phone, through the SMS centre (faults apply): for
/// testing fraud marking (INBOX-3) and the spam blocker.
#[utoipa::path(
    post, path = "/qa/sms", operation_id = "qa_inject_sms", tag = "qa",
    request_body = InjectSms,
    responses(
        (status = 202, description = "Handed to the SMS centre"),
        (status = 400, description = "Bad sender, number or text", body = ApiErrorBody),
        (status = 404, description = "No such phone (not_found)", body = ApiErrorBody),
    )
)]
async fn inject_sms(
    State(state): State<AppState>,
    Json(req): Json<InjectSms>,
) -> ApiResult<StatusCode> {
    let from = check_sender(&req.from)?;
    let to = req.to.to_string();
    if req.text.trim().is_empty() {
        return Err(ApiError::invalid("text", "Write the message first."));
    }
    let now = state.now_ms();
    let faults = state.faults();
    let st = state.clone();
    state
        .db
        .tx(move |tx| {
            require_phone(tx, &to)?;
            sms_centre::queue_sms(tx, &st.key, &faults, now, &to, &from, &req.text)?;
            // The text may hold a code: the audit names the parties only.
            let detail = format!("from {from} to {to}");
            audit::record(tx, now, &qa_actor(), "qa_sms_injected", &detail)
        })
        .await?;
    sms_centre::wake(&state);
    Ok(StatusCode::ACCEPTED)
}

fn require_phone(tx: &Transaction<'_>, number: &str) -> ApiResult<()> {
    tx.query_row(
        "SELECT 1 FROM phones WHERE number = ?1",
        params![number],
        |_| Ok(()),
    )
    .optional()?
    .ok_or_else(|| {
        ApiError::not_found(format!(
            "There is no simulated phone with the number {number}."
        ))
        .field("to")
    })
}

/// Records usage on a number; the operator sends the 80 % and 100 % notices (ACC-11).
#[utoipa::path(
    post, path = "/qa/usage", operation_id = "qa_usage", tag = "qa",
    request_body = RecordUsage,
    responses(
        (status = 200, body = Packages),
        (status = 400, description = "Bad number or amount", body = ApiErrorBody),
        (status = 404, description = "No such account", body = ApiErrorBody),
    )
)]
async fn usage(
    State(state): State<AppState>,
    Json(req): Json<RecordUsage>,
) -> ApiResult<axum::Json<Packages>> {
    crate::ops::account::record_usage(&state, req)
        .await
        .map(axum::Json)
}

fn clock_state(state: &AppState) -> ClockState {
    ClockState {
        now_ms: state.now_ms(),
        offset_ms: state.clock.offset_ms(),
    }
}

/// The operator's clock and how far QA has moved it.
#[utoipa::path(get, path = "/qa/clock", operation_id = "qa_clock", tag = "qa", responses((status = 200, body = ClockState)))]
async fn clock(State(state): State<AppState>) -> axum::Json<ClockState> {
    axum::Json(clock_state(&state))
}

/// Moves the operator's clock (at most ten years either way per call); the offset survives a
/// restart. Expiries, limits and due SMS follow at once.
#[utoipa::path(
    post, path = "/qa/clock/advance", operation_id = "qa_advance_clock", tag = "qa",
    request_body = AdvanceClock,
    responses(
        (status = 200, body = ClockState),
        (status = 400, description = "More than ten years (invalid_input)", body = ApiErrorBody),
    )
)]
async fn advance_clock(
    State(state): State<AppState>,
    Json(req): Json<AdvanceClock>,
) -> ApiResult<axum::Json<ClockState>> {
    let too_far = || ApiError::invalid("seconds", "The clock moves at most ten years at a time.");
    if req.seconds.checked_abs().is_none_or(|s| s > MAX_ADVANCE_S) {
        return Err(too_far());
    }
    let delta_ms = req.seconds * 1000;
    let st = state.clone();
    state
        .db
        .tx(move |tx| {
            // Inside the transaction: the database lock orders concurrent advances, and the
            // offset in memory moves only once it is written.
            let offset = st
                .clock
                .offset_ms()
                .checked_add(delta_ms)
                .ok_or_else(too_far)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('clock_offset_ms', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![offset.to_string()],
            )?;
            let detail = format!("by {} s to offset {offset} ms", req.seconds);
            let now = st.now_ms().saturating_add(delta_ms);
            audit::record(tx, now, &qa_actor(), "qa_clock_advanced", &detail)?;
            st.clock.set_offset(offset);
            Ok(())
        })
        .await?;
    // Delayed SMS may be due now.
    sms_centre::wake(&state);
    Ok(axum::Json(clock_state(&state)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only rows with a larger id.
    #[serde(default)]
    pub after_id: Option<i64>,
    /// Rows per answer, 1–1000 (default 100).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The audit log, oldest first, with each row's hash chain (AUTH-11).
#[utoipa::path(
    get, path = "/qa/audit", operation_id = "qa_audit_rows", tag = "qa",
    params(AuditQuery),
    responses(
        (status = 200, body = [AuditRow]),
        (status = 400, description = "Bad query (bad_request, invalid_input)", body = ApiErrorBody),
    )
)]
async fn audit_rows(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> ApiResult<axum::Json<Vec<AuditRow>>> {
    let limit = q.limit.unwrap_or(AUDIT_PAGE_DEFAULT);
    if !(1..=AUDIT_PAGE_MAX).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("limit is 1 to {AUDIT_PAGE_MAX}."),
        ));
    }
    let after = q.after_id.unwrap_or(0);
    let rows = state
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT id, at_ms, login, action, channel, device, detail, prev_hash, hash
                 FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after, limit], |r| {
                Ok(AuditRow {
                    id: r.get(0)?,
                    at_ms: r.get(1)?,
                    login: r.get(2)?,
                    action: r.get(3)?,
                    channel: r.get(4)?,
                    device: r.get(5)?,
                    detail: r.get(6)?,
                    prev_hash: r.get(7)?,
                    hash: r.get(8)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    Ok(axum::Json(rows))
}

/// Walks the audit hash chain and names the first row that does not match.
#[utoipa::path(get, path = "/qa/audit/verify", operation_id = "qa_audit_verify", tag = "qa", responses((status = 200, body = AuditCheck)))]
async fn audit_verify(State(state): State<AppState>) -> ApiResult<axum::Json<AuditCheck>> {
    let (rows, first_bad_id) = state.db.tx(audit::verify).await?;
    Ok(axum::Json(AuditCheck {
        rows,
        ok: first_bad_id.is_none(),
        first_bad_id,
    }))
}

/// Wipes everything back to the demo data, forgets captchas and clears the faults.
#[utoipa::path(post, path = "/qa/reset", operation_id = "qa_reset", tag = "qa", responses((status = 204, description = "Reset")))]
async fn reset(State(state): State<AppState>) -> ApiResult<StatusCode> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || crate::seed::reset(&st))
        .await
        .map_err(|e| ApiError::internal(format!("reset task: {e}")))??;
    state
        .captchas
        .lock()
        .map_err(|_| ApiError::internal("captcha store poisoned"))?
        .clear();
    *state
        .faults
        .write()
        .map_err(|_| ApiError::internal("faults lock poisoned"))? = Faults::default();
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| audit::record(tx, now, &qa_actor(), "qa_reset", "demo data restored"))
        .await?;
    sms_centre::wake(&state);
    Ok(StatusCode::NO_CONTENT)
}
