//! Accessibility in the real window (issue 16), run by `scripts/e2e` beside the journeys:
//! j23 walks every screen and dialog with axe-core in English with the light theme (a phone-sized
//! window) and in Russian with the dark theme (a desktop-sized one); j24 signs in, reaches home,
//! opens the call detail and filters it with the keyboard alone, the focus visible at every stop.
//! The other journeys check the states only they reach (`Journey::a11y` in their steps).
//! docs/accessibility.md says what is checked and what is left.

use fantoccini::key::Key;
use mymts_e2e::Journey;
use mymts_e2e::calls::{operator_totals, totals_text};
use mymts_e2e::steps::{accept_agreement, enter_phone, lock_password, password_login};
use mymts_operator::seed::{ANNA, BORIS, VERA};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

const FRAUD_SENDER: &str = "+79001112233";

/// Every screen and dialog of a signed-out window: the four account kinds, both ways in with a
/// number, the troubleshooter, e-mail recovery, social login, a wrong and a locked password, and
/// the simulated phone with its mailbox.
async fn walk_signed_out(j: &Journey, first: bool) {
    j.el("login-submit").await;
    j.a11y("login").await;
    enter_phone(j, ANNA).await;
    j.click("login-method-sms").await;
    j.el("sms-captcha-image").await;
    j.a11y("login-sms").await;
    j.click("sms-not-arriving").await;
    j.el("trouble-panel").await;
    j.a11y("login-code-not-arriving").await;
    j.click("login-tab-home").await;
    j.el("login-contract").await;
    j.a11y("login-contract").await;
    j.click("login-forgot").await;
    j.el("recovery-panel").await;
    j.a11y("login-recovery").await;
    j.click("login-tab-banking").await;
    j.el("banking-lost-password").await;
    j.a11y("login-banking").await;
    j.click("login-tab-mobile").await;
    j.click("login-social").await;
    j.el("social-username").await;
    j.a11y("login-social").await;
    if first {
        // "2 attempts left", then locked (AUTH-3).
        lock_password(j, BORIS).await;
    } else {
        password_login(j, BORIS, "Wrong2026pass", false).await;
        j.el("login-locked").await;
        j.a11y("login-locked").await;
    }

    j.click("phone-open").await;
    j.fill("phone-number", &format!("{ANNA}\u{E007}")).await;
    j.el("phone-fraud").await;
    j.a11y("phone").await;
    j.click(&format!("phone-thread-{FRAUD_SENDER}")).await;
    j.el("phone-sms").await;
    j.a11y("phone-conversation").await;
    j.click("phone-tab-mail").await;
    j.el("mail-no-address").await;
    j.a11y("phone-mail-signed-out").await;
    j.click("phone-close").await;
}

/// Every screen and dialog of a signed-in window.
async fn walk_signed_in(j: &Journey, first: bool) {
    j.click("tab-home").await;
    j.el("home-balance").await;
    j.el("home-packages").await;
    j.a11y("home").await;
    j.click("account-switcher").await;
    j.el("account-menu").await;
    j.a11y("home-account-menu").await;
    j.click("account-switcher").await;
    j.click("home-topup").await;
    j.el("topup-dialog").await;
    j.a11y("top-up").await;
    j.fill("topup-card", "4000 0000 0000 0002").await;
    j.fill("topup-amount", "100").await;
    j.click("topup-submit").await;
    j.el("topup-error").await;
    j.a11y("top-up-declined").await;
    j.click("dialog-close").await;

    j.click("home-tariffs").await;
    j.el("tariff-current").await;
    j.a11y("tariffs").await;
    j.click("tab-services").await;
    j.el("services-monthly-total").await;
    j.a11y("services").await;

    j.click("tab-detail").await;
    j.click("detail-period-all").await;
    j.el("detail-row").await;
    j.el("spending-chart").await;
    j.a11y("call-detail").await;
    j.click("chart-toggle").await;
    j.a11y("call-detail-chart-table").await;
    j.click("chart-toggle").await;
    if first {
        // The printout lands in the mailbox, which then has a letter to show.
        j.click("detail-order").await;
        j.outcome("detail-done", "detail-error", Duration::from_secs(90))
            .await
            .unwrap_or_else(|e| panic!("ordering the printout: {e}"));
        j.a11y("call-detail-ordered").await;
    }

    j.click("tab-settings").await;
    j.fill("settings-new-password", "Correct-Horse-2026").await;
    j.el("password-strength").await;
    j.a11y("settings").await;
    j.click("settings-open-activity").await;
    j.el("activity-row").await;
    j.a11y("activity").await;
    j.click("tab-settings").await;
    j.click("settings-open-block").await;
    j.click("block-number").await;
    j.el("block-confirm").await;
    j.a11y("block-confirm").await;
    j.click("block-cancel").await;
    j.click("tab-settings").await;
    j.click("settings-open-linked").await;
    j.el("linked-add").await;
    j.a11y("linked-numbers").await;
    j.click("tab-settings").await;
    j.click("settings-open-help").await;
    j.click("help-toggle-sms-not-arriving").await;
    j.a11y("help").await;

    j.click("phone-open").await;
    j.el("phone-drawer").await;
    j.a11y("phone-signed-in").await;
    j.click("phone-tab-mail").await;
    j.el("mail-item").await;
    j.a11y("mailbox").await;
    j.click("phone-close").await;
}

