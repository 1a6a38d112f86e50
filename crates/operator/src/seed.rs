//! The demo world, created on first start and by `POST /qa/reset`. The README lists these logins.

use mymts_proto::Login;
use mymts_proto::wire::{AccountKind, DemoAccount, DemoAccounts, DemoSocial};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{Transaction, params};

use crate::db::Db;
use crate::db::accounts::{self, NewAccount};
use crate::error::{ApiError, ApiResult};
use crate::passwords;
use crate::secrets::ServerKey;
use crate::state::AppState;

/// One demo account: `(kind, login, password, name, balance_kop, blocked, note)`.
/// `password` empty = no permanent password yet (logs in by SMS; sets one with `25 <pw>` to 111).
pub struct Demo {
    pub kind: AccountKind,
    pub login: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub balance_kop: i64,
    pub blocked: bool,
    pub tariff: Option<&'static str>,
    pub recovery_email: Option<&'static str>,
    pub note: &'static str,
}

pub const ANNA: &str = "+79161234567";
pub const BORIS: &str = "+79161234568";
pub const VERA: &str = "+79161234569";
pub const GLEB: &str = "+79161234570";
pub const DMITRY: &str = "+79161234571";
pub const ELENA: &str = "+79161234572";
pub const FEDOR: &str = "+79161234573";
pub const HOME_CONTRACT: &str = "7700123456";
pub const SAT_CONTRACT: &str = "7800654321";
pub const FULL_CONTRACT: &str = "7700999999";
pub const BANKING_LOGIN: &str = "bank-ivanov";
/// Calls, SMS and data sessions seeded for DMITRY (ACC-5).
pub const BIG_CDR_ROWS: usize = 100_000;
pub const SOCIAL_PROVIDER: &str = "vk.sim";

pub const DEMO: &[Demo] = &[
    Demo {
        kind: AccountKind::Mobile,
        login: ANNA,
        password: "Anna2026pass",
        name: "Anna Petrova",
        balance_kop: 45_000,
        blocked: false,
        tariff: Some("smart"),
        recovery_email: Some("anna.petrova@mail.example"),
        note: "positive balance; linked to Fedor; social account anna.petrova",
    },
    Demo {
        kind: AccountKind::Mobile,
        login: BORIS,
        password: "Boris2026pass",
        name: "Boris Ivanov",
        balance_kop: 0,
        blocked: false,
        tariff: Some("basic"),
        recovery_email: None,
        note: "zero balance",
    },
    Demo {
        kind: AccountKind::Mobile,
        login: VERA,
        password: "Vera2026pass",
        name: "Vera Smirnova",
        balance_kop: -1_250,
        blocked: false,
        tariff: Some("basic"),
        recovery_email: None,
        note: "negative balance",
    },
    Demo {
        kind: AccountKind::Mobile,
        login: GLEB,
        password: "Gleb2026pass",
        name: "Gleb Orlov",
        balance_kop: 10_000,
        blocked: true,
        tariff: Some("basic"),
        recovery_email: None,
        note: "number blocked",
    },
    Demo {
        kind: AccountKind::Mobile,
        login: DMITRY,
        password: "Dmitry2026pass",
        name: "Dmitry Kozlov",
        balance_kop: 250_000,
        blocked: false,
        tariff: Some("unlim"),
        recovery_email: Some("dmitry.kozlov@mail.example"),
        note: "100,000 call-detail records over 6 months",
    },
    Demo {
        kind: AccountKind::Mobile,
        login: ELENA,
        password: "",
        name: "Elena Volkova",
        balance_kop: 30_000,
        blocked: false,
        tariff: Some("smart"),
        recovery_email: None,
        note: "no permanent password yet: SMS password or 25 <password> to 111",
    },
    Demo {
        kind: AccountKind::Mobile,
        login: FEDOR,
        password: "Fedor2026pass",
        name: "Fedor Petrov",
        balance_kop: 15_000,
        blocked: false,
        tariff: Some("basic"),
        recovery_email: None,
        note: "linked to Anna's account",
    },
    Demo {
        kind: AccountKind::Home,
        login: HOME_CONTRACT,
        password: "Home2026pass",
        name: "Petrov family (Home Internet and TV)",
        balance_kop: 80_000,
        blocked: false,
        tariff: None,
        recovery_email: Some("petrov.home@mail.example"),
        note: "contract; recovery mail lands in Inbox",
    },
    Demo {
        kind: AccountKind::Satellite,
        login: SAT_CONTRACT,
        password: "Sat2026pass",
        name: "Orlov dacha (Satellite TV)",
        balance_kop: 12_000,
        blocked: false,
        tariff: None,
        recovery_email: Some("orlov.sat@mail.example"),
        note: "contract; a mailbox filter sends operator mail to Spam",
    },
    Demo {
        kind: AccountKind::Home,
        login: FULL_CONTRACT,
        password: "Full2026pass",
        name: "Kozlov flat (Home Internet)",
        balance_kop: 5_000,
        blocked: false,
        tariff: None,
        recovery_email: Some("kozlov.full@mail.example"),
        note: "contract; its mailbox is full of letters (2000 MB), so recovery mail bounces until some are deleted",
    },
    Demo {
        kind: AccountKind::Banking,
        login: BANKING_LOGIN,
        password: "Bank2026pass",
        name: "Ivan Ivanov (Internet banking)",
        balance_kop: 0,
        blocked: false,
        tariff: None,
        recovery_email: None,
        note: "internet banking: password only; a lost password means calling 0890",
    },
];

