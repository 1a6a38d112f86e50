//! Linked accounts: numbers and contracts linked to this one (ACC-7), who has linked this one
//! (SEC-6), switching into them, and the social networks a subscriber signs in with (AUTH-12).

use mymts_proto::wire::{LinkRequest, LinkedAccount, SocialLink, SocialLinkRequest};

use crate::Core;
use crate::domain::{Session, normalise_login};
use crate::error::{CoreError, CoreResult};
use crate::ops::auth::LoginOutcome;

impl Core {
    /// Opens a session of a linked account (ACC-7) beside the current one and switches to it.
    pub async fn open_linked(&self, login: &str) -> CoreResult<LoginOutcome> {
        let login = normalise_login(login)?;
        let resp = self.authed()?.linked_session(&login).await?;
        self.finish_login(resp, false).await
    }

    /// Switches to an account: one signed in already, else a linked number, which gets its own
    /// session from the operator (ACC-7).
    pub async fn switch_account(&self, login_input: &str) -> CoreResult<Session> {
        match self.switch_to(login_input) {
            Err(CoreError::NotSignedIn) => Ok(self.open_linked(login_input).await?.session),
            other => other,
        }
    }

    pub async fn links(&self) -> CoreResult<Vec<LinkedAccount>> {
        self.authed()?.links().await
    }

    pub async fn add_link(&self, login: &str, password: &str) -> CoreResult<LinkedAccount> {
        let login = normalise_login(login)?;
        if password.is_empty() {
            return Err(CoreError::InvalidInput("Enter the password.".into()));
        }
        let req = LinkRequest {
            login,
            password: password.to_string(),
        };
        self.authed()?.add_link(&req).await
    }

    pub async fn remove_link(&self, login: &str) -> CoreResult<()> {
        let login = normalise_login(login)?;
        self.authed()?.remove_link(&login).await
    }

    /// Who has linked this account (SEC-6).
    pub async fn incoming_links(&self) -> CoreResult<Vec<LinkedAccount>> {
        self.authed()?.incoming_links().await
    }

    /// Unlinks `login`'s account from this one, ending the sessions that link opened (SEC-6).
    pub async fn remove_incoming_link(&self, login: &str) -> CoreResult<()> {
        let login = normalise_login(login)?;
        self.authed()?.remove_incoming_link(&login).await
    }

    /// The social networks linked to this number (AUTH-12).
    pub async fn social_links(&self) -> CoreResult<Vec<SocialLink>> {
        self.authed()?.social_links().await
    }

    /// Links an account of a social network, to sign in with it later (AUTH-12).
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
        self.authed()?.link_social(&req).await
    }
}
