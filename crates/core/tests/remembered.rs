//! Never lose a remembered login (issue 12): the core against the real operator on loopback and
//! the real Secret Service (run inside `dbus-run-session`, see scripts/test). AUTH-6 replays,
//! AUTH-8 idle ends and keep-alive, CACHE-3 healing, SEC-5 operator binding.

mod common;

use std::sync::Arc;

use common::{login, password_login, relay, token, world};
use mymts_core::{Core, CoreConfig, ManualClock};
use mymts_operator::seed::{ANNA, BORIS};
use mymts_proto::wire::Faults;
use rand::RngCore;

const MIN: i64 = 60 * 1000;
const DAY: i64 = 24 * 60 * MIN;

/// Puts `t` back as the remembered token: what the keyring holds when the app crashed (or the
/// keyring write failed) between the operator's rotation and the save.
async fn put_back(core: &Core, login: &str, t: &str) {
    let op = core.operator_id().await.expect("operator id");
    core.vault()
        .rotate(&op, login, t)
        .await
        .expect("keyring write");
}

/// The `remembered` flag of the next "session ended" event.
async fn ended_remembered(
    events: &mut tokio::sync::broadcast::Receiver<mymts_core::CoreEvent>,
) -> Option<bool> {
    loop {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(2), events.recv())
            .await
            .ok()?
            .ok()?;
        if let mymts_core::CoreEvent::SessionEnded { remembered, .. } = ev {
            return Some(remembered);
        }
    }
}

#[tokio::test]
async fn auth6_old_token_two_weeks_later_with_an_unused_successor_signs_in() {
    let w = world().await;
    let core = w.core();
    password_login(&core, ANNA, true).await;
    let t0 = token(&core, ANNA).await.expect("token");
    core.refresh().await.expect("rotation");
    let t1 = token(&core, ANNA).await.expect("token");
    assert_ne!(t0, t1);
    drop(core);
    // The rotation's answer was lost: the keyring still holds t0, t1 was never presented.
    let next = w.core();
    put_back(&next, ANNA, &t0).await;
    w.advance_operator_clock(14 * DAY);
    let s = next
        .autologin()
        .await
        .expect("the old token still signs in")
        .expect("a session");
    assert_eq!(s.account.login, ANNA);
    next.balance().await.expect("the fresh pair works");
    let t2 = token(&next, ANNA).await.expect("token");
    assert!(t2 != t0 && t2 != t1, "a fresh pair was saved");
    drop(next);
    let third = w.core();
    assert!(
        third.autologin().await.expect("again").is_some(),
        "still remembered"
    );
}

#[tokio::test]
async fn auth6_old_token_two_weeks_later_with_a_used_successor_revokes_and_forgets() {
    let w = world().await;
    let core = w.core();
    password_login(&core, ANNA, true).await;
    let t0 = token(&core, ANNA).await.expect("token");
    core.refresh().await.expect("rotation to t1");
    core.refresh()
        .await
        .expect("t1 presented: its successor is used");
    drop(core);
    // A copy of t0 (stolen, or an old backup) comes back.
    let next = w.core();
    put_back(&next, ANNA, &t0).await;
    w.advance_operator_clock(14 * DAY);
    let e = next.autologin().await.expect_err("replay refused");
    assert_eq!(e.code(), "session_revoked", "{e:?}");
    assert!(
        token(&next, ANNA).await.is_none(),
        "a definite refusal forgets the token"
    );
    assert!(next.current().is_none());
}

#[tokio::test]
async fn auth6_server_errors_on_the_refresh_keep_the_token_and_it_signs_in_later() {
    let w = world().await;
    let core = w.core();
    password_login(&core, ANNA, true).await;
    drop(core);
    // Half of all answers are 503s: some starts fail before the refresh (the identity check),
    // some at the refresh itself, some sign in (and rotate).
    if let Ok(mut f) = w.op.state.faults.write() {
        *f = Faults {
            error_rate: 0.5,
            ..Faults::default()
        };
    }
    let mut refresh_failures = 0;
    for i in 0..80 {
        let c = w.core();
        match c.autologin().await {
            Ok(Some(_)) => {}
            Ok(None) => panic!("start {i}: the remembered login was forgotten after a 5xx"),
            Err(e) => {
                assert_eq!(e.code(), "injected_fault", "start {i}: {e:?}");
                if c.refresh_requests() > 0 {
                    refresh_failures += 1;
                }
            }
        }
        if refresh_failures >= 5 {
            break;
        }
    }
    assert!(
        refresh_failures >= 5,
        "only {refresh_failures} refreshes failed"
    );
    if let Ok(mut f) = w.op.state.faults.write() {
        *f = Faults::default();
    }
    assert!(
        w.core().autologin().await.expect("back").is_some(),
        "the kept token signs in once the operator answers"
    );
}

