//! The SMS centre (INBOX-1): every SMS goes through the `sms` table. `queue_sms` writes it
//! `queued` (or `dropped` / `undeliverable` at once), and `delivery_loop` moves due messages to
//! `delivered` or `blocked`, or leaves them queued ("held") while the phone cannot take them: in
//! airplane mode, or while the account is blocked. Whoever queues wakes the loop after commit.

use std::time::Duration;

use mymts_proto::wire::{Faults, Sms};
use mymts_proto::{ErrorCode, PhoneNumber, SERVICE_SENDERS};
use rand::Rng;
use rusqlite::{OptionalExtension, Transaction, params};
use tokio_util::sync::CancellationToken;

use crate::error::{ApiError, ApiResult};
use crate::secrets::ServerKey;
use crate::state::{AppState, SHUTDOWN_SENTINEL};

/// The longest SMS the centre takes: ten concatenated parts, as real SMS centres cap them.
pub const MAX_SMS_CHARS: usize = 1600;
/// At most this many due messages per delivery pass, so one pass never holds the database long.
const DELIVERY_BATCH: i64 = 500;
/// Longest sleep while a delayed message waits: it bounds how late a delayed SMS can be when the
/// wall clock and the QA clock disagree.
const DELAYED_POLL: Duration = Duration::from_millis(250);
/// Held messages are re-checked this often, because an account unblock elsewhere does not wake us.
const HELD_POLL: Duration = Duration::from_secs(1);