/// `(provider, username, password, linked login)`.
pub const SOCIAL: &[(&str, &str, &str, Option<&str>)] = &[
    (SOCIAL_PROVIDER, "anna.petrova", "Social2026", Some(ANNA)),
    (SOCIAL_PROVIDER, "boris.ivanov", "Social2026", None),
];

pub fn demo_accounts() -> DemoAccounts {
    DemoAccounts {
        accounts: DEMO
            .iter()
            // Every demo login passes the rule (a test below says so).
            .filter_map(|d| {
                Some(DemoAccount {
                    kind: d.kind,
                    login: Login::parse(d.login).ok()?,
                    password: d.password.to_string(),
                    name: d.name.to_string(),
                    balance_kop: d.balance_kop,
                    blocked: d.blocked,
                    note: d.note.to_string(),
                })
            })
            .collect(),
        social: SOCIAL
            .iter()
            .map(|(p, u, pw, l)| DemoSocial {
                provider: p.to_string(),
                username: u.to_string(),
                password: pw.to_string(),
                linked_login: l.map(str::to_string),
            })
            .collect(),
    }
}

/// The QA clock offset persisted in `meta`, so a restart keeps QA's moved time.
pub fn load_clock_offset(db: &Db) -> ApiResult<i64> {
    db.with_conn(|c| {
        c.query_row(
            "SELECT value FROM meta WHERE key = 'clock_offset_ms'",
            [],
            |r| r.get::<_, String>(0),
        )
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
    })
}

/// Creates the demo world when the database has no accounts.
pub fn seed_if_empty(state: &AppState) -> ApiResult<()> {
    let empty = state.db.with_conn(|c| crate::db::accounts::none_yet(c))??;
    if !empty {
        return Ok(());
    }
    let now = state.now_ms();
    state.db.with_conn(|c| seed_world(c, now, &state.key))?
}

/// Creates the demo world in an empty database, in one transaction.
pub fn seed_world(conn: &mut rusqlite::Connection, now: i64, key: &ServerKey) -> ApiResult<()> {
    let hashes = hash_passwords()?;
    let tx = conn.transaction()?;
    create_world(&tx, now, &hashes, key)?;
    tx.commit()?;
    Ok(())
}

/// Wipes everything and creates the demo world again (QA-1 reset). The clock goes back to real
/// time, so the demo data and every code derived from it line up again.
pub fn reset(state: &AppState) -> ApiResult<()> {
    // Hash before taking the database lock: hashing is the slow part.
    let hashes = hash_passwords()?;
    state.clock.set_offset(0);
    let now = state.now_ms();
    state.db.with_conn(|c| {
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        wipe(&tx)?;
        create_world(&tx, now, &hashes, &state.key)?;
        tx.commit()?;
        Ok::<_, ApiError>(())
    })??;
    if let Ok(mut captchas) = state.captchas.lock() {
        captchas.clear();
    }
    tracing::info!("demo world reset");
    Ok(())
}