/// Settings → "Remember this device" off (AUTH-6; issue 13, item 7): every account remembered
/// at this operator is forgotten on this device (keyring entries, index and cache flags), the
/// sessions running now go on until they end, their rotations no longer reach the keyring, and
/// the next start signs nobody in.
#[tokio::test]
async fn auth6_remember_off_forgets_the_device_and_the_running_session_goes_on() {
    let w = world().await;
    let core = w.core();
    password_login(&core, BORIS, true).await;
    password_login(&core, ANNA, true).await;
    assert!(token(&core, ANNA).await.is_some() && token(&core, BORIS).await.is_some());
    let op = core.operator_id().await.expect("operator id");
    assert_eq!(core.vault().index(&op).await.expect("index").len(), 2);

    let mut forgotten = core.forget_device().await.expect("forget");
    forgotten.sort();
    assert_eq!(forgotten, vec![ANNA.to_string(), BORIS.to_string()]);
    assert!(
        token(&core, ANNA).await.is_none(),
        "Anna's keyring entry is gone"
    );
    assert!(
        token(&core, BORIS).await.is_none(),
        "Boris's keyring entry is gone"
    );
    assert!(
        core.vault().index(&op).await.expect("index").is_empty(),
        "the operator's index of remembered accounts is gone"
    );
    assert!(
        core.cache()
            .remembered_accounts()
            .expect("cache")
            .is_empty(),
        "no remembered flag is left in the cache"
    );

    // Still signed in, no longer remembered, and a rotation does not bring the entry back.
    let s = core.current().expect("still signed in");
    assert_eq!((s.account.login.as_str(), s.remembered), (ANNA, false));
    core.refresh().await.expect("rotation");
    core.balance().await.expect("the session works");
    assert!(
        token(&core, ANNA).await.is_none(),
        "a rotation after forgetting wrote the token back"
    );
    drop(core);

    // The next start: nothing in the first frame, nobody signed in.
    let next = w.core();
    let view = mymts_core::ops::boot::boot_view(next.cache()).expect("boot view");
    assert!(
        view.account.is_none() && view.accounts.is_empty(),
        "{view:?}"
    );
    assert!(
        next.autologin().await.expect("autologin").is_none(),
        "the next start shows the login screen"
    );
}

#[tokio::test]
async fn auth8_idle_end_on_a_remembered_device_keeps_it_remembered() {
    let w = world().await;
    let clock = Arc::new(ManualClock::new());
    let core = w.core_with_clock(clock.clone());
    password_login(&core, ANNA, true).await;
    core.balance().await.expect("balance");
    let t = token(&core, ANNA).await;
    let mut events = core.subscribe();
    clock.advance_ms(21 * MIN);
    w.advance_operator_clock(21 * MIN);
    assert_eq!(core.check_inactivity().await, vec![ANNA.to_string()]);
    assert_eq!(
        ended_remembered(&mut events).await,
        Some(true),
        "the UI is told one tap signs in again"
    );
    assert!(core.current().is_none(), "the session ended here");
    // Compared, never printed: a failing assert must not show a token.
    assert!(token(&core, ANNA).await == t, "the keyring entry is kept");
    // One tap: the same token signs in again.
    let s = core
        .autologin()
        .await
        .expect("signs in again")
        .expect("a session");
    assert_eq!(s.account.login, ANNA);
    core.balance().await.expect("works again");
    drop(core);
    assert!(
        w.core().autologin().await.expect("next start").is_some(),
        "the next start signs in with no input"
    );
}

#[tokio::test]
async fn auth8_idle_end_on_a_device_not_remembered_revokes_the_server_session() {
    let w = world().await;
    let clock = Arc::new(ManualClock::new());
    let idle = w.core_with_clock(clock.clone());
    password_login(&idle, ANNA, false).await;
    let other = w.core();
    password_login(&other, ANNA, false).await;
    assert_eq!(other.device_sessions().await.expect("sessions").len(), 2);
    let mut events = idle.subscribe();
    clock.advance_ms(21 * MIN);
    assert_eq!(idle.check_inactivity().await, vec![ANNA.to_string()]);
    assert_eq!(ended_remembered(&mut events).await, Some(false));
    let left = other.device_sessions().await.expect("sessions");
    assert_eq!(
        left.len(),
        1,
        "the idle session was revoked on the server: {left:?}"
    );
}

