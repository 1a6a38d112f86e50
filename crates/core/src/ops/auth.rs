//! Signing in and staying signed in (AUTH-1…AUTH-9, AUTH-12).
//!
//! Every way in ends in [`Core::finish_login`]: a session slot in memory (tokens never leave
//! it except the refresh token of a remembered account, which goes to the keyring), the
//! account's row in the cache, and an event. Refreshes are single-flight per session: the slot's
//! token mutex is held across the request, and a generation counter tells late callers that
//! someone already refreshed for them.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use mymts_proto::wire::{
    AccountKind, Captcha, ChangePassword, LoginMethod, LoginRequest, LoginResponse,
    PasswordChanged, RecoveryConfirm, RecoverySent, SmsPasswordRequest, SmsPasswordSent,
};
use mymts_proto::{COMMAND_NUMBER, ErrorCode, PhoneNumber};

use crate::client::ApiClient;
use crate::domain::{Account, Session};
use crate::error::{CoreError, CoreResult};
use crate::events::{CoreEvent, EndReason};
use crate::{Core, INACTIVITY_MS};

/// A keep-alive goes out when the user has been active on cached screens and the operator has
/// not seen the session for this long: well inside the 20 minutes of AUTH-8.
pub const KEEPALIVE_MS: i64 = 5 * 60 * 1000;

/// The refresh token, held by whoever is refreshing (the single flight).
pub(crate) struct Tokens {
    refresh: String,
}

pub(crate) struct Slot {
    pub(crate) session: Session,
    tokens: tokio::sync::Mutex<Tokens>,
    /// The current access token and its generation, readable without waiting for a refresh in
    /// flight: a caller notes the generation it saw, and after the flight sees it moved.
    access: std::sync::Mutex<Option<String>>,
    generation: AtomicU64,
    last_activity_ms: AtomicI64,
    /// When this app last reached the operator with the session's access token (any request
    /// counts there as activity, AUTH-8); the keep-alive compares it with `last_activity_ms`.
    server_seen_ms: AtomicI64,
    /// The identity of the operator that issued the session (SEC-5), when known: its refresh
    /// token is kept under it and is never sent to an operator with another one.
    operator: Option<String>,
    /// Set once the agreement is accepted in this session, so switching back does not ask again.
    agreement_accepted: AtomicBool,
    /// Set when the user had this device forgotten while the session runs (Settings →
    /// "Remember this device" off): the session goes on until it ends, but its rotations no
    /// longer reach the keyring and an idle end is a real end.
    forgotten: AtomicBool,
}

impl Slot {
    /// The session as callers see it now.
    fn view(&self) -> Session {
        let mut s = self.session.clone();
        if self.agreement_accepted.load(Ordering::Relaxed) {
            s.agreement_required = false;
        }
        s.remembered = self.remembered();
        s
    }

    /// Remembered on this device now: at sign-in, and not forgotten since.
    fn remembered(&self) -> bool {
        self.session.remembered && !self.forgotten.load(Ordering::SeqCst)
    }

    fn access(&self) -> Option<String> {
        self.access.lock().ok().and_then(|a| a.clone())
    }
}

pub(crate) struct Sessions {
    pub(crate) map: HashMap<String, Arc<Slot>>,
    pub(crate) active: Option<String>,
}

/// What a login did besides signing in.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LoginOutcome {
    pub session: Session,
    /// Set when "remember this device" was asked for but the keyring could not take the token:
    /// the session works, it just will not survive a restart.
    pub keyring_error: Option<CoreError>,
}

/// A captcha to show (AUTH-4): the PNG, decoded.
#[derive(Debug, Clone)]
pub struct CaptchaImage {
    pub id: String,
    pub png: Vec<u8>,
    pub expires_in_s: u64,
}

impl CaptchaImage {
    /// The PNG as a web page shows it: `data:image/png;base64,…`'s payload.
    pub fn png_base64(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&self.png)
    }
}

/// A login as typed: a phone number in any AUTH-2 form, or a contract / banking login.
pub fn normalise_login(input: &str) -> CoreResult<String> {
    let t = input.trim();
    if t.is_empty() {
        return Err(CoreError::InvalidInput(
            "Enter a phone or contract number.".into(),
        ));
    }
    if t.chars().count() > 64 {
        return Err(CoreError::InvalidInput("The login is too long.".into()));
    }
    let phone_like = t
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    match PhoneNumber::parse(t) {
        Ok(p) => Ok(p.to_string()),
        // Looks like a number someone typed with separators: say what is wrong with it.
        Err(e) if phone_like && (t.starts_with('+') || t.chars().any(|c| " -().".contains(c))) => {
            Err(e.into())
        }
        Err(_) => Ok(t.to_string()),
    }
}

fn phone(input: &str) -> CoreResult<PhoneNumber> {
    Ok(PhoneNumber::parse(input)?)
}

