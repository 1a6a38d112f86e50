//! Honest clocks (AUTH-13): the operator's time against the device's.

use serde::Serialize;

use crate::Core;
use crate::error::CoreResult;

/// Past this the app warns: codes and sessions would seem to expire early or late.
pub const MAX_SKEW_MS: i64 = 60_000;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClockCheck {
    pub operator_ms: i64,
    pub device_ms: i64,
    /// Device minus operator, corrected for half the round trip.
    pub skew_ms: i64,
    pub warning: Option<String>,
}

pub fn judge(operator_ms: i64, device_ms: i64) -> ClockCheck {
    let skew_ms = device_ms - operator_ms;
    let warning = (skew_ms.abs() > MAX_SKEW_MS).then(|| {
        let mins = skew_ms.abs() / 60_000;
        let secs = (skew_ms.abs() % 60_000) / 1000;
        format!(
            "This device's clock is {mins} min {secs} s {} the operator's. Codes and sessions may seem to expire early or late: set the time automatically.",
            if skew_ms > 0 { "ahead of" } else { "behind" }
        )
    });
    ClockCheck {
        operator_ms,
        device_ms,
        skew_ms,
        warning,
    }
}

impl Core {
    pub async fn clock_check(&self) -> CoreResult<ClockCheck> {
        let before = self.now_ms();
        let t = self.inner.client.time().await?;
        let after = self.now_ms();
        let device_mid = before + (after - before) / 2;
        Ok(judge(t.now_ms, device_mid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth13_judges_a_minute() {
        assert!(judge(1_000_000, 1_000_000 + 59_000).warning.is_none());
        assert!(judge(1_000_000, 1_000_000 + 61_000).warning.is_some());
        let w = judge(1_000_000 + 120_000, 1_000_000);
        assert!(w.warning.as_deref().is_some_and(|s| s.contains("behind")));
    }
}
