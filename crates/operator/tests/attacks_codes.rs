//! The holes issue 11 left in the one-time codes (SEC-2, SEC-3), tried as an attacker would
//! against a real operator on loopback: burning a subscriber's live SMS code or a contract's
//! recovery code with wrong guesses, an old code spending the live code's tries, and recovery
//! answers that tell real contracts from made-up ones. Each was written first against the
//! operator before the fix and seen to succeed.

mod common;

use common::{Op, code_of, op};
use mymts_operator::seed;
use rusqlite::params;
use serde_json::{Value, json};

/// Wrong entries a code's budget takes (AUTH-4).
const CODE_TRIES: usize = 5;

async fn login_code_with(
    op: &Op,
    phone: &str,
    code: &str,
    challenge: Option<&str>,
) -> (u16, Value) {
    let mut body = json!({"method": "sms_code", "phone": phone, "code": code});
    if let Some(c) = challenge {
        body["challenge"] = json!(c);
    }
    op.post("/v1/auth/login", body, None).await
}

fn challenge_of(v: &Value) -> Option<String> {
    v["challenge"].as_str().map(str::to_string)
}

/// A well-formed code that is not `code`.
fn not(code: &str, i: usize) -> String {
    let guess = format!("Zq{i:04}");
    if guess == code {
        format!("Zr{i:04}")
    } else {
        guess
    }
}

