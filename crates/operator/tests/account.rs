//! The account features (ACC-*) over real HTTP on loopback, against a real (in-memory) SQLite.

mod common;

use mymts_operator::seed;
use rusqlite::params;
use std::time::Instant;

/// Starts are serialised: each seeds 100,000 rows and hashes 13 passwords, and on two cores a
/// dozen of them at once would measure the machine rather than the operator.
static STARTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start() -> mymts_operator::Running {
    let _one_at_a_time = STARTING.lock().await;
    mymts_operator::start(mymts_operator::Config::ephemeral())
        .await
        .expect("operator starts")
}

/// Counts `(kind, rows)` of an account's call detail.
async fn cdr_counts(running: &mymts_operator::Running, login: &str) -> Vec<(String, i64)> {
    let login = login.to_string();
    running
        .state
        .db
        .tx(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT c.kind, COUNT(*) FROM calls c JOIN accounts a ON a.id = c.account_id
                 WHERE a.login = ?1 GROUP BY c.kind ORDER BY c.kind",
            )?;
            let rows = stmt.query_map(params![login], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
        .expect("counts")
}

#[tokio::test]
async fn seed_is_deterministic_and_has_100k_rows() {
    // How long a start takes is measured by `benches/start.rs` (docs/perf.md).
    let a = start().await;
    let b = start().await;
    let counts = cdr_counts(&a, seed::DMITRY).await;
    assert_eq!(
        counts.iter().map(|(_, n)| n).sum::<i64>(),
        seed::BIG_CDR_ROWS as i64
    );
    assert_eq!(counts, cdr_counts(&b, seed::DMITRY).await);
    assert_eq!(
        cdr_counts(&a, seed::ANNA)
            .await
            .iter()
            .map(|(_, n)| n)
            .sum::<i64>(),
        40
    );
    // A reset brings the same world back.
    let st = a.state.clone();
    tokio::task::spawn_blocking(move || seed::reset(&st))
        .await
        .expect("join")
        .expect("reset");
    assert_eq!(counts, cdr_counts(&a, seed::DMITRY).await);
    a.stop().await;
    b.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

struct T {
    running: mymts_operator::Running,
    http: reqwest::Client,
    token: String,
}

impl T {
    async fn new(login: &str) -> Self {
        let running = start().await;
        let token = mymts_operator::testing::session_for(&running.state, login)
            .await
            .expect("session");
        Self {
            running,
            http: common::client(),
            token,
        }
    }

    async fn as_user(&self, login: &str) -> String {
        mymts_operator::testing::session_for(&self.running.state, login)
            .await
            .expect("session")
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        token: &str,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.running.api_url))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        common::answer(req).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None, &self.token)
            .await
    }
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body), &self.token)
            .await
    }
    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, Some(body), &self.token)
            .await
    }
    async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, path, None, &self.token)
            .await
    }

    /// One integer from the database.
    async fn int(&self, sql: &str, arg: &str) -> i64 {
        let (sql, arg) = (sql.to_string(), arg.to_string());
        self.running
            .state
            .db
            .tx(move |tx| Ok(tx.query_row(&sql, params![arg], |r| r.get::<_, i64>(0))?))
            .await
            .expect("query")
    }

    async fn balance(&self, login: &str) -> i64 {
        self.int("SELECT balance_kop FROM accounts WHERE login = ?1", login)
            .await
    }

    async fn audit_count(&self, login: &str, action: &str) -> i64 {
        self.int(
            &format!("SELECT COUNT(*) FROM audit WHERE login = ?1 AND action = '{action}'"),
            login,
        )
        .await
    }

    /// Whether the SMS centre on this branch queues for real (`queue_sms` returns a row id): the
    /// phones feature is built on another branch, where the stub returns 0.
    async fn sms_centre_live(&self) -> bool {
        let key = self.running.state.clone();
        self.running
            .state
            .db
            .tx(move |tx| {
                let id = mymts_operator::ops::sms_centre::queue_sms(
                    tx,
                    &key.key,
                    &Default::default(),
                    0,
                    "+79990000000",
                    "probe",
                    "probe",
                )?;
                tx.execute("DELETE FROM sms WHERE recipient = '+79990000000'", [])?;
                Ok(id > 0)
            })
            .await
            .expect("probe")
    }

    /// The texts of the SMS queued or delivered to `number` from `sender`, oldest first.
    async fn sms_texts(&self, number: &str, sender: &str) -> Vec<String> {
        let (number, sender) = (number.to_string(), sender.to_string());
        let st = self.running.state.clone();
        self.running
            .state
            .db
            .tx(move |tx| {
                let mut stmt = tx.prepare(
                    "SELECT body FROM sms WHERE recipient = ?1 AND sender = ?2 ORDER BY id",
                )?;
                let bodies = stmt
                    .query_map(params![number, sender], |r| r.get::<_, Vec<u8>>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                bodies.iter().map(|b| st.key.open_string(b)).collect()
            })
            .await
            .expect("sms")
    }

    async fn stop(self) {
        self.running.stop().await;
    }
}