/// Children before parents, so foreign keys never see an orphan.
const TABLES: &[&str] = &[
    "audit",
    "payments",
    "social_accounts",
    "mail_bounces",
    "mail",
    "mail_filters",
    "mailboxes",
    "sms",
    "phones",
    "refresh_tokens",
    "access_tokens",
    "sessions",
    "recovery_challenges",
    "recovery_codes",
    "sms_requests",
    "sms_challenges",
    "sms_old_codes",
    "sms_codes",
    "guess_counters",
    "recovery_requests",
    "links",
    "charges",
    "calls",
    "usage_notices",
    "usage",
    "account_services",
    "accounts",
    "service_prices",
    "services",
    "tariffs",
    "meta",
];

fn wipe(tx: &Transaction<'_>) -> ApiResult<()> {
    for t in TABLES {
        tx.execute(&format!("DELETE FROM {t}"), [])?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('clock_offset_ms', '0')",
        [],
    )?;
    Ok(())
}

/// Password hashes of the demo accounts (in `DEMO` order) and then of `SOCIAL`. argon2 is the slow
/// part of seeding, so the hashes are spread over the cores.
struct Hashes {
    accounts: Vec<Option<String>>,
    social: Vec<String>,
}

fn hash_passwords() -> ApiResult<Hashes> {
    let mut all: Vec<&str> = DEMO.iter().map(|d| d.password).collect();
    all.extend(SOCIAL.iter().map(|s| s.2));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let chunk = all.len().div_ceil(workers).max(1);
    let hashed: Vec<ApiResult<Option<String>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = all
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|pw| {
                            if pw.is_empty() {
                                Ok(None)
                            } else {
                                passwords::hash_blocking(pw).map(Some)
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec![Err(ApiError::internal("hashing thread panicked"))])
            })
            .collect()
    });
    let mut hashed = hashed.into_iter().collect::<ApiResult<Vec<_>>>()?;
    let social = hashed
        .split_off(DEMO.len())
        .into_iter()
        .map(|h| h.ok_or_else(|| ApiError::internal("a social password is empty")))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Hashes {
        accounts: hashed,
        social,
    })
}

fn create_world(tx: &Transaction<'_>, now: i64, hashes: &Hashes, key: &ServerKey) -> ApiResult<()> {
    insert_catalogue(tx)?;
    let ids = insert_accounts(tx, now, hashes)?;
    let id_of = |login: &str| {
        ids.iter()
            .find(|(l, _)| *l == login)
            .map(|(_, id)| *id)
            .ok_or_else(|| ApiError::internal(format!("no demo account {login}")))
    };
    insert_mailboxes(tx, key, now)?;
    insert_usage(tx, now, &id_of)?;
    tx.execute(
        "INSERT INTO links (owner_id, linked_id, linked_ms) VALUES (?1, ?2, ?3)",
        params![id_of(ANNA)?, id_of(FEDOR)?, now - 30 * DAY_MS],
    )?;
    for ((provider, user, _, linked), hash) in SOCIAL.iter().zip(&hashes.social) {
        let account = linked.map(&id_of).transpose()?;
        tx.execute(
            "INSERT INTO social_accounts (provider, username, password_hash, account_id, linked_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                provider,
                user,
                hash,
                account,
                account.map(|_| now - 60 * DAY_MS)
            ],
        )?;
    }
    for (login, service) in CONNECTED {
        tx.execute(
            "INSERT INTO account_services (account_id, service_id, connected_ms) VALUES (?1, ?2, ?3)",
            params![id_of(login)?, service, now - 90 * DAY_MS],
        )?;
    }
    insert_call_detail(tx, now, &ids)?;
    insert_monthly_fees(tx, now)?;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_offset_ms', '0')",
        [],
    )?;
    Ok(())
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const MB: i64 = 1024 * 1024;
/// Every mailbox holds 2000 MB (INBOX-2).
pub const MAILBOX_QUOTA_BYTES: i64 = 2000 * MB;

struct TariffSeed {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    monthly_fee_kop: i64,
    change_fee_kop: i64,
    minutes: i64,
    sms: i64,
    data_mb: i64,
}