// -------------------------------------------------------------------------------------------
// SEC-2: a stranger cannot spend the owner's tries at an SMS code
// -------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_stranger_cannot_burn_a_subscribers_live_sms_code() {
    let op = op().await;
    let (s, sent) = op.request_code(seed::ANNA).await;
    assert_eq!(s, 200, "{sent}");
    let owner = challenge_of(&sent);
    let code = op.last_code(seed::ANNA, mymts_proto::OTP_SENDER).await;
    // The stranger knows only the number: guesses with no challenge, with a made-up one, and
    // with one of their own request (a minute later, with a solved captcha).
    for i in 0..CODE_TRIES + 1 {
        login_code_with(&op, seed::ANNA, &not(&code, i), None).await;
        login_code_with(&op, seed::ANNA, &not(&code, i), Some("made-up-challenge")).await;
    }
    op.advance(61_000);
    let (s, theirs) = op.request_code(seed::ANNA).await;
    assert_eq!(s, 200, "{theirs}");
    let theirs = challenge_of(&theirs);
    for i in 0..CODE_TRIES + 1 {
        login_code_with(&op, seed::ANNA, &not(&code, i), theirs.as_deref()).await;
    }
    // The stranger's own budget is burnt: the right code does not get through it.
    let (s, v) = login_code_with(&op, seed::ANNA, &code, theirs.as_deref()).await;
    assert_eq!((s, code_of(&v)), (401, "code_expired"), "{v}");
    // The owner still has every try of theirs, and the code works.
    let (s, v) = login_code_with(&op, seed::ANNA, &not(&code, 99), owner.as_deref()).await;
    assert_eq!((s, code_of(&v)), (401, "code_wrong"), "{v}");
    assert_eq!(v["attempts_left"], 4, "{v}");
    let (s, v) = login_code_with(&op, seed::ANNA, &code, owner.as_deref()).await;
    assert_eq!(s, 200, "the stranger burnt the owner's code: {v}");
    assert_ne!(theirs, owner, "another request gets a challenge of its own");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_guesses_at_an_sms_code_stay_bounded_per_challenge_and_resend_keeps_it() {
    let op = op().await;
    let (s, sent) = op.request_code(seed::BORIS).await;
    assert_eq!(s, 200, "{sent}");
    let challenge = challenge_of(&sent).expect("a challenge");
    let code = op.last_code(seed::BORIS, mymts_proto::OTP_SENDER).await;
    // A resend from the app that holds the challenge keeps it (and the same code).
    op.advance(61_000);
    let (id, answer) = op.captcha().await;
    let (s, again) = op
        .post(
            "/v1/auth/sms-password",
            json!({"phone": seed::BORIS, "captcha_id": id, "captcha_answer": answer, "challenge": challenge}),
            None,
        )
        .await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["resent_same_code"], true, "{again}");
    assert_eq!(challenge_of(&again).as_deref(), Some(challenge.as_str()));
    assert_eq!(
        op.last_code(seed::BORIS, mymts_proto::OTP_SENDER).await,
        code
    );
    let mut lefts = Vec::new();
    for i in 0..CODE_TRIES {
        let (_, v) = login_code_with(&op, seed::BORIS, &not(&code, i), Some(&challenge)).await;
        lefts.push(v["attempts_left"].as_u64().unwrap_or(99));
    }
    assert_eq!(lefts, vec![4, 3, 2, 1, 0]);
    let (s, v) = login_code_with(&op, seed::BORIS, &code, Some(&challenge)).await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "code_expired"),
        "a burnt challenge let a guess in: {v}"
    );
    // Without a challenge the code's shared tries are bounded the same way.
    for i in 0..CODE_TRIES {
        login_code_with(&op, seed::BORIS, &not(&code, i), None).await;
    }
    let (s, v) = login_code_with(&op, seed::BORIS, &code, None).await;
    assert_eq!((s, code_of(&v)), (401, "code_expired"), "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_the_111_reply_code_is_entered_without_a_challenge_and_a_stranger_cannot_end_it() {
    let op = op().await;
    let send_111 = |text: &'static str| {
        op.world(
            reqwest::Method::POST,
            &format!("/sim/phones/{}/send", seed::GLEB),
        )
        .json(&json!({"to": mymts_proto::COMMAND_NUMBER, "text": text}))
    };
    let (s, v) = op.send(send_111("25 Kettle7Orbit")).await;
    assert!(s < 300, "{s} {v}");
    let code = wait_code(&op, seed::GLEB, mymts_proto::COMMAND_NUMBER).await;
    // A stranger burns the shared tries of the 111 code.
    for i in 0..CODE_TRIES + 1 {
        login_code_with(&op, seed::GLEB, &not(&code, i), None).await;
    }
    let (s, v) = login_code_with(&op, seed::GLEB, &code, None).await;
    assert_eq!((s, code_of(&v)), (401, "code_expired"), "{v}");
    // The owner asks for an SMS password: the same code comes again, with a challenge of their
    // own, and signing in with it still makes the 111 password permanent.
    let (s, sent) = op.request_code(seed::GLEB).await;
    assert_eq!(s, 200, "{sent}");
    assert_eq!(sent["resent_same_code"], true, "{sent}");
    assert_eq!(
        op.last_code(seed::GLEB, mymts_proto::OTP_SENDER).await,
        code
    );
    let (s, v) = login_code_with(&op, seed::GLEB, &code, challenge_of(&sent).as_deref()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["permanent_password_set"], true, "{v}");
    let (s, v) = op.login_password(seed::GLEB, "Kettle7Orbit").await;
    assert_eq!(s, 200, "{v}");
    op.run.stop().await;
}