/// Queues an SMS in the SMS centre. The caller wakes the delivery loop after its transaction
/// commits (`state.delivery_wake.notify_one()`, or [`wake`]).
pub fn queue_sms(
    tx: &Transaction<'_>,
    key: &ServerKey,
    faults: &Faults,
    now_ms: i64,
    to: &str,
    from: &str,
    text: &str,
) -> ApiResult<i64> {
    check_text(text)?;
    let normalised = PhoneNumber::parse(to).map_err(|e| ApiError::from(e).field("to"))?;
    if normalised.as_str() != to {
        // Callers pass numbers they already normalised; anything else is a bug upstream.
        return Err(ApiError::new(
            ErrorCode::InvalidPhone,
            "The recipient must be a normalised number (+7XXXXXXXXXX).",
        )
        .field("to"));
    }
    let status = initial_status(tx, faults, to)?;
    let status_ms = (status != "queued").then_some(now_ms);
    let delay = i64::try_from(faults.sms_delay_ms.min(60_000)).unwrap_or(0);
    tx.execute(
        "INSERT INTO sms (recipient, sender, body, created_ms, deliver_after, status, status_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            to,
            from,
            key.seal(text.as_bytes()),
            now_ms,
            now_ms.saturating_add(delay),
            status,
            status_ms
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn check_text(text: &str) -> ApiResult<()> {
    if text.chars().count() > MAX_SMS_CHARS {
        return Err(ApiError::invalid(
            "text",
            format!("An SMS is at most {MAX_SMS_CHARS} characters."),
        ));
    }
    Ok(())
}

/// `undeliverable` for a number no phone has, `dropped` when the drop fault strikes, else `queued`.
fn initial_status(tx: &Transaction<'_>, faults: &Faults, to: &str) -> ApiResult<&'static str> {
    if !phone_exists(tx, to)? {
        return Ok("undeliverable");
    }
    let rate = if faults.sms_drop_rate.is_finite() {
        faults.sms_drop_rate.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if rate > 0.0 && rand::rng().random_bool(rate) {
        return Ok("dropped");
    }
    Ok("queued")
}

/// Wakes the delivery loop; call after the transaction that queued or un-held messages commits.
pub fn wake(state: &AppState) {
    state.delivery_wake.notify_one();
}

/// What a delivery pass left behind, to decide how long to sleep.
#[derive(Debug, Default)]
struct Pass {
    delivered: Vec<(String, Sms)>,
    /// The earliest `deliver_after` still in the future.
    next_due: Option<i64>,
    /// Messages due but held (airplane mode, blocked account).
    held: bool,
    /// The batch was full: go again at once.
    more: bool,
}

impl Pass {
    fn wait(&self, now_ms: i64) -> Option<Duration> {
        if self.more {
            return Some(Duration::ZERO);
        }
        let delayed = self.next_due.map(|due| {
            let ms = u64::try_from(due.saturating_sub(now_ms))
                .unwrap_or(0)
                .max(1);
            Duration::from_millis(ms).min(DELAYED_POLL)
        });
        match (delayed, self.held) {
            (Some(d), _) => Some(d),
            (None, true) => Some(HELD_POLL),
            (None, false) => None,
        }
    }
}

/// Delivers queued SMS when they are due and the phone can take them.
pub async fn delivery_loop(state: AppState, cancel: CancellationToken) {
    loop {
        let wait = match deliver_due(&state).await {
            Ok(pass) => {
                let wait = pass.wait(state.now_ms());
                for item in pass.delivered {
                    // No receivers is fine: nobody is watching that phone right now.
                    let _ = state.sms_tx.send(item);
                }
                wait
            }
            Err(e) => {
                tracing::warn!(code = e.code().as_str(), "SMS delivery pass failed");
                Some(HELD_POLL)
            }
        };
        let sleep = async {
            match wait {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = state.delivery_wake.notified() => {}
            _ = sleep => {}
        }
    }
    end_streams(&state);
}

/// Ends every live SMS and mail stream (see `SHUTDOWN_SENTINEL`).
fn end_streams(state: &AppState) {
    let sms = Sms {
        id: 0,
        sender: String::new(),
        text: String::new(),
        received_ms: 0,
    };
    let _ = state.sms_tx.send((SHUTDOWN_SENTINEL.to_string(), sms));
    let mail = mymts_proto::wire::Mail {
        id: 0,
        folder: mymts_proto::wire::MailFolder::Inbox,
        from: String::new(),
        subject: String::new(),
        body: String::new(),
        attachment: None,
        received_ms: 0,
    };
    let _ = state.mail_tx.send((SHUTDOWN_SENTINEL.to_string(), mail));
}

/// One due message that is not held, with what decides its fate.
struct Due {
    id: i64,
    recipient: String,
    sender: String,
    body: Vec<u8>,
    has_phone: bool,
    airplane: bool,
    spam_blocker: bool,
    account_blocked: bool,
}

enum Fate {
    Held,
    Blocked,
    Undeliverable,
    Delivered,
}

impl Due {
    fn fate(&self) -> Fate {
        if !self.has_phone {
            Fate::Undeliverable
        } else if self.airplane || self.account_blocked {
            Fate::Held
        } else if self.spam_blocker && SERVICE_SENDERS.contains(&self.sender.as_str()) {
            Fate::Blocked
        } else {
            Fate::Delivered
        }
    }
}

async fn deliver_due(state: &AppState) -> ApiResult<Pass> {
    let now = state.now_ms();
    let st = state.clone();
    state
        .db
        .tx(move |tx| {
            let due = load_due(tx, now)?;
            let mut pass = Pass {
                more: due.len() as i64 >= DELIVERY_BATCH,
                ..Pass::default()
            };
            for d in due {
                settle(tx, &st.key, now, d, &mut pass)?;
            }
            // What is still due now is held: the query above skips it so that a pile of held
            // messages can neither fill every batch nor starve deliverable ones behind it.
            pass.held = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM sms WHERE status = 'queued' AND deliver_after <= ?1)",
                params![now],
                |r| r.get(0),
            )?;
            pass.next_due = tx.query_row(
                "SELECT MIN(deliver_after) FROM sms WHERE status = 'queued' AND deliver_after > ?1",
                params![now],
                |r| r.get(0),
            )?;
            Ok(pass)
        })
        .await
}

fn load_due(tx: &Transaction<'_>, now: i64) -> ApiResult<Vec<Due>> {
    let mut stmt = tx.prepare_cached(
        "SELECT s.id, s.recipient, s.sender, s.body, p.number IS NOT NULL,
                COALESCE(p.airplane, 0), COALESCE(p.spam_blocker, 0),
                EXISTS (SELECT 1 FROM accounts a WHERE a.login = s.recipient AND a.blocked = 1)
         FROM sms s LEFT JOIN phones p ON p.number = s.recipient
         WHERE s.status = 'queued' AND s.deliver_after <= ?1
           AND COALESCE(p.airplane, 0) = 0
           AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.login = s.recipient AND a.blocked = 1)
         ORDER BY s.id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, DELIVERY_BATCH], |r| {
        Ok(Due {
            id: r.get(0)?,
            recipient: r.get(1)?,
            sender: r.get(2)?,
            body: r.get(3)?,
            has_phone: r.get(4)?,
            airplane: r.get::<_, i64>(5)? != 0,
            spam_blocker: r.get::<_, i64>(6)? != 0,
            account_blocked: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn set_status(tx: &Transaction<'_>, id: i64, status: &str, now: i64) -> ApiResult<()> {
    tx.execute(
        "UPDATE sms SET status = ?1, status_ms = ?2 WHERE id = ?3",
        params![status, now, id],
    )?;
    Ok(())
}

fn settle(
    tx: &Transaction<'_>,
    key: &ServerKey,
    now: i64,
    d: Due,
    pass: &mut Pass,
) -> ApiResult<()> {
    match d.fate() {
        Fate::Held => pass.held = true,
        Fate::Blocked => set_status(tx, d.id, "blocked", now)?,
        Fate::Undeliverable => set_status(tx, d.id, "undeliverable", now)?,
        Fate::Delivered => match key.open_string(&d.body) {
            Ok(text) => {
                set_status(tx, d.id, "delivered", now)?;
                let sms = Sms {
                    id: d.id,
                    sender: d.sender,
                    text,
                    received_ms: now,
                };
                pass.delivered.push((d.recipient, sms));
            }
            // A body sealed under another key can never be read; keep the queue moving.
            Err(_) => set_status(tx, d.id, "undeliverable", now)?,
        },
    }
    Ok(())
}

fn phone_exists(tx: &Transaction<'_>, number: &str) -> ApiResult<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM phones WHERE number = ?1",
            params![number],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
