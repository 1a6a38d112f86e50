//! The delivery tag of an SMS code (SEC-2): every SMS with a one-time password carries a challenge
//! of the code that only whoever reads the SMS on the phone holds. The device reads it from the
//! phone's inbox, as Android's SMS Retriever hands an app the SMS carrying its hash, so a code the
//! subscriber got on this device signs in on tries a stranger guessing at the number can never
//! spend, even when the stranger used up the number's requests of the hour first. A contract's
//! recovery letter carries one too, read from the mailbox the core follows (the one the user
//! opened to read the code).

use mymts_proto::otp::{extract_code, extract_delivery_tag, extract_recovery_code};
use mymts_proto::wire::MailFolder;
use mymts_proto::{Login, PhoneNumber, RECOVERY_MAIL_SENDER};

use super::inbox::is_service_sender;
use crate::Core;

impl Core {
    /// The delivery tag of the newest SMS from the operator on `phone` that carries `code`, if
    /// the phone's inbox can be read here; `None` otherwise (the caller's own challenge, or the
    /// code's shared tries, count the guess then).
    pub(crate) async fn delivery_tag(&self, phone: &PhoneNumber, code: &str) -> Option<String> {
        let mut msgs = match self.inner.client.messages(phone.as_str(), None).await {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!(error = %e, "the phone's inbox is out of reach: no delivery tag");
                return None;
            }
        };
        msgs.sort_by_key(|m| (m.received_ms, m.id));
        msgs.iter()
            .rev()
            .filter(|m| is_service_sender(&m.sender))
            .find(|m| extract_code(&m.text).as_deref() == Some(code))
            .and_then(|m| extract_delivery_tag(&m.text))
    }

    /// The delivery tag of the newest recovery letter for `contract` carrying `code` in the
    /// mailbox this core follows (Inbox or Spam), if there is one; `None` otherwise (the
    /// caller's challenge counts the guess then).
    pub(crate) async fn recovery_letter_tag(&self, contract: &Login, code: &str) -> Option<String> {
        let address = self.watched().await.mailbox?;
        let mut letters = Vec::new();
        for folder in [MailFolder::Inbox, MailFolder::Spam] {
            match self.inner.client.mail(&address, folder).await {
                Ok(m) => letters.extend(m),
                Err(e) => tracing::debug!(error = %e, "a mailbox folder is out of reach"),
            }
        }
        letters.sort_by_key(|m| (m.received_ms, m.id));
        letters
            .iter()
            .rev()
            .filter(|m| m.from == RECOVERY_MAIL_SENDER)
            .find(|m| extract_recovery_code(&m.body, contract.as_str()).as_deref() == Some(code))
            .and_then(|m| extract_delivery_tag(&m.body))
    }
}
