//! The ways in: permanent password (AUTH-1, AUTH-3), SMS password with its captcha (AUTH-4),
//! the 111 command (AUTH-5), on-net identification (AUTH-7), a social network (AUTH-12), and
//! e-mail recovery for contracts (AUTH-1).

use mymts_proto::wire::{
    Captcha, LoginRequest, RecoveryConfirm, RecoveryRequest, RecoverySent, SmsPasswordRequest,
    SmsPasswordSent,
};
use mymts_proto::{COMMAND_NUMBER, ErrorCode, Login, PhoneNumber};

use super::{LoginOutcome, nonempty};
use crate::Core;
use crate::client::ApiClient;
use crate::error::{CoreError, CoreResult};

/// A captcha to show (AUTH-4): the PNG, decoded.
#[derive(Debug, Clone)]
pub struct CaptchaImage {
    pub id: String,
    pub png: Vec<u8>,
    pub expires_in_s: u64,
}

impl CaptchaImage {
    /// The PNG as a web page shows it: `data:image/png;base64,…`'s payload.
    pub fn png_base64(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&self.png)
    }
}

impl Core {
    /// A captcha for the SMS-password request (AUTH-4).
    pub async fn captcha(&self) -> CoreResult<CaptchaImage> {
        use base64::Engine as _;
        let c: Captcha = self.inner.client.captcha().await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(c.image_png_base64.as_bytes())
            .map_err(|e| CoreError::Protocol(format!("captcha image: {e}")))?;
        Ok(CaptchaImage {
            id: c.id,
            png,
            expires_in_s: c.expires_in_s,
        })
    }

    /// "Receive password via SMS" (AUTH-4). The captcha answer is case-sensitive. `challenge`
    /// is the one an earlier request returned, if the caller holds one: a resend while the code
    /// is valid goes on with it (SEC-2). The answer's `challenge` goes with the code to
    /// [`Core::login_sms_code`].
    pub async fn request_sms_password(
        &self,
        phone: &PhoneNumber,
        captcha_id: &str,
        captcha_answer: &str,
        challenge: Option<&str>,
    ) -> CoreResult<SmsPasswordSent> {
        nonempty("captcha", captcha_answer)?;
        nonempty("captcha id", captcha_id)?;
        if self.inner.follow_inbox {
            // The phone is watched, with what its inbox held before taken as old, before the
            // request leaves: a code that arrives at once is never taken for an old message
            // (issue 13, item 9).
            self.watch_login_phone(phone).await?;
        }
        self.inner
            .client
            .sms_password(&SmsPasswordRequest {
                phone: phone.clone(),
                captcha_id: captcha_id.to_string(),
                captcha_answer: captcha_answer.to_string(),
                challenge: challenge.map(str::to_string),
            })
            .await
    }

    /// Permanent password, for a phone number or a contract (AUTH-1, AUTH-3).
    pub async fn login_password(
        &self,
        login: &Login,
        password: &str,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        nonempty("password", password)?;
        let req = LoginRequest::Password {
            login: login.clone(),
            password: password.to_string(),
            device: Some(self.inner.device.clone()),
        };
        let resp = self.inner.client.login(&req).await?;
        self.finish_login(resp, remember).await
    }

    /// SMS one-time password (AUTH-4) — also the last step of the 111 flow (AUTH-5). When the
    /// SMS with this code is on the phone's inbox, its delivery tag goes with the code (SEC-2,
    /// `ops::delivery`); otherwise `challenge`, the one [`Core::request_sms_password`] returned:
    /// the operator counts wrong entries per challenge, so a stranger's guesses never spend ours.
    /// With neither, the guess spends the code's shared tries.
    pub async fn login_sms_code(
        &self,
        phone: &PhoneNumber,
        code: &str,
        challenge: Option<&str>,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        nonempty("code", code)?;
        // The SMS itself, read on this device, brings a challenge a stranger never saw.
        let delivered = self.delivery_tag(phone, code.trim()).await;
        let req = LoginRequest::SmsCode {
            phone: phone.clone(),
            code: code.trim().to_string(),
            challenge: delivered
                .or_else(|| challenge.map(str::to_string).filter(|c| !c.is_empty())),
            device: Some(self.inner.device.clone()),
        };
        let resp = self.inner.client.login(&req).await?;
        self.finish_login(resp, remember).await
    }

