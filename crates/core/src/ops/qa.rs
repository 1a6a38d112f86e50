//! The lab's QA API (SEC-1: the world door, never the public one), for the tools a QA engineer
//! drives the simulated world with (the CLI's `qa` commands): the demo accounts, a captcha's
//! answer, an injected SMS, a phone's lab-only state (on operator data), the simulated clock and
//! a reset.

use mymts_proto::PhoneNumber;
use mymts_proto::wire::{
    CaptchaAnswer, ClockState, DemoAccounts, InjectSms, PhoneState, PhoneStatePatch,
};

use crate::Core;
use crate::error::CoreResult;

impl Core {
    /// The demo world's accounts and their passwords.
    pub async fn qa_accounts(&self) -> CoreResult<DemoAccounts> {
        self.inner.client.qa_accounts().await
    }

    /// The answer to captcha `id`, so a scripted login can pass it.
    pub async fn qa_captcha_answer(&self, id: &str) -> CoreResult<CaptchaAnswer> {
        self.inner.client.qa_captcha_answer(id).await
    }

    /// An SMS delivered to a simulated phone as if from `req.from`.
    pub async fn qa_sms(&self, req: &InjectSms) -> CoreResult<()> {
        self.inner.client.qa_sms(req).await
    }

    /// Changes a phone's state, including what only the lab may (on operator data, AUTH-7).
    pub async fn qa_set_phone_state(
        &self,
        phone: &PhoneNumber,
        patch: &PhoneStatePatch,
    ) -> CoreResult<PhoneState> {
        self.inner.client.qa_patch_phone(phone, patch).await
    }

    /// Moves the operator's simulated clock on.
    pub async fn qa_clock_advance(&self, seconds: i64) -> CoreResult<ClockState> {
        self.inner.client.qa_clock_advance(seconds).await
    }

    /// Puts the simulated world back as seeded.
    pub async fn qa_reset(&self) -> CoreResult<()> {
        self.inner.client.qa_reset().await
    }
}