async fn wait_code(op: &Op, to: &str, from: &str) -> String {
    for _ in 0..100 {
        if let Some(c) = op
            .sms_texts(to, from)
            .await
            .last()
            .and_then(|t| mymts_proto::otp::extract_code(t))
        {
            return c;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no code from {from}");
}

// -------------------------------------------------------------------------------------------
// Issue 13, item 13: an old code is answered as used, and spends none of the live code's tries
// -------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_an_old_sms_code_is_answered_used_without_spending_the_live_codes_tries() {
    let op = op().await;
    // A used code.
    let (_, first) = op.request_code(seed::ELENA).await;
    let used = op.last_code(seed::ELENA, mymts_proto::OTP_SENDER).await;
    let (s, v) = login_code_with(&op, seed::ELENA, &used, challenge_of(&first).as_deref()).await;
    assert_eq!(s, 200, "{v}");
    // An expired one, replaced by the live one.
    op.advance(61_000);
    op.request_code(seed::ELENA).await;
    let expired = op.last_code(seed::ELENA, mymts_proto::OTP_SENDER).await;
    op.advance(5 * 60 * 1000 + 1000);
    let (s, live) = op.request_code(seed::ELENA).await;
    assert_eq!(
        (s, &live["resent_same_code"]),
        (200, &json!(false)),
        "{live}"
    );
    let challenge = challenge_of(&live);
    let code = op.last_code(seed::ELENA, mymts_proto::OTP_SENDER).await;
    assert!(code != used && code != expired);
    for old in [&used, &expired] {
        for challenge in [challenge.as_deref(), None] {
            let (s, v) = login_code_with(&op, seed::ELENA, old, challenge).await;
            assert_eq!((s, code_of(&v)), (401, "code_expired"), "{old}: {v}");
            assert!(v["attempts_left"].is_null(), "{v}");
        }
    }
    // None of the live code's tries went: the first wrong guess leaves four, on each budget.
    let (_, v) = login_code_with(&op, seed::ELENA, &not(&code, 1), challenge.as_deref()).await;
    assert_eq!(
        (code_of(&v), &v["attempts_left"]),
        ("code_wrong", &json!(4)),
        "{v}"
    );
    let (_, v) = login_code_with(&op, seed::ELENA, &not(&code, 1), None).await;
    assert_eq!(
        (code_of(&v), &v["attempts_left"]),
        ("code_wrong", &json!(4)),
        "{v}"
    );
    let (s, v) = login_code_with(&op, seed::ELENA, &code, challenge.as_deref()).await;
    assert_eq!(s, 200, "{v}");
    op.run.stop().await;
}

// -------------------------------------------------------------------------------------------
// SEC-3 / SEC-2: recovery codes
// -------------------------------------------------------------------------------------------

/// A recovery request with a solved captcha, as the app sends it.
async fn recovery(op: &Op, contract: &str, challenge: Option<&str>) -> (u16, Value) {
    let mut body = op.with_captcha(json!({"contract": contract})).await;
    if let Some(c) = challenge {
        body["challenge"] = json!(c);
    }
    op.post("/v1/auth/recovery", body, None).await
}

async fn confirm(op: &Op, contract: &str, code: &str, challenge: Option<&str>) -> (u16, Value) {
    let mut body = json!({"contract": contract, "code": code, "new_password": "Fresh2026Start"});
    if let Some(c) = challenge {
        body["challenge"] = json!(c);
    }
    op.post("/v1/auth/recovery/confirm", body, None).await
}

async fn last_letter_code(op: &Op, address: &str) -> String {
    let last = last_letter(op, address).await;
    let after = last.split("is: ").nth(1).expect("a code in the letter");
    after.split_whitespace().next().expect("code").to_string()
}

async fn last_letter(op: &Op, address: &str) -> String {
    let address = address.to_string();
    let st = op.run.state.clone();
    let texts: Vec<String> = op
        .run
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
        .expect("mail rows");
    texts.last().expect("a letter").clone()
}

/// Recovery codes follow the SMS code's rules (issue 11, item 5), the captcha included: a
/// request without a solved captcha, or with a wrong one, sends no letter; a script cannot spend a
/// contract's requests of the hour or fill its owner's mailbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_recovery_request_needs_a_solved_captcha() {
    let op = op().await;
    let mailbox = "petrov.home@mail.example";
    let letters = |op: &Op| {
        let st = op.run.state.clone();
        async move {
            st.db
                .tx(|tx| {
                    Ok(tx.query_row(
                        "SELECT COUNT(*) FROM mail WHERE address = ?1",
                        params!["petrov.home@mail.example"],
                        |r| r.get::<_, i64>(0),
                    )?)
                })
                .await
                .expect("mail count")
        }
    };
    let before = letters(&op).await;
    let (s, v) = op
        .post(
            "/v1/auth/recovery",
            json!({"contract": seed::HOME_CONTRACT}),
            None,
        )
        .await;
    assert_eq!((s, code_of(&v)), (400, "bad_request"), "no captcha: {v}");
    let (id, answer) = op.captcha().await;
    let wrong = answer.to_lowercase() + "x";
    let (s, v) = op
        .post(
            "/v1/auth/recovery",
            json!({"contract": seed::HOME_CONTRACT, "captcha_id": id, "captcha_answer": wrong}),
            None,
        )
        .await;
    assert_eq!((s, code_of(&v)), (401, "captcha_wrong"), "{v}");
    assert_eq!(
        letters(&op).await,
        before,
        "a refused request sent a letter"
    );
    // A solved captcha is spent by the request it goes with, for a made-up contract too: it
    // does not send a second letter.
    let solved = op.with_captcha(json!({"contract": "7700000001"})).await;
    let (s, v) = op.post("/v1/auth/recovery", solved.clone(), None).await;
    assert_eq!(s, 200, "{v}");
    let mut again = solved;
    again["contract"] = json!(seed::HOME_CONTRACT);
    let (s, v) = op.post("/v1/auth/recovery", again, None).await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "captcha_expired"),
        "used twice: {v}"
    );
    assert_eq!(letters(&op).await, before, "{mailbox}");
    let (s, v) = recovery(&op, seed::HOME_CONTRACT, None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(letters(&op).await, before + 1, "{mailbox}");
    op.run.stop().await;
}