fn nonempty(what: &str, v: &str) -> CoreResult<()> {
    if v.trim().is_empty() {
        return Err(CoreError::InvalidInput(format!("Enter the {what}.")));
    }
    if v.len() > 256 {
        return Err(CoreError::InvalidInput(format!("The {what} is too long.")));
    }
    Ok(())
}

fn end_reason_for(e: &CoreError) -> Option<EndReason> {
    match e.api_code()? {
        ErrorCode::SessionInactive => Some(EndReason::Inactivity),
        ErrorCode::SessionRevoked | ErrorCode::InvalidRefreshToken => Some(EndReason::Revoked),
        _ => None,
    }
}

impl Core {
    // --- the ways in ---------------------------------------------------------------------

    /// A captcha for the SMS-password request (AUTH-4).
    pub async fn captcha(&self) -> CoreResult<CaptchaImage> {
        use base64::Engine as _;
        let c: Captcha = self.inner.client.captcha().await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(c.image_png_base64.as_bytes())
            .map_err(|e| CoreError::Protocol(format!("captcha image: {e}")))?;
        Ok(CaptchaImage {
            id: c.id,
            png,
            expires_in_s: c.expires_in_s,
        })
    }

    /// "Receive password via SMS" (AUTH-4). The captcha answer is case-sensitive. `challenge`
    /// is the one an earlier request returned, if the caller holds one: a resend while the code
    /// is valid goes on with it (SEC-2). The answer's `challenge` goes with the code to
    /// [`Core::login_sms_code`].
    pub async fn request_sms_password(
        &self,
        phone_input: &str,
        captcha_id: &str,
        captcha_answer: &str,
        challenge: Option<&str>,
    ) -> CoreResult<SmsPasswordSent> {
        let p = phone(phone_input)?;
        nonempty("captcha", captcha_answer)?;
        nonempty("captcha id", captcha_id)?;
        self.inner
            .client
            .sms_password(&SmsPasswordRequest {
                phone: p.to_string(),
                captcha_id: captcha_id.to_string(),
                captcha_answer: captcha_answer.to_string(),
                challenge: challenge.map(str::to_string),
            })
            .await
    }

    /// Permanent password, for a phone number or a contract (AUTH-1, AUTH-3).
    pub async fn login_password(
        &self,
        login_input: &str,
        password: &str,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        let login = normalise_login(login_input)?;
        nonempty("password", password)?;
        let req = LoginRequest::Password {
            login,
            password: password.to_string(),
            device: Some(self.inner.device.clone()),
        };
        let resp = self.inner.client.login(&req).await?;
        self.finish_login(resp, remember).await
    }

    /// SMS one-time password (AUTH-4) — also the last step of the 111 flow (AUTH-5). When the
    /// SMS with this code is on the phone's inbox, its delivery tag goes with the code (SEC-2,
    /// `ops::delivery`); otherwise `challenge`, the one [`Core::request_sms_password`] returned:
    /// the operator counts wrong entries per challenge, so a stranger's guesses never spend ours.
    /// With neither, the guess spends the code's shared tries.
    pub async fn login_sms_code(
        &self,
        phone_input: &str,
        code: &str,
        challenge: Option<&str>,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        let p = phone(phone_input)?;
        nonempty("code", code)?;
        // The SMS itself, read on this device, brings a challenge a stranger never saw.
        let delivered = self.delivery_tag(&p, code.trim()).await;
        let req = LoginRequest::SmsCode {
            phone: p.to_string(),
            code: code.trim().to_string(),
            challenge: delivered
                .or_else(|| challenge.map(str::to_string).filter(|c| !c.is_empty())),
            device: Some(self.inner.device.clone()),
        };
        let resp = self.inner.client.login(&req).await?;
        self.finish_login(resp, remember).await
    }

    /// On-net identification (AUTH-7): the device's SIM (the configured `device_sim`) attaches
    /// to operator data through the world door, and the login travels through the operator's
    /// gateway inside that data session; the gateway learns the number from the session. No
    /// number typed by the user is ever sent as an identity.
    pub async fn login_on_net(&self, remember: bool) -> CoreResult<LoginOutcome> {
        let Some(sim) = self.inner.device_sim.clone() else {
            return Err(CoreError::Api(mymts_proto::ApiErrorBody::new(
                ErrorCode::NotOnNet,
                "This device has no SIM of the operator (set the device SIM).",
            )));
        };
        let sim = phone(&sim)?;
        let session = self.inner.client.open_data_session(sim.as_str()).await?;
        let gw = match session.gateway_url.clone() {
            Some(gw) => gw,
            None => self.inner.client.info().await?.gateway_url.ok_or_else(|| {
                CoreError::Api(mymts_proto::ApiErrorBody::new(
                    ErrorCode::NotOnNet,
                    "This operator has no on-net gateway.",
                ))
            })?,
        };
        let gateway = ApiClient::via_gateway(&gw, &session.session)?;
        let req = LoginRequest::OnNet {
            device: Some(self.inner.device.clone()),
        };
        let resp = gateway.login(&req).await?;
        self.finish_login(resp, remember).await
    }

