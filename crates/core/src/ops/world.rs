//! The simulated world the app shows beside itself (INBOX-1, INBOX-2): a phone's state and its
//! compose box, and a mailbox's letters and filters. Reached through the world door (SEC-1),
//! never cached: SMS bodies and letters carry codes.

use mymts_proto::PhoneNumber;
use mymts_proto::wire::{Mail, MailFilter, MailFolder, MailboxState, PhoneState, PhoneStatePatch};
use serde::{Deserialize, Serialize};

use crate::Core;
use crate::error::{CoreError, CoreResult};

/// A mailbox with one folder's letters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MailboxView {
    pub state: MailboxState,
    pub messages: Vec<Mail>,
}

impl Core {
    pub async fn phone_state(&self, phone: &PhoneNumber) -> CoreResult<PhoneState> {
        self.inner.client.phone(phone).await
    }

    pub async fn set_phone_state(
        &self,
        phone: &PhoneNumber,
        patch: &PhoneStatePatch,
    ) -> CoreResult<PhoneState> {
        self.inner.client.patch_phone(phone, patch).await
    }

    pub async fn mailbox_view(&self, address: &str, folder: MailFolder) -> CoreResult<MailboxView> {
        let address = address.trim();
        let state = self.inner.client.mailbox(address).await?;
        let messages = self.inner.client.mail(address, folder).await?;
        Ok(MailboxView { state, messages })
    }

    /// Deletes a letter (INBOX-2: "free up the mailbox").
    pub async fn mail_delete(&self, address: &str, id: i64) -> CoreResult<()> {
        self.inner.client.delete_mail(address.trim(), id).await
    }

    /// Replaces the mailbox's filters (INBOX-2: "remove the filter"), each trimmed; the operator
    /// checks them (at most 50, each 1–100 printable characters).
    pub async fn mail_set_filters(
        &self,
        address: &str,
        filters: Vec<MailFilter>,
    ) -> CoreResult<MailboxState> {
        self.inner
            .client
            .put_mail_filters(address.trim(), &filters)
            .await
    }

    /// Moves a letter to Inbox or Spam (INBOX-2).
    pub async fn mail_move(&self, address: &str, id: i64, folder: MailFolder) -> CoreResult<Mail> {
        self.inner
            .client
            .move_mail(address.trim(), id, folder)
            .await
    }

    /// Sends an SMS from the simulated phone (its compose box).
    pub async fn send_sms_from_phone(
        &self,
        phone: &PhoneNumber,
        to: &str,
        text: &str,
    ) -> CoreResult<()> {
        if to.trim().is_empty() || text.trim().is_empty() {
            return Err(CoreError::InvalidInput(
                "Enter the recipient and the text.".into(),
            ));
        }
        self.inner.client.send_sms(phone, to.trim(), text).await
    }
}
