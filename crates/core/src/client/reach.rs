//! Whether the operator answers (ACC-1, CACHE-2), as one fact the core owns: every request the
//! client makes tells it (an answer, even a refusal, is "reachable"; no answer or an answer that
//! is not the operator's is "unreachable"), and so does the live SMS stream connecting or
//! dropping. A change, and only a change, goes out as [`CoreEvent::OperatorStatus`], which the
//! shell shows as the offline banner. Nothing above the core infers it from error codes.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;

use crate::error::CoreError;
use crate::events::CoreEvent;

/// The operator's reachability, shared by every clone of the client that reports to it.
#[derive(Clone, Default)]
pub struct Reach(Arc<Inner>);

#[derive(Default)]
struct Inner {
    last: Mutex<Option<bool>>,
    events: Mutex<Option<broadcast::Sender<CoreEvent>>>,
}

impl std::fmt::Debug for Reach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Reach").field(&self.last()).finish()
    }
}

impl Reach {
    /// Changes from now on go out on `events`.
    pub(crate) fn attach(&self, events: broadcast::Sender<CoreEvent>) {
        *self.0.events.lock().unwrap_or_else(PoisonError::into_inner) = Some(events);
    }

    /// What the last request or stream event said; `None` before the first.
    pub fn last(&self) -> Option<bool> {
        *self.0.last.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records what one request or stream event said; tells a change.
    pub(crate) fn report(&self, reachable: bool, message: Option<String>) {
        let changed = {
            let mut last = self.0.last.lock().unwrap_or_else(PoisonError::into_inner);
            let changed = *last != Some(reachable);
            *last = Some(reachable);
            changed
        };
        if !changed {
            return;
        }
        tracing::info!(reachable, "the operator's reachability changed");
        if let Some(tx) = self
            .0
            .events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            let _ = tx.send(CoreEvent::OperatorStatus { reachable, message });
        }
    }

    /// Records what a request's outcome says: an answer of the operator's (a success or a typed
    /// refusal) is reachable, no answer is not; anything else (a local mistake) says nothing.
    pub(crate) fn observe<T>(&self, outcome: &Result<T, CoreError>) {
        match outcome {
            Ok(_) | Err(CoreError::Api(_)) => self.report(true, None),
            Err(CoreError::Unreachable(m)) => self.report(false, Some(m.clone())),
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(rx: &mut broadcast::Receiver<CoreEvent>) -> Vec<bool> {
        let mut out = Vec::new();
        while let Ok(ev) = rx.try_recv() {
            if let CoreEvent::OperatorStatus { reachable, .. } = ev {
                out.push(reachable);
            }
        }
        out
    }

    #[test]
    fn acc1_only_a_change_of_reachability_is_told() {
        let (tx, mut rx) = broadcast::channel(16);
        let reach = Reach::default();
        reach.attach(tx);
        let down: Result<(), CoreError> = Err(CoreError::Unreachable("down".into()));
        let refused: Result<(), CoreError> = Err(CoreError::Api(mymts_proto::ApiErrorBody {
            code: mymts_proto::ErrorCode::WrongCredentials,
            message: "no".into(),
            attempts_left: None,
            retry_after_s: None,
            field: None,
            hint: None,
        }));
        let local: Result<(), CoreError> = Err(CoreError::NotSignedIn);
        reach.observe(&down);
        reach.observe(&down);
        reach.observe(&local);
        assert_eq!(
            statuses(&mut rx),
            vec![false],
            "told once, a local mistake says nothing"
        );
        reach.observe(&refused);
        reach.observe(&Ok(()));
        assert_eq!(statuses(&mut rx), vec![true], "a refusal is an answer");
        assert_eq!(reach.last(), Some(true));
    }
}
