//! What the desktop/mobile shell needs beyond the other ops: the start-up view read from the cache
//! alone (no keyring, no network), the account routes the shell exposes (ACC-5…7, ACC-10,
//! AUTH-9…12), the simulated phone and mailbox, and the password meter. Kept here, in its own
//! file, so the shell's commands stay one-liners.

use std::path::{Path, PathBuf};

use mymts_proto::PhoneNumber;
use mymts_proto::wire::{
    AccountOverview, ActivityPage, Agreement, BlockRequest, BlockState, CallRecord, CallTotals,
    LinkRequest, LinkedAccount, Mail, MailFilter, MailFolder, MailboxState, MonthSpend, MoveMail,
    OrderPrintout, PhoneState, PhoneStatePatch, PrintoutOrdered, RecoveryEmail,
    RecoveryEmailChange, Revoked, SessionInfo, SocialLink, SocialLinkRequest, TopUpConfirm,
    TopUpRequest, TopUpResult,
};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Core;
use crate::cache::Cache;
use crate::client::seg;
use crate::domain::{Account, Cached, CallFilter};
use crate::error::{CoreError, CoreResult};
use crate::ops::account::VIEW_OVERVIEW;

/// What the first frame shows: the last active remembered account and its cached home view.
/// Read from SQLite only; carries no secret.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BootView {
    pub account: Option<Account>,
    pub home: Option<Cached<AccountOverview>>,
    /// Remembered accounts, most recently used first.
    pub accounts: Vec<Account>,
}

/// Reads the [`BootView`] from a cache (before any [`Core`] or operator exists).
pub fn boot_view(cache: &Cache) -> CoreResult<BootView> {
    let accounts = cache.remembered_accounts()?;
    let Some(account) = accounts.first().cloned() else {
        return Ok(BootView::default());
    };
    let home = cache.cached_view::<AccountOverview>(&account.login, VIEW_OVERVIEW)?;
    Ok(BootView {
        account: Some(account),
        home,
        accounts,
    })
}

/// The password meter (AUTH-9): zxcvbn's score plus the rules of AUTH-5.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Strength {
    /// 0 (guessable) … 4 (strong).
    pub score: u8,
    /// Passes the rules and scores at least 2.
    pub ok: bool,
    /// What to fix, in words.
    pub problems: Vec<String>,
}

pub fn password_strength(password: &str, own_login: &str) -> Strength {
    let mut problems = Vec::new();
    if let Err(e) = mymts_proto::password::check_new_password(password, own_login) {
        problems.push(e.to_string());
    }
    let score = if password.is_empty() {
        0
    } else {
        let inputs = [own_login];
        let e = zxcvbn::zxcvbn(password, &inputs);
        if let Some(w) = e.feedback().and_then(|fb| fb.warning()) {
            problems.push(w.to_string());
        }
        u8::from(e.score())
    };
    if score < 2 && problems.is_empty() {
        problems.push("Easy to guess: make it longer or less predictable.".into());
    }
    Strength {
        score,
        ok: problems.is_empty(),
        problems,
    }
}

/// A mailbox with one folder's letters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MailboxView {
    pub state: MailboxState,
    pub messages: Vec<Mail>,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_row(r: &CallRecord) -> String {
    format!(
        "{},{},{},{},{},{},{}.{:02}\n",
        crate::clock::rfc3339(r.at_ms),
        r.kind.as_str(),
        r.direction.as_str(),
        csv_field(&r.party),
        r.duration_s,
        r.volume_kb,
        r.cost_kop / 100,
        (r.cost_kop % 100).abs()
    )
}

