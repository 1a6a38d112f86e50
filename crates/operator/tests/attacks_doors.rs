//! SEC-1 doors, tried as an attacker would: the public door (and the gateway) serve the self-care
//! API alone; the simulated world and the QA API answer only on the world door, only to its own
//! address and only with its token. The takeovers of issue 11's first three bullets, each through
//! the public door.

mod common;

use common::{code_of, op};
use mymts_operator::seed::{ANNA, HOME_CONTRACT, VERA};
use reqwest::Method;
use serde_json::{Value, json};

const HOME_MAIL: &str = "petrov.home@mail.example";

/// Every operation of the world door's document (QA on), its path filled with real values.
fn world_operations() -> Vec<(Method, String)> {
    let doc = serde_json::to_value(mymts_operator::doors::world_openapi(true)).expect("doc");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let filled = path
            .replace("{number}", ANNA)
            .replace("{address}", HOME_MAIL)
            .replace("{id}", "1");
        for m in ["get", "post", "put", "patch", "delete"] {
            if item.get(m).is_some() {
                ops.push((
                    Method::from_bytes(m.to_uppercase().as_bytes()).expect("m"),
                    filled.clone(),
                ));
            }
        }
    }
    ops
}

#[tokio::test]
async fn sec1_every_world_and_qa_route_is_absent_on_the_public_door_and_the_gateway() {
    let op = op().await;
    let ops = world_operations();
    assert!(
        ops.iter().any(|(_, p)| p.starts_with("/qa/"))
            && ops.iter().any(|(_, p)| p.starts_with("/sim/")),
        "the world document lists the world and the QA API"
    );
    let gateway = op.run.gateway_url.clone().expect("gateway");
    for base in [op.run.api_url.clone(), gateway] {
        for (method, path) in &ops {
            let (s, v) = op
                .send(
                    op.http
                        .request(method.clone(), format!("{base}{path}"))
                        .json(&json!({})),
                )
                .await;
            assert_eq!(
                (s, code_of(&v)),
                (404, "not_found"),
                "{method} {base}{path}: {v}"
            );
        }
    }
}

#[tokio::test]
async fn sec1_the_public_document_lists_the_self_care_api_alone() {
    let op = op().await;
    let (s, doc) = op.get("/openapi.json", None).await;
    assert_eq!(s, 200);
    let paths: Vec<&String> = doc["paths"].as_object().expect("paths").keys().collect();
    assert!(!paths.is_empty());
    for p in paths {
        assert!(p.starts_with("/v1/"), "the public document lists {p}");
    }
    // The world door has its own document, with the world and the QA API.
    let resp = op
        .world(Method::GET, "/openapi.json")
        .send()
        .await
        .expect("world doc");
    assert_eq!(resp.status().as_u16(), 200);
    let doc: Value = resp.json().await.expect("json");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.contains_key("/sim/phones/{number}/send"));
    assert!(paths.contains_key("/qa/accounts"));
    assert!(paths.keys().all(|p| !p.starts_with("/v1/")));
}

/// The public door does not say whether the lab's QA API is on: `/v1/info` of an operator started
/// with `--qa` (as every test operator is) has no word of it, in its body or its schema.
#[tokio::test]
async fn sec1_the_public_info_does_not_tell_whether_qa_is_on() {
    let op = op().await;
    let (s, info) = op.get("/v1/info", None).await;
    assert_eq!(s, 200, "{info}");
    let keys: Vec<&String> = info.as_object().expect("an object").keys().collect();
    assert!(
        keys.iter().all(|k| !k.contains("qa")),
        "the public info tells QA mode: {info}"
    );
    let (_, doc) = op.get("/openapi.json", None).await;
    let schema = &doc["components"]["schemas"]["OperatorInfo"]["properties"];
    assert!(schema.is_object(), "{schema}");
    assert!(schema.get("qa").is_none(), "{schema}");
}

#[tokio::test]
async fn sec1_the_world_door_wants_its_token() {
    let op = op().await;
    let url = format!("{}/sim/phones/{ANNA}", op.run.world_url);
    let (s, v) = op.send(op.http.get(&url)).await;
    assert_eq!((s, code_of(&v)), (401, "unauthorized"), "no token: {v}");
    let (s, v) = op
        .send(op.http.get(&url).bearer_auth("not-the-token"))
        .await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "unauthorized"),
        "a wrong token: {v}"
    );
    let token = op.run.world_token.clone().expect("a token");
    let (s, v) = op
        .send(op.http.get(&url).bearer_auth(format!("{token}x")))
        .await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "unauthorized"),
        "a longer token: {v}"
    );
    let (s, v) = op
        .send(op.http.get(format!("{}/openapi.json", op.run.world_url)))
        .await;
    assert_eq!(
        (s, code_of(&v)),
        (401, "unauthorized"),
        "even its document: {v}"
    );
    let (s, v) = op.send(op.http.get(&url).bearer_auth(&token)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["number"], ANNA);
}

