//! Linked accounts: numbers and contracts linked to this one (ACC-7), who has linked this one
//! (SEC-6), switching into them, and the social networks a subscriber signs in with (AUTH-12).

use mymts_proto::wire::{LinkRequest, LinkedAccount, SocialLink, SocialLinkRequest};

use crate::Core;
use mymts_proto::Login;

use crate::domain::Session;
use crate::error::{CoreError, CoreResult};
use crate::ops::auth::LoginOutcome;

impl Core {
    /// Opens a session of a linked account (ACC-7) beside the current one and switches to it.
    pub async fn open_linked(&self, login: &Login) -> CoreResult<LoginOutcome> {
        let resp = self.authed()?.linked_session(login).await?;
        self.finish_login(resp, false).await
    }

    /// Switches to an account: one signed in already, else a linked number, which gets its own
    /// session from the operator (ACC-7).
    pub async fn switch_account(&self, login: &Login) -> CoreResult<Session> {
        match self.switch_to(login) {
            Err(CoreError::NotSignedIn) => Ok(self.open_linked(login).await?.session),
            other => other,
        }
    }

    pub async fn links(&self) -> CoreResult<Vec<LinkedAccount>> {
        self.authed()?.links().await
    }

    pub async fn add_link(&self, login: &Login, password: &str) -> CoreResult<LinkedAccount> {
        if password.is_empty() {
            return Err(CoreError::InvalidInput("Enter the password.".into()));
        }
        let req = LinkRequest {
            login: login.clone(),
            password: password.to_string(),
        };
        self.authed()?.add_link(&req).await
    }

    pub async fn remove_link(&self, login: &Login) -> CoreResult<()> {
        self.authed()?.remove_link(login).await
    }

    /// Who has linked this account (SEC-6).
    pub async fn incoming_links(&self) -> CoreResult<Vec<LinkedAccount>> {
        self.authed()?.incoming_links().await
    }

    /// Unlinks `login`'s account from this one, ending the sessions that link opened (SEC-6).
    pub async fn remove_incoming_link(&self, login: &Login) -> CoreResult<()> {
        self.authed()?.remove_incoming_link(login).await
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
