//! "Code not arriving?" (INBOX-4): reasons from the real states of the simulated phone, the SMS
//! centre and the mailbox to an ordered diagnosis, then the alternatives.

use mymts_proto::wire::{DeliveryReport, MailFolder, MailboxState};
use mymts_proto::{COMMAND_NUMBER, PhoneNumber, SUPPORT_NUMBER};
use serde::Serialize;

use crate::Core;
use crate::error::{CoreError, CoreResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    MistypedNumber,
    UnregisteredNumber,
    AirplaneMode,
    SpamBlocker,
    MessagesLost,
    HourlyLimit,
    ResendCountdown,
    CodeStillValid,
    MailboxFull,
    LetterInSpam,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    pub kind: FindingKind,
    /// What is wrong, and what to do about it.
    pub message: String,
    /// Seconds, for the countdowns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AlternativeKind {
    Command111,
    CallSupport,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Alternative {
    pub kind: AlternativeKind,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Diagnosis {
    /// Most important first.
    pub findings: Vec<Finding>,
    pub alternatives: Vec<Alternative>,
}

impl Diagnosis {
    pub fn has(&self, k: FindingKind) -> bool {
        self.findings.iter().any(|f| f.kind == k)
    }
}

fn finding(kind: FindingKind, message: impl Into<String>) -> Finding {
    Finding {
        kind,
        message: message.into(),
        seconds: None,
    }
}

/// The SMS part of the diagnosis, from the SMS centre's delivery report.
pub fn diagnose_delivery(d: &DeliveryReport) -> Vec<Finding> {
    let mut out = Vec::new();
    if !d.registered {
        out.push(finding(
            FindingKind::UnregisteredNumber,
            "This number is not an MTS subscriber's. Check it for a typo.",
        ));
        return out;
    }
    if d.airplane || d.held > 0 {
        out.push(finding(
            FindingKind::AirplaneMode,
            format!(
                "The phone is in airplane mode{}: turn airplane mode off and the messages arrive.",
                if d.held > 0 {
                    format!(" ({} message(s) waiting)", d.held)
                } else {
                    String::new()
                }
            ),
        ));
    }
    if d.spam_blocker || d.blocked_by_spam_filter > 0 {
        out.push(finding(
            FindingKind::SpamBlocker,
            format!(
                "A spam blocker on the phone blocks service messages{}: allow the senders 3339 and 111 or turn it off.",
                if d.blocked_by_spam_filter > 0 {
                    format!(" ({} blocked in the last hour)", d.blocked_by_spam_filter)
                } else {
                    String::new()
                }
            ),
        ));
    }
    if d.dropped > 0 {
        out.push(finding(
            FindingKind::MessagesLost,
            format!(
                "{} message(s) were lost by the network in the last hour: request the code again.",
                d.dropped
            ),
        ));
    }
    if d.requests_left_this_hour == 0 {
        out.push(Finding {
            seconds: Some(d.resend_after_s),
            ..finding(
                FindingKind::HourlyLimit,
                "The limit of SMS passwords for this hour is reached: wait, or use another way in.",
            )
        });
    } else if d.resend_after_s > 0 {
        out.push(Finding {
            seconds: Some(d.resend_after_s),
            ..finding(
                FindingKind::ResendCountdown,
                format!("A new code can be requested in {} s.", d.resend_after_s),
            )
        });
    }
    if d.code_valid_for_s > 0 {
        out.push(Finding {
            seconds: Some(d.code_valid_for_s),
            ..finding(
                FindingKind::CodeStillValid,
                format!(
                    "The code already sent is valid for {} s more; a repeated request sends the same code.",
                    d.code_valid_for_s
                ),
            )
        });
    }
    out
}

/// The e-mail part: a full mailbox bounces, a filter may have put the letter in Spam.
pub fn diagnose_mailbox(m: &MailboxState, spam_from_operator: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    if m.used_bytes >= m.quota_bytes || m.bounced > 0 {
        out.push(finding(
            FindingKind::MailboxFull,
            "The mailbox is full and refuses new letters: delete some mail and request again.",
        ));
    }
    if spam_from_operator > 0 {
        out.push(finding(
            FindingKind::LetterInSpam,
            "The letter is in the Spam folder: look there and mark it as not spam.",
        ));
    }
    out
}

fn alternatives(mobile: bool) -> Vec<Alternative> {
    let mut v = Vec::new();
    if mobile {
        v.push(Alternative {
            kind: AlternativeKind::Command111,
            message: format!(
                "From the phone, send \"25 <new password>\" to {COMMAND_NUMBER} (free): you get a one-time password to sign in with, and the new password becomes permanent."
            ),
        });
    }
    v.push(Alternative {
        kind: AlternativeKind::CallSupport,
        message: format!("Call support: {SUPPORT_NUMBER}."),
    });
    v
}

impl Core {
    /// Diagnoses why an SMS code does not arrive at `phone_input` (as typed).
    pub async fn troubleshoot_sms(&self, phone_input: &str) -> CoreResult<Diagnosis> {
        let number = match PhoneNumber::parse(phone_input) {
            Ok(p) => p,
            Err(e) => {
                return Ok(Diagnosis {
                    findings: vec![finding(
                        FindingKind::MistypedNumber,
                        format!("The number looks mistyped: {e}"),
                    )],
                    alternatives: alternatives(true),
                });
            }
        };
        let report = self.inner.client.delivery(number.as_str()).await?;
        Ok(Diagnosis {
            findings: diagnose_delivery(&report),
            alternatives: alternatives(true),
        })
    }

    /// Diagnoses why a recovery letter does not arrive at `address`.
    pub async fn troubleshoot_mail(&self, address: &str) -> CoreResult<Diagnosis> {
        let address = address.trim();
        if address.is_empty() || !address.contains('@') {
            return Err(CoreError::InvalidInput("Enter an e-mail address.".into()));
        }
        let state = self.inner.client.mailbox(address).await?;
        let spam = self.inner.client.mail(address, MailFolder::Spam).await?;
        let from_operator = spam
            .iter()
            .filter(|m| {
                let f = m.from.to_lowercase();
                f.contains("mts") || f.contains("mymts")
            })
            .count();
        Ok(Diagnosis {
            findings: diagnose_mailbox(&state, from_operator),
            alternatives: alternatives(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> DeliveryReport {
        DeliveryReport {
            number: "+79161234567".into(),
            registered: true,
            airplane: false,
            spam_blocker: false,
            held: 0,
            blocked_by_spam_filter: 0,
            dropped: 0,
            last_code_request_ms: None,
            resend_after_s: 0,
            code_valid_for_s: 0,
            requests_left_this_hour: 5,
        }
    }

    #[test]
    fn inbox4_order_of_findings() {
        let mut d = report();
        d.airplane = true;
        d.held = 2;
        d.spam_blocker = true;
        d.resend_after_s = 42;
        d.code_valid_for_s = 200;
        let f = diagnose_delivery(&d);
        let kinds: Vec<_> = f.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                FindingKind::AirplaneMode,
                FindingKind::SpamBlocker,
                FindingKind::ResendCountdown,
                FindingKind::CodeStillValid
            ]
        );
        let mut d = report();
        d.registered = false;
        assert_eq!(
            diagnose_delivery(&d)[0].kind,
            FindingKind::UnregisteredNumber
        );
        let mut d = report();
        d.requests_left_this_hour = 0;
        assert_eq!(diagnose_delivery(&d)[0].kind, FindingKind::HourlyLimit);
    }
}