use serde_json::{Value, json};

fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// ACC-1, ACC-2, ACC-3, ACC-4
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn acc1_overview_shows_balance_tariff_packages() {
    let t = T::new(seed::ANNA).await;
    let (s, v) = t.get("/v1/account").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["account"]["login"], seed::ANNA);
    assert_eq!(v["account"]["kind"], "mobile");
    assert_eq!(v["balance_kop"], 45_000);
    assert_eq!(v["currency"], "RUB");
    assert_eq!(v["tariff"]["id"], "smart");
    assert_eq!(v["blocked"], false);
    assert_eq!(v["recovery_email"], "anna.petrova@mail.example");
    let p = &v["packages"];
    assert_eq!(p["minutes"]["total"], 600);
    assert_eq!(p["data_mb"]["total"], 15 * 1024);
    let used = p["data_mb"]["used"].as_i64().unwrap_or(0);
    assert!((7_000..8_000).contains(&used), "about half used: {used}");
    assert_eq!(p["period"].as_str().map(str::len), Some(7));
    assert_eq!(v["notices"], json!([]));
    assert!(v["as_of_ms"].as_i64().unwrap_or(0) > 0);

    let (s, b) = t.get("/v1/balance").await;
    assert_eq!((s, &b["balance_kop"]), (200, &json!(45_000)));

    // A contract has a balance but no tariff or packages.
    let home = t.as_user(seed::HOME_CONTRACT).await;
    let (s, v) = t
        .send(reqwest::Method::GET, "/v1/account", None, &home)
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["account"]["kind"], "home");
    assert_eq!((&v["tariff"], &v["packages"]), (&Value::Null, &Value::Null));

    let (s, v) = t
        .send(reqwest::Method::GET, "/v1/account", None, "not-a-token")
        .await;
    assert_eq!((s, code(&v)), (401, "unauthorized"));
    t.stop().await;
}

