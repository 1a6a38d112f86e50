//! Top-up by bank card (ACC-10): the payment, then the bank's code that confirms it.

use mymts_proto::wire::{TopUpConfirm, TopUpRequest, TopUpResult};

use crate::Core;
use crate::error::{CoreError, CoreResult};

impl Core {
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
        self.authed()?.topup(&body).await
    }

    /// Confirms a payment with the code the bank sent (ACC-10).
    pub async fn topup_confirm(&self, payment_id: &str, code: &str) -> CoreResult<TopUpResult> {
        let body = TopUpConfirm {
            code: code.trim().to_string(),
        };
        self.authed()?.topup_confirm(payment_id, &body).await
    }
}