/// The hole issue 11 left open before recovery requests took a captcha: a stranger can spend a
/// contract's five requests of the hour first and burn every challenge they got. The letters
/// still reach the owner's mailbox, each with a delivery tag the stranger never saw: the owner
/// sets a new password with the newest one (SEC-2).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_stranger_who_spends_a_contracts_recovery_requests_cannot_lock_the_owner_out() {
    let op = op().await;
    let mailbox = "petrov.home@mail.example";
    for round in 0..5 {
        if round > 0 {
            op.advance(61_000);
        }
        let (s, sent) = recovery(&op, seed::HOME_CONTRACT, None).await;
        assert_eq!(s, 200, "round {round}: {sent}");
        let theirs = challenge_of(&sent);
        let code = last_letter_code(&op, mailbox).await;
        for i in 0..CODE_TRIES {
            confirm(&op, seed::HOME_CONTRACT, &not(&code, i), theirs.as_deref()).await;
            confirm(&op, seed::HOME_CONTRACT, &not(&code, i), None).await;
        }
    }
    op.advance(61_000);
    let (s, v) = recovery(&op, seed::HOME_CONTRACT, None).await;
    assert_eq!((s, code_of(&v)), (429, "rate_limited"), "{v}");
    // The owner reads the newest letter in their mailbox.
    let letter = last_letter(&op, mailbox).await;
    let code = mymts_proto::otp::extract_recovery_code(&letter, seed::HOME_CONTRACT)
        .expect("the letter's code");
    let tag = mymts_proto::otp::extract_delivery_tag(&letter).expect("the letter's delivery tag");
    let (s, v) = confirm(&op, seed::HOME_CONTRACT, &code, Some(&tag)).await;
    assert_eq!(s, 204, "the stranger locked the owner out of recovery: {v}");
    let (s, v) = op
        .login_password(seed::HOME_CONTRACT, "Fresh2026Start")
        .await;
    assert_eq!(s, 200, "{v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec3_recovery_confirm_answers_alike_for_unknown_and_known_contracts() {
    let op = op().await;
    let mut answers = Vec::new();
    for contract in [seed::HOME_CONTRACT, "7700111222"] {
        let (s, sent) = recovery(&op, contract, None).await;
        assert_eq!(s, 200, "{sent}");
        let challenge = challenge_of(&sent);
        let mut seen = Vec::new();
        for i in 0..CODE_TRIES + 1 {
            let (s, v) = confirm(&op, contract, &format!("Zq{i:04}"), challenge.as_deref()).await;
            seen.push((s, v));
        }
        answers.push(seen);
    }
    assert_eq!(
        answers[0], answers[1],
        "a real contract is told from a made-up one"
    );
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_stranger_cannot_burn_a_contracts_recovery_code() {
    let op = op().await;
    let (s, sent) = recovery(&op, seed::HOME_CONTRACT, None).await;
    assert_eq!(s, 200, "{sent}");
    let owner = challenge_of(&sent);
    let code = last_letter_code(&op, "petrov.home@mail.example").await;
    for i in 0..CODE_TRIES + 1 {
        confirm(&op, seed::HOME_CONTRACT, &not(&code, i), None).await;
        confirm(
            &op,
            seed::HOME_CONTRACT,
            &not(&code, i),
            Some("made-up-challenge"),
        )
        .await;
    }
    op.advance(61_000);
    let (s, theirs) = recovery(&op, seed::HOME_CONTRACT, None).await;
    assert_eq!(s, 200, "{theirs}");
    let theirs = challenge_of(&theirs);
    for i in 0..CODE_TRIES + 1 {
        confirm(&op, seed::HOME_CONTRACT, &not(&code, i), theirs.as_deref()).await;
    }
    let (s, v) = confirm(&op, seed::HOME_CONTRACT, &code, theirs.as_deref()).await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "code_expired"),
        "a burnt challenge let a guess in: {v}"
    );
    let (s, v) = confirm(&op, seed::HOME_CONTRACT, &code, owner.as_deref()).await;
    assert_eq!(s, 204, "the stranger burnt the owner's recovery code: {v}");
    assert_ne!(theirs, owner, "another request gets a challenge of its own");
    let (s, v) = op
        .login_password(seed::HOME_CONTRACT, "Fresh2026Start")
        .await;
    assert_eq!(s, 200, "{v}");
    op.run.stop().await;
}