#[tokio::test]
async fn acc2_change_tariff_charges_fee() {
    let t = T::new(seed::ANNA).await;
    let (s, v) = t.get("/v1/tariffs").await;
    assert_eq!(s, 200);
    assert_eq!(v["current_id"], "smart");
    assert_eq!(v["tariffs"].as_array().map(Vec::len), Some(3));

    let (s, v) = t.post("/v1/tariff", json!({"tariff_id": "unlim"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["charged_kop"], 20_000);
    assert_eq!(v["balance_kop"], 25_000);
    assert_eq!(t.balance(seed::ANNA).await, 25_000);
    assert_eq!(t.get("/v1/tariffs").await.1["current_id"], "unlim");
    assert_eq!(t.audit_count(seed::ANNA, "tariff_changed").await, 1);
    assert_eq!(
        t.int(
            "SELECT COUNT(*) FROM charges c JOIN accounts a ON a.id = c.account_id
             WHERE a.login = ?1 AND c.kind = 'tariff_change' AND c.amount_kop = 20000",
            seed::ANNA
        )
        .await,
        1
    );

    let (s, v) = t.post("/v1/tariff", json!({"tariff_id": "unlim"})).await;
    assert_eq!((s, code(&v)), (409, "conflict"));
    // Hostile and unknown ids: typed errors, nothing charged.
    for (id, status, c) in [
        ("nope", 404, "not_found"),
        ("", 400, "invalid_input"),
        ("'; DROP TABLE tariffs; --", 400, "invalid_input"),
        ("../basic", 400, "invalid_input"),
    ] {
        let (s, v) = t.post("/v1/tariff", json!({"tariff_id": id})).await;
        assert_eq!((s, code(&v)), (status, c), "{id}: {v}");
    }
    let (s, v) = t.post("/v1/tariff", json!({"tariff": 5})).await;
    assert_eq!((s, code(&v)), (400, "bad_request"));
    assert_eq!(t.balance(seed::ANNA).await, 25_000);

    // Contracts have no tariffs.
    let home = t.as_user(seed::HOME_CONTRACT).await;
    let (s, v) = t
        .send(reqwest::Method::GET, "/v1/tariffs", None, &home)
        .await;
    assert_eq!((s, &v["tariffs"]), (200, &json!([])));
    let (s, v) = t
        .send(
            reqwest::Method::POST,
            "/v1/tariff",
            Some(json!({"tariff_id": "basic"})),
            &home,
        )
        .await;
    assert_eq!((s, code(&v)), (400, "invalid_input"));
    t.stop().await;
}

#[tokio::test]
async fn acc4_zero_and_negative_balance_refuse_paid_actions() {
    let t = T::new(seed::BORIS).await;
    for (login, balance) in [(seed::BORIS, 0), (seed::VERA, -1_250)] {
        let token = t.as_user(login).await;
        let call = |m: reqwest::Method, p: &'static str, b: Option<Value>| {
            let token = token.clone();
            let t = &t;
            async move { t.send(m, p, b, &token).await }
        };
        // Everything can be viewed.
        let (s, v) = call(reqwest::Method::GET, "/v1/account", None).await;
        assert_eq!((s, &v["balance_kop"]), (200, &json!(balance)));
        assert_eq!(
            call(reqwest::Method::GET, "/v1/services", None).await.0,
            200
        );
        assert_eq!(call(reqwest::Method::GET, "/v1/tariffs", None).await.0, 200);
        // Paid actions are refused with the reason, even a tariff with no change fee.
        for tariff in ["smart", "unlim"] {
            let (s, v) = call(
                reqwest::Method::POST,
                "/v1/tariff",
                Some(json!({"tariff_id": tariff})),
            )
            .await;
            assert_eq!((s, code(&v)), (402, "insufficient_funds"), "{v}");
            assert!(v["message"].as_str().unwrap_or("").contains("balance"));
        }
        for service in ["/v1/services/music", "/v1/services/antispam"] {
            let (s, v) = call(reqwest::Method::POST, service, None).await;
            assert_eq!((s, code(&v)), (402, "insufficient_funds"), "{service} {v}");
        }
        // A free service still connects.
        let (s, v) = call(reqwest::Method::POST, "/v1/services/roaming-easy", None).await;
        assert_eq!((s, &v["charged_kop"]), (200, &json!(0)), "{v}");
        assert_eq!(t.balance(login).await, balance);
        assert_eq!(t.get("/v1/tariffs").await.1["current_id"], "basic");
    }
    t.stop().await;
}

#[tokio::test]
async fn acc3_connect_paid_service_charges_per_tariff_and_disconnect_is_free() {
    let t = T::new(seed::FEDOR).await;
    let music = |v: &Value| {
        v["services"]
            .as_array()
            .and_then(|a| a.iter().find(|s| s["id"] == "music").cloned())
            .unwrap_or(Value::Null)
    };
    // The same service costs differently per tariff: basic (Fedor) and smart (Anna).
    let (s, fedor) = t.get("/v1/services").await;
    assert_eq!(s, 200);
    assert_eq!(music(&fedor)["connect_fee_kop"], 3_000);
    assert_eq!(music(&fedor)["connected"], false);
    let anna = t.as_user(seed::ANNA).await;
    let (_, annas) = t
        .send(reqwest::Method::GET, "/v1/services", None, &anna)
        .await;
    assert_eq!(music(&annas)["connect_fee_kop"], 1_500);
    assert_eq!(annas["monthly_total_kop"], 5_000);

    let (s, v) = t.post("/v1/services/music", json!(null)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["charged_kop"], 3_000);
    assert_eq!(v["balance_kop"], 12_000);
    let (_, after) = t.get("/v1/services").await;
    assert_eq!(music(&after)["connected"], true);
    assert_eq!(after["monthly_total_kop"], 16_900);
    let (s, v) = t.post("/v1/services/music", json!(null)).await;
    assert_eq!((s, code(&v)), (409, "already_connected"));
    assert_eq!(t.audit_count(seed::FEDOR, "service_connected").await, 1);

    let (s, v) = t.delete("/v1/services/music").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (&v["charged_kop"], &v["balance_kop"]),
        (&json!(0), &json!(12_000))
    );
    let (s, v) = t.delete("/v1/services/music").await;
    assert_eq!((s, code(&v)), (404, "not_connected"));
    assert_eq!(t.audit_count(seed::FEDOR, "service_disconnected").await, 1);

    for (path, status) in [
        ("/v1/services/nope", 404),
        ("/v1/services/%25", 400),
        ("/v1/services/a'b", 400),
    ] {
        let (s, v) = t.post(path, json!(null)).await;
        assert_eq!(s, status, "{path}: {v}");
    }
    assert_eq!(t.balance(seed::FEDOR).await, 12_000);
    t.stop().await;
}

// ---------------------------------------------------------------------------------------------
// ACC-5
// ---------------------------------------------------------------------------------------------