#[tokio::test]
async fn sec1_the_world_door_refuses_a_foreign_host() {
    let op = op().await;
    let port = op
        .run
        .world_url
        .rsplit(':')
        .next()
        .expect("port")
        .to_string();
    let url = format!("{}/sim/phones/{ANNA}", op.run.world_url);
    // A page on rebind.example whose name now points at 127.0.0.1 sends its own name as Host.
    for host in [
        format!("rebind.example:{port}"),
        format!("127.0.0.2:{port}"),
        "127.0.0.1:1".to_string(),
        "127.0.0.1".to_string(),
    ] {
        let (s, v) = op
            .send(
                op.world(Method::GET, &format!("/sim/phones/{ANNA}"))
                    .header("host", &host),
            )
            .await;
        assert_eq!((s, code_of(&v)), (400, "bad_request"), "Host {host}: {v}");
    }
    let token = op.run.world_token.clone().expect("token");
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let (s, v) = op
            .send(op.http.get(&url).bearer_auth(&token).header("host", &host))
            .await;
        assert_eq!(s, 200, "Host {host}: {v}");
    }
}

/// Issue 11, first bullet: texting `25 <password>` to 111 from the owner's phone, then reading
/// the code from its inbox, made the attacker's password permanent.
#[tokio::test]
async fn sec1_takeover_by_the_111_command_fails_through_the_public_door() {
    let op = op().await;
    let sms_before = op
        .sql_i64("SELECT count(*) FROM sms WHERE ?1 = ?1", "")
        .await;
    let (s, v) = op
        .post(
            &format!("/sim/phones/{ANNA}/send"),
            json!({"to": "111", "text": "25 Attacker2026x"}),
            None,
        )
        .await;
    assert_eq!((s, code_of(&v)), (404, "not_found"), "{v}");
    let (s, v) = op.get(&format!("/sim/phones/{ANNA}/messages"), None).await;
    assert_eq!((s, code_of(&v)), (404, "not_found"), "{v}");
    let sms_after = op
        .sql_i64("SELECT count(*) FROM sms WHERE ?1 = ?1", "")
        .await;
    assert_eq!(sms_before, sms_after, "nothing was texted");
    let (s, v) = op.login_password(ANNA, "Attacker2026x").await;
    assert_eq!(s, 401, "{v}");
}

/// Issue 11, second bullet: asking for a contract's recovery code, then reading it in the
/// mailbox.
#[tokio::test]
async fn sec1_takeover_through_the_mailbox_fails_through_the_public_door() {
    let op = op().await;
    let (s, v) = op
        .post(
            "/v1/auth/recovery",
            op.with_captcha(json!({"contract": HOME_CONTRACT})).await,
            None,
        )
        .await;
    assert!(s < 500, "{v}");
    for path in [
        format!("/sim/mailboxes/{HOME_MAIL}/messages"),
        format!("/sim/mailboxes/{HOME_MAIL}/messages?folder=spam"),
        format!("/sim/mailboxes/{HOME_MAIL}"),
        format!("/sim/mailboxes/{HOME_MAIL}/stream"),
    ] {
        let (s, v) = op.get(&path, None).await;
        assert_eq!((s, code_of(&v)), (404, "not_found"), "{path}: {v}");
    }
}

/// Issue 11, third bullet: putting someone's phone on operator data, then a gateway login that
/// names that number.
#[tokio::test]
async fn sec1_on_net_takeover_fails_through_the_public_door() {
    let op = op().await;
    let (s, v) = op
        .send(
            op.http
                .patch(op.url(&format!("/sim/phones/{VERA}")))
                .json(&json!({"on_net": true})),
        )
        .await;
    assert_eq!((s, code_of(&v)), (404, "not_found"), "{v}");
    let (s, v) = op
        .send(
            op.http
                .patch(op.url(&format!("/qa/phones/{VERA}")))
                .json(&json!({"on_net": true})),
        )
        .await;
    assert_eq!((s, code_of(&v)), (404, "not_found"), "{v}");
    assert_eq!(
        op.sql_i64("SELECT on_net FROM phones WHERE number = ?1", VERA)
            .await,
        0,
        "the phone stays off operator data"
    );
    let (s, v) = op
        .send(
            op.http
                .post(op.gw("/v1/auth/login"))
                .header("x-sim-msisdn", VERA)
                .json(&json!({"method": "on_net"})),
        )
        .await;
    assert!(
        s >= 400 && v["tokens"].is_null(),
        "no session for a number the client names: {s} {v}"
    );
}