const TARIFFS: &[TariffSeed] = &[
    TariffSeed {
        id: "basic",
        name: "Basic",
        description: "Calls and a little internet for every day.",
        monthly_fee_kop: 30_000,
        change_fee_kop: 0,
        minutes: 300,
        sms: 100,
        data_mb: 5 * 1024,
    },
    TariffSeed {
        id: "smart",
        name: "Smart",
        description: "More minutes and 15 GB of internet.",
        monthly_fee_kop: 65_000,
        change_fee_kop: 10_000,
        minutes: 600,
        sms: 300,
        data_mb: 15 * 1024,
    },
    TariffSeed {
        id: "unlim",
        name: "Unlimited",
        description: "Talk and browse as much as you like: 50 GB and 3000 minutes.",
        monthly_fee_kop: 120_000,
        change_fee_kop: 20_000,
        minutes: 3000,
        sms: 1000,
        data_mb: 50 * 1024,
    },
];

/// `(id, name, description, [(tariff, connect fee, monthly fee)])`. Prices differ per tariff (ACC-3).
type Prices = [(&'static str, i64, i64); 3];
const SERVICES: &[(&str, &str, &str, Prices)] = &[
    (
        "caller-id",
        "Caller ID",
        "See who is calling.",
        [("basic", 0, 0), ("smart", 0, 0), ("unlim", 0, 0)],
    ),
    (
        "roaming-easy",
        "Easy roaming",
        "Calls and internet abroad at home prices in partner networks.",
        [("basic", 0, 0), ("smart", 0, 0), ("unlim", 0, 0)],
    ),
    (
        "antispam",
        "Anti-spam",
        "Blocks calls and SMS from known spammers.",
        [
            ("basic", 0, 5_000),
            ("smart", 0, 5_000),
            ("unlim", 0, 5_000),
        ],
    ),
    (
        "music",
        "MTS Music",
        "Millions of tracks with no internet charged.",
        [
            ("basic", 3_000, 16_900),
            ("smart", 1_500, 16_900),
            ("unlim", 0, 16_900),
        ],
    ),
];

const CONNECTED: &[(&str, &str)] = &[
    (ANNA, "caller-id"),
    (ANNA, "antispam"),
    (BORIS, "caller-id"),
    (DMITRY, "caller-id"),
    (DMITRY, "music"),
    (FEDOR, "caller-id"),
];

fn insert_catalogue(tx: &Transaction<'_>) -> ApiResult<()> {
    for (pos, t) in TARIFFS.iter().enumerate() {
        tx.execute(
            "INSERT INTO tariffs (id, name, description, monthly_fee_kop, change_fee_kop, minutes, sms, data_mb, position)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                t.id,
                t.name,
                t.description,
                t.monthly_fee_kop,
                t.change_fee_kop,
                t.minutes,
                t.sms,
                t.data_mb,
                pos as i64
            ],
        )?;
    }
    for (pos, (id, name, desc, prices)) in SERVICES.iter().enumerate() {
        tx.execute(
            "INSERT INTO services (id, name, description, position) VALUES (?1, ?2, ?3, ?4)",
            params![id, name, desc, pos as i64],
        )?;
        for (tariff, connect, monthly) in prices {
            tx.execute(
                "INSERT INTO service_prices (service_id, tariff_id, connect_fee_kop, monthly_fee_kop)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, tariff, connect, monthly],
            )?;
        }
    }
    Ok(())
}

fn insert_accounts(
    tx: &Transaction<'_>,
    now: i64,
    hashes: &Hashes,
) -> ApiResult<Vec<(&'static str, i64)>> {
    let mut ids = Vec::with_capacity(DEMO.len());
    for (d, hash) in DEMO.iter().zip(&hashes.accounts) {
        let id = accounts::insert(
            tx,
            &NewAccount {
                kind: d.kind,
                login: d.login,
                name: d.name,
                password_hash: hash.as_deref(),
                balance_kop: d.balance_kop,
                tariff_id: d.tariff,
                blocked: d.blocked,
                recovery_email: d.recovery_email,
                created_ms: now - 400 * DAY_MS,
            },
        )?;
        ids.push((d.login, id));
        if d.kind == AccountKind::Mobile {
            tx.execute("INSERT INTO phones (number) VALUES (?1)", params![d.login])?;
        }
    }
    Ok(ids)
}

/// The full contract's mailbox (INBOX-2): real letters whose sizes add up to the whole quota, so
/// its recovery letter bounces until the user deletes one of them. `(from, subject, body, MB)`.
pub const FULL_MAILBOX: &str = "kozlov.full@mail.example";
pub const FULL_MAILBOX_LETTERS: &[(&str, &str, &str, i64)] = &[
    (
        "sergey.kozlov@mail.example",
        "Dacha video, part 1",
        "The whole summer at the dacha, as one video. 600 MB, mostly the lake.",
        600,
    ),
    (
        "sergey.kozlov@mail.example",
        "Dacha video, part 2",
        "The second half: the barbecue and the fireworks. 600 MB.",
        600,
    ),
    (
        "photo.lab@mail.example",
        "Your scanned family album",
        "All 2,000 pages of the album, scanned at full resolution. 500 MB.",
        500,
    ),
    (
        "newsletter@shop.example",
        "Catalogue 2026 (print quality)",
        "The full catalogue as a print-quality PDF. 300 MB.",
        300,
    ),
];

fn insert_mailboxes(tx: &Transaction<'_>, key: &ServerKey, now: i64) -> ApiResult<()> {
    for address in DEMO.iter().filter_map(|d| d.recovery_email) {
        tx.execute(
            "INSERT INTO mailboxes (address, quota_bytes, base_bytes) VALUES (?1, ?2, 0)",
            params![address, MAILBOX_QUOTA_BYTES],
        )?;
    }
    // The letters' attachments are not kept byte by byte (the demo database stays small): each
    // letter carries its size, and the quota counts it like any other letter.
    for (i, (from, subject, body, mb)) in FULL_MAILBOX_LETTERS.iter().enumerate() {
        let days = i64::try_from(FULL_MAILBOX_LETTERS.len() - i).unwrap_or(1);
        tx.execute(
            "INSERT INTO mail (address, folder, sender, subject, body, size_bytes, received_ms)
             VALUES (?1, 'inbox', ?2, ?3, ?4, ?5, ?6)",
            params![
                FULL_MAILBOX,
                from,
                subject,
                key.seal(body.as_bytes()),
                mb * MB,
                now - days * DAY_MS
            ],
        )?;
    }
    tx.execute(
        "INSERT INTO mail_filters (address, from_contains, action)
         VALUES ('orlov.sat@mail.example', 'mymts', 'spam')",
        [],
    )?;
    Ok(())
}

/// `(login, minutes, SMS, MB)` used this month. Anna is near half of each package, below every
/// notice threshold, so the ACC-11 notices can be shown from a clean start.
const USAGE: &[(&str, i64, i64, i64)] = &[
    (ANNA, 290, 140, 7_700),
    (BORIS, 120, 20, 1_000),
    (VERA, 250, 30, 2_000),
    (GLEB, 10, 0, 100),
    (DMITRY, 1_500, 300, 30_000),
    (ELENA, 100, 10, 3_000),
    (FEDOR, 50, 5, 500),
];

fn insert_usage(
    tx: &Transaction<'_>,
    now: i64,
    id_of: &dyn Fn(&str) -> ApiResult<i64>,
) -> ApiResult<()> {
    let period = mymts_proto::time::period_of(now);
    for (login, min, sms, mb) in USAGE {
        tx.execute(
            "INSERT INTO usage (account_id, period, minutes_used, sms_used, data_mb_used)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id_of(login)?, period, min, sms, mb],
        )?;
    }
    Ok(())
}

/// A fixed seed: the same demo world (and the same counts per kind) on every start.
const CDR_SEED: u64 = 0x006d_796d_7473;

fn insert_call_detail(
    tx: &Transaction<'_>,
    now: i64,
    ids: &[(&'static str, i64)],
) -> ApiResult<()> {
    let mut rng = StdRng::seed_from_u64(CDR_SEED);
    let pool: Vec<String> = (0..500)
        .map(|_| format!("+79{:09}", rng.random_range(0..1_000_000_000u32)))
        .collect();
    let six_months_ago = crate::ops::calls::months(now, 6)
        .first()
        .map_or(now - 180 * DAY_MS, |m| m.start_ms);
    let mut stmt = tx.prepare(
        "INSERT INTO calls (account_id, at_ms, kind, direction, party, duration_s, volume_kb, cost_kop)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for d in DEMO.iter().filter(|d| d.kind == AccountKind::Mobile) {
        let Some((_, id)) = ids.iter().find(|(l, _)| *l == d.login) else {
            continue;
        };
        let (rows, from) = if d.login == DMITRY {
            (BIG_CDR_ROWS, six_months_ago)
        } else {
            (40, now - 45 * DAY_MS)
        };
        let mut times: Vec<i64> = (0..rows).map(|_| rng.random_range(from..now)).collect();
        times.sort_unstable();
        for at in times {
            let r = random_record(&mut rng, &pool);
            stmt.execute(params![
                id,
                at,
                r.kind,
                r.direction,
                r.party,
                r.duration_s,
                r.volume_kb,
                r.cost_kop
            ])?;
        }
    }
    Ok(())
}

struct Cdr<'a> {
    kind: &'static str,
    direction: &'static str,
    party: &'a str,
    duration_s: i64,
    volume_kb: i64,
    cost_kop: i64,
}

fn random_record<'a>(rng: &mut StdRng, pool: &'a [String]) -> Cdr<'a> {
    let party = pool.get(rng.random_range(0..pool.len())).map_or("", |s| s);
    let outgoing = rng.random_bool(0.6);
    let direction = if outgoing { "outgoing" } else { "incoming" };
    match rng.random_range(0..100) {
        0..55 => {
            let duration_s = rng.random_range(3..1_800i64);
            // Most outgoing minutes are in the package; the rest cost 1.50 ₽ a started minute.
            let cost_kop = if outgoing && rng.random_bool(0.15) {
                (duration_s + 59) / 60 * 150
            } else {
                0
            };
            Cdr {
                kind: "call",
                direction,
                party,
                duration_s,
                volume_kb: 0,
                cost_kop,
            }
        }
        55..80 => {
            let cost_kop = if outgoing && rng.random_bool(0.3) {
                250
            } else {
                0
            };
            Cdr {
                kind: "sms",
                direction,
                party,
                duration_s: 0,
                volume_kb: 0,
                cost_kop,
            }
        }
        _ => {
            let volume_kb = rng.random_range(16..200 * 1024i64);
            let cost_kop = if rng.random_bool(0.05) {
                volume_kb / 1024 * 10
            } else {
                0
            };
            Cdr {
                kind: "data",
                direction: "outgoing",
                party: "internet.mts.ru",
                duration_s: 0,
                volume_kb,
                cost_kop,
            }
        }
    }
}

