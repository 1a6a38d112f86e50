//! The password (AUTH-9): changing it, and the strength meter the form shows.

use mymts_proto::wire::{ChangePassword, PasswordChanged};
use serde::{Deserialize, Serialize};

use crate::Core;
use crate::error::{CoreError, CoreResult};

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

impl Core {
    /// Change password (AUTH-9); the rules are checked here before asking.
    pub async fn change_password(
        &self,
        old_password: Option<&str>,
        new_password: &str,
        sign_out_others: bool,
    ) -> CoreResult<PasswordChanged> {
        let api = self.authed()?;
        mymts_proto::password::check_new_password(new_password, api.login())
            .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        let req = ChangePassword {
            old_password: old_password.map(str::to_string),
            new_password: new_password.to_string(),
            sign_out_others,
        };
        api.change_password(&req).await
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
}