    /// On-net identification (AUTH-7): the device's SIM (the configured `device_sim`) attaches
    /// to operator data through the world door, and the login travels through the operator's
    /// gateway inside that data session; the gateway learns the number from the session. No
    /// number typed by the user is ever sent as an identity.
    pub async fn login_on_net(&self, remember: bool) -> CoreResult<LoginOutcome> {
        let Some(sim) = self.inner.device_sim.clone() else {
            return Err(CoreError::Api(mymts_proto::ApiErrorBody::new(
                ErrorCode::NotOnNet,
                "This device has no SIM of the operator (set the device SIM).",
            )));
        };
        let session = self.inner.client.open_data_session(sim.as_str()).await?;
        let gw = match session.gateway_url.clone() {
            Some(gw) => gw,
            None => self.inner.client.info().await?.gateway_url.ok_or_else(|| {
                CoreError::Api(mymts_proto::ApiErrorBody::new(
                    ErrorCode::NotOnNet,
                    "This operator has no on-net gateway.",
                ))
            })?,
        };
        let gateway = ApiClient::via_gateway(&gw, &session.session)?;
        let req = LoginRequest::OnNet {
            device: Some(self.inner.device.clone()),
        };
        let resp = gateway.login(&req).await?;
        self.finish_login(resp, remember).await
    }

    /// The simulated phone whose SIM is in this device (AUTH-7), when one is set.
    pub fn device_sim(&self) -> Option<&PhoneNumber> {
        self.inner.device_sim.as_ref()
    }

    /// A linked account of the simulated social network (AUTH-12).
    pub async fn login_social(
        &self,
        provider: &str,
        username: &str,
        password: &str,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        nonempty("provider", provider)?;
        nonempty("user name", username)?;
        nonempty("password", password)?;
        let req = LoginRequest::Social {
            provider: provider.trim().to_string(),
            username: username.trim().to_string(),
            password: password.to_string(),
            device: Some(self.inner.device.clone()),
        };
        let resp = self.inner.client.login(&req).await?;
        self.finish_login(resp, remember).await
    }

    /// E-mail recovery for contract accounts (AUTH-1): sends a code to the recovery address,
    /// with a solved captcha as for an SMS password. The answer's `challenge` goes with the code
    /// to [`Core::recover_and_login`] (SEC-2).
    pub async fn request_recovery(
        &self,
        contract: &Login,
        captcha_id: &str,
        captcha_answer: &str,
    ) -> CoreResult<RecoverySent> {
        nonempty("captcha", captcha_answer)?;
        nonempty("captcha id", captcha_id)?;
        self.inner
            .client
            .recovery(&RecoveryRequest {
                contract: contract.clone(),
                captcha_id: captcha_id.to_string(),
                captcha_answer: captcha_answer.to_string(),
                challenge: None,
            })
            .await
    }

    /// Completes e-mail recovery with the code from the letter and signs in with the new
    /// password (which also clears a password lock, AUTH-3). When the letter is in the mailbox
    /// this core follows, its delivery tag goes instead of `challenge`: tries no stranger can
    /// spend, even one who used up the contract's requests of the hour (SEC-2).
    pub async fn recover_and_login(
        &self,
        contract: &Login,
        challenge: &str,
        code: &str,
        new_password: &str,
        remember: bool,
    ) -> CoreResult<LoginOutcome> {
        nonempty("code", code)?;
        mymts_proto::password::check_new_password(new_password, contract)
            .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let code = code.trim();
        let challenge = match self.recovery_letter_tag(contract, code).await {
            Some(tag) => tag,
            None => challenge.to_string(),
        };
        self.inner
            .client
            .recovery_confirm(&RecoveryConfirm {
                contract: contract.clone(),
                challenge,
                code: code.to_string(),
                new_password: new_password.to_string(),
            })
            .await?;
        self.login_password(contract, new_password, remember).await
    }

    /// The 111 command (AUTH-5): the simulated phone texts `25 <password>` to 111. The reply
    /// brings a one-time password; logging in with it ([`Core::login_sms_code`]) makes the
    /// password permanent. The rules are checked here first so the user learns why at once.
    pub async fn request_password_by_111(
        &self,
        phone: &PhoneNumber,
        password: &str,
    ) -> CoreResult<()> {
        mymts_proto::password::check_new_password(password, phone)
            .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        self.inner
            .client
            .send_sms(phone, COMMAND_NUMBER, &format!("25 {password}"))
            .await
    }
}
