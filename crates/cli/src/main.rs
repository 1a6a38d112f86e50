//! `mymts`: the app's core on the command line, for QA scripts and people without a window.
//! Its flags, JSON shapes and exit codes are a contract QA scripts depend on: keep them stable.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use mymts_core::ops::account::{VIEW_BALANCE, VIEW_SERVICES, VIEW_TARIFFS};
use mymts_core::{Cached, CallFilter, Core, CoreConfig, CoreError, WorldDoor, clock::rfc3339};
use mymts_proto::wire::{Balance, InjectSms, PhoneStatePatch, RecordKind, ServiceList, TariffList};
use mymts_proto::{Login, PhoneNumber};
use serde_json::{Value, json};

const SESSION_NOTE: &str = "\
Sessions: without --remember a login lives only as long as that one process, so a sign-in \
cannot carry over to a later `mymts` run — that is by design. With --remember the refresh token \
goes to the OS keyring (never to a file) and later runs sign in from it (`mymts whoami`). \
Logging in accepts the System Use Agreement on the user's behalf.

Operator: --operator URL, else $MYMTS_OPERATOR_URL (as for the app), else an embedded operator (QA mode, loopback, \
random ports, a fresh world token held in the process) whose database lives in the data dir, so its state persists \
across runs. A standalone operator's simulated world (phones, mailboxes, the QA API) answers on its own door: \
--world URL and --world-token TOKEN, else $MYMTS_WORLD_URL and $MYMTS_WORLD_TOKEN. `login --on-net` signs in through \
the gateway with the device's SIM: --device-sim NUMBER, else $MYMTS_DEVICE_SIM.

One mymts at a time per data dir: a second one waits up to 10 s for the first to finish, then \
refuses (exit 5, code \"busy\"). A damaged cache is set aside (cache.db.damaged-<time>) and \
rebuilt, with a warning on stderr.

Exit codes: 0 ok; 2 usage or invalid input; 3 refused by the operator (or not signed in); \
4 operator unreachable (cached data, if any, still printed with \"stale\": true); \
5 local failure (keyring, disk, data dir busy).";

#[derive(Parser)]
#[command(name = "mymts", version, about = "My MTS self-care on the command line", after_help = SESSION_NOTE)]
struct Cli {
    /// The operator's API base URL.
    #[arg(long, global = true, env = "MYMTS_OPERATOR_URL")]
    operator: Option<String>,
    /// A standalone operator's simulated world door (phones, mailboxes, QA API).
    #[arg(long, global = true, env = "MYMTS_WORLD_URL")]
    world: Option<String>,
    /// The world door's token. Random URL-safe base64, so it may start with `-`: always a value.
    #[arg(
        long,
        global = true,
        env = "MYMTS_WORLD_TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    world_token: Option<String>,
    /// The simulated phone whose SIM is in this device (on-net sign-in, AUTH-7).
    #[arg(long, global = true, env = "MYMTS_DEVICE_SIM")]
    device_sim: Option<String>,
    /// Cache and settings (default: the platform's data dir).
    #[arg(long, global = true, env = "MYMTS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// One JSON object on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Keyring service name (tests use a unique one).
    #[arg(
        long,
        global = true,
        env = "MYMTS_KEYRING_SERVICE",
        default_value = "mymts",
        hide = true
    )]
    keyring_service: String,
    /// How long to wait for another `mymts` on the same data dir to finish (milliseconds).
    #[arg(
        long,
        global = true,
        env = "MYMTS_LOCK_WAIT_MS",
        default_value_t = 10_000,
        hide = true
    )]
    lock_wait_ms: u64,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Get a captcha for an SMS-password request; writes the PNG under the data dir.
    Captcha,
    /// Ask for a one-time password by SMS (AUTH-4).
    SmsPassword {
        #[arg(long)]
        phone: String,
        #[arg(long, allow_hyphen_values = true)]
        captcha_id: String,
        /// The captcha's letters, case-sensitive.
        #[arg(long)]
        captcha: String,
        /// The challenge an earlier request printed: a resend while the code is valid keeps it.
        #[arg(long, allow_hyphen_values = true)]
        challenge: Option<String>,
    },
    /// Sign in: --phone with --password or --code; --contract with --password; or --on-net
    /// with the device's SIM (--device-sim).
    Login(LoginArgs),
    /// Who is signed in (signs in from the keyring when remembered).
    Whoami,
    /// Balance of the signed-in account (cached when the operator is unreachable)
    Balance,
    /// Tariffs with fees; the current one marked
    Tariffs,
    /// Services: connected and available, with prices per your tariff
    Services,
    /// Call detail: calls, SMS and data, newest first, with totals.
    Calls {
        /// First day (YYYY-MM-DD, Moscow time) or an RFC 3339 instant.
        #[arg(long)]
        from: Option<String>,
        /// Last day, inclusive (YYYY-MM-DD) or an RFC 3339 instant (exclusive).
        #[arg(long)]
        to: Option<String>,
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Digits of the other party's number.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Exit: revoke the session, forget the device, wipe this account's cache.
    Logout,
    /// The simulated phone's SMS, oldest first, each judged genuine / fraud / other.
    Inbox {
        #[arg(long)]
        phone: String,
    },
    /// "Code not arriving?": what to fix, then the alternatives.
    Troubleshoot {
        #[arg(long, required_unless_present = "email")]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// With --email: the masked address the letter was sent to (`a***@domain`).
        #[arg(long, requires = "email")]
        sent_to: Option<String>,
    },
    /// Compare the device clock with the operator's (AUTH-13).
    ClockCheck,
    /// Steer the simulated operator (QA mode only).
    #[command(subcommand)]
    Qa(QaCmd),
}

