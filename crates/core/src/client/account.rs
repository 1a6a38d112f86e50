//! The public door's account endpoints: views, tariffs, services, call detail, block, the
//! recovery e-mail, linked numbers and top-up (ACC-1…10, SEC-4, SEC-6).

use mymts_proto::wire::*;
use reqwest::Method;

use super::{ApiClient, seg};
use crate::error::CoreResult;

impl ApiClient {
    pub async fn account(&self, access: &str) -> CoreResult<AccountOverview> {
        self.get("/v1/account", Some(access)).await
    }

    pub async fn balance(&self, access: &str) -> CoreResult<Balance> {
        self.get("/v1/balance", Some(access)).await
    }

    pub async fn tariffs(&self, access: &str) -> CoreResult<TariffList> {
        self.get("/v1/tariffs", Some(access)).await
    }

    pub async fn change_tariff(&self, access: &str, tariff_id: &str) -> CoreResult<Charged> {
        let body = ChangeTariff {
            tariff_id: tariff_id.to_string(),
        };
        self.post("/v1/tariff", Some(access), &body).await
    }

    pub async fn services(&self, access: &str) -> CoreResult<ServiceList> {
        self.get("/v1/services", Some(access)).await
    }

    pub async fn connect_service(&self, access: &str, id: &str) -> CoreResult<Charged> {
        let path = format!("/v1/services/{}", seg(id));
        self.send(self.req(Method::POST, &path, Some(access))).await
    }

    pub async fn disconnect_service(&self, access: &str, id: &str) -> CoreResult<Charged> {
        let path = format!("/v1/services/{}", seg(id));
        self.send(self.req(Method::DELETE, &path, Some(access)))
            .await
    }

    pub async fn calls(&self, access: &str, q: &CallQuery) -> CoreResult<CallPage> {
        self.send(self.req(Method::GET, "/v1/calls", Some(access)).query(q))
            .await
    }

    pub async fn call_totals(&self, access: &str, q: &CallQuery) -> CoreResult<CallTotals> {
        self.send(
            self.req(Method::GET, "/v1/calls/totals", Some(access))
                .query(q),
        )
        .await
    }

    pub async fn links(&self, access: &str) -> CoreResult<Vec<LinkedAccount>> {
        self.get("/v1/links", Some(access)).await
    }

    pub async fn add_link(&self, access: &str, req: &LinkRequest) -> CoreResult<LinkedAccount> {
        self.post("/v1/links", Some(access), req).await
    }

    pub async fn linked_session(&self, access: &str, login: &str) -> CoreResult<LoginResponse> {
        let path = format!("/v1/links/{}/session", seg(login));
        self.send(self.req(Method::POST, &path, Some(access))).await
    }

    pub async fn calls_monthly(&self, access: &str) -> CoreResult<Vec<MonthSpend>> {
        self.call::<(), _>(Method::GET, "/v1/calls/monthly", Some(access), None)
            .await
    }

    /// Orders a printout of the call detail by e-mail (ACC-5).
    pub async fn order_printout(
        &self,
        access: &str,
        req: &CallFilter,
    ) -> CoreResult<PrintoutOrdered> {
        self.call(Method::POST, "/v1/calls/order", Some(access), Some(req))
            .await
    }

    pub async fn block(&self, access: &str, req: &BlockRequest) -> CoreResult<BlockState> {
        self.call(Method::POST, "/v1/block", Some(access), Some(req))
            .await
    }

    pub async fn unblock(&self, access: &str) -> CoreResult<BlockState> {
        self.call::<(), _>(Method::POST, "/v1/unblock", Some(access), None)
            .await
    }

    pub async fn set_recovery_email(
        &self,
        access: &str,
        req: &RecoveryEmailChange,
    ) -> CoreResult<RecoveryEmail> {
        self.call(Method::PUT, "/v1/recovery-email", Some(access), Some(req))
            .await
    }

    pub async fn remove_link(&self, access: &str, login: &str) -> CoreResult<()> {
        let path = format!("/v1/links/{}", seg(login));
        self.call::<(), _>(Method::DELETE, &path, Some(access), None)
            .await
    }

    /// Who has linked this account (SEC-6).
    pub async fn incoming_links(&self, access: &str) -> CoreResult<Vec<LinkedAccount>> {
        self.call::<(), _>(Method::GET, "/v1/links/incoming", Some(access), None)
            .await
    }

    pub async fn remove_incoming_link(&self, access: &str, login: &str) -> CoreResult<()> {
        let path = format!("/v1/links/incoming/{}", seg(login));
        self.call::<(), _>(Method::DELETE, &path, Some(access), None)
            .await
    }

    pub async fn topup(&self, access: &str, req: &TopUpRequest) -> CoreResult<TopUpResult> {
        self.call(Method::POST, "/v1/topup", Some(access), Some(req))
            .await
    }

    pub async fn topup_confirm(
        &self,
        access: &str,
        payment_id: &str,
        req: &TopUpConfirm,
    ) -> CoreResult<TopUpResult> {
        let path = format!("/v1/topup/{}/confirm", seg(payment_id));
        self.call(Method::POST, &path, Some(access), Some(req))
            .await
    }
}