    /// The simulated phone whose SIM is in this device (AUTH-7), when one is set.
    pub fn device_sim(&self) -> Option<&str> {
        self.inner.device_sim.as_deref()
    }

    /// A linked account of the simulated social network (AUTH-12).
    pub async fn login_social(
        &self,
        provider: &str,
        username: &str,
        password: &str,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        nonempty("provider", provider)?;
        nonempty("user name", username)?;
        nonempty("password", password)?;
        let req = LoginRequest::Social {
            provider: provider.trim().to_string(),
            username: username.trim().to_string(),
            password: password.to_string(),
            device: Some(self.inner.device.clone()),
        };
        let resp = self.inner.client.login(&req).await?;
        self.finish_login(resp, remember).await
    }

    /// E-mail recovery for contract accounts (AUTH-1): sends a code to the recovery address. The
    /// answer's `challenge` goes with the code to [`Core::recover_and_login`] (SEC-2).
    pub async fn request_recovery(&self, contract: &str) -> CoreResult<RecoverySent> {
        let c = normalise_login(contract)?;
        self.inner.client.recovery(&c).await
    }

    /// Completes e-mail recovery with the code from the letter and signs in with the new
    /// password (which also clears a password lock, AUTH-3).
    pub async fn recover_and_login(
        &self,
        contract: &str,
        challenge: &str,
        code: &str,
        new_password: &str,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        let c = normalise_login(contract)?;
        nonempty("code", code)?;
        mymts_proto::password::check_new_password(new_password, &c)
            .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        self.inner
            .client
            .recovery_confirm(&RecoveryConfirm {
                contract: c.clone(),
                challenge: challenge.to_string(),
                code: code.trim().to_string(),
                new_password: new_password.to_string(),
            })
            .await?;
        self.login_password(&c, new_password, remember).await
    }

    /// The 111 command (AUTH-5): the simulated phone texts `25 <password>` to 111. The reply
    /// brings a one-time password; logging in with it ([`Core::login_sms_code`]) makes the
    /// password permanent. The rules are checked here first so the user learns why at once.
    pub async fn request_password_by_111(
        &self,
        phone_input: &str,
        password: &str,
    ) -> CoreResult<()> {
        let p = phone(phone_input)?;
        mymts_proto::password::check_new_password(password, p.as_str())
            .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        self.inner
            .client
            .send_sms(p.as_str(), COMMAND_NUMBER, &format!("25 {password}"))
            .await
    }

    /// Opens a session of a linked account (ACC-7) beside the current one and switches to it.
    pub async fn open_linked(&self, login: &str) -> CoreResult<LoginOutcome> {
        let login = normalise_login(login)?;
        let client = self.inner.client.clone();
        let resp = self
            .authed(move |a| {
                let (c, l) = (client.clone(), login.clone());
                async move { c.linked_session(&a, &l).await }
            })
            .await?;
        self.finish_login(resp, false).await
    }

    pub(crate) async fn finish_login(
        &self,
        resp: LoginResponse,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        let account = Account::from(resp.account.clone());
        let login = account.login.clone();
        let mut keyring_error = None;
        let mut remembered = false;
        // Asked now, not taken from an earlier answer: the address may lead to another operator
        // since (SEC-5). Unknown, the session is neither remembered nor ever refreshed.
        let operator = self.operator_id_fresh().await;
        if let Err(e) = &operator {
            tracing::warn!(
                code = e.code(),
                "the operator's identity is unknown: this session will not be remembered or renewed"
            );
        }
        if remember {
            // The token is in the keyring, bound to this operator (SEC-5), before anything else
            // can use or lose it.
            let saved = match &operator {
                Ok(op) => {
                    self.inner
                        .vault
                        .save(op, &account, &resp.tokens.refresh_token)
                        .await
                }
                Err(e) => Err(e.clone()),
            };
            match saved {
                Ok(()) => remembered = true,
                Err(e) => {
                    tracing::warn!(code = e.code(), "remember me is off: keyring unavailable");
                    self.emit(CoreEvent::KeyringUnavailable {
                        message: e.to_string(),
                    });
                    keyring_error = Some(e);
                }
            }
        } else if let Ok(op) = &operator {
            // A new session that is not to be remembered replaces a remembered one.
            let _ = self.inner.vault.delete(op, &login).await;
        }
        self.inner
            .cache
            .upsert_account(&account, remembered, self.now_ms())?;
        let session = Session {
            account: account.clone(),
            session_id: resp.session_id.clone(),
            method: resp.method,
            remembered,
            agreement_required: resp.agreement_required,
            offer_permanent_password: resp.offer_permanent_password,
            permanent_password_set: resp.permanent_password_set,
        };
        self.install(
            session.clone(),
            Some(resp.tokens.access_token),
            resp.tokens.refresh_token,
            operator.ok(),
        );
        Ok(LoginOutcome {
            session,
            keyring_error,
        })
    }

