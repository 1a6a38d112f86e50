//! Who is calling: the channel a request came through, and the session behind a Bearer token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use mymts_proto::wire::{AccountKind, LoginMethod};
use mymts_proto::{ErrorCode, PhoneNumber};
use rusqlite::{OptionalExtension, params};

use crate::audit::Actor;
use crate::error::ApiError;
use crate::secrets::token_digest;
use crate::state::AppState;

/// Access tokens lapse after this long without a request (AUTH-8).
pub const ACCESS_IDLE_MS: i64 = 20 * 60 * 1000;

/// The listener a request arrived on. The gateway sets `vouched` only for a SIM that is on the
/// operator's data network (AUTH-7).
#[derive(Debug, Clone)]
pub enum Channel {
    Api,
    Gateway { vouched: Option<PhoneNumber> },
}

impl Channel {
    pub fn name(&self) -> &'static str {
        match self {
            Channel::Api => "api",
            Channel::Gateway { .. } => "gateway",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Channel {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Channel>()
            .cloned()
            .unwrap_or(Channel::Api))
    }
}

/// A signed-in caller whose account has accepted the current agreement (AUTH-10).
#[derive(Debug, Clone)]
pub struct Authed {
    pub session_id: String,
    pub account_id: i64,
    pub login: String,
    pub kind: AccountKind,
    pub name: String,
    pub method: LoginMethod,
    pub device: String,
    pub channel: &'static str,
    pub agreement_version: u32,
}

impl Authed {
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: Some(self.account_id),
            login: Some(self.login.clone()),
            channel: self.channel.to_string(),
            device: self.device.clone(),
        }
    }
}

/// A signed-in caller, agreement accepted or not: for the agreement itself, logout and sessions.
#[derive(Debug, Clone)]
pub struct AuthedAny(pub Authed);

pub fn parse_method(s: &str) -> LoginMethod {
    match s {
        "sms_code" => LoginMethod::SmsCode,
        "on_net" => LoginMethod::OnNet,
        "social" => LoginMethod::Social,
        "linked" => LoginMethod::Linked,
        _ => LoginMethod::Password,
    }
}

pub fn method_str(m: LoginMethod) -> &'static str {
    match m {
        LoginMethod::Password => "password",
        LoginMethod::SmsCode => "sms_code",
        LoginMethod::OnNet => "on_net",
        LoginMethod::Social => "social",
        LoginMethod::Linked => "linked",
    }
}

fn bearer(parts: &Parts) -> Result<String, ApiError> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized, "Sign in first."))?;
    let token = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthorized,
                "The Authorization header must be 'Bearer <token>'.",
            )
        })?;
    Ok(token.to_string())
}

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Authed, ApiError> {
    let token = bearer(parts)?;
    let channel = parts
        .extensions
        .get::<Channel>()
        .map_or("api", Channel::name);
    let digest = token_digest(&token);
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let row = tx
                .query_row(
                    "SELECT t.last_used_ms, s.id, s.revoked_ms, s.revoked_reason, s.method, s.device_name,
                            a.id, a.login, a.kind, a.name, a.agreement_version
                     FROM access_tokens t JOIN sessions s ON s.id = t.session_id
                     JOIN accounts a ON a.id = s.account_id WHERE t.hash = ?1",
                    params![digest],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Option<i64>>(2)?,
                            r.get::<_, Option<String>>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                            r.get::<_, i64>(6)?,
                            r.get::<_, String>(7)?,
                            r.get::<_, String>(8)?,
                            r.get::<_, String>(9)?,
                            r.get::<_, i64>(10)?,
                        ))
                    },
                )
                .optional()?;
            let Some((last_used, sid, revoked, reason, method, device, aid, login, kind, name, agreement)) = row
            else {
                return Err(ApiError::new(ErrorCode::Unauthorized, "Your session is not valid. Sign in again."));
            };
            if revoked.is_some() {
                return Err(ApiError::new(
                    ErrorCode::SessionRevoked,
                    format!("This session was ended ({}). Sign in again.", reason.unwrap_or_else(|| "revoked".into())),
                ));
            }
            if now - last_used > ACCESS_IDLE_MS {
                tx.execute("DELETE FROM access_tokens WHERE hash = ?1", params![digest])?;
                return Err(ApiError::new(
                    ErrorCode::SessionInactive,
                    "The session ended after 20 minutes without activity. Sign in again.",
                ));
            }
            tx.execute("UPDATE access_tokens SET last_used_ms = ?1 WHERE hash = ?2", params![now, digest])?;
            tx.execute("UPDATE sessions SET last_seen_ms = ?1 WHERE id = ?2", params![now, sid])?;
            Ok(Authed {
                session_id: sid,
                account_id: aid,
                login,
                kind: AccountKind::parse(&kind).unwrap_or(AccountKind::Mobile),
                name,
                method: parse_method(&method),
                device,
                channel,
                agreement_version: u32::try_from(agreement).unwrap_or(0),
            })
        })
        .await
}

impl FromRequestParts<AppState> for AuthedAny {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await.map(AuthedAny)
    }
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let a = authenticate(parts, state).await?;
        if a.agreement_version < crate::AGREEMENT_VERSION {
            return Err(ApiError::new(
                ErrorCode::AgreementRequired,
                "Accept the System Use Agreement to continue.",
            ));
        }
        Ok(a)
    }
}
