//! Issue 11's attacks on guessing and refusals (SEC-2, SEC-3, SEC-4, SEC-6, SEC-7, floods), each
//! run as an attacker would against a real operator on loopback. Each was written first against
//! the operator before the fix and seen to succeed.

mod common;

use common::{Op, code_of, op};
use mymts_operator::seed;
use rusqlite::params;
use serde_json::{Value, json};
use tokio::task::JoinSet;

/// Wrong passwords that lock password login (AUTH-3).
const PASSWORD_TRIES: usize = 3;

/// Addresses a parallel attack comes from: one peer may hold only 16 requests in flight (issue
/// 11, floods), and these attacks are about the counters, not the per-peer bound.
const ATTACK_PEERS: u8 = 8;

async fn parallel(
    op: &Op,
    n: usize,
    make: impl Fn(usize, &reqwest::Client) -> reqwest::RequestBuilder,
) -> Vec<(u16, Value)> {
    let peers = common::peers(ATTACK_PEERS);
    let mut set = JoinSet::new();
    for i in 0..n {
        let req = make(i, &peers[i % peers.len()]);
        set.spawn(async move {
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            let v: Value = resp.json().await.unwrap_or(Value::Null);
            (status, v)
        });
    }
    let _ = op;
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.expect("task"));
    }
    out
}

fn count(answers: &[(u16, Value)], code: &str) -> usize {
    answers.iter().filter(|(_, v)| code_of(v) == code).count()
}

/// Guesses that were judged (their hash verified and a verdict given), as the audit recorded
/// them: a locked answer given before any verify records nothing.
async fn judged(op: &Op, login: &str, action: &'static str) -> i64 {
    let login = login.to_string();
    op.run
        .state
        .db
        .tx(move |tx| {
            Ok(tx.query_row(
                "SELECT COUNT(*) FROM audit WHERE login = ?1 AND action = ?2",
                params![login, action],
                |r| r.get(0),
            )?)
        })
        .await
        .expect("audit")
}

