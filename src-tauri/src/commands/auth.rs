//! Signing in, staying signed in, sessions and activity (AUTH-1…12).

use mymts_core::ops::auth::Strength;
use mymts_core::ops::auth::{LoginOutcome, Resumed};
use mymts_core::{CoreError, Session};
use mymts_proto::wire::{
    ActivityPage, Agreement, PasswordChanged, RecoverySent, Revoked, SessionInfo, SmsPasswordSent,
    SocialLink,
};
use mymts_proto::{Login, PhoneNumber};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::Shell;

/// A captcha to show: `<img src="data:image/png;base64,{png_base64}">`.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct CaptchaView {
    pub id: String,
    pub png_base64: String,
    pub expires_in_s: u64,
}

#[tauri::command]
#[specta::specta]
pub async fn autologin(shell: State<'_, Shell>) -> Result<Option<Session>, CoreError> {
    let core = shell.core().await?;
    match shell.resume(&core).await? {
        Resumed::SignedIn(s) => Ok(Some(s)),
        Resumed::Nobody => Ok(None),
        // The first frame already shows the cached account; the UI keeps it and the core's
        // `operatorStatus` turns the offline banner on.
        Resumed::Offline { error, .. } => Err(error),
    }
}

/// User activity, for the 20-minute inactivity clock (AUTH-8).
#[tauri::command]
#[specta::specta]
pub fn touch(shell: State<'_, Shell>) -> Result<(), CoreError> {
    if let Some(core) = shell.core_now() {
        core.touch();
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn captcha(shell: State<'_, Shell>) -> Result<CaptchaView, CoreError> {
    let core = shell.core().await?;
    let c = core.captcha().await?;
    Ok(CaptchaView {
        png_base64: c.png_base64(),
        id: c.id,
        expires_in_s: c.expires_in_s,
    })
}

#[tauri::command]
#[specta::specta]
pub async fn request_sms_password(
    shell: State<'_, Shell>,
    phone: String,
    captcha_id: String,
    captcha_answer: String,
    challenge: Option<String>,
) -> Result<SmsPasswordSent, CoreError> {
    let core = shell.core().await?;
    let phone = PhoneNumber::parse(&phone)?;
    // The core watches the phone before it asks, so the code cannot race the watcher (issue 13).
    core.request_sms_password(&phone, &captcha_id, &captcha_answer, challenge.as_deref())
        .await
}

/// The number as the operator reads it (AUTH-2: any form it accepts, as `+7XXXXXXXXXX`), or
/// `invalid_input` saying why: the UI's early check and the phone drawer use the one rule, not a copy.
#[tauri::command]
#[specta::specta]
pub fn read_phone(text: String) -> Result<PhoneNumber, CoreError> {
    Ok(PhoneNumber::parse(&text)?)
}

/// Watches `phone`'s inbox so its code arrives as `smsReceived` (and a notification).
#[tauri::command]
#[specta::specta]
pub async fn watch_phone(shell: State<'_, Shell>, phone: String) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.watch_login_phone(&PhoneNumber::parse(&phone)?).await
}

#[tauri::command]
#[specta::specta]
pub async fn login_password(
    shell: State<'_, Shell>,
    login: String,
    password: String,
    remember: bool,
) -> Result<LoginOutcome, CoreError> {
    let core = shell.core().await?;
    core.login_password(&Login::parse(&login)?, &password, remember)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn login_sms_code(
    shell: State<'_, Shell>,
    phone: String,
    code: String,
    challenge: Option<String>,
    remember: bool,
) -> Result<LoginOutcome, CoreError> {
    let core = shell.core().await?;

    core.login_sms_code(
        &PhoneNumber::parse(&phone)?,
        &code,
        challenge.as_deref(),
        remember,
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn login_on_net(
    shell: State<'_, Shell>,
    remember: bool,
) -> Result<LoginOutcome, CoreError> {
    let core = shell.core().await?;
    core.login_on_net(remember).await
}

#[tauri::command]
#[specta::specta]
pub async fn login_social(
    shell: State<'_, Shell>,
    provider: String,
    username: String,
    password: String,
    remember: bool,
) -> Result<LoginOutcome, CoreError> {
    let core = shell.core().await?;
    let r = core.login_social(&provider, &username, &password, remember);
    r.await
}

/// Contract accounts (Home Internet and TV, Satellite TV, banking): password only (AUTH-1).
#[tauri::command]
#[specta::specta]
pub async fn login_contract(
    shell: State<'_, Shell>,
    contract: String,
    password: String,
    remember: bool,
) -> Result<LoginOutcome, CoreError> {
    let core = shell.core().await?;
    core.login_password(&Login::parse(&contract)?, &password, remember)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn request_recovery(
    shell: State<'_, Shell>,
    contract: String,
    captcha_id: String,
    captcha_answer: String,
) -> Result<RecoverySent, CoreError> {
    let core = shell.core().await?;
    core.request_recovery(&Login::parse(&contract)?, &captcha_id, &captcha_answer)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn confirm_recovery(
    shell: State<'_, Shell>,
    contract: String,
    challenge: String,
    code: String,
    new_password: String,
    remember: bool,
) -> Result<LoginOutcome, CoreError> {
    let core = shell.core().await?;
    let contract = Login::parse(&contract)?;
    let r = core.recover_and_login(&contract, &challenge, &code, &new_password, remember);
    r.await
}

/// AUTH-5: sends `25 <password>` to 111 from the simulated phone.
#[tauri::command]
#[specta::specta]
pub async fn request_password_by_111(
    shell: State<'_, Shell>,
    phone: String,
    password: String,
) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.request_password_by_111(&PhoneNumber::parse(&phone)?, &password)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn agreement(shell: State<'_, Shell>) -> Result<Agreement, CoreError> {
    let core = shell.core().await?;
    core.agreement().await
}

#[tauri::command]
#[specta::specta]
pub async fn accept_agreement(shell: State<'_, Shell>) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.accept_agreement().await
}

/// Exit (AUTH-8): revokes the session, forgets the device, wipes the account's cache.
#[tauri::command]
#[specta::specta]
pub async fn logout(shell: State<'_, Shell>) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.logout().await
}

#[tauri::command]
#[specta::specta]
pub async fn switch_account(shell: State<'_, Shell>, login: String) -> Result<Session, CoreError> {
    let login = Login::parse(&login)?;
    shell.core().await?.switch_account(&login).await
}

#[tauri::command]
#[specta::specta]
pub async fn change_password(
    shell: State<'_, Shell>,
    old_password: Option<String>,
    new_password: String,
    sign_out_others: bool,
) -> Result<PasswordChanged, CoreError> {
    let core = shell.core().await?;
    let r = core.change_password(old_password.as_deref(), &new_password, sign_out_others);
    r.await
}

/// The strength meter (AUTH-9), computed locally.
#[tauri::command]
#[specta::specta]
pub async fn password_strength(
    shell: State<'_, Shell>,
    password: String,
) -> Result<Strength, CoreError> {
    let login = shell
        .core_now()
        .and_then(|c| c.active_login().ok())
        .map(|l| l.to_string())
        .unwrap_or_default();
    Ok(mymts_core::ops::auth::password_strength(&password, &login))
}

#[tauri::command]
#[specta::specta]
pub async fn device_sessions(shell: State<'_, Shell>) -> Result<Vec<SessionInfo>, CoreError> {
    let core = shell.core().await?;
    core.device_sessions().await
}

#[tauri::command]
#[specta::specta]
pub async fn revoke_other_sessions(shell: State<'_, Shell>) -> Result<Revoked, CoreError> {
    let core = shell.core().await?;
    core.revoke_other_sessions().await
}

#[tauri::command]
#[specta::specta]
pub async fn activity(
    shell: State<'_, Shell>,
    before: Option<i64>,
    limit: Option<u32>,
) -> Result<ActivityPage, CoreError> {
    let core = shell.core().await?;
    core.activity(before, limit).await
}

#[tauri::command]
#[specta::specta]
pub async fn social_links(shell: State<'_, Shell>) -> Result<Vec<SocialLink>, CoreError> {
    let core = shell.core().await?;
    core.social_links().await
}

#[tauri::command]
#[specta::specta]
pub async fn link_social(
    shell: State<'_, Shell>,
    provider: String,
    username: String,
    password: String,
) -> Result<SocialLink, CoreError> {
    let core = shell.core().await?;
    core.link_social(&provider, &username, &password).await
}
