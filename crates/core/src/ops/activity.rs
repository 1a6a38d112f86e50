//! Activity (AUTH-11): the devices signed in to this account, ending the others, and the
//! operator's log of what was done.

use mymts_proto::wire::{ActivityPage, Revoked, SessionInfo};

use crate::Core;
use crate::error::CoreResult;

impl Core {
    /// The sessions of this account on every device.
    pub async fn device_sessions(&self) -> CoreResult<Vec<SessionInfo>> {
        self.authed()?.sessions().await
    }

    /// Ends every session of this account but this one.
    pub async fn revoke_other_sessions(&self) -> CoreResult<Revoked> {
        self.authed()?.revoke_others().await
    }

    /// A page of the activity log, newest first: before `before` (ms), at most `limit` (1…500)
    /// entries.
    pub async fn activity(
        &self,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> CoreResult<ActivityPage> {
        let limit = limit.map(|l| l.clamp(1, 500));
        self.authed()?.activity(before, limit).await
    }
}