/// The tariff's and the connected services' monthly fees, on the 1st of each of the last six
/// months: the "subscriptions" of the spending chart (ACC-5).
fn insert_monthly_fees(tx: &Transaction<'_>, now: i64) -> ApiResult<()> {
    let months = crate::ops::calls::months(now, 6);
    let mut stmt = tx.prepare(
        "INSERT INTO charges (account_id, at_ms, kind, amount_kop, detail)
         SELECT a.id, ?1, 'monthly_fee', t.monthly_fee_kop + COALESCE((
                  SELECT SUM(p.monthly_fee_kop) FROM account_services s
                  JOIN service_prices p ON p.service_id = s.service_id AND p.tariff_id = a.tariff_id
                  WHERE s.account_id = a.id), 0),
                'Monthly fee ' || ?2 || ': ' || t.name
         FROM accounts a JOIN tariffs t ON t.id = a.tariff_id",
    )?;
    for m in months {
        stmt.execute(params![m.start_ms, m.period])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn auth1_every_demo_login_passes_the_one_rule_as_stored() {
        let listed = super::demo_accounts().accounts;
        assert_eq!(
            listed.len(),
            super::DEMO.len(),
            "a demo login failed the rule"
        );
        for (a, d) in listed.iter().zip(super::DEMO) {
            assert_eq!(a.login.as_str(), d.login, "stored as the rule writes it");
        }
    }
}