impl Core {
    /// One request to the operator through the core's client.
    async fn api<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        access: Option<&str>,
        body: Option<&B>,
    ) -> CoreResult<T> {
        self.inner.client.call(method, path, access, body).await
    }

    /// An authorised request for the active session (refresh and session ends as in `authed`).
    async fn api_authed<B, T>(&self, method: Method, path: String, body: Option<B>) -> CoreResult<T>
    where
        B: Serialize + Clone,
        T: DeserializeOwned,
    {
        self.authed(|a| {
            let (m, p, b) = (method.clone(), path.clone(), body.clone());
            let me = self.clone();
            async move { me.api(m, &p, Some(&a), b.as_ref()).await }
        })
        .await
    }

    // --- the home screen --------------------------------------------------------------------

    /// The home view (ACC-1): the cached copy when `refresh` is false and there is one,
    /// otherwise fresh from the operator (falling back to the cache offline).
    pub async fn home(&self, refresh: bool) -> CoreResult<Cached<AccountOverview>> {
        if !refresh {
            let login = self.active_login()?;
            if let Some(c) = self.cached_view::<AccountOverview>(&login, VIEW_OVERVIEW)? {
                return Ok(c);
            }
        }
        self.overview().await
    }

    /// The System Use Agreement's current text (AUTH-10).
    pub async fn agreement(&self) -> CoreResult<Agreement> {
        self.inner.client.agreement().await
    }

    // --- sessions, activity, social (AUTH-11, AUTH-12) --------------------------------------

    pub async fn device_sessions(&self) -> CoreResult<Vec<SessionInfo>> {
        let c = self.inner.client.clone();
        self.authed(move |a| {
            let c = c.clone();
            async move { c.sessions(&a).await }
        })
        .await
    }

    pub async fn revoke_other_sessions(&self) -> CoreResult<Revoked> {
        let c = self.inner.client.clone();
        self.authed(move |a| {
            let c = c.clone();
            async move { c.revoke_others(&a).await }
        })
        .await
    }

    pub async fn activity(
        &self,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> CoreResult<ActivityPage> {
        let mut q = Vec::new();
        if let Some(b) = before {
            q.push(format!("before={b}"));
        }
        if let Some(l) = limit {
            q.push(format!("limit={}", l.clamp(1, 500)));
        }
        // Both values are integers, so the query needs no encoding.
        let path = if q.is_empty() {
            "/v1/activity".to_string()
        } else {
            format!("/v1/activity?{}", q.join("&"))
        };
        self.api_authed::<(), _>(Method::GET, path, None).await
    }

    pub async fn social_links(&self) -> CoreResult<Vec<SocialLink>> {
        let c = self.inner.client.clone();
        self.authed(move |a| {
            let c = c.clone();
            async move { c.social_links(&a).await }
        })
        .await
    }

    pub async fn link_social(
        &self,
        provider: &str,
        username: &str,
        password: &str,
    ) -> CoreResult<SocialLink> {
        if provider.trim().is_empty() || username.trim().is_empty() || password.is_empty() {
            return Err(CoreError::InvalidInput(
                "Enter the network, the user name and the password.".into(),
            ));
        }
        let req = SocialLinkRequest {
            provider: provider.trim().to_string(),
            username: username.trim().to_string(),
            password: password.to_string(),
        };
        let c = self.inner.client.clone();
        self.authed(move |a| {
            let (c, req) = (c.clone(), req.clone());
            async move { c.link_social(&a, &req).await }
        })
        .await
    }

    // --- call detail (ACC-5) ------------------------------------------------------------------

    /// Totals of what `filter` matches, from the cache.
    pub fn calls_totals(&self, filter: &CallFilter) -> CoreResult<CallTotals> {
        let login = self.active_login()?;
        self.inner.cache.call_totals(&login, filter)
    }

    pub async fn calls_monthly(&self) -> CoreResult<Vec<MonthSpend>> {
        self.api_authed::<(), _>(Method::GET, "/v1/calls/monthly".into(), None)
            .await
    }

    pub async fn calls_order(&self, filter: &CallFilter) -> CoreResult<PrintoutOrdered> {
        let body = OrderPrintout {
            from_ms: filter.from_ms,
            to_ms: filter.to_ms,
            kind: filter.kind,
            search: filter.search.clone(),
        };
        self.api_authed(Method::POST, "/v1/calls/order".into(), Some(body))
            .await
    }

    /// Writes what `filter` matches in the cached call detail as CSV into `dir`; returns the
    /// file's path. The reading and writing run on a blocking thread.
    pub async fn calls_export_csv(&self, filter: &CallFilter, dir: &Path) -> CoreResult<PathBuf> {
        let login = self.active_login()?;
        let safe: String = login
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        let path = dir.join(format!("mymts-calls-{safe}-{}.csv", self.now_ms()));
        let (me, filter, dir) = (self.clone(), filter.clone(), dir.to_path_buf());
        tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| CoreError::Io(e.to_string()))?;
            let rows = me.inner.cache.query_calls(&login, &filter, u32::MAX, 0)?;
            let mut out = String::from("time,kind,direction,party,duration_s,volume_kb,cost_rub\n");
            for r in &rows {
                out.push_str(&csv_row(r));
            }
            std::fs::write(&path, out).map_err(|e| CoreError::Io(e.to_string()))?;
            Ok(path)
        })
        .await
        .map_err(|e| CoreError::Io(e.to_string()))?
    }

    // --- block, recovery e-mail, links, top-up (ACC-6, 7, 8, 10) -----------------------------

    pub async fn block_number(&self) -> CoreResult<BlockState> {
        let body = BlockRequest { reason: None };
        self.api_authed(Method::POST, "/v1/block".into(), Some(body))
            .await
    }

    pub async fn unblock_number(&self) -> CoreResult<BlockState> {
        self.api_authed::<(), _>(Method::POST, "/v1/unblock".into(), None)
            .await
    }

    /// Sets the recovery e-mail; `current_password` is the proof SEC-4 asks for (none is needed
    /// within 10 minutes of an SMS-password sign-in).
    pub async fn set_recovery_email(
        &self,
        email: &str,
        current_password: Option<&str>,
    ) -> CoreResult<RecoveryEmail> {
        let email = email.trim();
        if !email.contains('@') || email.len() > 254 {
            return Err(CoreError::InvalidInput(
                "Enter an e-mail address like name@example.com.".into(),
            ));
        }
        let body = RecoveryEmailChange {
            email: email.to_string(),
            current_password: current_password
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        };
        self.api_authed(Method::PUT, "/v1/recovery-email".into(), Some(body))
            .await
    }

    pub async fn links(&self) -> CoreResult<Vec<LinkedAccount>> {
        let c = self.inner.client.clone();
        self.authed(move |a| {
            let c = c.clone();
            async move { c.links(&a).await }
        })
        .await
    }

    pub async fn add_link(&self, login: &str, password: &str) -> CoreResult<LinkedAccount> {
        let login = crate::ops::auth::normalise_login(login)?;
        if password.is_empty() {
            return Err(CoreError::InvalidInput("Enter the password.".into()));
        }
        let req = LinkRequest {
            login,
            password: password.to_string(),
        };
        let c = self.inner.client.clone();
        self.authed(move |a| {
            let (c, r) = (c.clone(), req.clone());
            async move { c.add_link(&a, &r).await }
        })
        .await
    }

    pub async fn remove_link(&self, login: &str) -> CoreResult<()> {
        let login = crate::ops::auth::normalise_login(login)?;
        self.api_authed::<(), ()>(Method::DELETE, format!("/v1/links/{}", seg(&login)), None)
            .await
    }

    /// Who has linked this account (SEC-6).
    pub async fn incoming_links(&self) -> CoreResult<Vec<LinkedAccount>> {
        self.api_authed::<(), _>(Method::GET, "/v1/links/incoming".into(), None)
            .await
    }

    /// Unlinks `login`'s account from this one, ending the sessions that link opened (SEC-6).
    pub async fn remove_incoming_link(&self, login: &str) -> CoreResult<()> {
        let login = crate::ops::auth::normalise_login(login)?;
        self.api_authed::<(), ()>(
            Method::DELETE,
            format!("/v1/links/incoming/{}", seg(&login)),
            None,
        )
        .await
    }

    pub async fn topup(&self, card_number: &str, amount_kop: i64) -> CoreResult<TopUpResult> {
        if amount_kop <= 0 {
            return Err(CoreError::InvalidInput(
                "Enter an amount above zero.".into(),
            ));
        }
        let body = TopUpRequest {
            amount_kop,
            card_number: card_number.chars().filter(|c| !c.is_whitespace()).collect(),
        };
        self.api_authed(Method::POST, "/v1/topup".into(), Some(body))
            .await
    }

    pub async fn topup_confirm(&self, payment_id: &str, code: &str) -> CoreResult<TopUpResult> {
        let body = TopUpConfirm {
            code: code.trim().to_string(),
        };
        self.api_authed(
            Method::POST,
            format!("/v1/topup/{}/confirm", seg(payment_id)),
            Some(body),
        )
        .await
    }

    // --- the simulated phone and mailbox (INBOX-1, INBOX-2) ----------------------------------

    pub async fn phone_state(&self, phone: &str) -> CoreResult<PhoneState> {
        let p = PhoneNumber::parse(phone)?;
        self.inner.client.phone(p.as_str()).await
    }

    pub async fn set_phone_state(
        &self,
        phone: &str,
        patch: &PhoneStatePatch,
    ) -> CoreResult<PhoneState> {
        let p = PhoneNumber::parse(phone)?;
        self.inner.client.patch_phone(p.as_str(), patch).await
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

    pub async fn mail_move(&self, address: &str, id: i64, folder: MailFolder) -> CoreResult<Mail> {
        let path = format!("/sim/mailboxes/{}/messages/{id}/move", seg(address.trim()));
        self.inner
            .client
            .world_call(Method::POST, &path, Some(&MoveMail { folder }))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_flags_weak_and_passes_strong() {
        let weak = password_strength("password", "+79161234567");
        assert!(!weak.ok);
        assert!(!weak.problems.is_empty());
        let strong = password_strength("Vw7-quartz-Lamp-92", "+79161234567");
        assert!(strong.ok, "{strong:?}");
        assert!(strong.score >= 3);
    }

    #[test]
    fn csv_quotes_fields() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn boot_view_of_empty_cache_is_empty() {
        let c = Cache::open_in_memory().expect("cache");
        let b = boot_view(&c).expect("boot");
        assert!(b.account.is_none() && b.home.is_none() && b.accounts.is_empty());
    }
}