/// The operator the app and the CLI embed: every door on loopback, and a world token made fresh
/// at each start (so another local process cannot reuse one it saw before).
#[tokio::test]
async fn sec1_the_embedded_operator_binds_loopback_with_a_fresh_world_token_each_start() {
    let dir = tempfile::tempdir().expect("tmp");
    let http = common::client();
    let mut tokens = Vec::new();
    for _ in 0..2 {
        let config = mymts_operator::Config::embedded(dir.path());
        assert!(config.listen.ip().is_loopback());
        assert!(config.world_listen.ip().is_loopback());
        assert!(config.gateway_listen.is_some_and(|g| g.ip().is_loopback()));
        let run = mymts_operator::start(config).await.expect("starts");
        let token = run.world_token.clone().expect("a world token");
        assert!(token.len() >= 40, "a long random token");
        let url = format!("{}/sim/phones/{ANNA}", run.world_url);
        let resp = http.get(&url).send().await.expect("world");
        assert_eq!(resp.status().as_u16(), 401, "no token, no world");
        if let Some(old) = tokens.last() {
            let resp = http.get(&url).bearer_auth(old).send().await.expect("world");
            assert_eq!(
                resp.status().as_u16(),
                401,
                "the last start's token is void"
            );
        }
        let resp = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("world");
        assert_eq!(resp.status().as_u16(), 200);
        run.stop().await;
        tokens.push(token);
    }
    assert_ne!(tokens[0], tokens[1], "a fresh token at each start");
}

/// A standalone world door with no token is still reachable from a web page on another site: a
/// no-cors request (no body, or a form's) carries an `Origin`, and would reset the world or open
/// a data session. Without a token the door refuses any request with an `Origin`.
#[tokio::test]
async fn sec1_a_world_door_without_a_token_refuses_cross_site_requests() {
    let op = common::op_with(mymts_operator::Config {
        world_token: None,
        ..mymts_operator::Config::ephemeral()
    })
    .await;
    let world = op.run.world_url.clone();
    for origin in ["https://evil.example", "null"] {
        let (s, v) = op
            .send(
                op.http
                    .post(format!("{world}/qa/reset"))
                    .header("origin", origin),
            )
            .await;
        assert_eq!(
            (s, code_of(&v)),
            (400, "bad_request"),
            "a page from {origin} reset the world: {v}"
        );
        let (s, v) = op
            .send(
                op.http
                    .post(format!("{world}/sim/phones/{ANNA}/data-session"))
                    .header("origin", origin),
            )
            .await;
        assert_eq!((s, code_of(&v)), (400, "bad_request"), "{origin}: {v}");
    }
    assert_eq!(
        op.sql_i64("SELECT COUNT(*) FROM audit WHERE action = ?1", "qa_reset")
            .await,
        0,
        "the world was reset"
    );
    // A QA tool or the app (no Origin) is served.
    let (s, v) = op.send(op.http.get(format!("{world}/qa/clock"))).await;
    assert_eq!(s, 200, "{v}");
}

/// AUTH-7 through the gateway: a phone in airplane mode has no radio, so the data session it
/// opened before vouches for nobody, even while the phone is still set to operator data.
#[tokio::test]
async fn sec1_the_gateway_does_not_vouch_for_a_phone_in_airplane_mode() {
    let op = op().await;
    let (s, v) = op
        .send(
            op.world(Method::PATCH, &format!("/sim/phones/{VERA}"))
                .json(&json!({"on_net": true})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = op
        .send(op.world(Method::POST, &format!("/sim/phones/{VERA}/data-session")))
        .await;
    assert_eq!(s, 201, "{v}");
    let session = v["session"].as_str().expect("session").to_string();
    let (s, v) = op
        .send(
            op.world(Method::PATCH, &format!("/sim/phones/{VERA}"))
                .json(&json!({"airplane": true})),
        )
        .await;
    assert_eq!((s, &v["on_net"]), (200, &json!(true)), "{v}");
    let (s, v) = op
        .send(
            op.http
                .post(op.gw("/v1/auth/login"))
                .header("x-sim-data-session", &session)
                .json(&json!({"method": "on_net"})),
        )
        .await;
    assert!(
        v["tokens"].is_null(),
        "signed in from a phone in airplane mode: {v}"
    );
    assert_eq!((s, code_of(&v)), (403, "not_on_net"), "{v}");
}