// -------------------------------------------------------------------------------------------
// SEC-2: every guess counted
// -------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_sixty_one_parallel_link_guesses_win_no_extra_tries() {
    let op = op().await;
    let token = op.signed_in(seed::ANNA, "Anna2026pass").await;
    let answers = parallel(&op, 61, |i, http| {
        http.post(op.url("/v1/links"))
            .bearer_auth(&token)
            .json(&json!({"login": seed::DMITRY, "password": format!("Guess{i}x2026")}))
    })
    .await;
    let wrong = count(&answers, "wrong_credentials");
    let locked = count(&answers, "password_locked");
    assert!(
        wrong <= PASSWORD_TRIES,
        "{wrong} guesses judged wrong: {answers:?}"
    );
    assert_eq!(wrong + locked, 61, "{answers:?}");
    // Each judged guess is one the attacker learnt the verdict of: no more than the lock allows.
    let verdicts = judged(&op, seed::ANNA, "link_failed").await;
    assert!(
        verdicts <= PASSWORD_TRIES as i64,
        "{verdicts} guesses were verified"
    );
    // The lock holds for every path, the right password included.
    let (s, v) = op
        .post(
            "/v1/links",
            json!({"login": seed::DMITRY, "password": "Dmitry2026pass"}),
            Some(&token),
        )
        .await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    let (s, v) = op.login_password(seed::DMITRY, "Dmitry2026pass").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    assert!(
        op.run.state.guess_gates.is_empty(),
        "the waiting gates are forgotten"
    );
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_sixty_one_parallel_login_guesses_win_no_extra_tries() {
    let op = op().await;
    let answers = parallel(&op, 61, |i, http| {
        http.post(op.url("/v1/auth/login")).json(&json!({
            "method": "password", "login": seed::HOME_CONTRACT, "password": format!("Guess{i}x2026")
        }))
    })
    .await;
    let wrong = count(&answers, "wrong_credentials");
    assert!(
        wrong <= PASSWORD_TRIES,
        "{wrong} guesses judged wrong: {answers:?}"
    );
    assert_eq!(
        wrong + count(&answers, "password_locked"),
        61,
        "{answers:?}"
    );
    let verdicts = judged(&op, seed::HOME_CONTRACT, "login_failed").await;
    assert!(
        verdicts <= PASSWORD_TRIES as i64,
        "{verdicts} guesses were verified"
    );
    let (s, v) = op.login_password(seed::HOME_CONTRACT, "Home2026pass").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_old_password_of_a_password_change_is_counted() {
    let op = op().await;
    let token = op.signed_in(seed::BORIS, "Boris2026pass").await;
    // A weak new password is refused before the old one is looked at: that answer says nothing.
    let (s, v) = op
        .post(
            "/v1/password",
            json!({"old_password": "Wrong0pass", "new_password": "x"}),
            Some(&token),
        )
        .await;
    assert_eq!((s, code_of(&v)), (400, "weak_password"), "{v}");
    // Guessing in a row: the answer to the right guess must not differ from a locked one.
    for (i, guess) in ["Wrong1pass", "Wrong2pass", "Wrong3pass", "Boris2026pass"]
        .iter()
        .enumerate()
    {
        let (s, v) = op
            .post(
                "/v1/password",
                json!({"old_password": guess, "new_password": "Borisnew2026x"}),
                Some(&token),
            )
            .await;
        if i + 1 < PASSWORD_TRIES {
            assert_eq!(
                (s, code_of(&v)),
                (401, "wrong_credentials"),
                "guess {i}: {v}"
            );
            assert_eq!(v["attempts_left"], (PASSWORD_TRIES - i - 1) as u64, "{v}");
        } else {
            assert_eq!((s, code_of(&v)), (403, "password_locked"), "guess {i}: {v}");
        }
    }
    // The same counter as password login (AUTH-3): the lock holds there too.
    let (s, v) = op.login_password(seed::BORIS, "Boris2026pass").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_parallel_old_password_guesses_win_no_extra_tries() {
    let op = op().await;
    let token = op.signed_in(seed::VERA, "Vera2026pass").await;
    let answers = parallel(&op, 30, |i, http| {
        http.post(op.url("/v1/password")).bearer_auth(&token).json(
            &json!({"old_password": format!("Guess{i}x2026"), "new_password": "Veranew2026x"}),
        )
    })
    .await;
    let wrong = count(&answers, "wrong_credentials");
    assert!(
        wrong <= PASSWORD_TRIES,
        "{wrong} guesses judged wrong: {answers:?}"
    );
    let verdicts = judged(&op, seed::VERA, "password_check_failed").await;
    assert!(
        verdicts <= PASSWORD_TRIES as i64,
        "{verdicts} guesses were verified"
    );
    op.run.stop().await;
}

async fn social_login(op: &Op, username: &str, password: &str) -> (u16, Value) {
    op.post(
        "/v1/auth/login",
        json!({"method": "social", "provider": seed::SOCIAL_PROVIDER, "username": username, "password": password}),
        None,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_social_login_guesses_are_counted_and_the_lock_lifts_after_its_time() {
    let op = op().await;
    let mut codes = Vec::new();
    for i in 0..6 {
        let (s, v) = social_login(&op, "anna.petrova", &format!("Guess{i}")).await;
        codes.push((s, code_of(&v).to_string()));
    }
    let wrong = codes
        .iter()
        .filter(|(_, c)| c == "social_wrong_credentials")
        .count();
    assert!(wrong <= 5, "{codes:?}");
    assert_eq!(
        codes.last().map(|(s, c)| (*s, c.as_str())),
        Some((403, "password_locked")),
        "{codes:?}"
    );
    let (s, v) = social_login(&op, "anna.petrova", "Social2026").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    // The social network's own lock is a cooling-off time: a stranger cannot lock it for good.
    op.advance(15 * 60 * 1000 + 1000);
    let (s, v) = social_login(&op, "anna.petrova", "Social2026").await;
    assert_eq!(s, 200, "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_parallel_social_login_guesses_win_no_extra_tries() {
    let op = op().await;
    let answers = parallel(&op, 40, |i, http| {
        http.post(op.url("/v1/auth/login")).json(&json!({
            "method": "social", "provider": seed::SOCIAL_PROVIDER, "username": "anna.petrova",
            "password": format!("Guess{i}")
        }))
    })
    .await;
    let wrong = count(&answers, "social_wrong_credentials");
    assert!(wrong <= 5, "{wrong} judged wrong: {answers:?}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_linking_a_social_account_counts_its_guesses() {
    let op = op().await;
    let token = op.signed_in(seed::BORIS, "Boris2026pass").await;
    let mut last = (0, Value::Null);
    for i in 0..6 {
        last = op
            .post(
                "/v1/social",
                json!({"provider": seed::SOCIAL_PROVIDER, "username": "boris.ivanov", "password": format!("Guess{i}")}),
                Some(&token),
            )
            .await;
    }
    assert_eq!(
        (last.0, code_of(&last.1)),
        (403, "password_locked"),
        "{}",
        last.1
    );
    let (s, v) = op
        .post(
            "/v1/social",
            json!({"provider": seed::SOCIAL_PROVIDER, "username": "boris.ivanov", "password": "Social2026"}),
            Some(&token),
        )
        .await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_parallel_sms_code_guesses_win_no_extra_tries() {
    let op = op().await;
    let (s, v) = op.request_code(seed::GLEB).await;
    assert_eq!(s, 200, "{v}");
    let code = op.last_code(seed::GLEB, mymts_proto::OTP_SENDER).await;
    let answers = parallel(&op, 30, |i, http| {
        // Wrong but well formed: six characters that are not the code.
        let guess = if i % 2 == 0 { "AAAAA1" } else { "BBBBB2" };
        http.post(op.url("/v1/auth/login"))
            .json(&json!({"method": "sms_code", "phone": seed::GLEB, "code": guess}))
    })
    .await;
    let judged = count(&answers, "code_wrong");
    assert!(judged < 5, "{judged} wrong codes judged: {answers:?}");
    let (_, v) = op.login_code(seed::GLEB, &code).await;
    assert_eq!(
        code_of(&v),
        "code_expired",
        "the burnt code still worked: {v}"
    );
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_stranger_cannot_lock_a_subscriber_out_of_the_sms_path() {
    let op = op().await;
    for i in 0..5 {
        op.login_password(seed::GLEB, &format!("Guess{i}x2026"))
            .await;
    }
    let (s, v) = op.login_password(seed::GLEB, "Gleb2026pass").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    // The SMS path has its own counter (AUTH-3: separate counters per factor) and unlocks.
    let (s, v) = op.request_code(seed::GLEB).await;
    assert_eq!(s, 200, "{v}");
    let code = op.last_code(seed::GLEB, mymts_proto::OTP_SENDER).await;
    let (s, v) = op.login_code(seed::GLEB, &code).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = op.login_password(seed::GLEB, "Gleb2026pass").await;
    assert_eq!(s, 200, "{v}");
    op.run.stop().await;
}

// -------------------------------------------------------------------------------------------
// SEC-3: refusals tell nothing
// -------------------------------------------------------------------------------------------

async fn refusals(op: &Op, login: &str, tries: usize) -> Vec<(u16, Value)> {
    let mut out = Vec::new();
    for i in 0..tries {
        out.push(op.login_password(login, &format!("Guess{i}x2026")).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec3_unknown_and_known_logins_are_refused_alike() {
    let op = op().await;
    for (known, unknown) in [
        (seed::DMITRY, "+79160000001"),
        // A mobile number with no permanent password yet looks like any other.
        (seed::ELENA, "+79160000002"),
        (seed::HOME_CONTRACT, "7700000001"),
        (seed::SAT_CONTRACT, "7800000001"),
        (seed::BANKING_LOGIN, "bank-nobody"),
    ] {
        let k = refusals(&op, known, 5).await;
        let u = refusals(&op, unknown, 5).await;
        assert_eq!(k, u, "{known} and {unknown} answered differently");
        assert_eq!(k[0].1["attempts_left"], 2, "{known}: {:?}", k[0]);
    }
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec3_social_refusals_for_unknown_and_known_usernames_are_alike() {
    let op = op().await;
    let mut k = Vec::new();
    let mut u = Vec::new();
    for i in 0..7 {
        k.push(social_login(&op, "anna.petrova", &format!("Guess{i}")).await);
        u.push(social_login(&op, "nobody.here", &format!("Guess{i}")).await);
    }
    assert_eq!(k, u);
    op.run.stop().await;
}

async fn recovery(op: &Op, contract: &str) -> (u16, Value) {
    op.post(
        "/v1/auth/recovery",
        op.with_captcha(json!({"contract": contract})).await,
        None,
    )
    .await
}

fn shape(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec3_recovery_for_an_unknown_contract_looks_like_a_known_one() {
    let op = op().await;
    for (known, unknown) in [
        (seed::HOME_CONTRACT, "7700000009"),
        (seed::SAT_CONTRACT, "7800000009"),
    ] {
        let (ks, kv) = recovery(&op, known).await;
        let (us, uv) = recovery(&op, unknown).await;
        assert_eq!((ks, shape(&kv)), (us, shape(&uv)), "{kv} against {uv}");
        assert_eq!(ks, 200, "{kv}");
        assert_eq!(kv["expires_in_s"], uv["expires_in_s"]);
        // Asking for the unknown one again names the same masked address, as for a real one.
        op.advance(61_000);
        let (ks2, kv2) = recovery(&op, known).await;
        let (us2, uv2) = recovery(&op, unknown).await;
        assert_eq!((ks2, us2), (200, 200), "{kv2} {uv2}");
        assert_eq!(kv2["masked_email"], kv["masked_email"]);
        assert_eq!(uv2["masked_email"], uv["masked_email"]);
        // Too soon: refused alike.
        let (ks3, kv3) = recovery(&op, known).await;
        let (us3, uv3) = recovery(&op, unknown).await;
        assert_eq!((ks3, &kv3), (us3, &uv3));
        assert_eq!(ks3, 429, "{kv3}");
    }
    op.run.stop().await;
}

/// Issue 11, "refusals tell who is a subscriber", on the SMS path: asking for an SMS password
/// must not tell a subscriber's number from a stranger's (SEC-3). The troubleshooter learns
/// "not registered" through the world door, the subscriber's own phone (INBOX-4).
#[tokio::test]
async fn sec3_an_sms_password_for_an_unknown_number_looks_like_one_for_a_subscriber() {
    let op = op().await;
    let unknown = "+79990000009";
    let (ks, kv) = op.request_code(seed::ELENA).await;
    let (us, uv) = op.request_code(unknown).await;
    assert_eq!((ks, shape(&kv)), (us, shape(&uv)), "{kv} against {uv}");
    assert_eq!(ks, 200, "{kv}");
    for field in [
        "resend_after_s",
        "expires_in_s",
        "resent_same_code",
        "requests_left_this_hour",
    ] {
        assert_eq!(kv[field], uv[field], "{field}: {kv} against {uv}");
    }
    // A resend while "the code" is valid, and one too soon: alike.
    op.advance(61_000);
    let (ks2, kv2) = op.request_code(seed::ELENA).await;
    let (us2, uv2) = op.request_code(unknown).await;
    assert_eq!((ks2, us2), (200, 200), "{kv2} {uv2}");
    assert_eq!(kv2["resent_same_code"], uv2["resent_same_code"]);
    assert_eq!(
        kv2["requests_left_this_hour"],
        uv2["requests_left_this_hour"]
    );
    let (ks3, kv3) = op.request_code(seed::ELENA).await;
    let (us3, uv3) = op.request_code(unknown).await;
    assert_eq!((ks3, &kv3), (us3, &uv3));
    assert_eq!(ks3, 429, "{kv3}");
    // Nothing is texted to a number that is no subscriber's.
    assert!(
        op.sms_texts(unknown, mymts_proto::OTP_SENDER)
            .await
            .is_empty()
    );
    op.run.stop().await;
}

// -------------------------------------------------------------------------------------------
// Floods
// -------------------------------------------------------------------------------------------

async fn mail_texts(op: &Op, address: &str) -> Vec<String> {
    let address = address.to_string();
    let st = op.run.state.clone();
    op.run
        .state
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare("SELECT body FROM mail WHERE address = ?1 ORDER BY id")?;
            let bodies: Vec<Vec<u8>> = stmt
                .query_map(params![address], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            bodies.iter().map(|b| st.key.open_string(b)).collect()
        })
        .await
        .expect("mail rows")
}

fn code_in_letter(text: &str) -> String {
    let after = text.split("is: ").nth(1).expect("a code in the letter");
    after.split_whitespace().next().expect("code").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn floods_recovery_codes_follow_the_sms_code_rules() {
    let op = op().await;
    let mailbox = "petrov.home@mail.example";
    let (s, v) = recovery(&op, seed::HOME_CONTRACT).await;
    assert_eq!(s, 200, "{v}");
    let challenge = v["challenge"].clone();
    let first = code_in_letter(mail_texts(&op, mailbox).await.last().expect("letter"));
    // 60 s between sends.
    let (s, v) = recovery(&op, seed::HOME_CONTRACT).await;
    assert_eq!((s, code_of(&v)), (429, "rate_limited"), "{v}");
    // A resend while the code is valid repeats it: letters arriving late all work.
    let mut sent = 1;
    for _ in 0..4 {
        op.advance(61_000);
        let (s, v) = recovery(&op, seed::HOME_CONTRACT).await;
        assert_eq!(s, 200, "{v}");
        sent += 1;
        let again = code_in_letter(mail_texts(&op, mailbox).await.last().expect("letter"));
        assert_eq!(again, first, "resend {sent} changed the code");
    }
    // Five an hour.
    op.advance(61_000);
    let (s, v) = recovery(&op, seed::HOME_CONTRACT).await;
    assert_eq!((s, code_of(&v)), (429, "rate_limited"), "{v}");
    assert_eq!(mail_texts(&op, mailbox).await.len(), 5);
    // The first letter's code still works, with the first request's challenge.
    let (s, v) = op
        .post(
            "/v1/auth/recovery/confirm",
            json!({"contract": seed::HOME_CONTRACT, "challenge": challenge, "code": first, "new_password": "Newhome2026x"}),
            None,
        )
        .await;
    assert_eq!(s, 204, "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn floods_a_captcha_flood_neither_grows_memory_nor_evicts_a_subscribers_captcha() {
    let op = op().await;
    // The subscriber asks from 127.0.0.1; the flood comes from another address.
    let (id, answer) = op.captcha().await;
    let flooder = common::client_from(2);
    for _ in 0..40 {
        let r = flooder
            .post(op.url("/v1/captcha"))
            .json(&json!({}))
            .send()
            .await
            .expect("req");
        assert!(
            r.status().is_success() || r.status().as_u16() == 429,
            "{}",
            r.status()
        );
    }
    let live = op
        .run
        .state
        .captchas
        .lock()
        .map(|m| m.len())
        .unwrap_or(usize::MAX);
    assert!(
        live <= 1 + mymts_operator::state::CAPTCHA_PER_CLIENT,
        "{live} live captchas"
    );
    let (s, v) = op
        .post(
            "/v1/auth/sms-password",
            json!({"phone": seed::GLEB, "captcha_id": id, "captcha_answer": answer}),
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    op.run.stop().await;
}

// -------------------------------------------------------------------------------------------
// SEC-4: fresh proof for sensitive changes
// -------------------------------------------------------------------------------------------

async fn put(op: &Op, path: &str, body: Value, token: &str) -> (u16, Value) {
    op.send(op.http.put(op.url(path)).bearer_auth(token).json(&body))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec4_recovery_email_needs_the_current_password() {
    let op = op().await;
    let token = op.signed_in(seed::HOME_CONTRACT, "Home2026pass").await;
    let (s, v) = put(
        &op,
        "/v1/recovery-email",
        json!({"email": "thief@mail.example"}),
        &token,
    )
    .await;
    assert_eq!((s, code_of(&v)), (403, "fresh_proof_required"), "{v}");
    assert_eq!(v["field"], "current_password");
    let (s, v) = put(
        &op,
        "/v1/recovery-email",
        json!({"email": "thief@mail.example", "current_password": "Wrong2026x"}),
        &token,
    )
    .await;
    assert_eq!((s, code_of(&v)), (401, "wrong_credentials"), "{v}");
    assert_eq!(
        v["attempts_left"], 2,
        "counted on the password's counter (SEC-2)"
    );
    let (s, v) = put(
        &op,
        "/v1/recovery-email",
        json!({"email": "new.home@mail.example", "current_password": "Home2026pass"}),
        &token,
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["email"], "new.home@mail.example");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec4_an_old_sms_session_is_not_fresh_proof() {
    let op = op().await;
    let (s, v) = op.request_code(seed::BORIS).await;
    assert_eq!(s, 200, "{v}");
    let code = op.last_code(seed::BORIS, mymts_proto::OTP_SENDER).await;
    let (s, v) = op.login_code(seed::BORIS, &code).await;
    assert_eq!(s, 200, "{v}");
    let token = v["tokens"]["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    op.post(
        "/v1/agreement",
        json!({"version": mymts_operator::AGREEMENT_VERSION}),
        Some(&token),
    )
    .await;
    // Fresh: the SMS code just proved the phone.
    let (s, v) = op
        .post(
            "/v1/password",
            json!({"new_password": "Borisnew2026x"}),
            Some(&token),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // Eleven minutes later, the same session must prove itself again.
    op.advance(11 * 60_000);
    let (s, v) = op
        .post(
            "/v1/password",
            json!({"new_password": "Borisnewer2026x"}),
            Some(&token),
        )
        .await;
    assert_eq!((s, code_of(&v)), (403, "fresh_proof_required"), "{v}");
    assert_eq!(v["field"], "old_password", "{v}");
    op.run.stop().await;
}

// -------------------------------------------------------------------------------------------
// SEC-6: links are revocable by the linked
// -------------------------------------------------------------------------------------------

async fn delete(op: &Op, path: &str, token: &str) -> (u16, Value) {
    op.send(op.http.delete(op.url(path)).bearer_auth(token))
        .await
}

fn logins(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["account"]["login"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec6_the_linked_sees_who_linked_them_and_removes_them() {
    let op = op().await;
    let anna = op.signed_in(seed::ANNA, "Anna2026pass").await;
    let fedor = op.signed_in(seed::FEDOR, "Fedor2026pass").await;
    let (s, v) = op.get("/v1/links/incoming", Some(&fedor)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(logins(&v), vec![seed::ANNA.to_string()]);
    let (s, v) = delete(&op, &format!("/v1/links/incoming/{}", seed::ANNA), &fedor).await;
    assert_eq!(s, 204, "{v}");
    let (_, v) = op.get("/v1/links", Some(&anna)).await;
    assert!(!logins(&v).contains(&seed::FEDOR.to_string()), "{v}");
    let (s, v) = op
        .post(
            &format!("/v1/links/{}/session", seed::FEDOR),
            json!({}),
            Some(&anna),
        )
        .await;
    assert_eq!((s, code_of(&v)), (404, "not_linked"), "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec6_links_end_when_the_owner_changes_the_password_signing_out_others() {
    let op = op().await;
    let anna = op.signed_in(seed::ANNA, "Anna2026pass").await;
    // Anna switched into Fedor's account: a linked session of Fedor's.
    let (s, v) = op
        .post(
            &format!("/v1/links/{}/session", seed::FEDOR),
            json!({}),
            Some(&anna),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let fedor = op.signed_in(seed::FEDOR, "Fedor2026pass").await;
    let (s, v) = op
        .post(
            "/v1/password",
            json!({"old_password": "Fedor2026pass", "new_password": "Fedornew2026x", "sign_out_others": true}),
            Some(&fedor),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (_, v) = op.get("/v1/links", Some(&anna)).await;
    assert!(!logins(&v).contains(&seed::FEDOR.to_string()), "{v}");
    let (s, v) = op
        .post(
            &format!("/v1/links/{}/session", seed::FEDOR),
            json!({}),
            Some(&anna),
        )
        .await;
    assert_eq!((s, code_of(&v)), (404, "not_linked"), "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec6_links_end_when_the_owner_recovers_the_password() {
    let op = op().await;
    let anna = op.signed_in(seed::ANNA, "Anna2026pass").await;
    let (s, v) = op
        .post(
            "/v1/links",
            json!({"login": seed::HOME_CONTRACT, "password": "Home2026pass"}),
            Some(&anna),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = recovery(&op, seed::HOME_CONTRACT).await;
    assert_eq!(s, 200, "{v}");
    let challenge = v["challenge"].clone();
    let code = code_in_letter(
        mail_texts(&op, "petrov.home@mail.example")
            .await
            .last()
            .expect("letter"),
    );
    let (s, v) = op
        .post(
            "/v1/auth/recovery/confirm",
            json!({"contract": seed::HOME_CONTRACT, "challenge": challenge, "code": code, "new_password": "Newhome2026x"}),
            None,
        )
        .await;
    assert_eq!(s, 204, "{v}");
    let (_, v) = op.get("/v1/links", Some(&anna)).await;
    assert!(
        !logins(&v).contains(&seed::HOME_CONTRACT.to_string()),
        "{v}"
    );
    op.run.stop().await;
}

// -------------------------------------------------------------------------------------------
// SEC-7: tamper-evident activity
// -------------------------------------------------------------------------------------------

async fn audit_verdict(op: &Op) -> (i64, Option<i64>) {
    op.run
        .state
        .db
        .tx({
            let st = op.run.state.clone();
            move |tx| {
                let _ = &st;
                mymts_operator::audit::verify(tx)
            }
        })
        .await
        .expect("verify")
}

/// `id, at_ms, login, action, channel, device, detail` of an audit row.
type AuditRow = (i64, i64, Option<String>, String, String, String, String);

/// What an attacker with the database file but not the key file computes for a row: the old
/// unkeyed chain.
fn plain_hash(prev: &str, id: i64, at_ms: i64, fields: [&str; 5]) -> String {
    use sha2::{Digest, Sha256};
    let [login, action, channel, device, detail] = fields;
    let mut h = Sha256::new();
    for part in [
        prev,
        &id.to_string(),
        &at_ms.to_string(),
        login,
        action,
        channel,
        device,
        detail,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec7_a_rewritten_row_with_a_recomputed_chain_is_detected() {
    let op = op().await;
    op.login_password(seed::BORIS, "Wrong2026x").await;
    op.signed_in(seed::BORIS, "Boris2026pass").await;
    assert_eq!(
        audit_verdict(&op).await.1,
        None,
        "an untouched log verifies"
    );
    // Rewrite every row's detail and recompute the chain as an unkeyed SHA-256 chain would.
    op.run
        .state
        .db
        .tx(|tx| {
            let rows: Vec<AuditRow> = tx
                .prepare("SELECT id, at_ms, login, action, channel, device, detail FROM audit ORDER BY id")?
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut prev = "0".repeat(64);
            for (id, at, login, action, channel, device, detail) in rows {
                let detail = detail.replace("wrong password", "all fine");
                let h = plain_hash(&prev, id, at, [login.as_deref().unwrap_or(""), &action, &channel, &device, &detail]);
                tx.execute(
                    "UPDATE audit SET detail = ?1, prev_hash = ?2, hash = ?3 WHERE id = ?4",
                    params![detail, prev, h, id],
                )?;
                prev = h;
            }
            Ok(())
        })
        .await
        .expect("rewrite");
    assert!(
        audit_verdict(&op).await.1.is_some(),
        "a rewritten log still verified"
    );
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec7_a_row_moved_to_another_account_is_detected() {
    let op = op().await;
    op.signed_in(seed::BORIS, "Boris2026pass").await;
    let vera: i64 = op
        .sql_i64("SELECT id FROM accounts WHERE login = ?1", seed::VERA)
        .await;
    op.run
        .state
        .db
        .tx(move |tx| {
            Ok(tx.execute(
                "UPDATE audit SET account_id = ?1 WHERE id = (SELECT MAX(id) FROM audit)",
                params![vera],
            )?)
        })
        .await
        .expect("move");
    assert!(
        audit_verdict(&op).await.1.is_some(),
        "a row moved to Vera's Activity still verified"
    );
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec7_a_cut_off_tail_is_detected() {
    let op = op().await;
    op.login_password(seed::BORIS, "Wrong2026x").await;
    op.signed_in(seed::BORIS, "Boris2026pass").await;
    op.run
        .state
        .db
        .tx(|tx| {
            Ok(tx.execute(
                "DELETE FROM audit WHERE id > (SELECT MAX(id) - 2 FROM audit)",
                [],
            )?)
        })
        .await
        .expect("cut");
    assert!(
        audit_verdict(&op).await.1.is_some(),
        "a cut-off log still verified"
    );
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec7_a_world_with_the_old_unkeyed_chain_is_keyed_at_start_and_verifies() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = mymts_operator::Config {
        db_path: Some(dir.path().join("world.db")),
        ..mymts_operator::Config::ephemeral()
    };
    let op = common::op_with(config.clone()).await;
    op.signed_in(seed::BORIS, "Boris2026pass").await;
    op.run.stop().await;
    // Rewrite the file's chain as the first scheme made it (unkeyed, no kept head) and put the
    // schema back to the version before the keyed chain, as such a world's file was.
    let plain = rewrite_unkeyed(&dir.path().join("world.db"), "", "");
    rusqlite::Connection::open(dir.path().join("world.db"))
        .and_then(|c| c.pragma_update(None, "user_version", 4))
        .expect("old schema");
    let op = common::op_with(config).await;
    assert_eq!(
        audit_verdict(&op).await.1,
        None,
        "the upgraded chain verifies"
    );
    let last: String = op
        .run
        .state
        .db
        .tx(|tx| {
            Ok(
                tx.query_row("SELECT hash FROM audit ORDER BY id LIMIT 1", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .await
        .expect("hash");
    assert_ne!(Some(&last), plain.first(), "rows are keyed now");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec7_a_cut_off_tail_stays_detected_after_a_new_event() {
    let op = op().await;
    op.login_password(seed::BORIS, "Wrong2026x").await;
    op.signed_in(seed::BORIS, "Boris2026pass").await;
    op.run
        .state
        .db
        .tx(|tx| {
            Ok(tx.execute(
                "DELETE FROM audit WHERE id > (SELECT MAX(id) - 2 FROM audit)",
                [],
            )?)
        })
        .await
        .expect("cut");
    // A new event after the cut must not chain over it and write a valid head.
    op.signed_in(seed::BORIS, "Boris2026pass").await;
    assert!(
        audit_verdict(&op).await.1.is_some(),
        "a cut-off log verified once a new event was written after the cut"
    );
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec7_an_emptied_log_is_detected() {
    let op = op().await;
    op.signed_in(seed::BORIS, "Boris2026pass").await;
    op.run
        .state
        .db
        .tx(|tx| {
            tx.execute("DELETE FROM audit", [])?;
            Ok(tx.execute("DELETE FROM meta WHERE key = 'audit_head'", [])?)
        })
        .await
        .expect("empty");
    assert!(
        audit_verdict(&op).await.1.is_some(),
        "a log emptied of every row and its head verified"
    );
    op.run.stop().await;
}

/// Rewrites the chain of the world in `path` as an unkeyed SHA-256 chain and drops the kept
/// head: what the first scheme left, or what an attacker without the key file can write.
fn rewrite_unkeyed(path: &std::path::Path, detail_from: &str, detail_to: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(path).expect("open");
    let rows: Vec<AuditRow> = c
        .prepare("SELECT id, at_ms, login, action, channel, device, detail FROM audit ORDER BY id")
        .expect("prepare")
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert!(rows.len() >= 2);
    let mut prev = "0".repeat(64);
    let mut hashes = Vec::new();
    for (id, at, login, action, channel, device, detail) in rows {
        let detail = detail.replace(detail_from, detail_to);
        let h = plain_hash(
            &prev,
            id,
            at,
            [
                login.as_deref().unwrap_or(""),
                &action,
                &channel,
                &device,
                &detail,
            ],
        );
        c.execute(
            "UPDATE audit SET detail = ?1, prev_hash = ?2, hash = ?3 WHERE id = ?4",
            params![detail, prev, h, id],
        )
        .expect("rewrite");
        hashes.push(h.clone());
        prev = h;
    }
    c.execute("DELETE FROM meta WHERE key = 'audit_head'", [])
        .expect("head");
    hashes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec7_an_unkeyed_chain_written_into_a_keyed_world_is_not_keyed_on_restart() {
    let dir = tempfile::tempdir().expect("tmp");
    let config = mymts_operator::Config {
        db_path: Some(dir.path().join("world.db")),
        ..mymts_operator::Config::ephemeral()
    };
    let op = common::op_with(config.clone()).await;
    op.login_password(seed::BORIS, "Wrong2026x").await;
    op.signed_in(seed::BORIS, "Boris2026pass").await;
    op.run.stop().await;
    rewrite_unkeyed(&dir.path().join("world.db"), "wrong password", "all fine");
    let op = common::op_with(config).await;
    assert!(
        audit_verdict(&op).await.1.is_some(),
        "a forged unkeyed history was keyed at restart and verified"
    );
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec3_stand_in_masked_addresses_use_the_whole_alphabet() {
    let op = op().await;
    let mut letters = std::collections::BTreeSet::new();
    for n in 0..40 {
        let (status, v) = recovery(&op, &format!("77000{n:05}")).await;
        assert_eq!(status, 200, "{v}");
        let masked = v["masked_email"].as_str().expect("masked").to_string();
        assert!(masked.ends_with("@mail.example"), "{masked}");
        letters.insert(masked.chars().next().expect("letter"));
    }
    // A hex tag gives a–f only: a mask starting with g–z is a real contract.
    assert!(
        letters.iter().any(|c| *c > 'f'),
        "stand-in masks start with hex letters only: {letters:?}"
    );
    op.run.stop().await;
}

/// Fills the counters table to `cap` rows of made-up logins, each with one failure, last
/// touched `age_ms` before now (a flood, written at once).
async fn flood_counters(op: &Op, cap: i64, age_ms: i64) {
    let now = op.run.state.now_ms();
    op.run
        .state
        .db
        .tx(move |tx| {
            let n: i64 = tx.query_row("SELECT COUNT(*) FROM guess_counters", [], |r| r.get(0))?;
            Ok(tx.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                 INSERT INTO guess_counters (key, failures, locked_until_ms, updated_ms)
                 SELECT 'flood' || i, 1, NULL, ?2 + i FROM n",
                params![cap - n, now - age_ms],
            )?)
        })
        .await
        .expect("flood");
}

/// The hole left by least-recently-used eviction (issue 11): a stranger makes four wrong guesses
/// at a social account, floods the table with made-up usernames so the counter is pushed out,
/// and starts again with five fresh tries. A counter touched within a day is never pushed out:
/// a fresh username finds the table full and is refused like a locked one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_flood_of_fresh_usernames_never_resets_a_counter_short_of_its_lock() {
    const CAP: i64 = 100_000;
    let op = op().await;
    for i in 0..4 {
        social_login(&op, "anna.petrova", &format!("Guess{i}")).await;
    }
    op.advance(1000);
    flood_counters(&op, CAP, 0).await;
    op.advance(CAP + 1);
    let (s, v) = social_login(&op, "made.up.user", "Guess0").await;
    assert_eq!(
        (s, code_of(&v)),
        (403, "password_locked"),
        "a fresh username found room in a full table: {v}"
    );
    let rows = op
        .sql_i64("SELECT COUNT(*) FROM guess_counters WHERE key != ?1", "")
        .await;
    assert_eq!(rows, CAP, "the table is full and stays so");
    let (s, v) = social_login(&op, "anna.petrova", "Guess4").await;
    assert_eq!(
        (s, code_of(&v)),
        (403, "password_locked"),
        "the flood reset anna.petrova's counter: {v}"
    );
    op.run.stop().await;
}

/// A full table still takes new counters when old ones are idle: each new counter pushes out
/// exactly one counter untouched for a day, never a locked one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_full_table_pushes_out_one_idle_counter_per_new_one() {
    const CAP: i64 = 100_000;
    let op = op().await;
    for i in 0..PASSWORD_TRIES {
        op.login_password("nobody.at.all", &format!("Guess{i}x2026"))
            .await;
    }
    flood_counters(&op, CAP, 2 * 24 * 60 * 60 * 1000).await;
    let (s, v) = op.login_password("one.more.fresh", "Guess0x2026").await;
    assert_eq!(s, 401, "{v}");
    assert_eq!(v["attempts_left"], 2, "{v}");
    let rows = op
        .sql_i64("SELECT COUNT(*) FROM guess_counters WHERE key != ?1", "")
        .await;
    assert_eq!(rows, CAP, "one row made room for one");
    let flood_left = op
        .sql_i64(
            "SELECT COUNT(*) FROM guess_counters WHERE key LIKE 'flood%' AND key != ?1",
            "",
        )
        .await;
    assert_eq!(flood_left, CAP - 2, "exactly one idle counter went");
    let (s, v) = op.login_password("nobody.at.all", "Guess9x2026").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    op.run.stop().await;
}

/// The counters of logins nobody has and of social accounts are bounded (100,000 rows, least
/// recently used first); a flood of fresh logins must push out only counters that lock nothing,
/// or it lifts a lock a stranger's guesses earned.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_flood_of_fresh_logins_never_evicts_a_locked_counter() {
    const CAP: i64 = 100_000;
    let op = op().await;
    for i in 0..5 {
        social_login(&op, "anna.petrova", &format!("Guess{i}")).await;
    }
    let (s, v) = social_login(&op, "anna.petrova", "Social2026").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    for i in 0..PASSWORD_TRIES {
        op.login_password("nobody.at.all", &format!("Guess{i}x2026"))
            .await;
    }
    let (s, v) = op.login_password("nobody.at.all", "Guess9x2026").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    // The table full of newer counters (a flood of made-up logins, written at once), then one
    // more fresh login that needs room.
    let now = op.run.state.now_ms();
    op.run
        .state
        .db
        .tx(move |tx| {
            let n: i64 = tx.query_row("SELECT COUNT(*) FROM guess_counters", [], |r| r.get(0))?;
            Ok(tx.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
                 INSERT INTO guess_counters (key, failures, locked_until_ms, updated_ms)
                 SELECT 'flood' || i, 1, NULL, ?2 + i FROM n",
                params![CAP - n, now],
            )?)
        })
        .await
        .expect("flood");
    op.advance(CAP + 1);
    op.login_password("one.more.fresh", "Guess0x2026").await;
    let rows = op
        .sql_i64("SELECT COUNT(*) FROM guess_counters WHERE key != ?1", "")
        .await;
    assert!(rows <= CAP, "{rows} counters");
    let (s, v) = social_login(&op, "anna.petrova", "Social2026").await;
    assert_eq!(
        (s, code_of(&v)),
        (403, "password_locked"),
        "the flood lifted the social lock: {v}"
    );
    let (s, v) = op.login_password("nobody.at.all", "Guess9x2026").await;
    assert_eq!((s, code_of(&v)), (403, "password_locked"), "{v}");
    op.run.stop().await;
}
