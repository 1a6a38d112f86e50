//! The simulated phone and mailbox (INBOX-1, INBOX-2) and "Code not arriving?" (INBOX-4).

use mymts_core::CoreError;
use mymts_core::InboxMessage;
use mymts_core::ops::troubleshoot::Diagnosis;
use mymts_core::ops::world::MailboxView;
use mymts_proto::PhoneNumber;
use mymts_proto::wire::{Mail, MailFilter, MailFolder, MailboxState, PhoneState, PhoneStatePatch};
use tauri::State;

use crate::Shell;

#[tauri::command]
#[specta::specta]
pub async fn phone_state(shell: State<'_, Shell>, phone: String) -> Result<PhoneState, CoreError> {
    let core = shell.core().await?;
    core.phone_state(&PhoneNumber::parse(&phone)?).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_phone_state(
    shell: State<'_, Shell>,
    phone: String,
    patch: PhoneStatePatch,
) -> Result<PhoneState, CoreError> {
    let core = shell.core().await?;
    core.set_phone_state(&PhoneNumber::parse(&phone)?, &patch)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn phone_inbox(
    shell: State<'_, Shell>,
    phone: String,
) -> Result<Vec<InboxMessage>, CoreError> {
    let core = shell.core().await?;
    core.inbox(&PhoneNumber::parse(&phone)?).await
}

#[tauri::command]
#[specta::specta]
pub async fn phone_send(
    shell: State<'_, Shell>,
    phone: String,
    to: String,
    text: String,
) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.send_sms_from_phone(&PhoneNumber::parse(&phone)?, &to, &text)
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn mailbox(
    shell: State<'_, Shell>,
    address: String,
    folder: MailFolder,
) -> Result<MailboxView, CoreError> {
    let core = shell.core().await?;
    core.mailbox_view(&address, folder).await
}

#[tauri::command]
#[specta::specta]
pub async fn mail_move(
    shell: State<'_, Shell>,
    address: String,
    id: i64,
    folder: MailFolder,
) -> Result<Mail, CoreError> {
    let core = shell.core().await?;
    core.mail_move(&address, id, folder).await
}

/// Deletes a letter (INBOX-2: "free up the mailbox").
#[tauri::command]
#[specta::specta]
pub async fn mail_delete(
    shell: State<'_, Shell>,
    address: String,
    id: i64,
) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.mail_delete(&address, id).await
}

/// Replaces a mailbox's filters (INBOX-2: change or remove a filter).
#[tauri::command]
#[specta::specta]
pub async fn mail_filters(
    shell: State<'_, Shell>,
    address: String,
    filters: Vec<MailFilter>,
) -> Result<MailboxState, CoreError> {
    let core = shell.core().await?;
    core.mail_set_filters(&address, filters).await
}

#[tauri::command]
#[specta::specta]
pub async fn troubleshoot(shell: State<'_, Shell>, phone: String) -> Result<Diagnosis, CoreError> {
    let core = shell.core().await?;
    core.troubleshoot_sms(&phone).await
}

/// "Letter not arriving?" (INBOX-4): `sent_to` is the masked address the recovery was sent to.
#[tauri::command]
#[specta::specta]
pub async fn troubleshoot_mail(
    shell: State<'_, Shell>,
    address: String,
    sent_to: Option<String>,
) -> Result<Diagnosis, CoreError> {
    let core = shell.core().await?;
    core.troubleshoot_mail(&address, sent_to.as_deref()).await
}

/// Follows a mailbox's new letters (`mailReceived`), replacing the one followed before.
#[tauri::command]
#[specta::specta]
pub async fn watch_mailbox(shell: State<'_, Shell>, address: String) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.watch_mailbox(&address).await
}
