//! The account (ACC-1…10). Reads answer from the cache when the operator cannot be reached.

use mymts_core::ops::calls::CallsView;
use mymts_core::{Cached, CallFilter, CoreError};
use mymts_proto::Login;
use mymts_proto::wire::{
    AccountOverview, BlockState, Charged, LinkedAccount, MonthSpend, PrintoutOrdered,
    RecoveryEmail, ServiceList, TariffList, TopUpResult,
};
use tauri::State;

use crate::Shell;

/// The home view (ACC-1): `refresh` false answers from the cache when it can.
#[tauri::command]
#[specta::specta]
pub async fn home(
    shell: State<'_, Shell>,
    refresh: bool,
) -> Result<Cached<AccountOverview>, CoreError> {
    let core = shell.core().await?;
    core.home(refresh).await
}

#[tauri::command]
#[specta::specta]
pub async fn tariffs(shell: State<'_, Shell>) -> Result<Cached<TariffList>, CoreError> {
    let core = shell.core().await?;
    core.tariffs().await
}

#[tauri::command]
#[specta::specta]
pub async fn change_tariff(
    shell: State<'_, Shell>,
    tariff_id: String,
) -> Result<Charged, CoreError> {
    let core = shell.core().await?;
    core.change_tariff(&tariff_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn services(shell: State<'_, Shell>) -> Result<Cached<ServiceList>, CoreError> {
    let core = shell.core().await?;
    core.services().await
}

#[tauri::command]
#[specta::specta]
pub async fn connect_service(shell: State<'_, Shell>, id: String) -> Result<Charged, CoreError> {
    let core = shell.core().await?;
    core.connect_service(&id).await
}

#[tauri::command]
#[specta::specta]
pub async fn disconnect_service(shell: State<'_, Shell>, id: String) -> Result<Charged, CoreError> {
    let core = shell.core().await?;
    core.disconnect_service(&id).await
}

/// Fetches the whole call detail into the cache; returns the number of records.
#[tauri::command]
#[specta::specta]
pub async fn calls_sync(shell: State<'_, Shell>) -> Result<u32, CoreError> {
    let core = shell.core().await?;
    let n = core.sync_calls().await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// A page of the cached call detail with the filter's totals; null before the first sync.
#[tauri::command]
#[specta::specta]
pub async fn calls_page(
    shell: State<'_, Shell>,
    filter: CallFilter,
    offset: u32,
    limit: u32,
) -> Result<Option<Cached<CallsView>>, CoreError> {
    let core = shell.core().await?;
    core.cached_calls(&core.active_login()?, &filter, limit, offset)
}

#[tauri::command]
#[specta::specta]
pub async fn calls_monthly(shell: State<'_, Shell>) -> Result<Vec<MonthSpend>, CoreError> {
    let core = shell.core().await?;
    core.calls_monthly().await
}

/// Writes the filtered call detail as CSV (Downloads, else the data dir); returns the path.
#[tauri::command]
#[specta::specta]
pub async fn calls_export_csv(
    shell: State<'_, Shell>,
    filter: CallFilter,
) -> Result<String, CoreError> {
    let core = shell.core().await?;
    let path = core.calls_export_csv(&filter, &shell.export_dir).await?;
    Ok(path.display().to_string())
}

#[tauri::command]
#[specta::specta]
pub async fn calls_order(
    shell: State<'_, Shell>,
    filter: CallFilter,
) -> Result<PrintoutOrdered, CoreError> {
    let core = shell.core().await?;
    core.calls_order(&filter).await
}

#[tauri::command]
#[specta::specta]
pub async fn block_number(shell: State<'_, Shell>) -> Result<BlockState, CoreError> {
    let core = shell.core().await?;
    core.block_number().await
}

#[tauri::command]
#[specta::specta]
pub async fn unblock_number(shell: State<'_, Shell>) -> Result<BlockState, CoreError> {
    let core = shell.core().await?;
    core.unblock_number().await
}

#[tauri::command]
#[specta::specta]
pub async fn set_recovery_email(
    shell: State<'_, Shell>,
    email: String,
    current_password: Option<String>,
) -> Result<RecoveryEmail, CoreError> {
    let core = shell.core().await?;

    core.set_recovery_email(&email, current_password.as_deref())
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn links(shell: State<'_, Shell>) -> Result<Vec<LinkedAccount>, CoreError> {
    let core = shell.core().await?;
    core.links().await
}

#[tauri::command]
#[specta::specta]
pub async fn add_link(
    shell: State<'_, Shell>,
    login: String,
    password: String,
) -> Result<LinkedAccount, CoreError> {
    let core = shell.core().await?;
    core.add_link(&Login::parse(&login)?, &password).await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_link(shell: State<'_, Shell>, login: String) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.remove_link(&Login::parse(&login)?).await
}

/// Who has linked this account (SEC-6).
#[tauri::command]
#[specta::specta]
pub async fn incoming_links(shell: State<'_, Shell>) -> Result<Vec<LinkedAccount>, CoreError> {
    let core = shell.core().await?;
    core.incoming_links().await
}

#[tauri::command]
#[specta::specta]
pub async fn remove_incoming_link(shell: State<'_, Shell>, login: String) -> Result<(), CoreError> {
    let core = shell.core().await?;
    core.remove_incoming_link(&Login::parse(&login)?).await
}

#[tauri::command]
#[specta::specta]
pub async fn topup(
    shell: State<'_, Shell>,
    card_number: String,
    amount_kop: i64,
) -> Result<TopUpResult, CoreError> {
    let core = shell.core().await?;
    core.topup(&card_number, amount_kop).await
}

#[tauri::command]
#[specta::specta]
pub async fn topup_confirm(
    shell: State<'_, Shell>,
    id: String,
    code: String,
) -> Result<TopUpResult, CoreError> {
    let core = shell.core().await?;
    core.topup_confirm(&id, &code).await
}