    fn install(
        &self,
        session: Session,
        access: Option<String>,
        refresh: String,
        operator: Option<String>,
    ) {
        let login = session.account.login.clone();
        let kind = session.account.kind.as_str().to_string();
        let slot = Arc::new(Slot {
            session,
            tokens: tokio::sync::Mutex::new(Tokens { refresh }),
            access: std::sync::Mutex::new(access),
            generation: AtomicU64::new(0),
            last_activity_ms: AtomicI64::new(self.now_ms()),
            server_seen_ms: AtomicI64::new(self.now_ms()),
            operator,
            agreement_accepted: AtomicBool::new(false),
            forgotten: AtomicBool::new(false),
        });
        if let Ok(mut s) = self.inner.sessions.lock() {
            s.map.insert(login.clone(), slot);
            s.active = Some(login.clone());
        }
        self.emit(CoreEvent::SessionStarted {
            login: login.clone(),
            kind,
        });
        self.emit(CoreEvent::ActiveAccountChanged { login });
    }

    // --- autologin (AUTH-6) ----------------------------------------------------------------

    /// Signs in every remembered account from its keyring token, the most recently used one
    /// active. `Ok(None)` when nothing is remembered. An unreachable operator or keyring is an
    /// error; a token the operator refuses forgets that account's entry.
    pub async fn autologin(&self) -> CoreResult<Option<Session>> {
        let _one_at_a_time = self.inner.autologin_lock.lock().await;
        match self.autologin_locked().await? {
            Some(s) => Ok(Some(s)),
            None => self.autologin_on_net().await,
        }
    }

