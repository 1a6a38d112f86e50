//! The System Use Agreement (AUTH-10): its current text, and accepting it.

use std::sync::atomic::Ordering;

use mymts_proto::wire::Agreement;

use crate::Core;
use crate::error::CoreResult;

impl Core {
    /// The System Use Agreement's current text (AUTH-10).
    pub async fn agreement(&self) -> CoreResult<Agreement> {
        self.inner.client.agreement().await
    }

    /// Accepts the current System Use Agreement (AUTH-10).
    pub async fn accept_agreement(&self) -> CoreResult<()> {
        // The session that is active now is the one that accepts, even if the user switches
        // accounts while the request is out.
        let api = self.authed()?;
        let version = self.inner.client.agreement().await?.version;
        api.accept_agreement(version).await?;
        // The stored session must say so too, or switching back to it would ask again.
        api.slot().agreement_accepted.store(true, Ordering::Relaxed);
        Ok(())
    }
}
