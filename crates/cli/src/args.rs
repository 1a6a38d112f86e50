//! The command line as clap reads it: global flags, the commands and their arguments. Its
//! flags are a contract QA scripts depend on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mymts_proto::wire::RecordKind;

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
pub(crate) struct Cli {
    /// The operator's API base URL.
    #[arg(long, global = true, env = "MYMTS_OPERATOR_URL")]
    pub(crate) operator: Option<String>,
    /// A standalone operator's simulated world door (phones, mailboxes, QA API).
    #[arg(long, global = true, env = "MYMTS_WORLD_URL")]
    pub(crate) world: Option<String>,
    /// The world door's token. Random URL-safe base64, so it may start with `-`: always a value.
    #[arg(
        long,
        global = true,
        env = "MYMTS_WORLD_TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub(crate) world_token: Option<String>,
    /// The simulated phone whose SIM is in this device (on-net sign-in, AUTH-7).
    #[arg(long, global = true, env = "MYMTS_DEVICE_SIM")]
    pub(crate) device_sim: Option<String>,
    /// Cache and settings (default: the platform's data dir).
    #[arg(long, global = true, env = "MYMTS_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// One JSON object on stdout instead of text.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Keyring service name (tests use a unique one).
    #[arg(
        long,
        global = true,
        env = "MYMTS_KEYRING_SERVICE",
        default_value = "mymts",
        hide = true
    )]
    pub(crate) keyring_service: String,
    /// How long to wait for another `mymts` on the same data dir to finish (milliseconds).
    #[arg(
        long,
        global = true,
        env = "MYMTS_LOCK_WAIT_MS",
        default_value_t = 10_000,
        hide = true
    )]
    pub(crate) lock_wait_ms: u64,
    #[command(subcommand)]
    pub(crate) cmd: Cmd,
}

#[derive(Subcommand)]
pub(crate) enum Cmd {
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
pub(crate) struct LoginArgs {
    #[arg(long, conflicts_with = "contract")]
    pub(crate) phone: Option<String>,
    #[arg(long)]
    pub(crate) contract: Option<String>,
    #[arg(long, conflicts_with_all = ["code", "on_net"])]
    pub(crate) password: Option<String>,
    #[arg(long, conflicts_with = "on_net", requires = "phone")]
    pub(crate) code: Option<String>,
    /// With --code: the challenge `sms-password` printed. The operator counts wrong codes per
    /// challenge, so a stranger's guesses never spend yours. Leave it out for a code from the
    /// 111 command's reply.
    #[arg(long, requires = "code", allow_hyphen_values = true)]
    pub(crate) challenge: Option<String>,
    /// Through the operator's gateway with the device's SIM (--device-sim): no number is typed.
    #[arg(long, conflicts_with_all = ["phone", "contract"])]
    pub(crate) on_net: bool,
    /// Remember this device: keep the refresh token in the OS keyring.
    #[arg(long)]
    pub(crate) remember: bool,
}

#[derive(Subcommand)]
pub(crate) enum QaCmd {
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
pub(crate) enum ClockCmd {
    /// Move the operator's clock forward (or back, negative).
    Advance {
        #[arg(allow_hyphen_values = true)]
        seconds: i64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OnOff {
    On,
    Off,
}

impl OnOff {
    pub(crate) fn get(self) -> bool {
        matches!(self, Self::On)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum KindArg {
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
