//! "Code not arriving?" (INBOX-4): reasons from the real states of the simulated phone, the SMS
//! centre and the mailbox to an ordered diagnosis, then the alternatives.

use mymts_proto::wire::{DeliveryReport, FilterAction, MailFilter, MailFolder, MailboxState};
use mymts_proto::{COMMAND_NUMBER, ErrorCode, OPERATOR_MAIL_SENDERS, PhoneNumber, SUPPORT_NUMBER};
use serde::Serialize;

use crate::Core;
use crate::error::CoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    MistypedNumber,
    UnregisteredNumber,
    AirplaneMode,
    /// Messages wait in the SMS centre although the phone can take them: the network delays them.
    DeliveryDelayed,
    SpamBlocker,
    MessagesLost,
    HourlyLimit,
    ResendCountdown,
    CodeStillValid,
    MistypedAddress,
    /// The letter went to another address than the one checked.
    OtherAddress,
    NoSuchMailbox,
    MailboxFull,
    FilterDeletes,
    FilterToSpam,
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
    /// What the message names: a filter's text, the masked address a letter went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
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
        detail: None,
    }
}

fn finding_on(kind: FindingKind, detail: &str, message: impl Into<String>) -> Finding {
    Finding {
        detail: Some(detail.to_string()),
        ..finding(kind, message)
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
    if d.airplane {
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
    } else if d.held > 0 {
        // Held with airplane mode off: the SMS centre is holding them back (a delivery delay),
        // not the phone; nothing on the phone to fix (INBOX-4, issue 13 item 2).
        out.push(finding(
            FindingKind::DeliveryDelayed,
            format!(
                "The network is delaying delivery: {} message(s) wait in the SMS centre and arrive by themselves. Wait a few minutes before asking again.",
                d.held
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
    // "Any of the messages will do" only when one can have arrived: not while the phone, the
    // SMS centre or the spam blocker holds them back (issue 13 item 15).
    let nothing_arrived =
        d.airplane || d.held > 0 || d.spam_blocker || d.blocked_by_spam_filter > 0 || d.dropped > 0;
    if d.code_valid_for_s > 0 && !nothing_arrived {
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

/// The e-mail part (INBOX-2): a full mailbox bounces, a filter deletes the operator's letters or
/// files them under Spam, a letter already sits in Spam. `in_spam` counts the operator's letters
/// in the Spam folder.
/// Free space below which a mailbox that bounced a letter recently is still called full: more
/// than any recovery letter or printout the operator sends.
pub const ROOM_FOR_A_LETTER: i64 = 1024 * 1024;

pub fn diagnose_mailbox(m: &MailboxState, in_spam: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    // A recent bounce counts only while the space is still short: once the user has deleted
    // letters, "the mailbox is full" would send them to delete more for nothing.
    let free = m.quota_bytes.saturating_sub(m.used_bytes);
    if free <= 0 || (m.bounced > 0 && free < ROOM_FOR_A_LETTER) {
        out.push(finding(
            FindingKind::MailboxFull,
            "The mailbox is full and refuses new letters: delete some mail and request again.",
        ));
    }
    // Each of the operator's senders is decided by the operator's own rule; one filter may
    // decide both.
    let mut deciding: Vec<&MailFilter> = Vec::new();
    for sender in OPERATOR_MAIL_SENDERS {
        if let Some(f) = MailFilter::deciding(&m.filters, sender)
            && !deciding.iter().any(|d| std::ptr::eq(*d, f))
        {
            deciding.push(f);
        }
    }
    for f in deciding {
        out.push(match f.action {
            FilterAction::Delete => finding_on(
                FindingKind::FilterDeletes,
                &f.from_contains,
                format!(
                    "A filter in the mailbox deletes letters from \"{}\": remove it, then request again.",
                    f.from_contains
                ),
            ),
            FilterAction::Spam => finding_on(
                FindingKind::FilterToSpam,
                &f.from_contains,
                format!(
                    "A filter in the mailbox files letters from \"{}\" under Spam: look there, and remove the filter.",
                    f.from_contains
                ),
            ),
        });
    }
    if in_spam > 0 {
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

    /// Diagnoses why a letter (the recovery code, a printout) does not arrive at `address` as
    /// typed. `sent_to` is the masked address the operator said it wrote to (`a***@domain`):
    /// when the typed one is not it, that is the finding.
    pub async fn troubleshoot_mail(
        &self,
        address: &str,
        sent_to: Option<&str>,
    ) -> CoreResult<Diagnosis> {
        let diagnosis = |findings| Diagnosis {
            findings,
            alternatives: alternatives(false),
        };
        let Ok(address) = crate::domain::mailbox_address(address) else {
            return Ok(diagnosis(vec![finding(
                FindingKind::MistypedAddress,
                "The address looks mistyped: it needs a name, '@' and a domain.",
            )]));
        };
        if let Some(to) = sent_to.map(str::trim).filter(|t| !t.is_empty())
            && !mymts_proto::mask_email(&address).eq_ignore_ascii_case(to)
        {
            return Ok(diagnosis(vec![finding_on(
                FindingKind::OtherAddress,
                to,
                format!(
                    "The letter went to {to}, not to this address: look in that mailbox, or set a recovery address you use."
                ),
            )]));
        }
        let state = match self.inner.client.mailbox(&address).await {
            Ok(s) => s,
            Err(e) if e.is(ErrorCode::NotFound) => {
                return Ok(diagnosis(vec![finding(
                    FindingKind::NoSuchMailbox,
                    "There is no mailbox at this address: check it for a typo.",
                )]));
            }
            Err(e) => return Err(e),
        };
        let spam = self.inner.client.mail(&address, MailFolder::Spam).await?;
        let in_spam = spam
            .iter()
            .filter(|m| OPERATOR_MAIL_SENDERS.contains(&m.from.as_str()))
            .count();
        Ok(diagnosis(diagnose_mailbox(&state, in_spam)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> DeliveryReport {
        DeliveryReport {
            number: "+79161234567".parse().expect("number"),
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
        // Nothing arrived (airplane mode, the spam blocker): no "the last code will do".
        assert_eq!(
            kinds,
            vec![
                FindingKind::AirplaneMode,
                FindingKind::SpamBlocker,
                FindingKind::ResendCountdown,
            ]
        );
        let mut d = report();
        d.resend_after_s = 42;
        d.code_valid_for_s = 200;
        let kinds: Vec<_> = diagnose_delivery(&d).iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![FindingKind::ResendCountdown, FindingKind::CodeStillValid],
            "a delivered code that is still valid is worth saying"
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

    /// The states INBOX-4 must tell apart, one for another never.
    const STATES: [FindingKind; 6] = [
        FindingKind::MistypedNumber,
        FindingKind::UnregisteredNumber,
        FindingKind::AirplaneMode,
        FindingKind::DeliveryDelayed,
        FindingKind::SpamBlocker,
        FindingKind::HourlyLimit,
    ];

    fn states_named(d: &DeliveryReport) -> Vec<FindingKind> {
        diagnose_delivery(d)
            .iter()
            .map(|f| f.kind)
            .filter(|k| STATES.contains(k))
            .collect()
    }

    #[test]
    fn inbox4_each_state_named_as_itself_and_only_itself() {
        // A code was requested a moment ago and is still valid in every case below.
        let requested = || DeliveryReport {
            resend_after_s: 50,
            code_valid_for_s: 290,
            requests_left_this_hour: 4,
            ..report()
        };
        // Airplane mode: the code waits in the SMS centre for the phone.
        let airplane = DeliveryReport {
            airplane: true,
            held: 1,
            ..requested()
        };
        assert_eq!(states_named(&airplane), vec![FindingKind::AirplaneMode]);
        // The same wait with airplane mode off is the network's delay, not airplane mode.
        let delayed = DeliveryReport {
            held: 1,
            ..requested()
        };
        assert_eq!(states_named(&delayed), vec![FindingKind::DeliveryDelayed]);
        // A blocked sender is the spam blocker, not airplane mode.
        let blocked = DeliveryReport {
            spam_blocker: true,
            blocked_by_spam_filter: 1,
            ..requested()
        };
        assert_eq!(states_named(&blocked), vec![FindingKind::SpamBlocker]);
        let unregistered = DeliveryReport {
            registered: false,
            ..report()
        };
        assert_eq!(
            states_named(&unregistered),
            vec![FindingKind::UnregisteredNumber]
        );
        let hourly = DeliveryReport {
            requests_left_this_hour: 0,
            resend_after_s: 3_000,
            ..requested()
        };
        assert_eq!(states_named(&hourly), vec![FindingKind::HourlyLimit]);
        // While nothing arrived, "the last code is still valid: any will do" is not said.
        for d in [&airplane, &delayed, &blocked] {
            assert!(
                !diagnose_delivery(d)
                    .iter()
                    .any(|f| f.kind == FindingKind::CodeStillValid),
                "{d:?}"
            );
        }
    }

    fn mailbox(filters: &[(&str, FilterAction)]) -> MailboxState {
        MailboxState {
            address: "a@mail.example".into(),
            quota_bytes: 100,
            used_bytes: 10,
            filters: filters
                .iter()
                .map(|(t, a)| mymts_proto::wire::MailFilter {
                    from_contains: (*t).into(),
                    action: *a,
                })
                .collect(),
            bounced: 0,
        }
    }

    #[test]
    fn inbox4_mail_filters_judged_by_the_operators_first_match_rule() {
        let kinds = |m: &MailboxState| {
            diagnose_mailbox(m, 0)
                .iter()
                .map(|f| (f.kind, f.detail.clone().unwrap_or_default()))
                .collect::<Vec<_>>()
        };
        // A filter on someone else's letters is no finding.
        assert!(kinds(&mailbox(&[("shop.example", FilterAction::Delete)])).is_empty());
        // Case-insensitive, like the operator's.
        assert_eq!(
            kinds(&mailbox(&[("NoReply@", FilterAction::Delete)])),
            vec![(FindingKind::FilterDeletes, "NoReply@".to_string())]
        );
        // The first match decides for each sender; one filter covering both is named once.
        assert_eq!(
            kinds(&mailbox(&[
                ("printout", FilterAction::Spam),
                ("mymts.local", FilterAction::Delete),
                ("noreply", FilterAction::Spam),
            ])),
            vec![
                (FindingKind::FilterDeletes, "mymts.local".to_string()),
                (FindingKind::FilterToSpam, "printout".to_string()),
            ]
        );
        let mut full = mailbox(&[]);
        full.used_bytes = full.quota_bytes;
        assert_eq!(
            kinds(&full),
            vec![(FindingKind::MailboxFull, String::new())]
        );
        assert_eq!(
            diagnose_mailbox(&mailbox(&[]), 1)[0].kind,
            FindingKind::LetterInSpam
        );
    }

    #[test]
    fn inbox4_a_bounce_reads_as_full_only_while_the_space_is_short() {
        let full = |m: &MailboxState| {
            diagnose_mailbox(m, 0)
                .iter()
                .any(|f| f.kind == FindingKind::MailboxFull)
        };
        let mut m = mailbox(&[]);
        m.quota_bytes = 2000 * 1024 * 1024;
        m.used_bytes = m.quota_bytes - 10;
        m.bounced = 1;
        assert!(full(&m), "it bounced and has 10 bytes free: {m:?}");
        // The user deleted a 500 MB letter: the earlier bounce no longer makes it full.
        m.used_bytes -= 500 * 1024 * 1024;
        assert!(!full(&m), "500 MB free after deleting: {m:?}");
        // Full to the byte is full, bounce or not.
        m.used_bytes = m.quota_bytes;
        m.bounced = 0;
        assert!(full(&m));
    }
}
