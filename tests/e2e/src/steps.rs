//! Steps many journeys share, as a subscriber takes them.

use reqwest::Method;

use crate::Journey;

/// The mobile tab with a number typed in.
pub async fn enter_phone(j: &Journey, phone: &str) {
    j.click("login-tab-mobile").await;
    j.fill("login-phone", phone).await;
}

/// Signs in on the mobile tab with a permanent password.
pub async fn password_login(j: &Journey, phone: &str, password: &str, remember: bool) {
    enter_phone(j, phone).await;
    j.click("login-method-password").await;
    j.fill("login-password", password).await;
    j.set_checked("remember-device", remember).await;
    j.click("login-submit").await;
}

/// Three wrong passwords for `login`: "2 attempts left", "1 attempt left", locked (AUTH-3).
pub async fn lock_password(j: &Journey, login: &str) {
    password_login(j, login, "Wrong2026pass", false).await;
    j.wait_text("attempts-left", "2").await;
    j.a11y("login-wrong-password").await;
    j.click("login-submit").await;
    j.wait_text("attempts-left", "1").await;
    j.click("login-submit").await;
    j.el("login-locked").await;
    j.a11y("login-locked").await;
}

/// The use agreement on an account's first login (AUTH-10): it must be asked, and nothing goes on
/// until it is accepted: no home, no tabs, no account data on screen, and the operator still
/// records it as not accepted a while later. Then it is accepted, home follows, and the operator
/// records the version in force.
pub async fn accept_agreement(j: &Journey, login: &str) {
    const ACCEPTED: &str = "SELECT agreement_version FROM accounts WHERE login = ?1";
    let until = std::time::Instant::now() + crate::WAIT;
    while !j.present("agreement-accept").await {
        assert!(
            !j.present("home-balance").await,
            "{login}'s first login went to home without asking for the agreement (AUTH-10)"
        );
        assert!(
            std::time::Instant::now() < until,
            "{login}'s first login did not ask for the agreement within {:?}",
            crate::WAIT
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    j.a11y("agreement").await;
    // Left alone, the app waits on the agreement: nothing of the account goes on behind it.
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    for id in [
        "home-balance",
        "tab-home",
        "tab-services",
        "account-switcher",
    ] {
        assert!(
            !j.present(id).await,
            "[data-testid={id}] is shown before the agreement is accepted"
        );
    }
    assert!(j.present("agreement-accept").await, "still asking");
    assert_eq!(
        j.db_i64(ACCEPTED, login).await,
        0,
        "not accepted until the user accepts"
    );
    j.click("agreement-accept").await;
    j.el("home-balance").await;
    // Home can be on screen a moment before the operator's answer is read back here (seen twice in
    // a full run, never alone): wait for the record rather than read it once.
    let until = std::time::Instant::now() + crate::WAIT;
    let mut accepted = j.db_i64(ACCEPTED, login).await;
    while accepted != i64::from(mymts_operator::AGREEMENT_VERSION)
        && std::time::Instant::now() < until
    {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        accepted = j.db_i64(ACCEPTED, login).await;
    }
    assert_eq!(
        accepted,
        i64::from(mymts_operator::AGREEMENT_VERSION),
        "the operator records the version accepted"
    );
}

/// Launches the app, signs in with the demo password (agreement accepted) and waits for home.
pub async fn signed_in(j: &mut Journey, login: &str) {
    j.launch().await;
    password_login(j, login, Journey::password(login), false).await;
    accept_agreement(j, login).await;
    j.a11y("home").await;
}

/// Submits the SMS-password form of `login`'s first login and goes on to home: the agreement
/// accepted, the offer of a permanent password skipped.
pub async fn submit_code_and_reach_home(j: &Journey, login: &str) {
    j.a11y("login-sms-code").await;
    j.click("login-submit").await;
    accept_agreement(j, login).await;
    if j.present("offer-skip").await {
        j.a11y("offer-permanent-password").await;
        j.click("offer-skip").await;
    }
    j.el("home-balance").await;
}

/// The id of the captcha on screen (empty while none is).
async fn shown_captcha_id(j: &Journey) -> String {
    shown_captcha_id_in(j, "sms-captcha").await
}

/// The id of the captcha whose controls are named `<testid>-…` (empty while none is shown).
async fn shown_captcha_id_in(j: &Journey, testid: &str) -> String {
    j.el(&format!("{testid}-image"))
        .await
        .attr("data-captcha-id")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Reads the answer of the captcha on screen through the QA API.
pub async fn captcha_answer(j: &Journey) -> String {
    let id = shown_captcha_id(j).await;
    assert!(
        !id.is_empty(),
        "the captcha image carries its id (data-captcha-id)"
    );
    j.captcha_answer_of(&id).await
}

/// Refreshes the captcha, waits for the new image and answers it through the QA API.
pub async fn fresh_captcha_answer(j: &Journey) -> String {
    // The one on screen may have expired (the QA clock moved): wait for the refreshed one.
    let previous = shown_captcha_id(j).await;
    j.click("sms-captcha-refresh").await;
    for _ in 0..100 {
        let id = shown_captcha_id(j).await;
        if !id.is_empty() && id != previous {
            let (status, v) = j
                .call(Method::GET, &format!("/qa/captcha/{id}"), None)
                .await;
            assert_eq!(
                status, 200,
                "the captcha shown after a refresh ({id}, before it {previous:?}) is not live at \
                 the operator: {v}"
            );
            return v["answer"].as_str().unwrap_or_default().to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no new captcha");
}

/// Answers the recovery panel's captcha through the QA API and asks for the letter with `button`
/// (`recovery-send`, or `recovery-resend` once a letter was sent): a recovery request takes a
/// solved captcha like an SMS password (issue 11).
pub async fn ask_recovery_letter(j: &Journey, button: &str) {
    let mut id = String::new();
    for _ in 0..100 {
        id = shown_captcha_id_in(j, "recovery-captcha").await;
        if !id.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!id.is_empty(), "the recovery panel shows a captcha");
    let answer = j.captcha_answer_of(&id).await;
    j.fill("recovery-captcha-input", &answer).await;
    j.click(button).await;
}

/// Answers `answer` in the captcha field and asks for the SMS password.
pub async fn request_sms_code(j: &Journey, answer: &str) {
    j.fill("sms-captcha-input", answer).await;
    j.click("sms-request").await;
}

/// The texts of a simulated phone's SMS from `sender` (any sender when `None`), oldest first.
pub async fn sms_texts(j: &Journey, phone: &str, sender: Option<&str>) -> Vec<String> {
    let (_, v) = j
        .call(Method::GET, &format!("/sim/phones/{phone}/messages"), None)
        .await;
    v.as_array()
        .map(|a| {
            a.iter()
                .filter(|m| sender.is_none_or(|s| m["sender"] == s))
                .filter_map(|m| m["text"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Waits for the `n`-th SMS from `sender` and reads its code.
pub async fn wait_code_from(j: &Journey, phone: &str, sender: &str, n: usize) -> String {
    for _ in 0..100 {
        let texts = sms_texts(j, phone, Some(sender)).await;
        if texts.len() >= n
            && let Some(code) = texts.last().and_then(|t| mymts_proto::otp::extract_code(t))
        {
            return code;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no SMS number {n} from {sender}");
}
