//! The wire contract shared by the operator simulator and the app's core.
//!
//! Both sides compile against these types, so a field renamed here breaks the build on both
//! sides instead of breaking a login at run time.
//!
//! What lives where: [`wire`] the request and response bodies (by door and feature: auth,
//! account, world, qa), [`error`] the error codes and body, [`phone`] phone numbers as people
//! type them, [`login`] logins (a number, a contract, a banking login) by one rule, [`time`] the
//! operator's calendar (Moscow time), [`password`] the password rules, [`otp`] the SMS code's
//! text, [`money`] kopecks; `sql` (feature) stores the typed identifiers in SQLite.

pub mod error;
pub mod login;
pub mod money;
pub mod otp;
pub mod password;
pub mod phone;
#[cfg(feature = "sql")]
mod sql;
mod text;
pub mod time;
pub mod wire;

pub use error::{ApiErrorBody, ErrorCode};
pub use login::{Login, LoginError};
pub use phone::{PhoneError, PhoneNumber};

/// Senders whose messages are genuinely the operator's (INBOX-3).
pub const SERVICE_SENDERS: [&str; 2] = ["3339", "111"];
/// The bank's own alphanumeric sender: the code of a top-up's second step (ACC-10). Genuine for
/// that code only, never for the operator's (INBOX-3).
pub const BANK_SENDER: &str = "BANK";
/// The number that takes the `25 <password>` command (AUTH-5).
pub const COMMAND_NUMBER: &str = "111";
/// The sender of SMS passwords (AUTH-4).
pub const OTP_SENDER: &str = "3339";
/// The sender of password-recovery letters (AUTH-1).
pub const RECOVERY_MAIL_SENDER: &str = "noreply@mymts.local";
/// The sender of call-detail printouts (ACC-5).
pub const PRINTOUT_MAIL_SENDER: &str = "printout@mymts.local";
/// Every address the operator's letters come from; mailbox filters match on these (INBOX-2, INBOX-4).
pub const OPERATOR_MAIL_SENDERS: [&str; 2] = [RECOVERY_MAIL_SENDER, PRINTOUT_MAIL_SENDER];
/// `a***@mail.example`: enough for the owner to recognise an address, for screens, logs and the
/// audit log. The operator masks recovery addresses this way; the app compares with it.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// Support line, for internet banking and anything the app cannot fix (AUTH-1, INBOX-4).
pub const SUPPORT_NUMBER: &str = "0890";
/// Domain the one-time-code autofill line names (`@domain #code`).
pub const OTP_DOMAIN: &str = "mymts.local";
/// A header that names a SIM's number. No listener believes it: the gateway learns the number
/// from the data session (AUTH-7), and both the public listener and the gateway refuse it.
pub const SIM_HEADER: &str = "x-sim-msisdn";
/// Header that carries a data session (AUTH-7) to the on-net gateway: the secret the world door
/// gave the device's SIM when it attached to operator data.
pub const DATA_SESSION_HEADER: &str = "x-sim-data-session";
/// Headers that claim a subscriber identity; refused on the public listener (AUTH-7).
pub const IDENTITY_HEADERS: [&str; 6] = [
    "x-msisdn",
    "x-operator-msisdn",
    "x-up-calling-line-id",
    "x-nokia-msisdn",
    "x-wap-msisdn",
    "x-onnet-identity",
];