/// Every page of `query`, following the cursors.
async fn all_pages(t: &T, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/calls?{query}&cursor={c}"),
            None => format!("/v1/calls?{query}"),
        };
        let (s, v) = t.get(&path).await;
        assert_eq!(s, 200, "{path}: {v}");
        out.extend(v["records"].as_array().cloned().unwrap_or_default());
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
}

fn sum(records: &[Value], field: &str) -> i64 {
    records.iter().map(|r| r[field].as_i64().unwrap_or(0)).sum()
}

#[tokio::test]
async fn acc5_cdr_100k_pages_filters_totals() {
    let t = T::new(seed::DMITRY).await;
    let (s, totals) = t.get("/v1/calls/totals").await;
    assert_eq!(s, 200);
    assert_eq!(totals["all"]["count"], seed::BIG_CDR_ROWS as i64);

    // All 100,000 records, newest first, no duplicates, totals equal to the pages' sums.
    let started = Instant::now();
    let all = all_pages(&t, "limit=5000").await;
    eprintln!("100k records in 20 pages: {:?}", started.elapsed());
    assert_eq!(all.len(), seed::BIG_CDR_ROWS);
    let keys: Vec<(i64, i64)> = all
        .iter()
        .map(|r| {
            (
                r["at_ms"].as_i64().unwrap_or(0),
                r["id"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] > w[1]),
        "strictly newest first"
    );
    assert_eq!(sum(&all, "cost_kop"), totals["all"]["cost_kop"]);

    // A filter: SMS of the last 30 days, in default-sized pages.
    let now = t.running.state.now_ms();
    let from = now - 30 * 24 * 3600 * 1000;
    let q = format!("kind=sms&from_ms={from}&to_ms={now}");
    let sms = all_pages(&t, &q).await;
    let (_, ft) = t.get(&format!("/v1/calls/totals?{q}")).await;
    assert!(!sms.is_empty());
    assert!(
        sms.iter()
            .all(|r| r["kind"] == "sms" && r["at_ms"].as_i64().unwrap_or(0) >= from)
    );
    assert_eq!(ft["all"]["count"], sms.len() as i64);
    assert_eq!(ft["sms"]["count"], sms.len() as i64);
    assert_eq!(ft["call"]["count"], 0);
    assert_eq!(ft["sms"]["cost_kop"], sum(&sms, "cost_kop"));

    // Search by number finds the party's records.
    let party = all
        .iter()
        .find(|r| r["kind"] == "call")
        .and_then(|r| r["party"].as_str())
        .unwrap_or("")
        .to_string();
    let digits = &party[party.len() - 7..];
    let found = all_pages(&t, &format!("search={digits}&limit=1000")).await;
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|r| r["party"].as_str().unwrap_or("").contains(digits))
    );
    let expected = all
        .iter()
        .filter(|r| r["party"].as_str().unwrap_or("").contains(digits))
        .count();
    assert_eq!(found.len(), expected);
    let typed = format!("({})%20{}-{}", &digits[..3], &digits[3..5], &digits[5..]);
    let (_, st) = t.get(&format!("/v1/calls/totals?search={typed}")).await;
    assert_eq!(st["all"]["count"], expected as i64);

    // The chart: six months, oldest first, adding up to the records' costs.
    let (s, months) = t.get("/v1/calls/monthly").await;
    assert_eq!(s, 200);
    let months = months.as_array().cloned().unwrap_or_default();
    assert_eq!(months.len(), 6);
    assert!(
        months
            .windows(2)
            .all(|w| w[0]["month"].as_str() < w[1]["month"].as_str())
    );
    let usage: i64 = ["calls_kop", "sms_kop", "data_kop"]
        .iter()
        .map(|f| sum(&months, f))
        .sum();
    assert_eq!(usage, totals["all"]["cost_kop"]);
    assert!(
        months
            .iter()
            .all(|m| m["subscriptions_kop"].as_i64().unwrap_or(0) >= 120_000)
    );
    t.stop().await;
}

