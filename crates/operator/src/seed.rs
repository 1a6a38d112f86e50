//! The demo world, created on first start and by `POST /qa/reset`. The README lists these logins.

use mymts_proto::wire::{AccountKind, DemoAccount, DemoAccounts, DemoSocial};

use crate::db::Db;
use crate::error::ApiResult;
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
        note: "contract; its mailbox is full, so recovery mail bounces",
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
            .map(|d| DemoAccount {
                kind: d.kind,
                login: d.login.to_string(),
                password: d.password.to_string(),
                name: d.name.to_string(),
                balance_kop: d.balance_kop,
                blocked: d.blocked,
                note: d.note.to_string(),
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
    let _ = state;
    Ok(())
}

/// Wipes everything and creates the demo world again (QA-1 reset).
pub fn reset(state: &AppState) -> ApiResult<()> {
    let _ = state;
    Ok(())
}