#[derive(Args)]
struct LoginArgs {
    #[arg(long, conflicts_with = "contract")]
    phone: Option<String>,
    #[arg(long)]
    contract: Option<String>,
    #[arg(long, conflicts_with_all = ["code", "on_net"])]
    password: Option<String>,
    #[arg(long, conflicts_with = "on_net", requires = "phone")]
    code: Option<String>,
    /// With --code: the challenge `sms-password` printed. The operator counts wrong codes per
    /// challenge, so a stranger's guesses never spend yours. Leave it out for a code from the
    /// 111 command's reply.
    #[arg(long, requires = "code", allow_hyphen_values = true)]
    challenge: Option<String>,
    /// Through the operator's gateway with the device's SIM (--device-sim): no number is typed.
    #[arg(long, conflicts_with_all = ["phone", "contract"])]
    on_net: bool,
    /// Remember this device: keep the refresh token in the OS keyring.
    #[arg(long)]
    remember: bool,
}

#[derive(Subcommand)]
enum QaCmd {
    /// The demo accounts and their passwords.
    Accounts,
    /// A captcha's answer.
    CaptchaAnswer {
        /// Captcha ids are base64url and may start with `-`.
        #[arg(allow_hyphen_values = true)]
        id: String,
    },
    /// Inject an SMS into a phone's inbox.
    Sms {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        text: String,
    },
    /// Show or switch a simulated phone's states.
    Phone {
        phone: String,
        #[arg(long, value_enum)]
        airplane: Option<OnOff>,
        #[arg(long, value_enum)]
        spam_blocker: Option<OnOff>,
        #[arg(long, value_enum)]
        on_net: Option<OnOff>,
    },
    /// The operator's clock.
    #[command(subcommand)]
    Clock(ClockCmd),
    /// Back to the demo data.
    Reset,
}

#[derive(Subcommand)]
enum ClockCmd {
    /// Move the operator's clock forward (or back, negative).
    Advance {
        #[arg(allow_hyphen_values = true)]
        seconds: i64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum OnOff {
    On,
    Off,
}

impl OnOff {
    fn get(self) -> bool {
        matches!(self, Self::On)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Call,
    Sms,
    Data,
}

impl From<KindArg> for RecordKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Call => RecordKind::Call,
            KindArg::Sms => RecordKind::Sms,
            KindArg::Data => RecordKind::Data,
        }
    }
}

/// What a command produced.
enum Outcome {
    Ok(Value),
    /// Cached data shown because the operator could not be reached.
    Stale(Value),
    Err(CoreError),
}

impl From<CoreError> for Outcome {
    fn from(e: CoreError) -> Self {
        Outcome::Err(e)
    }
}

