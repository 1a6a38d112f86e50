//! Mailboxes (INBOX-2): Inbox and Spam folders, a quota that bounces, filters that file or delete,
//! and the recovery-address rules (no disposable domains) the account module calls.
//!
//! Rooms: `address` (the recovery-address rules), `delivery` (a letter in, or bounced),
//! `store` (the rows), `routes` (the world door's mailbox routes).

mod address;
mod delivery;
mod routes;
mod store;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub use address::{is_disposable, validate_email};
pub use delivery::{Letter, announce_mail, deliver_mail};
pub use routes::FolderQuery;

/// A mailbox holds at most this many filters.
pub const MAX_FILTERS: usize = 50;
/// A filter's `from_contains` is 1 to this many characters.
pub const MAX_FILTER_CHARS: usize = 100;
/// At most this many letters per folder listing (newest first).
pub const LIST_LIMIT: i64 = 500;
/// The longest e-mail address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// What `ServerKey::seal` adds to a plaintext: a 24-byte nonce and a 16-byte tag.
const SEAL_OVERHEAD: i64 = 40;
const DAY_MS: i64 = 86_400_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(routes::get_mailbox))
        .routes(routes!(routes::list_messages))
        .routes(routes!(routes::attachment))
        .routes(routes!(routes::move_message))
        .routes(routes!(routes::delete_message))
        .routes(routes!(routes::put_filters))
        .routes(routes!(routes::stream))
}
