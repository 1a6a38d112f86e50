//! In-process gates: at most N holders of one named gate at a time, the rest wait their turn.
//! The guess counters (SEC-2, `ops/auth/guesses.rs`) stand behind them; the app state holds the
//! one map of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// In-process gates in front of the counters: at most as many guesses at one counter between
/// `guesses::take` and `guesses::judge` as it has tries, so that a burst of *right* passwords (one subscriber's
/// devices signing in at once) waits its turn instead of finding every try taken and being told
/// "locked". The database count stays the truth; the gate only orders the waiting.
#[derive(Default)]
pub struct Gates(Mutex<HashMap<String, Arc<Semaphore>>>);

/// A held place at a gate; leaving frees it and forgets the gate when nobody else uses it.
pub struct Gate<'a> {
    gates: &'a Gates,
    name: String,
    semaphore: Arc<Semaphore>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Gates {
    pub async fn enter(&self, name: String, places: usize) -> Gate<'_> {
        let semaphore = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(places)))
            .clone();
        // The semaphore is never closed, so acquiring cannot fail; if it did, pass ungated (the
        // database count still holds).
        let permit = semaphore.clone().acquire_owned().await.ok();
        Gate {
            gates: self,
            name,
            semaphore,
            permit,
        }
    }

    /// Gates currently remembered (tests: they do not pile up).
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Gate<'_> {
    fn drop(&mut self) {
        drop(self.permit.take());
        let mut map = self.gates.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Only the map and this gate hold it: nobody waits, nobody is inside.
        if Arc::strong_count(&self.semaphore) == 2 {
            map.remove(&self.name);
        }
    }
}