fn exit_code(e: &CoreError) -> u8 {
    match e {
        CoreError::Api(_) | CoreError::NotSignedIn | CoreError::SessionInactive => 3,
        CoreError::Unreachable(_) => 4,
        CoreError::InvalidInput(_) => 2,
        CoreError::KeyringUnavailable(_)
        | CoreError::Cache(_)
        | CoreError::Io(_)
        | CoreError::Protocol(_)
        | CoreError::UnlockRefused(_)
        | CoreError::Busy(_) => 5,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    #[cfg(feature = "failpoints")]
    let _crash_points = mymts_operator::crash_points_from_env();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MYMTS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let json = cli.json;
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail_setup(json, &anyhow::Error::from(e)),
    };
    match rt.block_on(run(cli)) {
        Ok(outcome) => print(json, outcome),
        Err(e) => fail_setup(json, &e),
    }
}

/// Writes a line to stdout. A closed pipe (`mymts … | head`) ends the output, not in a panic.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

fn fail_setup(json: bool, e: &anyhow::Error) -> ExitCode {
    let err = CoreError::Io(format!("{e:#}"));
    print(json, Outcome::Err(err))
}

fn print(json: bool, o: Outcome) -> ExitCode {
    let (value, code, is_err) = match o {
        Outcome::Ok(v) => (v, 0, false),
        Outcome::Stale(v) => (v, 4, false),
        Outcome::Err(e) => {
            let c = exit_code(&e);
            (serde_json::to_value(&e).unwrap_or(Value::Null), c, true)
        }
    };
    if json {
        out!("{value}");
    } else if is_err {
        let msg = value["message"].as_str().unwrap_or("failed");
        let c = value["code"].as_str().unwrap_or("");
        eprintln!("error: {msg} [{c}]");
        if let Some(n) = value.get("attempts_left") {
            eprintln!("attempts left: {n}");
        }
        if let Some(h) = value["hint"].as_str() {
            eprintln!("hint: {h}");
        }
    } else {
        print_text(&value);
    }
    ExitCode::from(code)
}

fn print_text(v: &Value) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::Array(items) => {
                        out!("{k}:");
                        for i in items {
                            out!("  {}", compact(i));
                        }
                    }
                    other => out!("{k}: {}", compact(other)),
                }
            }
        }
        other => out!("{}", compact(other)),
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{k}={}", compact(v)))
            .collect::<Vec<_>>()
            .join("  "),
        other => other.to_string(),
    }
}

fn default_data_dir() -> anyhow::Result<PathBuf> {
    directories::ProjectDirs::from("ru", "mymts", "mymts")
        .map(|d| d.data_dir().to_path_buf())
        .context("no home directory to keep the data dir in; pass --data-dir")
}

async fn run(cli: Cli) -> anyhow::Result<Outcome> {
    // Read before anything starts: a mistyped SIM is the user's input, answered as such.
    let device_sim = match cli
        .device_sim
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(PhoneNumber::parse)
        .transpose()
    {
        Ok(sim) => sim,
        Err(e) => return Ok(Outcome::Err(e.into())),
    };
    let data_dir = match cli.data_dir.clone() {
        Some(d) => d,
        None => default_data_dir()?,
    };
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create the data dir {}", data_dir.display()))?;
    // One mymts per data dir: two would rotate each other's refresh tokens away and run two
    // embedded operators on one database. The OS drops the lock when this process ends.
    let _lock = match mymts_core::lock::DataDirLock::acquire(
        &data_dir,
        std::time::Duration::from_millis(cli.lock_wait_ms),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => return Ok(Outcome::Err(e)),
    };

    let (url, world, embedded) = match cli.operator.clone().filter(|s| !s.trim().is_empty()) {
        Some(u) => {
            let world = match cli.world.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(w) => match WorldDoor::new(w, cli.world_token.as_deref()) {
                    Ok(d) => Some(d),
                    Err(e) => return Ok(Outcome::Err(e)),
                },
                None => None,
            };
            (u, world, None)
        }
        None => {
            let running = mymts_operator::start(mymts_operator::Config::embedded(&data_dir))
                .await
                .context("cannot start the embedded operator")?;
            let world = WorldDoor::new(&running.world_url, running.world_token.as_deref())
                .context("the embedded operator's world door")?;
            (running.api_url.clone(), Some(world), Some(running))
        }
    };
    let config = CoreConfig::new(url)
        .embedded_operator(embedded.is_some())
        .world(world)
        .device_sim(device_sim)
        .data_dir(&data_dir)
        .keyring_service(cli.keyring_service.clone())
        .device("mymts-cli", std::env::consts::OS);
    let outcome = match Core::new(config) {
        Ok(core) => {
            if let Some(h) = core.cache_healed(true) {
                // Said once, on stderr (stdout's JSON shape is a contract): CACHE-3.
                eprintln!(
                    "warning: the local cache was damaged ({}); it was set aside as {} and is rebuilt from the operator. Your login is kept.",
                    h.reason, h.damaged_path
                );
            }
            command(&core, &data_dir, cli.cmd).await
        }
        Err(e) => Outcome::Err(e),
    };
    if let Some(r) = embedded {
        r.stop().await;
    }
    Ok(outcome)
}