#[tokio::test]
async fn auth8_activity_on_cached_screens_keeps_the_server_session_alive() {
    let w = world().await;
    let clock = Arc::new(ManualClock::new());
    let core = w.core_with_clock(clock.clone());
    password_login(&core, ANNA, false).await;
    core.balance().await.expect("balance");
    // 15 minutes on cached screens: taps, no request.
    clock.advance_ms(15 * MIN);
    w.advance_operator_clock(15 * MIN);
    core.touch();
    assert_eq!(
        core.keep_alive().await,
        vec![ANNA.to_string()],
        "a keep-alive went out"
    );
    assert!(core.keep_alive().await.is_empty(), "and only one");
    clock.advance_ms(15 * MIN);
    w.advance_operator_clock(15 * MIN);
    core.touch();
    core.balance()
        .await
        .expect("30 minutes after the last request, 15 after the last tap: still signed in");
}

#[tokio::test]
async fn cache3_a_cache_of_random_bytes_is_set_aside_and_the_login_survives() {
    let w = world().await;
    let core = w.core();
    password_login(&core, ANNA, true).await;
    core.balance().await.expect("balance cached");
    drop(core);
    let db = w.dir.path().join(mymts_core::cache::FILE);
    let mut junk = vec![0u8; 64 * 1024];
    rand::rng().fill_bytes(&mut junk);
    std::fs::write(&db, &junk).expect("damage the cache");
    for side in ["cache.db-wal", "cache.db-shm"] {
        let _ = std::fs::remove_file(w.dir.path().join(side));
    }

    let next = w.core();
    let healed = next.cache_healed(false).expect("the damage was noticed");
    assert!(
        healed.damaged_path.contains("cache.db.damaged-"),
        "{healed:?}"
    );
    assert_eq!(
        std::fs::read(&healed.damaged_path).expect("set aside, not deleted"),
        junk
    );
    next.cache().check().expect("the new cache is sound");
    let s = next
        .autologin()
        .await
        .expect("autologin")
        .expect("the remembered login survived");
    assert_eq!(s.account.login, ANNA);
    next.balance().await.expect("rebuilt from the operator");
    assert!(next.cache_healed(true).is_some());
    assert!(next.cache_healed(true).is_none(), "told once");
    drop(next);
    let third = w.core();
    assert!(third.cache_healed(false).is_none(), "a sound cache is kept");
    assert!(third.autologin().await.expect("again").is_some());
}

#[tokio::test]
async fn sec5_a_remembered_login_is_never_sent_to_another_operator() {
    let a = world().await;
    let b = mymts_operator::start(mymts_operator::Config::ephemeral())
        .await
        .expect("operator B");
    let at_a = a.core();
    password_login(&at_a, ANNA, true).await;
    let id_a = at_a.operator_id().await.expect("A's identity");
    drop(at_a);

    // The same app (data dir, keyring service) pointed at operator B.
    let at_b = Core::new(
        CoreConfig::new(b.api_url.clone())
            .data_dir(a.dir.path())
            .keyring_service(a.service.clone()),
    )
    .expect("core at B");
    let id_b = at_b.operator_id().await.expect("B's identity");
    assert_ne!(id_a, id_b, "two databases, two identities");
    assert!(
        at_b.autologin().await.expect("autologin at B").is_none(),
        "B's login screen"
    );
    assert_eq!(at_b.refresh_requests(), 0, "A's token was not sent to B");
    password_login(&at_b, ANNA, true).await;
    drop(at_b);

    // Back at A: A's remembered login is still there.
    let back = a.core();
    let s = back
        .autologin()
        .await
        .expect("autologin at A")
        .expect("A's login kept");
    assert_eq!(s.account.login, ANNA);
    back.balance().await.expect("works");
    b.stop().await;
}

