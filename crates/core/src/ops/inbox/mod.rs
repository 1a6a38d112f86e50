//! The simulated phone's inbox (INBOX-3): genuine service senders apart from ordinary numbers
//! posing as the operator, and codes only from the genuine ones. `watch` keeps live watchers on
//! a phone's and a mailbox's streams (INBOX-2) that judge each new message as it arrives.
//! Nothing here is cached: SMS bodies and letters carry codes.

mod watch;

pub(crate) use watch::InboxWatches;
pub use watch::{InboxWatch, Watched};

use mymts_proto::wire::Sms;
use mymts_proto::{BANK_SENDER, PhoneNumber, SERVICE_SENDERS};

use crate::Core;
use crate::clock::rfc3339;
use crate::domain::{InboxMessage, Verdict};
use crate::error::CoreResult;

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

/// The bank's own sender: its codes are the bank's, for a top-up's second step (ACC-10). An
/// alphanumeric sender cannot be an ordinary subscriber's number.
pub fn is_bank_sender(sender: &str) -> bool {
    sender.trim() == BANK_SENDER
}

/// The code of the bank's message: `Code 123456 confirms a payment…`, six digits after "Code".
fn bank_code(text: &str) -> Option<String> {
    let mut words = text.split_whitespace();
    while let Some(w) = words.next() {
        if w.eq_ignore_ascii_case("code")
            && let Some(code) = words.next()
            && code.len() == 6
            && code.chars().all(|c| c.is_ascii_digit())
        {
            return Some(code.to_string());
        }
    }
    None
}

/// Judges one SMS: genuine | fraud | other, and the code only from genuine ones. The fraud rule
/// (an operator's words from an ordinary number) never applies to a genuine sender, so the bank's
/// own code, which names MTS as the payee, is not marked (INBOX-3, issue 13 item 3).
pub fn classify(sms: &Sms) -> InboxMessage {
    let operator = is_service_sender(&sms.sender);
    let bank = is_bank_sender(&sms.sender);
    let verdict = if operator || bank {
        Verdict::Genuine
    } else if looks_like_operator(&sms.text) {
        Verdict::Fraud
    } else {
        Verdict::Other
    };
    let code = if operator {
        mymts_proto::otp::extract_code(&sms.text)
    } else if bank {
        bank_code(&sms.text)
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

impl Core {
    /// The phone's messages, oldest first, each judged (read live, never cached).
    pub async fn inbox(&self, phone: &PhoneNumber) -> CoreResult<Vec<InboxMessage>> {
        let mut msgs = self.inner.client.messages(phone, None).await?;
        msgs.sort_by_key(|m| (m.received_ms, m.id));
        Ok(msgs.iter().map(classify).collect())
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
        let text = mymts_proto::otp::login_sms_text("Ab3xYk", "Kq3v9xZ2mPwQ-_8a");
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

    #[test]
    fn inbox3_the_banks_own_code_is_genuine_and_the_same_text_from_a_number_is_fraud() {
        // The text the operator's bank sends for a top-up's second step (ACC-10).
        let text = "Code 482913 confirms a payment of ₽100.00 to MTS. Do not tell it to anyone.";
        let bank = classify(&sms("BANK", text));
        assert_eq!(bank.verdict, Verdict::Genuine, "the bank's own code");
        assert_eq!(bank.code.as_deref(), Some("482913"));
        let posing = classify(&sms("+79990001122", text));
        assert_eq!(
            posing.verdict,
            Verdict::Fraud,
            "the same words from a mobile number"
        );
        assert_eq!(posing.code, None);
        // The bank's sender yields no operator code: a login code in its text is not taken.
        let odd = classify(&sms(
            "BANK",
            &mymts_proto::otp::login_sms_text("Ab3xYk", "Kq3v9xZ2mPwQ-_8a"),
        ));
        assert_eq!(odd.code, None);
    }
}
