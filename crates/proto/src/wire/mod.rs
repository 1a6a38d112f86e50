//! Request and response bodies of the operator's HTTP API, by door and feature: [`auth`] (the
//! operator itself and the ways in), [`account`] (what a signed-in subscriber sees and does),
//! [`world`] (the simulated phones and mailboxes), [`qa`] (the lab's QA API). Every type is
//! re-exported here, so callers name them `wire::X`.
//!
//! Times are epoch milliseconds (`*_ms`) by the operator's clock; money is kopecks (`*_kop`).

pub mod account;
pub mod auth;
pub mod qa;
pub mod world;

pub use account::*;
pub use auth::*;
pub use qa::*;
pub use world::*;
