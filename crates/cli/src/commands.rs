//! The commands: each parses its text once, calls the core, and shapes the answer as JSON.

use std::path::Path;

use mymts_core::ops::account::{VIEW_BALANCE, VIEW_SERVICES, VIEW_TARIFFS};
use mymts_core::ops::auth::Resumed;
use mymts_core::{Cached, CallFilter, Core, CoreError, CoreResult, clock::rfc3339};
use mymts_proto::wire::{Balance, RecordKind, ServiceList, TariffList};
use mymts_proto::{Login, PhoneNumber};
use serde_json::{Value, json};

use crate::args::{Cmd, LoginArgs};
use crate::output::{Outcome, view_outcome};

fn session_json(s: &mymts_core::Session) -> Value {
    json!({
        "login": s.account.login,
        "kind": s.account.kind.as_str(),
        "name": s.account.name,
        "remembered": s.remembered,
    })
}

/// Resumes the remembered device through the core's one path, as the app does: `Err` carries
/// the outcome to print, with the remembered account's login when the operator could not be
/// reached (its cached views stand in).
async fn ensure_session(core: &Core) -> Result<Login, (CoreError, Option<Login>)> {
    match core.resume().await {
        Ok(Resumed::SignedIn(s)) => Ok(s.account.login),
        Ok(Resumed::Offline { account, error }) => Err((error, Some(account.login))),
        Ok(Resumed::Nobody) => Err((CoreError::NotSignedIn, None)),
        Err(e) => Err((e, None)),
    }
}

/// A view of the resumed account: `fresh` when the operator answers; when it cannot be reached,
/// `cached` for the remembered account, printed as stale (exit 4).
async fn resumed_view<T, Fut>(
    core: &Core,
    fresh: impl FnOnce() -> Fut,
    cached: impl FnOnce(&Login) -> CoreResult<Option<Cached<T>>>,
    shape: impl Fn(&T) -> Value,
) -> Outcome
where
    Fut: std::future::Future<Output = CoreResult<Cached<T>>>,
{
    let got = match ensure_session(core).await {
        Ok(_) => fresh().await,
        Err((e @ CoreError::Unreachable(_), Some(login))) => match cached(&login) {
            Ok(Some(c)) => Ok(c),
            _ => Err(e),
        },
        Err((e, _)) => Err(e),
    };
    match got {
        Ok(c) => view_outcome(c.map(|v| shape(&v))),
        Err(e) => e.into(),
    }
}

fn balance_json(b: &Balance) -> Value {
    json!({
        "balance": (b.balance_kop as f64) / 100.0,
        "balance_kop": b.balance_kop,
        "currency": b.currency,
        "updated_at": rfc3339(b.as_of_ms),
    })
}

/// A view command: fresh when possible, else the cached copy (exit 4).
async fn view_cmd<T, F, Fut>(core: &Core, view: &str, fetch: F, shape: fn(&T) -> Value) -> Outcome
where
    T: serde::de::DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = CoreResult<Cached<T>>>,
{
    resumed_view(
        core,
        fetch,
        |login| core.cached_view::<T>(login, view),
        shape,
    )
    .await
}

fn parse_day(s: &str, end: bool) -> Result<i64, CoreError> {
    let bad = || {
        CoreError::InvalidInput(format!(
            "{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 time."
        ))
    };
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let date: jiff::civil::Date = s.trim().parse().map_err(|_| bad())?;
    let date = if end {
        date.tomorrow().map_err(|_| bad())?
    } else {
        date
    };
    let tz = mymts_proto::time::moscow();
    let z = date.to_zoned(tz).map_err(|_| bad())?;
    Ok(z.timestamp().as_millisecond())
}

fn safe_file_name(id: &str) -> String {
    let s: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect();
    if s.is_empty() { "captcha".into() } else { s }
}

async fn login_cmd(core: &Core, a: LoginArgs) -> Outcome {
    let r = match (&a.phone, &a.contract) {
        (None, None) if a.on_net => core.login_on_net(a.remember).await,
        (Some(p), None) => {
            let p = match PhoneNumber::parse(p) {
                Ok(p) => p,
                Err(e) => return CoreError::from(e).into(),
            };
            if let Some(code) = &a.code {
                core.login_sms_code(&p, code, a.challenge.as_deref(), a.remember)
                    .await
            } else if let Some(pw) = &a.password {
                core.login_password(&Login::from(p), pw, a.remember).await
            } else {
                return CoreError::InvalidInput(
                    "Give --password or --code with --phone (or --on-net alone).".into(),
                )
                .into();
            }
        }
        (None, Some(c)) => match (&a.password, Login::parse(c)) {
            (_, Err(e)) => return CoreError::from(e).into(),
            (Some(pw), Ok(c)) => core.login_password(&c, pw, a.remember).await,
            (None, Ok(_)) => {
                return CoreError::InvalidInput("A contract signs in with --password.".into())
                    .into();
            }
        },
        _ => {
            return CoreError::InvalidInput("Give --phone or --contract.".into()).into();
        }
    };
    match r {
        Ok(out) => {
            if out.session.agreement_required
                && let Err(e) = core.accept_agreement().await
            {
                return e.into();
            }
            if let Some(e) = out.keyring_error {
                return e.into();
            }
            let mut v = session_json(&out.session);
            v["method"] = serde_json::to_value(out.session.method).unwrap_or(Value::Null);
            v["offer_permanent_password"] = json!(out.session.offer_permanent_password);
            Outcome::Ok(v)
        }
        Err(e) => e.into(),
    }
}