fn session_json(s: &mymts_core::Session) -> Value {
    json!({
        "login": s.account.login,
        "kind": s.account.kind.as_str(),
        "name": s.account.name,
        "remembered": s.remembered,
    })
}

/// Makes sure someone is signed in, from the keyring if need be. `Err` carries the outcome to
/// print, with the remembered account's login when the operator could not be reached.
async fn ensure_session(core: &Core) -> Result<Login, (CoreError, Option<Login>)> {
    if let Ok(l) = core.active_login() {
        return Ok(l);
    }
    match core.autologin().await {
        Ok(Some(s)) => Ok(s.account.login),
        Ok(None) => Err((CoreError::NotSignedIn, None)),
        Err(e) => {
            let remembered = core
                .cache()
                .remembered_accounts()
                .ok()
                .and_then(|a| a.into_iter().next())
                .map(|a| a.login);
            Err((e, remembered))
        }
    }
}

fn ms_of(c: &Cached<Value>) -> (String, bool) {
    (rfc3339(c.fetched_ms), c.stale)
}

fn view_outcome(c: Cached<Value>) -> Outcome {
    let (updated, stale) = ms_of(&c);
    let mut v = c.value;
    if let Value::Object(m) = &mut v {
        m.insert("fetched_at".into(), json!(updated));
        m.insert("stale".into(), json!(stale));
    }
    if stale {
        Outcome::Stale(v)
    } else {
        Outcome::Ok(v)
    }
}

fn balance_json(b: &Balance) -> Value {
    json!({
        "balance": (b.balance_kop as f64) / 100.0,
        "balance_kop": b.balance_kop,
        "currency": b.currency,
        "updated_at": rfc3339(b.as_of_ms),
    })
}

/// A view command: fresh when possible, else the cached copy (exit 4).
async fn view_cmd<T, F, Fut>(core: &Core, view: &str, fetch: F, shape: fn(&T) -> Value) -> Outcome
where
    T: serde::de::DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Cached<T>, CoreError>>,
{
    match ensure_session(core).await {
        Ok(_) => match fetch().await {
            Ok(c) => view_outcome(c.map(|v| shape(&v))),
            Err(e) => e.into(),
        },
        Err((e @ CoreError::Unreachable(_), Some(login))) => {
            match core.cached_view::<T>(&login, view) {
                Ok(Some(c)) => view_outcome(c.map(|v| shape(&v))),
                _ => e.into(),
            }
        }
        Err((e, _)) => e.into(),
    }
}

fn parse_day(s: &str, end: bool) -> Result<i64, CoreError> {
    let bad = || {
        CoreError::InvalidInput(format!(
            "{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 time."
        ))
    };
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let date: jiff::civil::Date = s.trim().parse().map_err(|_| bad())?;
    let date = if end {
        date.tomorrow().map_err(|_| bad())?
    } else {
        date
    };
    let tz = mymts_proto::time::moscow();
    let z = date.to_zoned(tz).map_err(|_| bad())?;
    Ok(z.timestamp().as_millisecond())
}

fn safe_file_name(id: &str) -> String {
    let s: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect();
    if s.is_empty() { "captcha".into() } else { s }
}

