//! Every journey of issue 5 through the real app, by requirement id. Run by `scripts/e2e`
//! (Xvfb, session D-Bus, gnome-keyring, notification daemon, tauri-driver); plain `cargo test`
//! skips them.

use mymts_e2e::Journey;
use mymts_operator::seed::{ANNA, BORIS, VERA};
use reqwest::Method;
use serde_json::json;

/// Signs in on the mobile tab with a permanent password.
async fn password_login(j: &Journey, phone: &str, password: &str, remember: bool) {
    j.click("login-tab-mobile").await;
    j.fill("login-phone", phone).await;
    j.click("login-method-password").await;
    j.fill("login-password", password).await;
    j.set_checked("remember-device", remember).await;
    j.click("login-submit").await;
}

/// Accepts the use agreement when it is asked (first login of an account, AUTH-10).
async fn accept_agreement_if_asked(j: &Journey) {
    for _ in 0..30 {
        if j.present("agreement-accept").await {
            j.click("agreement-accept").await;
            return;
        }
        if j.present("home-balance").await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Reads the captcha's answer through the QA API.
async fn captcha_answer(j: &Journey) -> String {
    let img = j.el("sms-captcha-image").await;
    let id = img
        .attr("data-captcha-id")
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    assert!(
        !id.is_empty(),
        "the captcha image carries its id (data-captcha-id)"
    );
    let v = j.qa(Method::GET, &format!("/qa/captcha/{id}"), None).await;
    v["answer"].as_str().unwrap_or_default().to_string()
}

fn notifications_log() -> String {
    std::env::var("MYMTS_NOTIFY_LOG")
        .ok()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default()
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j01_auth4_inbox3_first_login_by_sms_password() {
    Journey::run("j01_auth4_inbox3_first_login_by_sms_password", |j| {
        Box::pin(async move {
            j.launch().await;
            j.click("login-tab-mobile").await;
            j.fill("login-phone", "+7 916 123-45-67").await;
            j.click("login-method-sms").await;
            let answer = captcha_answer(j).await;
            j.fill("sms-captcha-input", &answer).await;
            j.click("sms-request").await;
            j.el("sms-resend-countdown").await;
            // The code arrives from 3339, is announced, and fills the field by itself.
            j.el("sms-code-filled").await;
            let code = j.value("sms-code").await;
            assert!(
                mymts_proto::otp::is_well_formed(&code),
                "filled code {code:?}"
            );
            let log = notifications_log();
            if std::env::var("MYMTS_NOTIFY_LOG").is_ok() {
                assert!(
                    log.contains(&code),
                    "a notification carried the code over D-Bus"
                );
            }
            j.click("login-submit").await;
            accept_agreement_if_asked(j).await;
            if j.present("offer-skip").await {
                j.click("offer-skip").await;
            }
            let balance = j.text("home-balance").await;
            assert!(balance.contains("450"), "Anna's balance on home: {balance}");
        })
    })
    .await;
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j03_auth3_three_wrong_passwords_lock_and_sms_unlocks() {
    Journey::run(
        "j03_auth3_three_wrong_passwords_lock_and_sms_unlocks",
        |j| {
            Box::pin(async move {
                j.launch().await;
                password_login(j, BORIS, "Wrong2026pass", false).await;
                j.wait_text("attempts-left", "2").await;
                j.click("login-submit").await;
                j.wait_text("attempts-left", "1").await;
                j.click("login-submit").await;
                j.el("login-locked").await;
                // An SMS password unlocks (AUTH-3).
                j.click("login-method-sms").await;
                let answer = captcha_answer(j).await;
                j.fill("sms-captcha-input", &answer).await;
                j.click("sms-request").await;
                j.el("sms-code-filled").await;
                j.click("login-submit").await;
                accept_agreement_if_asked(j).await;
                if j.present("offer-skip").await {
                    j.click("offer-skip").await;
                }
                j.el("home-balance").await;
                let locked: i64 =
                    j.op.state
                        .db
                        .tx(|tx| {
                            Ok(tx.query_row(
                                "SELECT pw_locked FROM accounts WHERE login = ?1",
                                [BORIS],
                                |r| r.get(0),
                            )?)
                        })
                        .await
                        .unwrap_or(1);
                assert_eq!(locked, 0, "the SMS login unlocked the password");
            })
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j05_auth6_remember_this_device_then_restart_logs_in_with_no_input() {
    Journey::run(
        "j05_auth6_remember_this_device_then_restart_logs_in_with_no_input",
        |j| {
            Box::pin(async move {
                j.launch().await;
                password_login(j, ANNA, Journey::password(ANNA), true).await;
                accept_agreement_if_asked(j).await;
                j.el("home-balance").await;
                j.quit().await;
                // No file in the data dir holds the password or a token-looking secret.
                for entry in walk(&j.data_dir) {
                    let bytes = std::fs::read(&entry).unwrap_or_default();
                    let text = String::from_utf8_lossy(&bytes);
                    assert!(
                        !text.contains(Journey::password(ANNA)),
                        "{} holds the password",
                        entry.display()
                    );
                }
                j.launch().await;
                let balance = j.text("home-balance").await;
                assert!(balance.contains("450"), "home with no input: {balance}");
            })
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j08_auth8_exit_forgets_the_device_and_restart_shows_login() {
    Journey::run(
        "j08_auth8_exit_forgets_the_device_and_restart_shows_login",
        |j| {
            Box::pin(async move {
                j.launch().await;
                password_login(j, ANNA, Journey::password(ANNA), true).await;
                accept_agreement_if_asked(j).await;
                j.el("home-balance").await;
                j.click("exit-button").await;
                j.el("login-submit").await;
                j.quit().await;
                j.launch().await;
                j.el("login-submit").await;
                assert!(!j.present("home-balance").await, "no account after Exit");
            })
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j10_acc4_zero_and_negative_balance_refuse_paid_actions_with_the_reason() {
    Journey::run(
        "j10_acc4_zero_and_negative_balance_refuse_paid_actions_with_the_reason",
        |j| {
            Box::pin(async move {
                j.launch().await;
                password_login(j, VERA, Journey::password(VERA), false).await;
                accept_agreement_if_asked(j).await;
                let balance = j.text("home-balance").await;
                assert!(balance.contains("12"), "negative balance shown: {balance}");
                j.click("home-tariffs").await;
                j.el("tariff-why-smart").await;
                j.click("tab-services").await;
                j.el("service-why-music").await;
            })
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j16_inbox3_fraud_sms_is_marked_and_never_filled_in() {
    Journey::run("j16_inbox3_fraud_sms_is_marked_and_never_filled_in", |j| {
        Box::pin(async move {
            j.launch().await;
            j.click("login-tab-mobile").await;
            j.fill("login-phone", ANNA).await;
            j.click("login-method-sms").await;
            j.el("sms-code").await;
            let fake = format!(
                "MTS: your one-time password: Ab3dEf\n\n@{} #Ab3dEf",
                mymts_proto::OTP_DOMAIN
            );
            j.qa(
                Method::POST,
                "/qa/sms",
                Some(json!({"from": "+79001112233", "to": ANNA, "text": fake})),
            )
            .await;
            j.click("phone-open").await;
            j.el("phone-fraud").await;
            j.click("phone-close").await;
            assert_eq!(
                j.value("sms-code").await,
                "",
                "a fraud SMS never fills the code"
            );
        })
    })
    .await;
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j19_acc8_language_switches_and_persists_over_a_restart() {
    Journey::run(
        "j19_acc8_language_switches_and_persists_over_a_restart",
        |j| {
            Box::pin(async move {
                j.launch().await;
                password_login(j, ANNA, Journey::password(ANNA), true).await;
                accept_agreement_if_asked(j).await;
                j.click("tab-settings").await;
                j.select("settings-language", "ru").await;
                j.wait_text("tab-home", "Главная").await;
                j.quit().await;
                j.launch().await;
                j.wait_text("tab-home", "Главная").await;
                j.click("tab-settings").await;
                j.select("settings-language", "en").await;
                j.wait_text("tab-home", "Home").await;
            })
        },
    )
    .await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