pub(crate) async fn command(core: &Core, data_dir: &Path, cmd: Cmd) -> Outcome {
    match cmd {
        Cmd::Captcha => match core.captcha().await {
            Ok(c) => {
                let dir = data_dir.join("captcha");
                let path = dir.join(format!("{}.png", safe_file_name(&c.id)));
                if let Err(e) =
                    std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, &c.png))
                {
                    return CoreError::Io(e.to_string()).into();
                }
                Outcome::Ok(json!({
                    "id": c.id,
                    "image_path": path.display().to_string(),
                    "expires_in_s": c.expires_in_s,
                }))
            }
            Err(e) => e.into(),
        },
        Cmd::SmsPassword {
            phone,
            captcha_id,
            captcha,
            challenge,
        } => match async {
            core.request_sms_password(
                &PhoneNumber::parse(&phone)?,
                &captcha_id,
                &captcha,
                challenge.as_deref(),
            )
            .await
        }
        .await
        {
            Ok(s) => Outcome::Ok(json!({
                "resend_after_s": s.resend_after_s,
                "expires_in_s": s.expires_in_s,
                "resent_same_code": s.resent_same_code,
                "requests_left_this_hour": s.requests_left_this_hour,
                "challenge": s.challenge,
            })),
            Err(e) => e.into(),
        },
        Cmd::Login(a) => login_cmd(core, a).await,
        Cmd::Whoami => match ensure_session(core).await {
            Ok(_) => match core.current() {
                Some(s) => Outcome::Ok(session_json(&s)),
                None => CoreError::NotSignedIn.into(),
            },
            Err((e, _)) => e.into(),
        },
        Cmd::Balance => view_cmd(core, VIEW_BALANCE, || core.balance(), balance_json).await,
        Cmd::Tariffs => {
            view_cmd(
                core,
                VIEW_TARIFFS,
                || core.tariffs(),
                |t: &TariffList| serde_json::to_value(t).unwrap_or(Value::Null),
            )
            .await
        }
        Cmd::Services => {
            view_cmd(
                core,
                VIEW_SERVICES,
                || core.services(),
                |s: &ServiceList| serde_json::to_value(s).unwrap_or(Value::Null),
            )
            .await
        }
        Cmd::Calls {
            from,
            to,
            kind,
            search,
            limit,
        } => {
            let from_ms = match from.as_deref().map(|s| parse_day(s, false)).transpose() {
                Ok(v) => v,
                Err(e) => return e.into(),
            };
            let to_ms = match to.as_deref().map(|s| parse_day(s, true)).transpose() {
                Ok(v) => v,
                Err(e) => return e.into(),
            };
            let filter = CallFilter {
                from_ms,
                to_ms,
                kind: kind.map(RecordKind::from),
                search,
            };
            resumed_view(
                core,
                || core.calls(&filter, limit, 0),
                |login| core.cached_calls(login, &filter, limit, 0),
                |v| serde_json::to_value(v).unwrap_or(Value::Null),
            )
            .await
        }
        Cmd::Logout => match ensure_session(core).await {
            Ok(login) => match core.logout().await {
                Ok(()) => Outcome::Ok(json!({"logged_out": login})),
                Err(e) => e.into(),
            },
            Err((e, _)) => e.into(),
        },
        Cmd::Inbox { phone } => {
            match async { core.inbox(&PhoneNumber::parse(&phone)?).await }.await {
                Ok(msgs) => Outcome::Ok(json!({
                    "messages": msgs.iter().map(|m| json!({
                        "sender": m.sender,
                        "text": m.text,
                        "code": m.code,
                        "verdict": m.verdict,
                        "received_at": m.received_at,
                    })).collect::<Vec<_>>()
                })),
                Err(e) => e.into(),
            }
        }
        Cmd::Troubleshoot {
            phone,
            email,
            sent_to,
        } => {
            let r = match (phone, email) {
                (Some(p), _) => core.troubleshoot_sms(&p).await,
                (None, Some(e)) => core.troubleshoot_mail(&e, sent_to.as_deref()).await,
                (None, None) => Err(CoreError::InvalidInput("Give --phone or --email.".into())),
            };
            match r {
                Ok(d) => Outcome::Ok(serde_json::to_value(d).unwrap_or(Value::Null)),
                Err(e) => e.into(),
            }
        }
        Cmd::ClockCheck => match core.clock_check().await {
            Ok(c) => Outcome::Ok(serde_json::to_value(c).unwrap_or(Value::Null)),
            Err(e) => e.into(),
        },
        Cmd::Qa(q) => crate::qa::qa(core, q).await,
    }
}