    /// AUTH-7 at start: with nothing remembered and the device's SIM on operator data, the app
    /// signs in with no input (not remembered: the data session is the proof, each start). Off
    /// operator data, or with no device SIM, nothing happens and the login screen shows.
    async fn autologin_on_net(&self) -> CoreResult<Option<Session>> {
        if let Some(s) = self.current() {
            return Ok(Some(s));
        }
        if self.inner.device_sim.is_none() {
            return Ok(None);
        }
        match self.login_on_net(false).await {
            Ok(out) => Ok(Some(out.session)),
            Err(CoreError::Api(body)) => {
                tracing::info!(code = ?body.code, "no on-net sign-in at start");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Autologin behind the platform's fingerprint or face check (AUTH-14). `unlock` runs only
    /// when an account is remembered and none is signed in yet, and before any token is read: a
    /// refused check leaves every keyring entry as it was and signs nothing in
    /// ([`CoreError::UnlockRefused`]). Callers racing at start-up see one prompt, not two.
    pub async fn autologin_unlocked<F, Fut>(&self, unlock: F) -> CoreResult<Option<Session>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let _one_at_a_time = self.inner.autologin_lock.lock().await;
        // The keyring's index, not the cache, says who is remembered (the cache may have been
        // rebuilt, CACHE-3); reading it reads no token.
        let op = self.operator_id_fresh().await?;
        if self.inner.vault.index(&op).await?.is_empty() {
            return Ok(None);
        }
        if let Some(s) = self.current() {
            return Ok(Some(s));
        }
        unlock().await.map_err(CoreError::UnlockRefused)?;
        self.autologin_locked().await
    }

    /// The accounts remembered at the operator `op`, most recently used first. The keyring's
    /// index is the truth (SEC-5: per operator; CACHE-3: it outlives a rebuilt cache); the
    /// cache's `remembered` flags are made to follow it, since the first frame reads them.
    async fn remembered_at(&self, op: &str) -> CoreResult<Vec<Account>> {
        let index = self.inner.vault.index(op).await?;
        let cached = self.inner.cache.remembered_accounts()?;
        let mut out = Vec::new();
        for a in cached {
            if index.iter().any(|x| x.login == a.login) {
                out.push(a);
            } else {
                // Remembered elsewhere (another operator) or forgotten: not here.
                self.inner.cache.set_remembered(&a.login, false)?;
            }
        }
        for a in index.into_iter().rev() {
            if !out.iter().any(|x| x.login == a.login) {
                out.push(a);
            }
        }
        Ok(out)
    }

    async fn autologin_locked(&self) -> CoreResult<Option<Session>> {
        // Asked afresh at every autologin: the address may now lead to another operator.
        let op = self.operator_id_fresh().await?;
        let accounts = self.remembered_at(&op).await?;
        let mut first_err = None;
        let mut any = false;
        // Oldest first, so the most recently used ends up active.
        for account in accounts.into_iter().rev() {
            if self.session_of(&account.login).is_some() {
                any = true;
                continue;
            }
            match self.autologin_one(&op, &account).await {
                Ok(true) => any = true,
                Ok(false) => {}
                Err(e) => {
                    if first_err.is_none() {
                        first_err = Some(e);
                    }
                }
            }
        }
        if any {
            return Ok(self.current());
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    async fn autologin_one(&self, op: &str, account: &Account) -> CoreResult<bool> {
        let Some(token) = self.inner.vault.load(op, &account.login).await? else {
            // An index line without its token: a crash while remembering. Not remembered.
            let _ = self.inner.vault.delete(op, &account.login).await;
            self.inner.cache.set_remembered(&account.login, false)?;
            return Ok(false);
        };
        self.inner.refresh_requests.fetch_add(1, Ordering::SeqCst);
        let pair = match self.inner.client.refresh(&token).await {
            Ok(p) => p,
            // Only a definite refusal forgets the token; a network error or a 5xx keeps it, and
            // it still signs in later (AUTH-6).
            Err(e) if end_reason_for(&e).is_some() => {
                let _ = self.inner.vault.delete(op, &account.login).await;
                self.inner.cache.set_remembered(&account.login, false)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        crate::fail_point!("core::autologin::before_keyring_write");
        // Saved the moment it arrives. Should this write be lost (a crash, a keyring failure)
        // the old token still signs in: its successor was never used (AUTH-6).
        if let Err(e) = self
            .inner
            .vault
            .rotate(op, &account.login, &pair.refresh_token)
            .await
        {
            self.emit(CoreEvent::KeyringUnavailable {
                message: e.to_string(),
            });
        }
        crate::fail_point!("core::autologin::before_cache_write");
        // The account row may be gone with a rebuilt cache: put it back, remembered.
        self.inner
            .cache
            .upsert_account(account, true, self.now_ms())?;
        let session = Session {
            account: account.clone(),
            session_id: String::new(),
            method: LoginMethod::Password,
            remembered: true,
            agreement_required: false,
            offer_permanent_password: false,
            permanent_password_set: false,
        };
        self.install(
            session,
            Some(pair.access_token),
            pair.refresh_token,
            Some(op.to_string()),
        );
        Ok(true)
    }

    // --- sessions ----------------------------------------------------------------------------

    fn session_of(&self, login: &str) -> Option<Arc<Slot>> {
        self.inner.sessions.lock().ok()?.map.get(login).cloned()
    }

    fn active_slot(&self) -> CoreResult<Arc<Slot>> {
        let s = self
            .inner
            .sessions
            .lock()
            .map_err(|_| CoreError::NotSignedIn)?;
        s.active
            .as_ref()
            .and_then(|l| s.map.get(l))
            .cloned()
            .ok_or(CoreError::NotSignedIn)
    }

    /// The active session, if signed in.
    pub fn current(&self) -> Option<Session> {
        self.active_slot().ok().map(|s| s.view())
    }

    /// Every signed-in account (linked numbers, contracts), the active one flagged by
    /// [`Core::current`].
    pub fn sessions(&self) -> Vec<Session> {
        self.inner
            .sessions
            .lock()
            .map(|s| s.map.values().map(|v| v.view()).collect())
            .unwrap_or_default()
    }

    /// Switches the active account (ACC-7) to one that is signed in.
    pub fn switch_to(&self, login_input: &str) -> CoreResult<Session> {
        let login = normalise_login(login_input)?;
        let session = {
            let mut s = self
                .inner
                .sessions
                .lock()
                .map_err(|_| CoreError::NotSignedIn)?;
            let Some(slot) = s.map.get(&login).cloned() else {
                return Err(CoreError::NotSignedIn);
            };
            s.active = Some(login.clone());
            slot.view()
        };
        let _ = self.inner.cache.touch_account(&login, self.now_ms());
        self.emit(CoreEvent::ActiveAccountChanged { login });
        Ok(session)
    }

    /// Switches to an account: one signed in already, else a linked number, which gets its own
    /// session from the operator (ACC-7).
    pub async fn switch_account(&self, login_input: &str) -> CoreResult<Session> {
        match self.switch_to(login_input) {
            Err(CoreError::NotSignedIn) => Ok(self.open_linked(login_input).await?.session),
            other => other,
        }
    }

    /// Counts user activity for the inactivity clock (AUTH-8). Every core call made on the
    /// user's behalf does this; the shell calls it on input too.
    pub fn touch(&self) {
        if let Ok(slot) = self.active_slot() {
            slot.last_activity_ms.store(self.now_ms(), Ordering::SeqCst);
        }
    }

    /// Ends the sessions idle for 20 minutes by the device clock, with the event
    /// "session ended: inactivity". Returns the logins it ended.
    pub async fn check_inactivity(&self) -> Vec<String> {
        let now = self.now_ms();
        let idle: Vec<Arc<Slot>> = self
            .inner
            .sessions
            .lock()
            .map(|s| {
                s.map
                    .values()
                    .filter(|v| now - v.last_activity_ms.load(Ordering::SeqCst) >= INACTIVITY_MS)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut ended = Vec::new();
        for slot in idle {
            self.end_session(&slot, EndReason::Inactivity).await;
            ended.push(slot.session.account.login.clone());
        }
        ended
    }

    /// Keeps the server sessions of active users alive (AUTH-8): for each session the user has
    /// touched since the operator last saw it, and that the operator has not seen for
    /// [`KEEPALIVE_MS`], one `POST /v1/session/keepalive`. Returns the logins it kept alive.
    pub async fn keep_alive(&self) -> Vec<String> {
        let now = self.now_ms();
        let due: Vec<Arc<Slot>> = self
            .inner
            .sessions
            .lock()
            .map(|s| {
                s.map
                    .values()
                    .filter(|v| {
                        let act = v.last_activity_ms.load(Ordering::SeqCst);
                        let seen = v.server_seen_ms.load(Ordering::SeqCst);
                        act > seen && now - seen >= KEEPALIVE_MS && now - act < INACTIVITY_MS
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let mut kept = Vec::new();
        for slot in due {
            let client = self.inner.client.clone();
            let r = self
                .authed_slot_as(&slot, false, move |a| {
                    let c = client.clone();
                    async move { c.keepalive(&a).await }
                })
                .await;
            match r {
                Ok(()) => kept.push(slot.session.account.login.clone()),
                Err(e) => tracing::info!(code = e.code(), "keep-alive did not go through"),
            }
        }
        kept
    }

    /// Runs [`Core::check_inactivity`] and [`Core::keep_alive`] every `period` until the core
    /// is dropped.
    pub fn spawn_inactivity_watch(
        &self,
        period: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                let core = Core { inner };
                core.check_inactivity().await;
                core.keep_alive().await;
            }
        })
    }

    /// Ends a session on this side: forgets its tokens, its keyring entry and (for Exit) its
    /// cached data. For inactivity and revocation the cache stays: it is still the user's.
    async fn end_session(&self, slot: &Arc<Slot>, reason: EndReason) {
        let login = slot.session.account.login.clone();
        let removed = self
            .inner
            .sessions
            .lock()
            .map(|mut s| {
                let was = s.map.get(&login).is_some_and(|v| Arc::ptr_eq(v, slot));
                if was {
                    s.map.remove(&login);
                    if s.active.as_deref() == Some(login.as_str()) {
                        s.active = s.map.keys().next().cloned();
                    }
                }
                was
            })
            .unwrap_or(false);
        if !removed {
            return;
        }
        // AUTH-8: an idle end on a remembered device keeps the device remembered (its refresh
        // token signs in again, the same session); elsewhere the idle session is revoked with
        // its lapsed access token, which the operator still takes for a logout. A revoked
        // session's token is worthless: forget it. Exit revoked it already.
        let forget = match reason {
            EndReason::Inactivity => {
                if !slot.remembered()
                    && let Some(a) = slot.access()
                {
                    let _ = self.inner.client.logout(&a).await;
                }
                false
            }
            EndReason::Revoked => slot.remembered(),
            EndReason::Exit => true,
        };
        if forget {
            crate::fail_point!("core::exit::before_keyring_delete");
            if let Some(op) = self.slot_operator(slot)
                && let Err(e) = self.inner.vault.delete(&op, &login).await
            {
                tracing::warn!(code = e.code(), "could not delete the keyring entry");
            }
            let _ = self.inner.cache.set_remembered(&login, false);
        }
        tracing::info!(%reason, "session ended");
        self.emit(CoreEvent::SessionEnded {
            login,
            reason,
            remembered: slot.remembered() && !forget,
        });
    }

    /// "Exit" (AUTH-8): revokes the session on the server, deletes the keyring entry and wipes
    /// the account's cache. The local part happens even when the operator cannot be reached;
    /// the error then says the server side did not.
    pub async fn logout(&self) -> CoreResult<()> {
        let slot = self.active_slot()?;
        let login = slot.session.account.login.clone();
        let client = self.inner.client.clone();
        let server = self
            .authed_slot(&slot, move |a| {
                let c = client.clone();
                async move { c.logout(&a).await }
            })
            .await;
        self.end_session(&slot, EndReason::Exit).await;
        let vault = match self.slot_operator(&slot) {
            Some(op) => self.inner.vault.delete(&op, &login).await,
            None => Ok(()),
        };
        self.inner.cache.wipe_account(&login)?;
        match server {
            Ok(()) => vault,
            Err(e) if end_reason_for(&e).is_some() => vault,
            Err(e) => Err(e),
        }
    }

    /// The operator a slot's token is kept under: its own, else the one this core knows.
    fn slot_operator(&self, slot: &Slot) -> Option<String> {
        slot.operator
            .clone()
            .or_else(|| self.inner.operator_id.lock().ok().and_then(|g| g.clone()))
    }

    // --- settings ------------------------------------------------------------------------

    /// Settings → "Remember this device" off (AUTH-6; issue 13, item 7): this device forgets
    /// every account remembered at the current operator. Their keyring entries (tokens and
    /// the operator's index) are deleted and the cache's `remembered` flags cleared, so the
    /// next start shows the login screen. The sessions running now stay signed in until they
    /// end (Exit, quitting the app, or 20 idle minutes, which is now a real end): their later
    /// rotations no longer reach the keyring. Returns the logins forgotten.
    ///
    /// An operator that cannot be asked for its identity leaves everything as it was (its
    /// entries cannot be named): the error says so, and the user can try again.
    pub async fn forget_device(&self) -> CoreResult<Vec<String>> {
        // No autologin reads or writes a token meanwhile.
        let _no_autologin = self.inner.autologin_lock.lock().await;
        let op = self.operator_id().await?;
        let slots: Vec<Arc<Slot>> = self
            .inner
            .sessions
            .lock()
            .map(|s| s.map.values().cloned().collect())
            .unwrap_or_default();
        // No rotation is in flight or starts until the entries are gone: each would write its
        // new token back into the keyring.
        let mut rotations = Vec::with_capacity(slots.len());
        for slot in &slots {
            rotations.push(slot.tokens.lock().await);
        }
        let mut logins: Vec<String> = self
            .inner
            .vault
            .index(&op)
            .await?
            .into_iter()
            .map(|a| a.login)
            .collect();
        // A remembered session whose index line was lost, and flags the cache still holds.
        let remembered_here = slots
            .iter()
            .filter(|s| s.remembered() && s.operator.as_deref() == Some(op.as_str()))
            .map(|s| s.session.account.login.clone());
        let cached = self
            .inner
            .cache
            .remembered_accounts()?
            .into_iter()
            .map(|a| a.login);
        for login in remembered_here.chain(cached) {
            if !logins.contains(&login) {
                logins.push(login);
            }
        }
        for login in &logins {
            self.inner.vault.delete(&op, login).await?;
            if let Some(slot) = slots.iter().find(|s| &s.session.account.login == login) {
                slot.forgotten.store(true, Ordering::SeqCst);
            }
            self.inner.cache.set_remembered(login, false)?;
        }
        drop(rotations);
        tracing::info!(
            accounts = logins.len(),
            "this device forgot its remembered accounts"
        );
        Ok(logins)
    }

    /// Accepts the current System Use Agreement (AUTH-10).
    pub async fn accept_agreement(&self) -> CoreResult<()> {
        // The session that is active now is the one that accepts, even if the user switches
        // accounts while the request is out.
        let slot = self.active_slot()?;
        let version = self.inner.client.agreement().await?.version;
        let client = self.inner.client.clone();
        self.authed_slot(&slot, move |a| {
            let c = client.clone();
            async move { c.accept_agreement(&a, version).await }
        })
        .await?;
        // The stored session must say so too, or switching back to it would ask again.
        slot.agreement_accepted.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Change password (AUTH-9); the rules are checked here before asking.
    pub async fn change_password(
        &self,
        old_password: Option<&str>,
        new_password: &str,
        sign_out_others: bool,
    ) -> CoreResult<PasswordChanged> {
        let login = self.active_slot()?.session.account.login.clone();
        mymts_proto::password::check_new_password(new_password, &login)
            .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let req = ChangePassword {
            old_password: old_password.map(str::to_string),
            new_password: new_password.to_string(),
            sign_out_others,
        };
        let client = self.inner.client.clone();
        self.authed(move |a| {
            let (c, r) = (client.clone(), req.clone());
            async move { c.change_password(&a, &r).await }
        })
        .await
    }

    // --- authorised requests -----------------------------------------------------------------

    /// Number of refresh requests this core has sent (single-flight tests).
    pub fn refresh_requests(&self) -> u64 {
        self.inner.refresh_requests.load(Ordering::SeqCst)
    }

    /// Runs `f` with the active session's access token: refreshes once on `unauthorized`,
    /// ends the session on `session_inactive` / `session_revoked` (no silent refresh).
    pub(crate) async fn authed<T, F, Fut>(&self, f: F) -> CoreResult<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = CoreResult<T>>,
    {
        let slot = self.active_slot()?;
        self.authed_slot(&slot, f).await
    }

    async fn authed_slot<T, F, Fut>(&self, slot: &Arc<Slot>, f: F) -> CoreResult<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = CoreResult<T>>,
    {
        self.authed_slot_as(slot, true, f).await
    }

    /// `user`: the request is the user's own doing (counts as activity here); the keep-alive
    /// is not.
    async fn authed_slot_as<T, F, Fut>(&self, slot: &Arc<Slot>, user: bool, f: F) -> CoreResult<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = CoreResult<T>>,
    {
        let now = self.now_ms();
        if now - slot.last_activity_ms.load(Ordering::SeqCst) >= INACTIVITY_MS {
            self.end_session(slot, EndReason::Inactivity).await;
            return Err(CoreError::SessionInactive);
        }
        if user {
            slot.last_activity_ms.store(now, Ordering::SeqCst);
        }
        slot.server_seen_ms.store(now, Ordering::SeqCst);
        let generation = slot.generation.load(Ordering::SeqCst);
        let access = match slot.access() {
            Some(a) => a,
            None => self.refresh_slot(slot, generation).await?,
        };
        match f(access).await {
            Err(e) if e.is(ErrorCode::Unauthorized) => {
                let access = self.refresh_slot(slot, generation).await?;
                let r = f(access).await;
                if let Err(e) = &r
                    && let Some(reason) = end_reason_for(e)
                {
                    self.end_session(slot, reason).await;
                }
                r
            }
            Err(e) => {
                if let Some(reason) = end_reason_for(&e) {
                    self.end_session(slot, reason).await;
                }
                Err(e)
            }
            ok => ok,
        }
    }

    /// Refreshes the active session now (the shell's "keep alive"; also used by tests).
    /// Concurrent calls share one request.
    pub async fn refresh(&self) -> CoreResult<()> {
        let slot = self.active_slot()?;
        let generation = slot.generation.load(Ordering::SeqCst);
        self.refresh_slot(&slot, generation).await.map(|_| ())
    }

    /// Single flight: whoever holds the token lock refreshes; callers that saw an older
    /// generation get the token it produced.
    async fn refresh_slot(&self, slot: &Arc<Slot>, seen_generation: u64) -> CoreResult<String> {
        let mut t = slot.tokens.lock().await;
        if slot.generation.load(Ordering::SeqCst) != seen_generation
            && let Some(a) = slot.access()
        {
            return Ok(a);
        }
        // SEC-5: the token goes only to the operator that issued it, at the address it was
        // issued at (the core's client never changes address). An unknown issuer gets nothing:
        // the token stays here, unsent.
        let Some(op) = &slot.operator else {
            return Err(CoreError::Protocol(format!(
                "the operator at {} did not give its identity when you signed in, so the session is not renewed there (nothing was sent); sign in again",
                self.inner.client.base_url()
            )));
        };
        let now = self.operator_id_fresh().await?;
        if &now != op {
            return Err(CoreError::Protocol(format!(
                "the operator at {} is no longer the one that signed you in (its identity changed); the session was not sent there",
                self.inner.client.base_url()
            )));
        }
        self.inner.refresh_requests.fetch_add(1, Ordering::SeqCst);
        let pair = match self.inner.client.refresh(&t.refresh).await {
            Ok(p) => p,
            Err(e) => {
                if let Some(reason) = end_reason_for(&e) {
                    drop(t);
                    self.end_session(slot, reason).await;
                }
                return Err(e);
            }
        };
        crate::fail_point!("core::refresh::before_keyring_write");
        let login = &slot.session.account.login;
        if slot.remembered()
            && let Err(e) = self
                .inner
                .vault
                .rotate(op, login, &pair.refresh_token)
                .await
        {
            self.emit(CoreEvent::KeyringUnavailable {
                message: e.to_string(),
            });
        }
        t.refresh = pair.refresh_token;
        if let Ok(mut a) = slot.access.lock() {
            *a = Some(pair.access_token.clone());
        }
        slot.generation.fetch_add(1, Ordering::SeqCst);
        drop(t);
        Ok(pair.access_token)
    }

    /// The kind of the active account, when signed in.
    pub fn active_kind(&self) -> Option<AccountKind> {
        self.current().map(|s| s.account.kind)
    }

    /// The active login, when signed in.
    pub fn active_login(&self) -> CoreResult<String> {
        Ok(self.active_slot()?.session.account.login.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth2_logins_normalise_phones_and_keep_contracts() {
        assert_eq!(
            normalise_login("8 (916) 123-45-67").expect("phone"),
            "+79161234567"
        );
        assert_eq!(
            normalise_login("9161234567").expect("phone"),
            "+79161234567"
        );
        assert_eq!(
            normalise_login(" 7700123456 ").expect("contract"),
            "7700123456"
        );
        assert_eq!(normalise_login("bank-ivanov").expect("bank"), "bank-ivanov");
        assert!(normalise_login("").is_err());
        assert!(normalise_login("+7 916 123-45-6").is_err());
        assert!(normalise_login(&"x".repeat(100)).is_err());
    }
}
