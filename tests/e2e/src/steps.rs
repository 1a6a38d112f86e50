//! Steps many journeys share, as a subscriber takes them.

use crate::Journey;

/// Signs in on the mobile tab with a permanent password.
pub async fn password_login(j: &Journey, phone: &str, password: &str, remember: bool) {
    j.click("login-tab-mobile").await;
    j.fill("login-phone", phone).await;
    j.click("login-method-password").await;
    j.fill("login-password", password).await;
    j.set_checked("remember-device", remember).await;
    j.click("login-submit").await;
}

/// Accepts the use agreement when it is asked (first login of an account, AUTH-10).
pub async fn accept_agreement_if_asked(j: &Journey) {
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

/// Launches the app, signs in with the demo password (agreement accepted) and waits for home.
pub async fn signed_in(j: &mut Journey, login: &str) {
    j.launch().await;
    password_login(j, login, Journey::password(login), false).await;
    accept_agreement_if_asked(j).await;
    j.el("home-balance").await;
}
