//! The simulated phone's inbox (INBOX-3): genuine service senders apart from ordinary numbers
//! posing as the operator, codes only from the genuine ones, and a live watcher on the phone's
//! SSE stream that reconnects with backoff. Nothing here is cached: SMS bodies carry codes.

use std::time::Duration;

use futures_util::StreamExt;
use mymts_proto::wire::Sms;
use mymts_proto::{PhoneNumber, SERVICE_SENDERS};
use reqwest_eventsource::{Event, EventSource};
use serde::{Deserialize, Serialize};

use crate::Core;
use crate::clock::rfc3339;
use crate::error::{CoreError, CoreResult};
use crate::events::CoreEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// From a service sender (`3339`, `111`).
    Genuine,
    /// An ordinary number writing like the operator: likely fraud, never used to fill anything.
    Fraud,
    Other,
}

/// An SMS as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InboxMessage {
    pub id: i64,
    pub sender: String,
    pub text: String,
    /// The one-time code; only ever set for genuine senders.
    pub code: Option<String>,
    pub verdict: Verdict,
    pub received_ms: i64,
    pub received_at: String,
}

/// Words and marks of operator messages; an ordinary number using them is suspicious.
const OPERATOR_MARKS: &[&str] = &[
    "mts",
    "мтс",
    "operator",
    "оператор",
    "password",
    "пароль",
    "code",
    "код",
    "pin",
    "verification",
    "account",
    "blocked",
    "support",
];

pub fn is_service_sender(sender: &str) -> bool {
    SERVICE_SENDERS.contains(&sender.trim())
}

/// Judges one SMS: genuine | fraud | other, and the code only from genuine ones.
pub fn classify(sms: &Sms) -> InboxMessage {
    let genuine = is_service_sender(&sms.sender);
    let verdict = if genuine {
        Verdict::Genuine
    } else if looks_like_operator(&sms.text) {
        Verdict::Fraud
    } else {
        Verdict::Other
    };
    let code = if genuine {
        mymts_proto::otp::extract_code(&sms.text)
    } else {
        None
    };
    InboxMessage {
        id: sms.id,
        sender: sms.sender.clone(),
        text: sms.text.clone(),
        code,
        verdict,
        received_ms: sms.received_ms,
        received_at: rfc3339(sms.received_ms),
    }
}

fn looks_like_operator(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains('#') {
        return true;
    }
    if lower.lines().any(|l| l.trim_start().starts_with('@')) {
        return true;
    }
    lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| OPERATOR_MARKS.contains(&w))
        || lower.contains("mts")
}

/// A running inbox watcher; dropping it stops it.
pub struct InboxWatch {
    task: tokio::task::JoinHandle<()>,
}

impl InboxWatch {
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for InboxWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The SMS watchers an app keeps: at most one per purpose, never two on one number.
#[derive(Default)]
pub struct InboxWatches {
    /// The active mobile account's phone.
    account: Option<(String, InboxWatch)>,
    /// The number the login screen awaits a code for.
    login: Option<(String, InboxWatch)>,
}

impl InboxWatches {
    /// Points the account watcher at the active account's phone (mobile accounts only); takes
    /// over the login screen's watcher when it already follows that number.
    pub async fn follow_active_account(&mut self, core: &Core) {
        let target = core
            .current()
            .filter(|s| s.account.kind == mymts_proto::wire::AccountKind::Mobile)
            .map(|s| s.account.login);
        if self.account.as_ref().map(|(n, _)| n) == target.as_ref() {
            return;
        }
        self.account = None;
        let Some(number) = target else { return };
        if self.login.as_ref().is_some_and(|(n, _)| *n == number) {
            self.account = self.login.take();
            return;
        }
        match core.watch_inbox(&number).await {
            Ok(watch) => self.account = Some((number, watch)),
            Err(e) => tracing::warn!(code = e.code(), "cannot watch the account's inbox"),
        }
    }

    /// Watches `phone` for the login screen's code, unless a watcher already follows it.
    pub async fn watch_login(&mut self, core: &Core, phone: &str) -> CoreResult<()> {
        let number = PhoneNumber::parse(phone)?.to_string();
        let watched =
            |s: &Option<(String, InboxWatch)>| s.as_ref().is_some_and(|(n, _)| *n == number);
        if watched(&self.account) || watched(&self.login) {
            return Ok(());
        }
        let watch = core.watch_inbox(&number).await?;
        self.login = Some((number, watch));
        Ok(())
    }