async fn login_cmd(core: &Core, a: LoginArgs) -> Outcome {
    let r = match (&a.phone, &a.contract) {
        (None, None) if a.on_net => core.login_on_net(a.remember).await,
        (Some(p), None) => {
            let p = match PhoneNumber::parse(p) {
                Ok(p) => p,
                Err(e) => return CoreError::from(e).into(),
            };
            if let Some(code) = &a.code {
                core.login_sms_code(&p, code, a.challenge.as_deref(), a.remember)
                    .await
            } else if let Some(pw) = &a.password {
                core.login_password(&Login::from(p), pw, a.remember).await
            } else {
                return CoreError::InvalidInput(
                    "Give --password or --code with --phone (or --on-net alone).".into(),
                )
                .into();
            }
        }
        (None, Some(c)) => match (&a.password, Login::parse(c)) {
            (_, Err(e)) => return CoreError::from(e).into(),
            (Some(pw), Ok(c)) => core.login_password(&c, pw, a.remember).await,
            (None, Ok(_)) => {
                return CoreError::InvalidInput("A contract signs in with --password.".into())
                    .into();
            }
        },
        _ => {
            return CoreError::InvalidInput("Give --phone or --contract.".into()).into();
        }
    };
    match r {
        Ok(out) => {
            if out.session.agreement_required
                && let Err(e) = core.accept_agreement().await
            {
                return e.into();
            }
            if let Some(e) = out.keyring_error {
                return e.into();
            }
            let mut v = session_json(&out.session);
            v["method"] = serde_json::to_value(out.session.method).unwrap_or(Value::Null);
            v["offer_permanent_password"] = json!(out.session.offer_permanent_password);
            Outcome::Ok(v)
        }
        Err(e) => e.into(),
    }
}

async fn command(core: &Core, data_dir: &Path, cmd: Cmd) -> Outcome {
    let client = core.client().clone();
    match cmd {
        Cmd::Captcha => match core.captcha().await {
            Ok(c) => {
                let dir = data_dir.join("captcha");
                let path = dir.join(format!("{}.png", safe_file_name(&c.id)));
                if let Err(e) =
                    std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&path, &c.png))
                {
                    return CoreError::Io(e.to_string()).into();
                }
                Outcome::Ok(json!({
                    "id": c.id,
                    "image_path": path.display().to_string(),
                    "expires_in_s": c.expires_in_s,
                }))
            }
            Err(e) => e.into(),
        },
        Cmd::SmsPassword {
            phone,
            captcha_id,
            captcha,
            challenge,
        } => match async {
            core.request_sms_password(
                &PhoneNumber::parse(&phone)?,
                &captcha_id,
                &captcha,
                challenge.as_deref(),
            )
            .await
        }
        .await
        {
            Ok(s) => Outcome::Ok(json!({
                "resend_after_s": s.resend_after_s,
                "expires_in_s": s.expires_in_s,
                "resent_same_code": s.resent_same_code,
                "requests_left_this_hour": s.requests_left_this_hour,
                "challenge": s.challenge,
            })),
            Err(e) => e.into(),
        },
        Cmd::Login(a) => login_cmd(core, a).await,
        Cmd::Whoami => match ensure_session(core).await {
            Ok(_) => match core.current() {
                Some(s) => Outcome::Ok(session_json(&s)),
                None => CoreError::NotSignedIn.into(),
            },
            Err((e, _)) => e.into(),
        },
        Cmd::Balance => view_cmd(core, VIEW_BALANCE, || core.balance(), balance_json).await,
        Cmd::Tariffs => {
            view_cmd(
                core,
                VIEW_TARIFFS,
                || core.tariffs(),
                |t: &TariffList| serde_json::to_value(t).unwrap_or(Value::Null),
            )
            .await
        }
        Cmd::Services => {
            view_cmd(
                core,
                VIEW_SERVICES,
                || core.services(),
                |s: &ServiceList| serde_json::to_value(s).unwrap_or(Value::Null),
            )
            .await
        }
        Cmd::Calls {
            from,
            to,
            kind,
            search,
            limit,
        } => {
            let from_ms = match from.as_deref().map(|s| parse_day(s, false)).transpose() {
                Ok(v) => v,
                Err(e) => return e.into(),
            };
            let to_ms = match to.as_deref().map(|s| parse_day(s, true)).transpose() {
                Ok(v) => v,
                Err(e) => return e.into(),
            };
            let filter = CallFilter {
                from_ms,
                to_ms,
                kind: kind.map(RecordKind::from),
                search,
            };
            let shape = |c: Cached<mymts_core::ops::calls::CallsView>| {
                view_outcome(c.map(|v| serde_json::to_value(v).unwrap_or(Value::Null)))
            };
            match ensure_session(core).await {
                Ok(_) => match core.calls(&filter, limit, 0).await {
                    Ok(c) => shape(c),
                    Err(e) => e.into(),
                },
                Err((e @ CoreError::Unreachable(_), Some(login))) => {
                    match core.cached_calls(&login, &filter, limit, 0) {
                        Ok(Some(c)) => shape(c),
                        _ => e.into(),
                    }
                }
                Err((e, _)) => e.into(),
            }
        }
        Cmd::Logout => match ensure_session(core).await {
            Ok(login) => match core.logout().await {
                Ok(()) => Outcome::Ok(json!({"logged_out": login})),
                Err(e) => e.into(),
            },
            Err((e, _)) => e.into(),
        },
        Cmd::Inbox { phone } => {
            match async { core.inbox(&PhoneNumber::parse(&phone)?).await }.await {
                Ok(msgs) => Outcome::Ok(json!({
                    "messages": msgs.iter().map(|m| json!({
                        "sender": m.sender,
                        "text": m.text,
                        "code": m.code,
                        "verdict": m.verdict,
                        "received_at": m.received_at,
                    })).collect::<Vec<_>>()
                })),
                Err(e) => e.into(),
            }
        }
        Cmd::Troubleshoot {
            phone,
            email,
            sent_to,
        } => {
            let r = match (phone, email) {
                (Some(p), _) => core.troubleshoot_sms(&p).await,
                (None, Some(e)) => core.troubleshoot_mail(&e, sent_to.as_deref()).await,
                (None, None) => Err(CoreError::InvalidInput("Give --phone or --email.".into())),
            };
            match r {
                Ok(d) => Outcome::Ok(serde_json::to_value(d).unwrap_or(Value::Null)),
                Err(e) => e.into(),
            }
        }
        Cmd::ClockCheck => match core.clock_check().await {
            Ok(c) => Outcome::Ok(serde_json::to_value(c).unwrap_or(Value::Null)),
            Err(e) => e.into(),
        },
        Cmd::Qa(q) => qa(&client, q).await,
    }
}

