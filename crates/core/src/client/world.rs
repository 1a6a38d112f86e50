//! The simulated world's door (SEC-1: its own address, its own token): phones and their SMS,
//! mailboxes, the SIM's data session (AUTH-7), live streams, and the QA API.

use mymts_proto::wire::*;
use reqwest::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{ApiClient, WorldDoor, seg};
use crate::error::{CoreError, CoreResult};

impl ApiClient {
    // --- the simulated world (SEC-1: its own door, its own token) ---------------------------

    /// The simulated world's door, when this client knows it.
    pub fn world(&self) -> Option<&WorldDoor> {
        self.world.as_ref()
    }

    /// A request to the world door, with its token.
    fn world_req(&self, method: Method, path: &str) -> CoreResult<RequestBuilder> {
        let Some(w) = &self.world else {
            return Err(CoreError::InvalidInput(
                "The simulated world's address is not set (MYMTS_WORLD_URL and MYMTS_WORLD_TOKEN, or --world and --world-token).".into(),
            ));
        };
        let r = self.http.request(method, format!("{}{path}", w.url));
        Ok(match &w.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        })
    }

    /// A request to the world door: like [`ApiClient::call`] on the public one.
    async fn world_call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> CoreResult<T> {
        let mut r = self.world_req(method, path)?;
        if let Some(b) = body {
            r = r.json(b);
        }
        self.send_nullable(r).await
    }

    async fn wget<T: DeserializeOwned>(&self, path: &str) -> CoreResult<T> {
        self.send(self.world_req(Method::GET, path)?).await
    }

    pub async fn phone(&self, number: &str) -> CoreResult<PhoneState> {
        self.wget(&format!("/sim/phones/{}", seg(number))).await
    }

    pub async fn patch_phone(&self, number: &str, p: &PhoneStatePatch) -> CoreResult<PhoneState> {
        let path = format!("/sim/phones/{}", seg(number));
        self.send(self.world_req(Method::PATCH, &path)?.json(p))
            .await
    }

    pub async fn messages(&self, number: &str, after_id: Option<i64>) -> CoreResult<Vec<Sms>> {
        let path = format!("/sim/phones/{}/messages", seg(number));
        let mut r = self.world_req(Method::GET, &path)?;
        if let Some(a) = after_id {
            r = r.query(&[("after_id", a)]);
        }
        self.send(r).await
    }

    pub async fn send_sms(&self, number: &str, to: &str, text: &str) -> CoreResult<()> {
        let path = format!("/sim/phones/{}/send", seg(number));
        let body = ComposeSms {
            to: to.to_string(),
            text: text.to_string(),
        };
        self.send_empty(self.world_req(Method::POST, &path)?.json(&body))
            .await
    }

    pub async fn delivery(&self, number: &str) -> CoreResult<DeliveryReport> {
        self.wget(&format!("/sim/phones/{}/delivery", seg(number)))
            .await
    }

    pub async fn mailbox(&self, address: &str) -> CoreResult<MailboxState> {
        self.wget(&format!("/sim/mailboxes/{}", seg(address))).await
    }

    pub async fn mail(&self, address: &str, folder: MailFolder) -> CoreResult<Vec<Mail>> {
        let path = format!("/sim/mailboxes/{}/messages", seg(address));
        let f = match folder {
            MailFolder::Inbox => "inbox",
            MailFolder::Spam => "spam",
        };
        self.send(self.world_req(Method::GET, &path)?.query(&[("folder", f)]))
            .await
    }

    /// Deletes a letter, freeing its space (INBOX-2).
    pub async fn delete_mail(&self, address: &str, id: i64) -> CoreResult<()> {
        let path = format!("/sim/mailboxes/{}/messages/{id}", seg(address));
        self.send_empty(self.world_req(Method::DELETE, &path)?)
            .await
    }

    /// Replaces a mailbox's filters (INBOX-2); the answer is the mailbox as it now is.
    pub async fn put_mail_filters(
        &self,
        address: &str,
        filters: &[MailFilter],
    ) -> CoreResult<MailboxState> {
        let path = format!("/sim/mailboxes/{}/filters", seg(address));
        self.send(self.world_req(Method::PUT, &path)?.json(filters))
            .await
    }

    /// Moves a letter to Inbox or Spam (INBOX-2); the answer is the letter as it now is.
    pub async fn move_mail(&self, address: &str, id: i64, folder: MailFolder) -> CoreResult<Mail> {
        let path = format!("/sim/mailboxes/{}/messages/{id}/move", seg(address));
        self.world_call(Method::POST, &path, Some(&MoveMail { folder }))
            .await
    }

    /// The phone's SIM attaches to operator data (AUTH-7): a data session for the gateway.
    pub async fn open_data_session(&self, number: &str) -> CoreResult<DataSession> {
        let path = format!("/sim/phones/{}/data-session", seg(number));
        self.send(self.world_req(Method::POST, &path)?).await
    }

    /// The request for a phone's live SMS stream (server-sent events), sent by `http`.
    pub fn sms_stream(&self, http: &reqwest::Client, number: &str) -> CoreResult<RequestBuilder> {
        self.world_stream(http, &format!("/sim/phones/{}/stream", seg(number)))
    }

    /// The request for a mailbox's live mail stream (server-sent events), sent by `http`.
    pub fn mail_stream(&self, http: &reqwest::Client, address: &str) -> CoreResult<RequestBuilder> {
        self.world_stream(http, &format!("/sim/mailboxes/{}/stream", seg(address)))
    }

    fn world_stream(&self, http: &reqwest::Client, path: &str) -> CoreResult<RequestBuilder> {
        // Built on the caller's client: a stream must not end at this client's timeout.
        let w = self.world.as_ref().ok_or_else(|| {
            CoreError::InvalidInput("The simulated world's address is not set.".into())
        })?;
        let r = http.get(format!("{}{path}", w.url));
        Ok(match &w.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        })
    }

    // --- QA (on the world door) ----------------------------------------------------------

    pub async fn qa_accounts(&self) -> CoreResult<DemoAccounts> {
        self.wget("/qa/accounts").await
    }

    pub async fn qa_captcha_answer(&self, id: &str) -> CoreResult<CaptchaAnswer> {
        self.wget(&format!("/qa/captcha/{}", seg(id))).await
    }

    pub async fn qa_patch_phone(
        &self,
        number: &str,
        p: &PhoneStatePatch,
    ) -> CoreResult<PhoneState> {
        let path = format!("/qa/phones/{}", seg(number));
        self.send(self.world_req(Method::PATCH, &path)?.json(p))
            .await
    }

    pub async fn qa_sms(&self, req: &InjectSms) -> CoreResult<()> {
        self.send_empty(self.world_req(Method::POST, "/qa/sms")?.json(req))
            .await
    }

    pub async fn qa_clock(&self) -> CoreResult<ClockState> {
        self.wget("/qa/clock").await
    }

    pub async fn qa_clock_advance(&self, seconds: i64) -> CoreResult<ClockState> {
        self.send(
            self.world_req(Method::POST, "/qa/clock/advance")?
                .json(&AdvanceClock { seconds }),
        )
        .await
    }

    pub async fn qa_faults(&self, f: &Faults) -> CoreResult<Faults> {
        self.send(self.world_req(Method::PUT, "/qa/faults")?.json(f))
            .await
    }

    pub async fn qa_reset(&self) -> CoreResult<()> {
        self.send_empty(self.world_req(Method::POST, "/qa/reset")?)
            .await
    }
}
