//! Core events to typed UI events (tauri-specta), plus the shell's own (operator status), and
//! the inbox watcher that follows the active mobile account.

use mymts_core::{Cached, CoreEvent, EndReason, InboxMessage, Verdict};
use mymts_proto::PhoneNumber;
use mymts_proto::wire::{AccountOverview, Mail};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;
use tokio::sync::broadcast;

use crate::state::Shell;

/// A new SMS on a watched phone, judged (INBOX-3). Fill a code field only from `message.code`.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct SmsReceived {
    pub number: PhoneNumber,
    pub message: InboxMessage,
}

/// A new letter in the watched mailbox, in Inbox or Spam (INBOX-2).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct MailReceived {
    pub address: String,
    pub mail: Mail,
}

/// The session of `login` ended: go to login and say why (AUTH-8).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct SessionEnded {
    pub login: mymts_proto::Login,
    pub reason: EndReason,
    /// Still remembered (an idle end, AUTH-8): the login screen offers "sign in again".
    pub remembered: bool,
}

#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct ActiveAccountChanged {
    pub login: mymts_proto::Login,
}

/// Fresh data replaced a cached view (CACHE-1).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct DataRefreshed {
    pub login: mymts_proto::Login,
    /// Which view: `home`.
    pub view: String,
    pub data: Cached<AccountOverview>,
}

/// The operator became (un)reachable: the offline banner (ACC-1, CACHE-2).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct OperatorStatus {
    pub reachable: bool,
    pub message: Option<String>,
}

/// "Remember this device" could not be saved in the keyring.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct KeyringUnavailable {
    pub message: String,
}

/// The cache was damaged and has been set aside and rebuilt (CACHE-3): say so, once.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct CacheHealed {
    pub healed: mymts_core::cache::Healed,
}

pub fn emit<R: Runtime, E: Event + Serialize + Clone>(app: &AppHandle<R>, e: E) {
    if let Err(err) = e.emit(app) {
        tracing::warn!(error = %err, "could not emit an event");
    }
}

/// Forwards core and shell events to the UI until the app ends.
pub async fn forward<R: Runtime>(app: AppHandle<R>, mut core_rx: broadcast::Receiver<CoreEvent>) {
    loop {
        match core_rx.recv().await {
            Ok(e) => on_core_event(&app, e),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "UI event forwarder lagged");
            }
            Err(broadcast::error::RecvError::Closed) => break,
        }
    }
}

fn on_core_event<R: Runtime>(app: &AppHandle<R>, e: CoreEvent) {
    match e {
        CoreEvent::Sms { number, message } => {
            let notify = (message.verdict == Verdict::Genuine)
                .then(|| message.code.clone().map(|c| (message.sender.clone(), c)))
                .flatten();
            // The inbox and the login screen's autofill first; the notification is a courtesy,
            // and a first-time permission prompt (mobile) must not hold the code back.
            emit(app, SmsReceived { number, message });
            if let Some((sender, code)) = notify {
                let app = app.clone();
                let language = app.state::<Shell>().settings().language;
                tauri::async_runtime::spawn_blocking(move || {
                    crate::notify::code_arrived(&app, &sender, &code, language);
                });
            }
        }
        CoreEvent::Mail { address, mail } => emit(app, MailReceived { address, mail }),
        CoreEvent::SessionEnded {
            login,
            reason,
            remembered,
        } => {
            emit(
                app,
                SessionEnded {
                    login,
                    reason,
                    remembered,
                },
            );
        }
        CoreEvent::ActiveAccountChanged { login } => emit(app, ActiveAccountChanged { login }),
        CoreEvent::HomeRefreshed { login, home } => emit(
            app,
            DataRefreshed {
                login,
                view: "home".into(),
                data: home,
            },
        ),
        CoreEvent::KeyringUnavailable { message } => emit(app, KeyringUnavailable { message }),
        CoreEvent::OperatorStatus { reachable, message } => {
            emit(app, OperatorStatus { reachable, message });
        }
        CoreEvent::InboxStream { .. } => {}
        CoreEvent::SessionStarted { .. } => {}
    }
}