// -------------------------------------------------------------------------------------------
// Issue 11, the holes left: burnt challenges handed back, codes guessed without end
// -------------------------------------------------------------------------------------------

async fn request_code_with(op: &Op, phone: &str, challenge: Option<&str>) -> (u16, Value) {
    let (id, answer) = op.captcha().await;
    let mut body = json!({"phone": phone, "captcha_id": id, "captcha_answer": answer});
    if let Some(c) = challenge {
        body["challenge"] = json!(c);
    }
    op.post("/v1/auth/sms-password", body, None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_burnt_sms_challenge_is_not_handed_back_by_a_resend() {
    let op = op().await;
    let (s, sent) = request_code_with(&op, seed::ANNA, None).await;
    assert_eq!(s, 200, "{sent}");
    let burnt = challenge_of(&sent).expect("a challenge");
    let code = op.last_code(seed::ANNA, mymts_proto::OTP_SENDER).await;
    for i in 0..CODE_TRIES {
        login_code_with(&op, seed::ANNA, &not(&code, i), Some(&burnt)).await;
    }
    op.advance(61_000);
    let (s, again) = request_code_with(&op, seed::ANNA, Some(&burnt)).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["resent_same_code"], true, "{again}");
    let fresh = challenge_of(&again).expect("a challenge");
    assert_ne!(fresh, burnt, "the resend handed back a burnt challenge");
    let (s, v) = login_code_with(&op, seed::ANNA, &code, Some(&fresh)).await;
    assert_eq!(s, 200, "the resent code cannot be entered: {v}");
    op.run.stop().await;
}

/// Every challenge a stranger can get at a code burnt, and its shared tries too: 25 wrong
/// entries. The owner who asked first still signs in with their own challenge. (A limit per code
/// in all, tried here as a belt to the hourly limit's braces, let exactly this attack burn the
/// owner's code: issue 11 asks that no stranger locks a subscriber out of the SMS path.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_an_owner_who_asked_first_keeps_their_challenge_whatever_a_stranger_burns() {
    let op = op().await;
    let (s, sent) = request_code_with(&op, seed::BORIS, None).await;
    assert_eq!(s, 200, "{sent}");
    let owner = challenge_of(&sent).expect("a challenge");
    let code = op.last_code(seed::BORIS, mymts_proto::OTP_SENDER).await;
    // The stranger: the other four requests of the hour, a minute apart, each challenge burnt.
    let mut wrong = 0;
    for _ in 0..4 {
        op.advance(61_000);
        let (s, v) = request_code_with(&op, seed::BORIS, None).await;
        assert_eq!(s, 200, "{v}");
        let theirs = challenge_of(&v).expect("a challenge");
        for _ in 0..CODE_TRIES {
            login_code_with(&op, seed::BORIS, &not(&code, wrong), Some(&theirs)).await;
            wrong += 1;
        }
    }
    for _ in 0..CODE_TRIES {
        login_code_with(&op, seed::BORIS, &not(&code, wrong), None).await;
        wrong += 1;
    }
    assert_eq!(wrong, 25);
    let (s, v) = request_code_with(&op, seed::BORIS, None).await;
    assert_eq!(s, 429, "the hour's requests are spent: {v}");
    let (s, v) = login_code_with(&op, seed::BORIS, &code, Some(&owner)).await;
    assert_eq!(s, 200, "a stranger burnt the owner's challenge: {v}");
    op.run.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_burnt_recovery_challenge_is_not_handed_back_by_a_resend() {
    let op = op().await;
    let (s, sent) = recovery(&op, seed::HOME_CONTRACT, None).await;
    assert_eq!(s, 200, "{sent}");
    let burnt = challenge_of(&sent).expect("a challenge");
    let code = last_letter_code(&op, "petrov.home@mail.example").await;
    for i in 0..CODE_TRIES {
        confirm(&op, seed::HOME_CONTRACT, &not(&code, i), Some(&burnt)).await;
    }
    op.advance(61_000);
    let (s, again) = recovery(&op, seed::HOME_CONTRACT, Some(&burnt)).await;
    assert_eq!(s, 200, "{again}");
    let fresh = challenge_of(&again).expect("a challenge");
    assert_ne!(fresh, burnt, "the resend handed back a burnt challenge");
    assert_eq!(
        last_letter_code(&op, "petrov.home@mail.example").await,
        code
    );
    let (s, v) = confirm(&op, seed::HOME_CONTRACT, &code, Some(&fresh)).await;
    assert_eq!(s, 204, "the resent code cannot be entered: {v}");
    op.run.stop().await;
}

/// A resend used to give the code (and its challenges) 15 minutes more each time, so a code
/// asked for once a minute lived for good. It lives 15 minutes from its first letter now, and
/// the answer says so alike for a real contract and a made-up one (SEC-3).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_recovery_code_lives_15_minutes_however_often_it_is_asked_for() {
    let op = op().await;
    let started = std::time::Instant::now();
    let (s, first) = recovery(&op, seed::HOME_CONTRACT, None).await;
    assert_eq!(s, 200, "{first}");
    let (_, stranger_first) = recovery(&op, "7700111222", None).await;
    let challenge = challenge_of(&first).expect("a challenge");
    let code = last_letter_code(&op, "petrov.home@mail.example").await;
    // The operator's clock runs on real time plus the QA offset: on a busy machine a second or
    // two of real time passes between the first letter and the last resend, so each answer may
    // be that much lower than the 15 minutes say, never higher.
    let mut lefts = Vec::new();
    for _ in 0..4 {
        op.advance(3 * 60 * 1000);
        let (s, again) = recovery(&op, seed::HOME_CONTRACT, Some(&challenge)).await;
        assert_eq!(s, 200, "{again}");
        let held = challenge_of(&stranger_first);
        let (_, made_up) = recovery(&op, "7700111222", held.as_deref()).await;
        lefts.push((
            again["expires_in_s"].as_u64(),
            made_up["expires_in_s"].as_u64(),
        ));
    }
    let slack = started.elapsed().as_secs() + 1;
    let expected = [720u64, 540, 360, 180];
    let fits = |left: Option<u64>, want: u64| left.is_some_and(|l| l <= want && l + slack >= want);
    assert!(
        lefts
            .iter()
            .zip(expected)
            .all(|(&(real, made_up), want)| fits(real, want) && fits(made_up, want)),
        "a resend moved the code's end, or a made-up contract answered otherwise: {lefts:?}, \
         expected {expected:?} (up to {slack} s less)"
    );
    assert_eq!(
        last_letter_code(&op, "petrov.home@mail.example").await,
        code,
        "a resend within the 15 minutes sends the same code"
    );
    op.advance(3 * 60 * 1000 + 1);
    let (s, v) = confirm(&op, seed::HOME_CONTRACT, &code, Some(&challenge)).await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "code_expired"),
        "a code lived past its 15 minutes: {v}"
    );
    op.run.stop().await;
}