#[tokio::test]
async fn acc5_calls_refuse_hostile_queries() {
    let t = T::new(seed::DMITRY).await;
    for (q, status, c) in [
        ("cursor=garbage", 400, "bad_request"),
        ("cursor=%27%3B--", 400, "bad_request"),
        ("cursor=YzE6MQ", 400, "bad_request"),
        ("limit=0", 400, "invalid_input"),
        ("limit=100000", 400, "invalid_input"),
        ("limit=-1", 400, "bad_request"),
        ("limit=abc", 400, "bad_request"),
        ("kind=voice", 400, "bad_request"),
        ("search=%25", 400, "invalid_input"),
        ("search=%27", 400, "invalid_input"),
        ("search=_", 400, "invalid_input"),
        ("search=1%27%20OR%201%3D1%20--", 400, "invalid_input"),
        ("from_ms=10&to_ms=5", 400, "invalid_input"),
    ] {
        let (s, v) = t.get(&format!("/v1/calls?{q}")).await;
        assert_eq!((s, code(&v)), (status, c), "{q}: {v}");
    }
    // Harmless oddities give an empty result, not an error.
    let (s, v) = t.get("/v1/calls?search=000000000000").await;
    assert_eq!((s, &v["records"]), (200, &json!([])));
    let (s, v) = t.get("/v1/calls?from_ms=0&to_ms=1").await;
    assert_eq!((s, &v["records"]), (200, &json!([])));
    let (_, totals) = t.get("/v1/calls/totals").await;
    assert_eq!(totals["all"]["count"], seed::BIG_CDR_ROWS as i64);
    t.stop().await;
}