/// The language and theme the window shows now, as `lang/theme`.
async fn look(j: &Journey) -> String {
    let (lang, theme) = j.lang_and_theme().await;
    format!("{lang}/{theme}")
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j23_a11y_every_screen_and_dialog_in_en_light_and_ru_dark() {
    Journey::run(
        "j23_a11y_every_screen_and_dialog_in_en_light_and_ru_dark",
        |j| {
            Box::pin(async move {
                j.qa(
                    Method::POST,
                    "/qa/sms",
                    Some(json!({
                        "from": FRAUD_SENDER,
                        "to": ANNA,
                        "text": "MTS: your account is blocked, confirm with the code 4821 at mts-secure.example",
                    })),
                )
                .await;
                j.launch().await;
                // English and light at a phone's width (mobile first)...
                let _ = j.app().set_window_size(430, 900).await;
                j.el("login-submit").await;
                assert_eq!(look(j).await, "en/light", "the window starts in English, light");
                walk_signed_out(j, true).await;
                password_login(j, ANNA, Journey::password(ANNA), false).await;
                j.el("agreement").await;
                accept_agreement(j, ANNA).await;
                walk_signed_in(j, true).await;

                // ...then Russian and dark at a desktop's (the sidebar layout).
                j.click("tab-settings").await;
                j.select("settings-theme", "dark").await;
                j.select("settings-language", "ru").await;
                j.wait_text("tab-home", "Главная").await;
                assert_eq!(look(j).await, "ru/dark");
                let _ = j.app().set_window_size(1280, 800).await;
                walk_signed_in(j, false).await;
                j.click("exit-button").await;
                j.el("login-submit").await;
                assert_eq!(look(j).await, "ru/dark", "kept after Exit");
                walk_signed_out(j, false).await;
                // A first login of another account: the agreement, then a negative balance.
                password_login(j, VERA, Journey::password(VERA), false).await;
                j.el("agreement").await;
                accept_agreement(j, VERA).await;
                j.el("home-balance-hint").await;
                j.a11y("home-negative-balance").await;
            })
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "run by scripts/e2e"]
async fn j24_a11y_keyboard_only_sign_in_home_call_detail_and_filter() {
    Journey::run(
        "j24_a11y_keyboard_only_sign_in_home_call_detail_and_filter",
        |j| {
            Box::pin(async move {
                j.launch().await;
                j.el("login-submit").await;
                j.focus_window().await;
                // From the top of the window, Tab by Tab, the focus visible at every stop.
                j.tab_to("login-phone", 10).await;
                j.type_keys("9161234567").await;
                assert_eq!(j.value("login-phone").await, "+7 916 123-45-67");
                // The ways in are tabs: one tab stop, arrows move between them.
                j.tab_to("login-method-password", 5).await;
                j.press(&[Key::Right]).await;
                let f = j.assert_focus_visible("→ on the tabs").await;
                assert_eq!(f.testid, "login-method-sms", "→ moves to SMS password");
                j.el("sms-captcha-image").await;
                j.press(&[Key::Left]).await;
                let f = j.assert_focus_visible("← on the tabs").await;
                assert_eq!(f.testid, "login-method-password");
                j.tab_to("login-password", 3).await;
                j.type_keys(Journey::password(ANNA)).await;
                j.press(&[Key::Enter]).await;
                // First login: the agreement, accepted from the keyboard.
                j.el("agreement-accept").await;
                j.tab_to("agreement-accept", 20).await;
                j.press(&[Key::Enter]).await;
                j.el("home-balance").await;
                j.tab_to("tab-detail", 20).await;
                j.press(&[Key::Enter]).await;
                j.el("detail-period-all").await;
                // Filter: the whole period, calls only — Enter and Space press a button.
                j.tab_to("detail-period-all", 20).await;
                j.press(&[Key::Enter]).await;
                let all = operator_totals(j, ANNA, "1 = 1", String::new()).await;
                j.wait_text("detail-totals", &totals_text(all)).await;
                j.tab_to("detail-kind-call", 6).await;
                j.press(&[Key::Space]).await;
                let calls = operator_totals(j, ANNA, "c.kind = 'call'", String::new()).await;
                assert!(calls.0 > 0 && calls.0 < all.0, "{calls:?} of {all:?}");
                j.wait_text("detail-totals", &totals_text(calls)).await;
                let pressed = j
                    .el("detail-kind-call")
                    .await
                    .attr("aria-pressed")
                    .await
                    .ok()
                    .flatten();
                assert_eq!(pressed.as_deref(), Some("true"));
                j.assert_focus_visible("after filtering").await;
            })
        },
    )
    .await;
}