/// The hole the request challenges left (issue 11): a stranger who asks first spends the
/// number's five requests of the hour (each with a solved captcha), burns every challenge they
/// got and the shared tries; the owner, who never got a challenge of their own, was locked out
/// of the SMS path for the hour. Every SMS the stranger's requests sent reached the owner's phone
/// with a delivery tag, a challenge the stranger never saw: the owner signs in with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_a_stranger_who_spends_the_hour_cannot_lock_the_owner_out_of_the_sms_path() {
    let op = op().await;
    let mut wrong = 0;
    let mut code = String::new();
    for round in 0..5 {
        if round > 0 {
            op.advance(61_000);
        }
        let (s, v) = request_code_with(&op, seed::BORIS, None).await;
        assert_eq!(s, 200, "{v}");
        let theirs = challenge_of(&v).expect("a challenge");
        code = op.last_code(seed::BORIS, mymts_proto::OTP_SENDER).await;
        for _ in 0..CODE_TRIES {
            login_code_with(&op, seed::BORIS, &not(&code, wrong), Some(&theirs)).await;
            wrong += 1;
        }
    }
    for _ in 0..CODE_TRIES {
        login_code_with(&op, seed::BORIS, &not(&code, wrong), None).await;
        wrong += 1;
    }
    let (s, v) = request_code_with(&op, seed::BORIS, None).await;
    assert_eq!(s, 429, "the hour's requests are spent: {v}");
    let (s, v) = login_code_with(&op, seed::BORIS, &code, None).await;
    assert_eq!((s, code_of(&v)), (401, "code_expired"), "shared tries: {v}");
    // The owner's phone: the last SMS, read on the device, carries the code and its tag.
    let texts = op.sms_texts(seed::BORIS, mymts_proto::OTP_SENDER).await;
    let last = texts.last().expect("an SMS");
    let tag = mymts_proto::otp::extract_delivery_tag(last).expect("the SMS carries a delivery tag");
    assert!(
        texts
            .iter()
            .filter_map(|t| mymts_proto::otp::extract_delivery_tag(t))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            == texts.len(),
        "each SMS has a tag of its own"
    );
    let (s, v) = login_code_with(&op, seed::BORIS, &code, Some(&tag)).await;
    assert_eq!(s, 200, "the stranger locked the owner out: {v}");
    op.run.stop().await;
}