async fn qa(client: &mymts_core::ApiClient, q: QaCmd) -> Outcome {
    let r: Result<Value, CoreError> = match q {
        QaCmd::Accounts => client.qa_accounts().await.map(|d| {
            json!({
                "accounts": d.accounts.iter().map(|a| json!({
                    "kind": a.kind.as_str(),
                    "login": a.login,
                    "password": a.password,
                    "name": a.name,
                    "balance": (a.balance_kop as f64) / 100.0,
                    "blocked": a.blocked,
                    "note": a.note,
                })).collect::<Vec<_>>(),
                "social": d.social,
            })
        }),
        QaCmd::CaptchaAnswer { id } => client
            .qa_captcha_answer(&id)
            .await
            .map(|a| json!({"answer": a.answer})),
        QaCmd::Sms { from, to, text } => match PhoneNumber::parse(&to) {
            Ok(to) => client
                .qa_sms(&InjectSms { from, to, text })
                .await
                .map(|()| json!({"sent": true})),
            Err(e) => Err(e.into()),
        },
        QaCmd::Phone {
            phone,
            airplane,
            spam_blocker,
            on_net,
        } => match mymts_proto::PhoneNumber::parse(&phone) {
            Err(e) => Err(e.into()),
            Ok(p) => {
                let patch = PhoneStatePatch {
                    airplane: airplane.map(OnOff::get),
                    spam_blocker: spam_blocker.map(OnOff::get),
                    on_net: on_net.map(OnOff::get),
                };
                let r = if airplane.is_none() && spam_blocker.is_none() && on_net.is_none() {
                    client.phone(p.as_str()).await
                } else {
                    client.qa_patch_phone(p.as_str(), &patch).await
                };
                r.map(|s| serde_json::to_value(s).unwrap_or(Value::Null))
            }
        },
        QaCmd::Clock(ClockCmd::Advance { seconds }) => client
            .qa_clock_advance(seconds)
            .await
            .map(|c| serde_json::to_value(c).unwrap_or(Value::Null)),
        QaCmd::Reset => client.qa_reset().await.map(|()| json!({"reset": true})),
    };
    match r {
        Ok(v) => Outcome::Ok(v),
        Err(e) => e.into(),
    }
}