#[tokio::test]
async fn acc5_order_by_email_sends_csv() {
    let t = T::new(seed::DMITRY).await;
    let now = t.running.state.now_ms();
    let from = now - 7 * 24 * 3600 * 1000;
    let mut mail = t.running.state.mail_tx.subscribe();
    let (s, v) = t
        .post("/v1/calls/order", json!({"kind": "call", "from_ms": from}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["email"], "dmitry.kozlov@mail.example");
    let (_, totals) = t
        .get(&format!("/v1/calls/totals?kind=call&from_ms={from}"))
        .await;
    assert_eq!(v["records"], totals["all"]["count"]);
    assert!(v["records"].as_i64().unwrap_or(0) > 100);
    assert_eq!(t.audit_count(seed::DMITRY, "printout_ordered").await, 1);

    let letters = t
        .int(
            "SELECT COUNT(*) FROM mail WHERE address = ?1 AND attachment_name = 'calls.csv'",
            "dmitry.kozlov@mail.example",
        )
        .await;
    if letters == 0 {
        // deliver_mail is still the stub on this branch (mailboxes are built on another one).
        eprintln!("deliver_mail is a stub here: the mail row is checked after the merge");
        assert!(mail.try_recv().is_err());
    } else {
        assert_eq!(letters, 1);
        assert!(mail.try_recv().is_ok(), "the new mail is announced");
    }

    // No recovery e-mail, no printout.
    let boris = t.as_user(seed::BORIS).await;
    let (s, v) = t
        .send(
            reqwest::Method::POST,
            "/v1/calls/order",
            Some(json!({})),
            &boris,
        )
        .await;
    assert_eq!((s, code(&v)), (403, "no_recovery_email"));
    t.stop().await;
}

// ---------------------------------------------------------------------------------------------
// ACC-6, ACC-7, ACC-8
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn acc6_block_and_unblock() {
    let t = T::new(seed::ANNA).await;
    let (s, v) = t.post("/v1/block", json!({"reason": "lost"})).await;
    assert_eq!((s, &v["blocked"]), (200, &json!(true)), "{v}");
    assert_eq!(t.get("/v1/account").await.1["blocked"], true);
    // Blocking again changes nothing and is not logged twice.
    assert_eq!(t.post("/v1/block", json!({})).await.0, 200);
    assert_eq!(t.audit_count(seed::ANNA, "number_blocked").await, 1);
    // A blocked number takes no paid changes.
    let (s, v) = t.post("/v1/tariff", json!({"tariff_id": "basic"})).await;
    assert_eq!((s, code(&v)), (403, "number_blocked"));

    let (s, v) = t.post("/v1/unblock", json!(null)).await;
    assert_eq!((s, &v["blocked"]), (200, &json!(false)));
    assert_eq!(t.get("/v1/account").await.1["blocked"], false);
    assert_eq!(t.audit_count(seed::ANNA, "number_unblocked").await, 1);

    let (s, v) = t
        .post("/v1/block", json!({"reason": "x".repeat(1000)}))
        .await;
    assert_eq!((s, code(&v)), (400, "invalid_input"));
    let home = t.as_user(seed::HOME_CONTRACT).await;
    let (s, v) = t
        .send(reqwest::Method::POST, "/v1/block", Some(json!({})), &home)
        .await;
    assert_eq!((s, code(&v)), (400, "invalid_input"));
    assert_eq!(t.get("/v1/account").await.1["blocked"], false);
    t.stop().await;
}

#[tokio::test]
async fn acc7_link_needs_password_and_switch_opens_session() {
    let t = T::new(seed::ANNA).await;
    let (s, v) = t.get("/v1/links").await;
    assert_eq!(s, 200);
    assert_eq!(v[0]["account"]["login"], seed::FEDOR);

    let (s, v) = t
        .post(
            "/v1/links",
            json!({"login": "8 (916) 123-45-68", "password": "wrong"}),
        )
        .await;
    assert_eq!((s, code(&v)), (401, "wrong_credentials"));
    assert_eq!(v["attempts_left"], 2);
    let (s, v) = t
        .post(
            "/v1/links",
            json!({"login": "+7 916 123-45-68", "password": "Boris2026pass"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["account"]["login"], seed::BORIS);
    assert_eq!(t.get("/v1/links").await.1.as_array().map(Vec::len), Some(2));
    assert_eq!(t.audit_count(seed::ANNA, "link_added").await, 1);
    for (body, status, c) in [
        (
            json!({"login": seed::BORIS, "password": "Boris2026pass"}),
            409,
            "already_linked",
        ),
        (
            json!({"login": seed::ANNA, "password": "Anna2026pass"}),
            400,
            "invalid_input",
        ),
        (
            json!({"login": "+79990001122", "password": "x"}),
            401,
            "wrong_credentials",
        ),
        (
            json!({"login": seed::ELENA, "password": ""}),
            401,
            "wrong_credentials",
        ),
        (
            json!({"login": "'; --", "password": "x"}),
            400,
            "invalid_input",
        ),
    ] {
        let (s, v) = t.post("/v1/links", body.clone()).await;
        assert_eq!((s, code(&v)), (status, c), "{body}: {v}");
    }

    // Switching opens a session of the linked account.
    t.as_user(seed::FEDOR).await; // Fedor has accepted the agreement.
    let (s, v) = t
        .post(&format!("/v1/links/{}/session", seed::FEDOR), json!(null))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["method"], "linked");
    assert_eq!(v["account"]["login"], seed::FEDOR);
    assert_eq!(v["agreement_required"], false);
    assert_eq!(v["tokens"]["access_idle_timeout_s"], 1200);
    let fedor = v["tokens"]["access_token"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let (s, me) = t
        .send(reqwest::Method::GET, "/v1/account", None, &fedor)
        .await;
    assert_eq!((s, &me["account"]["login"]), (200, &json!(seed::FEDOR)));
    assert_eq!(
        t.int(
            "SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id
             WHERE a.login = ?1 AND s.method = 'linked'",
            seed::FEDOR
        )
        .await,
        1
    );
    // Boris has not accepted the agreement yet: the answer says so.
    let (_, v) = t
        .post(&format!("/v1/links/{}/session", seed::BORIS), json!(null))
        .await;
    assert_eq!(v["agreement_required"], true);

    let (s, _) = t.delete(&format!("/v1/links/{}", seed::BORIS)).await;
    assert_eq!(s, 204);
    let (s, v) = t.delete(&format!("/v1/links/{}", seed::BORIS)).await;
    assert_eq!((s, code(&v)), (404, "not_linked"));
    let (s, v) = t
        .post(&format!("/v1/links/{}/session", seed::BORIS), json!(null))
        .await;
    assert_eq!((s, code(&v)), (404, "not_linked"));
    assert_eq!(t.audit_count(seed::ANNA, "link_removed").await, 1);
    t.stop().await;
}

#[tokio::test]
async fn acc8_disposable_recovery_email_refused() {
    let t = T::new(seed::BORIS).await;
    for (email, status, c) in [
        ("boris@mailinator.com", 400, "disposable_email"),
        ("boris@eu.yopmail.com", 400, "disposable_email"),
        ("not-an-email", 400, "invalid_input"),
        ("a@b", 400, "invalid_input"),
        ("'; DROP TABLE accounts; --@x.com", 400, "invalid_input"),
    ] {
        let (s, v) = t.put("/v1/recovery-email", json!({"email": email})).await;
        assert_eq!((s, code(&v)), (status, c), "{email}: {v}");
    }
    let long = format!("{}@mail.example", "a".repeat(300));
    let (s, _) = t.put("/v1/recovery-email", json!({"email": long})).await;
    assert_eq!(s, 400);
    assert_eq!(t.get("/v1/account").await.1["recovery_email"], Value::Null);

    let (s, v) = t
        .put(
            "/v1/recovery-email",
            // SEC-4: with the current password.
            json!({"email": " Boris.Ivanov@Mail.Example ", "current_password": "Boris2026pass"}),
        )
        .await;
    assert_eq!((s, &v["email"]), (200, &json!("boris.ivanov@mail.example")));
    assert_eq!(
        t.get("/v1/account").await.1["recovery_email"],
        "boris.ivanov@mail.example"
    );
    assert_eq!(
        t.int(
            "SELECT quota_bytes FROM mailboxes WHERE address = ?1",
            "boris.ivanov@mail.example"
        )
        .await,
        2000 * 1024 * 1024
    );
    assert_eq!(t.audit_count(seed::BORIS, "recovery_email_set").await, 1);
    t.stop().await;
}

// ---------------------------------------------------------------------------------------------
// ACC-10, ACC-11
// ---------------------------------------------------------------------------------------------

/// The bank's code for `payment`: read from its SMS when the SMS centre is live on this branch,
/// else derived the way the operator derives it.
async fn bank_code(t: &T, live: bool, payment: &str) -> String {
    if live {
        let texts = t.sms_texts(seed::ANNA, "BANK").await;
        let last = texts.last().cloned().unwrap_or_default();
        return last
            .split_whitespace()
            .find(|w| w.len() == 6 && w.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or("")
            .to_string();
    }
    let nonce = t
        .running
        .state
        .db
        .tx({
            let p = payment.to_string();
            move |tx| {
                Ok(tx.query_row(
                    "SELECT nonce FROM payments WHERE id = ?1",
                    params![p],
                    |r| r.get::<_, String>(0),
                )?)
            }
        })
        .await
        .expect("nonce");
    t.running
        .state
        .key
        .derive_code("topup", &nonce, b"0123456789", 6)
}

#[tokio::test]
async fn acc10_topup_cards_succeed_decline_and_second_step() {
    let t = T::new(seed::ANNA).await;
    let live = t.sms_centre_live().await;
    let (s, v) = t
        .post(
            "/v1/topup",
            json!({"amount_kop": 50_000, "card_number": "4242 4242 4242 4242"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (&v["status"], &v["balance_kop"]),
        (&json!("succeeded"), &json!(95_000))
    );
    assert_eq!(t.audit_count(seed::ANNA, "topup_succeeded").await, 1);

    let (s, v) = t
        .post(
            "/v1/topup",
            json!({"amount_kop": 50_000, "card_number": "4000000000000002"}),
        )
        .await;
    assert_eq!((s, code(&v)), (402, "card_declined"));
    assert_eq!(t.balance(seed::ANNA).await, 95_000);
    assert_eq!(
        t.int(
            "SELECT COUNT(*) FROM payments WHERE status = ?1",
            "declined"
        )
        .await,
        1
    );
    assert_eq!(t.audit_count(seed::ANNA, "topup_declined").await, 1);

    // The second step: a code by SMS from BANK.
    let (s, v) = t
        .post(
            "/v1/topup",
            json!({"amount_kop": 10_000, "card_number": "4000-0000-0000-3220"}),
        )
        .await;
    assert_eq!((s, &v["status"]), (200, &json!("action_required")), "{v}");
    assert_eq!(v["balance_kop"], 95_000);
    let id = v["payment_id"].as_str().unwrap_or("").to_string();
    let code6 = bank_code(&t, live, &id).await;
    assert_eq!(code6.len(), 6, "{code6}");
    let wrong = if code6 == "000000" {
        "111111"
    } else {
        "000000"
    };
    let confirm = format!("/v1/topup/{id}/confirm");
    let (s, v) = t.post(&confirm, json!({"code": wrong})).await;
    assert_eq!(
        (s, code(&v), &v["attempts_left"]),
        (401, "code_wrong", &json!(2))
    );
    let (s, v) = t.post(&confirm, json!({"code": code6})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (&v["status"], &v["balance_kop"]),
        (&json!("succeeded"), &json!(105_000))
    );
    let (s, v) = t.post(&confirm, json!({"code": code6})).await;
    assert_eq!((s, code(&v)), (409, "conflict"));

    // Three wrong codes fail the payment; nothing is credited.
    let (_, v) = t
        .post(
            "/v1/topup",
            json!({"amount_kop": 10_000, "card_number": "4000000000003220"}),
        )
        .await;
    let confirm = format!(
        "/v1/topup/{}/confirm",
        v["payment_id"].as_str().unwrap_or("")
    );
    let right = bank_code(&t, live, v["payment_id"].as_str().unwrap_or("")).await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for expected in [
        (401, "code_wrong"),
        (401, "code_wrong"),
        (402, "card_declined"),
    ] {
        let (s, v) = t.post(&confirm, json!({"code": wrong})).await;
        assert_eq!((s, code(&v)), expected, "{v}");
    }
    let (s, _) = t.post(&confirm, json!({"code": right})).await;
    assert_eq!(s, 409);
    assert_eq!(t.balance(seed::ANNA).await, 105_000);

    // Hostile input: typed errors, nothing changes.
    for (body, c) in [
        (
            json!({"amount_kop": 0, "card_number": "4242424242424242"}),
            "invalid_input",
        ),
        (
            json!({"amount_kop": -50_000, "card_number": "4242424242424242"}),
            "invalid_input",
        ),
        (
            json!({"amount_kop": 10_000_001, "card_number": "4242424242424242"}),
            "invalid_input",
        ),
        (
            json!({"amount_kop": i64::MAX, "card_number": "4242424242424242"}),
            "invalid_input",
        ),
        (
            json!({"amount_kop": 1e30, "card_number": "4242424242424242"}),
            "bad_request",
        ),
        (
            json!({"amount_kop": 10_000, "card_number": "4242424242424241"}),
            "invalid_input",
        ),
        (
            json!({"amount_kop": 10_000, "card_number": "4242-abcd"}),
            "invalid_input",
        ),
        (
            json!({"amount_kop": 10_000, "card_number": "4".repeat(5000)}),
            "invalid_input",
        ),
        (
            json!({"amount_kop": "100", "card_number": "4242424242424242"}),
            "bad_request",
        ),
    ] {
        let (s, v) = t.post("/v1/topup", body.clone()).await;
        assert_eq!(code(&v), c, "{body}: {v}");
        assert_eq!(s, 400);
    }
    let (s, v) = t
        .post("/v1/topup/nope/confirm", json!({"code": "123456"}))
        .await;
    assert_eq!((s, code(&v)), (404, "not_found"));
    assert_eq!(t.balance(seed::ANNA).await, 105_000);
    if live {
        assert_eq!(t.sms_texts(seed::ANNA, "BANK").await.len(), 2);
    }
    t.stop().await;
}

#[tokio::test]
async fn acc11_usage_notices_at_80_and_100() {
    use mymts_operator::ops::account::record_usage;
    use mymts_proto::wire::{RecordUsage, UsageKind};
    let t = T::new(seed::ANNA).await;
    let live = t.sms_centre_live().await;
    let usage = |amount: i64| RecordUsage {
        number: "8 916 123-45-67".parse().expect("number"),
        kind: UsageKind::Data,
        amount,
    };
    let st = &t.running.state;
    let p = record_usage(st, usage(5_000)).await.expect("usage");
    assert_eq!(p.data_mb.used, 12_700);
    let (_, v) = t.get("/v1/account").await;
    assert_eq!(v["notices"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        (&v["notices"][0]["percent"], &v["notices"][0]["kind"]),
        (&json!(80), &json!("data"))
    );
    assert!(
        v["notices"][0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("80%")
    );

    // Still between 80 and 100: no second notice.
    record_usage(st, usage(1_000)).await.expect("usage");
    let p = record_usage(st, usage(3_000)).await.expect("usage");
    assert!(p.data_mb.used >= p.data_mb.total);
    record_usage(st, usage(10)).await.expect("usage");
    let (_, v) = t.get("/v1/account").await;
    let percents: Vec<_> = v["notices"]
        .as_array()
        .map(|n| n.iter().map(|n| n["percent"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(percents, [json!(80), json!(100)]);
    assert_eq!(
        t.int(
            "SELECT COUNT(*) FROM usage_notices n JOIN accounts a ON a.id = n.account_id WHERE a.login = ?1",
            seed::ANNA
        )
        .await,
        2
    );
    if live {
        let texts = t.sms_texts(seed::ANNA, "111").await;
        assert_eq!(texts.len(), 2, "{texts:?}");
        assert!(texts[0].contains("80%") && texts[1].contains("100%"));
    } else {
        eprintln!("queue_sms is a stub here: the SMS rows are checked after the merge");
    }

    // Minutes are counted apart; bad input is typed.
    let p = record_usage(
        st,
        RecordUsage {
            number: seed::ANNA.parse().expect("number"),
            kind: UsageKind::Minutes,
            amount: 10,
        },
    )
    .await
    .expect("minutes");
    assert_eq!(p.minutes.used, 300);
    // A number that is none cannot even be named in the request: the QA API's JSON edge refuses
    // it as invalid_phone, with its field. A number nobody has is refused by the operator.
    let (s, v) = common::answer(
        common::world_client(t.running.world_token.as_deref())
            .post(format!("{}/qa/usage", t.running.world_url))
            .json(&serde_json::json!({"number": "12345", "kind": "sms", "amount": 1})),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str(), v["field"].as_str()),
        (400, Some("invalid_phone"), Some("number")),
        "{v}"
    );
    for (number, amount) in [(seed::ANNA, 0), (seed::ANNA, -5), ("+79990001122", 1)] {
        let r = record_usage(
            st,
            RecordUsage {
                number: number.parse().expect("number"),
                kind: UsageKind::Sms,
                amount,
            },
        )
        .await;
        assert!(r.is_err(), "{number} {amount}");
    }
    t.stop().await;
}