/// The 111 reply carries a delivery tag too: a stranger who burns the code's shared tries does
/// not stop the phone's owner from making the password permanent with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sec2_the_111_reply_carries_a_delivery_tag_a_stranger_cannot_burn() {
    let op = op().await;
    let (s, v) = op
        .send(
            op.world(
                reqwest::Method::POST,
                &format!("/sim/phones/{}/send", seed::GLEB),
            )
            .json(&json!({"to": mymts_proto::COMMAND_NUMBER, "text": "25 Kettle7Orbit"})),
        )
        .await;
    assert!(s < 300, "{s} {v}");
    let code = wait_code(&op, seed::GLEB, mymts_proto::COMMAND_NUMBER).await;
    for i in 0..CODE_TRIES + 1 {
        login_code_with(&op, seed::GLEB, &not(&code, i), None).await;
        login_code_with(&op, seed::GLEB, &not(&code, i), Some("made-up-challenge")).await;
    }
    let texts = op.sms_texts(seed::GLEB, mymts_proto::COMMAND_NUMBER).await;
    let tag = texts
        .last()
        .and_then(|t| mymts_proto::otp::extract_delivery_tag(t))
        .expect("the reply carries a delivery tag");
    let (s, v) = login_code_with(&op, seed::GLEB, &code, Some(&tag)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["permanent_password_set"], true, "{v}");
    op.run.stop().await;
}
