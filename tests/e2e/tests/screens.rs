//! Screenshots of every screen, made by the real app under Xvfb (issue 4): `scripts/screenshots`
//! runs this walk and copies the pictures to `docs/screenshots/`, which the README shows. It walks
//! the app as a subscriber would, so a screen that breaks fails it with the usual evidence.

use mymts_e2e::Journey;
use mymts_e2e::steps::{accept_agreement, enter_phone, lock_password, password_login};
use mymts_operator::seed::{ANNA, BORIS};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
#[ignore = "run by scripts/screenshots"]
async fn screenshots_of_every_screen() {
    Journey::run("screenshots_of_every_screen", |j| {
        Box::pin(async move {
            j.launch().await;
            // A phone-sized window: the brief is mobile first.
            let _ = j.app().set_window_size(430, 900).await;
            j.el("login-submit").await;
            j.snap("01-login").await;

            enter_phone(j, ANNA).await;
            j.click("login-method-sms").await;
            j.el("sms-captcha-image").await;
            j.snap("02-login-sms-captcha").await;
            j.click("sms-not-arriving").await;
            j.el("trouble-panel").await;
            j.snap("03-code-not-arriving").await;

            j.click("login-tab-home").await;
            j.el("login-contract").await;
            j.snap("04-login-contract").await;
            j.click("login-tab-mobile").await;
            j.click("login-social").await;
            j.el("social-username").await;
            j.snap("05-login-social").await;

            lock_password(j, BORIS).await;
            j.snap("06-login-locked").await;

            // A fraud SMS in the simulated phone.
            j.qa(
                Method::POST,
                "/qa/sms",
                Some(json!({
                    "from": "+79001112233",
                    "to": ANNA,
                    "text": "MTS: your account is blocked, confirm with the code 4821 at mts-secure.example",
                })),
            )
            .await;
            j.click("phone-open").await;
            j.fill("phone-number", &format!("{ANNA}\u{E007}")).await;
            j.el("phone-fraud").await;
            j.snap("07-phone-inbox-fraud").await;
            j.click("phone-close").await;

            password_login(j, ANNA, Journey::password(ANNA), false).await;
            j.el("agreement").await;
            j.snap("08-agreement").await;
            accept_agreement(j, ANNA).await;
            j.el("home-balance").await;
            j.el("home-packages").await;
            j.snap("09-home").await;
            j.click("home-topup").await;
            j.el("topup-dialog").await;
            j.snap("10-top-up").await;
            j.click("dialog-close").await;

            j.click("home-tariffs").await;
            j.el("tariff-current").await;
            j.snap("11-tariffs").await;
            j.click("tab-services").await;
            j.el("services-monthly-total").await;
            j.snap("12-services").await;

            j.click("tab-detail").await;
            j.click("detail-period-all").await;
            j.el("detail-row").await;
            j.el("spending-chart").await;
            j.snap("13-call-detail").await;
            j.click("detail-order").await;
            j.el("detail-done").await;

            j.click("tab-settings").await;
            j.fill("settings-new-password", "Correct-Horse-2026").await;
            j.el("password-strength").await;
            j.snap("14-settings").await;
            j.click("settings-open-activity").await;
            j.el("activity-row").await;
            j.snap("15-activity-and-sessions").await;
            j.click("tab-settings").await;
            j.click("settings-open-block").await;
            j.el("block-number").await;
            j.snap("16-block-number").await;
            j.click("tab-settings").await;
            j.click("settings-open-linked").await;
            j.el("linked-add").await;
            j.snap("17-linked-numbers").await;
            j.click("tab-settings").await;
            j.click("settings-open-help").await;
            j.el("help-support").await;
            j.snap("18-help").await;

            // The printout ordered above, in Anna's mailbox.
            j.click("phone-open").await;
            j.click("phone-tab-mail").await;
            j.el("mail-item").await;
            j.snap("19-mailbox").await;
            j.click("phone-close").await;

            j.click("tab-settings").await;
            j.select("settings-theme", "dark").await;
            j.select("settings-language", "ru").await;
            j.click("tab-home").await;
            j.wait_text("home-tariffs", "тариф").await;
            j.snap("20-home-dark-russian").await;
            j.click("tab-settings").await;
            j.select("settings-theme", "light").await;
            j.select("settings-language", "en").await;
            j.click("tab-home").await;

            // The operator goes away: cached data with the offline banner.
            let addr = j.stop_operator().await;
            j.click("tab-detail").await;
            j.click("tab-home").await;
            j.el("offline-banner").await;
            j.snap("21-home-offline").await;
            j.restart_operator(addr).await;

            // The device's clock is off by ten minutes against the operator's.
            j.advance_clock(600).await;
            j.click("exit-button").await;
            j.el("login-submit").await;
            j.el("clock-warning").await;
            j.snap("22-clock-warning").await;
        })
    })
    .await;
}