    /// The numbers followed: `(account, login screen)`.
    pub fn numbers(&self) -> (Option<&str>, Option<&str>) {
        (
            self.account.as_ref().map(|(n, _)| n.as_str()),
            self.login.as_ref().map(|(n, _)| n.as_str()),
        )
    }
}

const BACKOFF_START: Duration = Duration::from_millis(250);
const BACKOFF_MAX: Duration = Duration::from_secs(30);

impl Core {
    /// The phone's messages, oldest first, each judged (read live, never cached).
    pub async fn inbox(&self, phone_input: &str) -> CoreResult<Vec<InboxMessage>> {
        let p = PhoneNumber::parse(phone_input)?;
        let mut msgs = self.inner.client.messages(p.as_str(), None).await?;
        msgs.sort_by_key(|m| (m.received_ms, m.id));
        Ok(msgs.iter().map(classify).collect())
    }

    /// Follows the phone's live SMS stream and emits [`CoreEvent::Sms`] for each new message.
    /// Messages already in the inbox are not announced. After a drop it reconnects with
    /// exponential backoff and first catches up on what arrived meanwhile.
    pub async fn watch_inbox(&self, phone_input: &str) -> CoreResult<InboxWatch> {
        let p = PhoneNumber::parse(phone_input)?;
        let number = p.to_string();
        let last = self
            .inner
            .client
            .messages(&number, None)
            .await
            .ok()
            .and_then(|m| m.iter().map(|s| s.id).max())
            .unwrap_or(0);
        let core = self.clone();
        let task = tokio::spawn(async move { core.watch_loop(number, last).await });
        Ok(InboxWatch { task })
    }

    async fn watch_loop(self, number: String, mut last_id: i64) {
        let http = match reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
        {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "inbox watcher cannot build its client");
                return;
            }
        };
        let url = self.inner.client.sms_stream_url(&number);
        let mut backoff = BACKOFF_START;
        loop {
            let mut es = match EventSource::new(http.get(&url)) {
                Ok(es) => es,
                Err(e) => {
                    tracing::error!(error = %e, "inbox stream request cannot be built");
                    return;
                }
            };
            es.set_retry_policy(Box::new(reqwest_eventsource::retry::Never));
            while let Some(ev) = es.next().await {
                match ev {
                    Ok(Event::Open) => {
                        backoff = BACKOFF_START;
                        self.emit(CoreEvent::InboxStream {
                            number: number.clone(),
                            connected: true,
                        });
                        // Catch up on what arrived while the stream was down.
                        if let Ok(missed) = self.inner.client.messages(&number, Some(last_id)).await
                        {
                            for sms in missed {
                                self.announce(&number, &sms, &mut last_id);
                            }
                        }
                    }
                    Ok(Event::Message(m)) if m.event == "sms" => {
                        match serde_json::from_str::<Sms>(&m.data) {
                            Ok(sms) => self.announce(&number, &sms, &mut last_id),
                            Err(e) => tracing::warn!(error = %e, "unreadable sms event"),
                        }
                    }
                    Ok(Event::Message(_)) => {}
                    Err(e) => {
                        tracing::debug!(error = %e, "inbox stream dropped");
                        break;
                    }
                }
            }
            es.close();
            self.emit(CoreEvent::InboxStream {
                number: number.clone(),
                connected: false,
            });
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    fn announce(&self, number: &str, sms: &Sms, last_id: &mut i64) {
        if sms.id <= *last_id {
            return;
        }
        *last_id = sms.id;
        self.emit(CoreEvent::Sms {
            number: number.to_string(),
            message: classify(sms),
        });
    }

    /// Sends an SMS from the simulated phone (its compose box).
    pub async fn send_sms_from_phone(
        &self,
        phone_input: &str,
        to: &str,
        text: &str,
    ) -> CoreResult<()> {
        let p = PhoneNumber::parse(phone_input)?;
        if to.trim().is_empty() || text.trim().is_empty() {
            return Err(CoreError::InvalidInput(
                "Enter the recipient and the text.".into(),
            ));
        }
        self.inner
            .client
            .send_sms(p.as_str(), to.trim(), text)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sms(sender: &str, text: &str) -> Sms {
        Sms {
            id: 1,
            sender: sender.into(),
            text: text.into(),
            received_ms: 0,
        }
    }

    #[test]
    fn inbox3_genuine_sender_yields_code_fraud_never() {
        let text = mymts_proto::otp::login_sms_text("Ab3xYk");
        let g = classify(&sms("3339", &text));
        assert_eq!(g.verdict, Verdict::Genuine);
        assert_eq!(g.code.as_deref(), Some("Ab3xYk"));

        let f = classify(&sms("+79990001122", &text));
        assert_eq!(f.verdict, Verdict::Fraud);
        assert_eq!(f.code, None);

        for t in [
            "MTS: your account is blocked, call +7999",
            "Your password is 1234",
            "Оператор МТС: назовите код из СМС",
            "#code",
        ] {
            assert_eq!(
                classify(&sms("+79990001122", t)).verdict,
                Verdict::Fraud,
                "{t}"
            );
        }
        assert_eq!(
            classify(&sms("+79990001122", "See you at 7 tonight")).verdict,
            Verdict::Other
        );
    }
}