/// An impostor at another address repeats the operator's identity (here: relays everything to
/// it, so it answers as the operator would). The token remembered at the operator's own address
/// must never reach it; the impostor's address has its own login, and the first address finds
/// its login again.
#[tokio::test]
async fn sec5_an_impostor_at_another_address_repeating_the_identity_never_gets_the_token() {
    let w = world().await;
    let at_home = w.core();
    password_login(&at_home, ANNA, true).await;
    let home_token = token(&at_home, ANNA).await.expect("remembered at home");
    drop(at_home);

    let impostor = relay(&w.op.api_url).await;
    let away = Core::new(
        CoreConfig::new(impostor.url.clone())
            .data_dir(w.dir.path())
            .keyring_service(w.service.clone()),
    )
    .expect("core at the other address");
    assert_eq!(
        away.operator_id().await.expect("identity"),
        w.core().operator_id().await.expect("identity"),
        "the impostor repeats the identity"
    );
    let at_away = away.autologin().await;
    assert!(
        !impostor.saw(&home_token),
        "the token remembered at {} was sent to {}",
        w.op.api_url,
        impostor.url
    );
    assert_eq!(
        away.refresh_requests(),
        0,
        "no refresh went to the impostor"
    );
    assert!(
        matches!(at_away, Ok(None)),
        "the other address shows its login screen: {at_away:?}"
    );
    // A login at the other address is remembered there…
    password_login(&away, ANNA, true).await;
    drop(away);
    // …and the first address finds its own login again, with its own token.
    let back = w.core();
    assert_eq!(
        token(&back, ANNA).await.as_deref(),
        Some(home_token.as_str())
    );
    let s = back
        .autologin()
        .await
        .expect("autologin at home")
        .expect("the first login is kept");
    assert_eq!(s.account.login, ANNA);
    back.balance().await.expect("works");
}

/// The identity a token is kept under is the one asked at that login, not one remembered from
/// an earlier answer: the address led to operator A, then (same address) to operator B.
#[tokio::test]
async fn sec5_a_login_keeps_its_token_under_the_identity_of_the_operator_that_issued_it() {
    let a = world().await;
    let b = mymts_operator::start(mymts_operator::Config::ephemeral())
        .await
        .expect("operator B");
    let door = relay(&a.op.api_url).await;
    let core = Core::new(
        CoreConfig::new(door.url.clone())
            .data_dir(a.dir.path())
            .keyring_service(a.service.clone()),
    )
    .expect("core");
    let id_a = core.operator_id().await.expect("A's identity, asked once");
    door.point_at(&b.api_url);
    password_login(&core, ANNA, true).await;
    let id_b = core.operator_id_fresh().await.expect("B's identity");
    assert_ne!(id_a, id_b);
    assert_eq!(
        core.vault().load(&id_a, ANNA).await.expect("vault"),
        None,
        "B's token was kept under A's identity"
    );
    assert!(
        core.vault()
            .load(&id_b, ANNA)
            .await
            .expect("vault")
            .is_some(),
        "kept under B's identity"
    );
    b.stop().await;
}

/// When the operator's identity could not be learnt at login, the session is not remembered
/// and its refresh token is not sent anywhere: the refresh is refused in words, the token kept.
#[tokio::test]
async fn sec5_a_session_whose_operator_identity_is_unknown_is_not_refreshed() {
    let w = world().await;
    let door = relay(&w.op.api_url).await;
    let core = Core::new(
        CoreConfig::new(door.url.clone())
            .data_dir(w.dir.path())
            .keyring_service(w.service.clone()),
    )
    .expect("core");
    door.fail_info(true);
    let out = core
        .login_password(&login(ANNA), common::pw(ANNA), true)
        .await
        .expect("the login itself goes through");
    assert!(
        !out.session.remembered,
        "not remembered without an identity"
    );
    assert!(out.keyring_error.is_some(), "and it says so");
    door.fail_info(false);
    let r = core.refresh().await;
    assert_eq!(
        core.refresh_requests(),
        0,
        "a token of an unknown operator was sent: {:?}",
        door.paths()
    );
    let e = r.expect_err("refused");
    assert!(e.to_string().contains("identity"), "says why: {e}");
    assert!(core.current().is_some(), "the session stays for this run");
}

#[test]
fn sec5_plain_http_is_refused_unless_the_operator_is_on_this_computer() {
    for remote in [
        "http://192.0.2.10:8700",
        "http://operator.example",
        "http://10.0.0.1",
    ] {
        let Err(e) = Core::new(CoreConfig::new(remote)) else {
            panic!("{remote} was taken");
        };
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().contains("https://"), "{e}");
    }
    for ok in [
        "http://127.0.0.1:8700",
        "http://localhost:8700",
        "http://[::1]:8700",
        "https://operator.example",
    ] {
        Core::new(CoreConfig::new(ok)).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}
