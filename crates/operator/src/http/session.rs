//! Who is calling: the channel a request came through, and the session behind a Bearer token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use mymts_proto::wire::{AccountKind, LoginMethod};
use mymts_proto::{ErrorCode, PhoneNumber};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::audit::Actor;
use crate::error::ApiError;
use crate::secrets::token_digest;
use crate::state::AppState;

/// A session's access ends after this long without a request, by the operator's clock (AUTH-8).
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

/// A Bearer token's row with its session and account, whatever the session's state.
struct TokenRow {
    session_id: String,
    revoked_reason: Option<Option<String>>,
    method: String,
    device: String,
    last_seen_ms: i64,
    idle_ended: bool,
    account_id: i64,
    login: String,
    kind: AccountKind,
    name: String,
    agreement: i64,
}

impl TokenRow {
    fn find(tx: &Transaction<'_>, digest: &str) -> Result<Option<Self>, ApiError> {
        Ok(tx
            .query_row(
                "SELECT s.id, s.revoked_ms IS NOT NULL, s.revoked_reason, s.method, s.device_name,
                        s.last_seen_ms, s.idle_ended_ms IS NOT NULL,
                        a.id, a.login, a.kind, a.name, a.agreement_version
                 FROM access_tokens t JOIN sessions s ON s.id = t.session_id
                 JOIN accounts a ON a.id = s.account_id WHERE t.hash = ?1",
                params![digest],
                |r| {
                    let revoked: bool = r.get(1)?;
                    Ok(Self {
                        session_id: r.get(0)?,
                        revoked_reason: if revoked { Some(r.get(2)?) } else { None },
                        method: r.get(3)?,
                        device: r.get(4)?,
                        last_seen_ms: r.get(5)?,
                        idle_ended: r.get(6)?,
                        account_id: r.get(7)?,
                        login: r.get(8)?,
                        kind: crate::db::accounts::kind_at(r, 9)?,
                        name: r.get(10)?,
                        agreement: r.get(11)?,
                    })
                },
            )
            .optional()?)
    }

    fn authed(self, channel: &'static str) -> Authed {
        Authed {
            session_id: self.session_id,
            account_id: self.account_id,
            login: self.login,
            kind: self.kind,
            name: self.name,
            method: parse_method(&self.method),
            device: self.device,
            channel,
            agreement_version: u32::try_from(self.agreement).unwrap_or(0),
        }
    }
}

fn not_signed_in() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthorized,
        "Your session is not valid. Sign in again.",
    )
}

fn channel_of(parts: &Parts) -> &'static str {
    parts
        .extensions
        .get::<Channel>()
        .map_or("api", Channel::name)
}

/// The live session behind the Bearer token. The request counts as activity (AUTH-8); a
/// session idle for more than [`ACCESS_IDLE_MS`] by the operator's clock is idle-ended here,
/// for good (its access tokens never work again; only a refresh of its family opens it again).
async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Authed, ApiError> {
    let token = bearer(parts)?;
    let channel = channel_of(parts);
    let digest = token_digest(&token);
    let now = state.now_ms();
    state
        .db
        .tx(move |tx| {
            let row = TokenRow::find(tx, &digest)?.ok_or_else(not_signed_in)?;
            if let Some(reason) = row.revoked_reason {
                return Err(ApiError::new(
                    ErrorCode::SessionRevoked,
                    format!(
                        "This session was ended ({}). Sign in again.",
                        reason.unwrap_or_else(|| "revoked".into())
                    ),
                ));
            }
            if row.idle_ended || now - row.last_seen_ms > ACCESS_IDLE_MS {
                // Committed (Ok(Err)): the idle end holds even if the clock is set back.
                tx.execute(
                    "UPDATE sessions SET idle_ended_ms = COALESCE(idle_ended_ms, ?1) WHERE id = ?2",
                    params![now, row.session_id],
                )?;
                return Ok(Err(ApiError::new(
                    ErrorCode::SessionInactive,
                    "The session ended after 20 minutes without activity. Sign in again.",
                )));
            }
            tx.execute(
                "UPDATE access_tokens SET last_used_ms = ?1 WHERE hash = ?2",
                params![now, digest],
            )?;
            tx.execute(
                "UPDATE sessions SET last_seen_ms = ?1 WHERE id = ?2",
                params![now, row.session_id],
            )?;
            Ok(Ok(row.authed(channel)))
        })
        .await?
}

/// The session a Bearer token names, live, idle-ended or already revoked: what logout needs,
/// since an app that ends a session for inactivity holds only its lapsed token (AUTH-8).
/// Looking it up is not activity. An unknown token is `unauthorized`.
#[derive(Debug, Clone)]
pub struct SessionOfToken {
    pub who: Authed,
    pub revoked: bool,
}

impl FromRequestParts<AppState> for SessionOfToken {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let digest = token_digest(&bearer(parts)?);
        let channel = channel_of(parts);
        let row = state
            .db
            .tx(move |tx| TokenRow::find(tx, &digest))
            .await?
            .ok_or_else(not_signed_in)?;
        Ok(Self {
            revoked: row.revoked_reason.is_some(),
            who: row.authed(channel),
        })
    }
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
        if a.agreement_version < crate::agreement::AGREEMENT_VERSION {
            return Err(ApiError::new(
                ErrorCode::AgreementRequired,
                "Accept the System Use Agreement to continue.",
            ));
        }
        Ok(a)
    }
}
