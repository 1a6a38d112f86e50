//! The public door's meta and auth endpoints: the operator's identity and time, the ways in,
//! tokens, the agreement, the password, sessions and activity (AUTH-1…12).

use mymts_proto::wire::*;
use reqwest::Method;

use super::ApiClient;
use crate::error::CoreResult;

impl ApiClient {
    // --- meta ----------------------------------------------------------------------------

    pub async fn info(&self) -> CoreResult<OperatorInfo> {
        self.get("/v1/info", None).await
    }

    pub async fn time(&self) -> CoreResult<TimeInfo> {
        self.get("/v1/time", None).await
    }

    // --- auth ----------------------------------------------------------------------------

    pub async fn captcha(&self) -> CoreResult<Captcha> {
        self.send(self.req(Method::POST, "/v1/captcha", None)).await
    }

    pub async fn sms_password(&self, req: &SmsPasswordRequest) -> CoreResult<SmsPasswordSent> {
        self.post("/v1/auth/sms-password", None, req).await
    }

    pub async fn login(&self, req: &LoginRequest) -> CoreResult<LoginResponse> {
        self.post("/v1/auth/login", None, req).await
    }

    pub async fn refresh(&self, refresh_token: &str) -> CoreResult<TokenPair> {
        let body = RefreshRequest {
            refresh_token: refresh_token.to_string(),
        };
        self.post("/v1/auth/refresh", None, &body).await
    }

    pub async fn logout(&self, access: &str) -> CoreResult<()> {
        self.send_empty(self.req(Method::POST, "/v1/auth/logout", Some(access)))
            .await
    }

    /// The user is active on screens the app shows from its cache (AUTH-8): the cheapest
    /// activity that keeps the server session from its idle end.
    pub async fn keepalive(&self, access: &str) -> CoreResult<()> {
        self.send_empty(self.req(Method::POST, "/v1/session/keepalive", Some(access)))
            .await
    }

    pub async fn recovery(&self, req: &RecoveryRequest) -> CoreResult<RecoverySent> {
        self.post("/v1/auth/recovery", None, req).await
    }

    pub async fn recovery_confirm(&self, req: &RecoveryConfirm) -> CoreResult<()> {
        self.send_empty(
            self.req(Method::POST, "/v1/auth/recovery/confirm", None)
                .json(req),
        )
        .await
    }

    pub async fn agreement(&self) -> CoreResult<Agreement> {
        self.get("/v1/agreement", None).await
    }

    pub async fn accept_agreement(&self, access: &str, version: u32) -> CoreResult<()> {
        self.send_empty(
            self.req(Method::POST, "/v1/agreement", Some(access))
                .json(&AcceptAgreement { version }),
        )
        .await
    }

    pub async fn change_password(
        &self,
        access: &str,
        req: &ChangePassword,
    ) -> CoreResult<PasswordChanged> {
        self.post("/v1/password", Some(access), req).await
    }

    pub async fn sessions(&self, access: &str) -> CoreResult<Vec<SessionInfo>> {
        self.get("/v1/sessions", Some(access)).await
    }

    pub async fn revoke_others(&self, access: &str) -> CoreResult<Revoked> {
        self.send(self.req(Method::POST, "/v1/sessions/revoke-others", Some(access)))
            .await
    }

    pub async fn social_links(&self, access: &str) -> CoreResult<Vec<SocialLink>> {
        self.get("/v1/social", Some(access)).await
    }

    pub async fn link_social(
        &self,
        access: &str,
        req: &SocialLinkRequest,
    ) -> CoreResult<SocialLink> {
        self.post("/v1/social", Some(access), req).await
    }

    /// The activity log (AUTH-11), newest first, a page before `before`.
    pub async fn activity(
        &self,
        access: &str,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> CoreResult<ActivityPage> {
        let mut q = Vec::new();
        if let Some(b) = before {
            q.push(format!("before={b}"));
        }
        if let Some(l) = limit {
            q.push(format!("limit={l}"));
        }
        // Both values are integers, so the query needs no encoding.
        let path = if q.is_empty() {
            "/v1/activity".to_string()
        } else {
            format!("/v1/activity?{}", q.join("&"))
        };
        self.call::<(), _>(Method::GET, &path, Some(access), None)
            .await
    }
}
