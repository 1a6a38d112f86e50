//! `mymts qa`: the lab's QA API (SEC-1), through the core's operations.

use mymts_core::{Core, CoreError};
use mymts_proto::PhoneNumber;
use mymts_proto::wire::{InjectSms, PhoneStatePatch};
use serde_json::{Value, json};

use crate::args::{ClockCmd, OnOff, QaCmd};
use crate::output::Outcome;

pub(crate) async fn qa(core: &Core, q: QaCmd) -> Outcome {
    let r: Result<Value, CoreError> = match q {
        QaCmd::Accounts => core.qa_accounts().await.map(|d| {
            json!({
                "accounts": d.accounts.iter().map(|a| json!({
                    "kind": a.kind.as_str(),
                    "login": a.login,
                    "password": a.password,
                    "name": a.name,
                    "balance": (a.balance_kop as f64) / 100.0,
                    "blocked": a.blocked,
                    "note": a.note,
                })).collect::<Vec<_>>(),
                "social": d.social,
            })
        }),
        QaCmd::CaptchaAnswer { id } => core
            .qa_captcha_answer(&id)
            .await
            .map(|a| json!({"answer": a.answer})),
        QaCmd::Sms { from, to, text } => match PhoneNumber::parse(&to) {
            Ok(to) => core
                .qa_sms(&InjectSms { from, to, text })
                .await
                .map(|()| json!({"sent": true})),
            Err(e) => Err(e.into()),
        },
        QaCmd::Phone {
            phone,
            airplane,
            spam_blocker,
            on_net,
        } => match mymts_proto::PhoneNumber::parse(&phone) {
            Err(e) => Err(e.into()),
            Ok(p) => {
                let patch = PhoneStatePatch {
                    airplane: airplane.map(OnOff::get),
                    spam_blocker: spam_blocker.map(OnOff::get),
                    on_net: on_net.map(OnOff::get),
                };
                let r = if airplane.is_none() && spam_blocker.is_none() && on_net.is_none() {
                    core.phone_state(&p).await
                } else {
                    core.qa_set_phone_state(&p, &patch).await
                };
                r.map(|s| serde_json::to_value(s).unwrap_or(Value::Null))
            }
        },
        QaCmd::Clock(ClockCmd::Advance { seconds }) => core
            .qa_clock_advance(seconds)
            .await
            .map(|c| serde_json::to_value(c).unwrap_or(Value::Null)),
        QaCmd::Reset => core.qa_reset().await.map(|()| json!({"reset": true})),
    };
    match r {
        Ok(v) => Outcome::Ok(v),
        Err(e) => e.into(),
    }
}
