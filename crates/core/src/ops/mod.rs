//! The verbs, one module per feature, each an `impl Core` block; the ones that speak for the
//! signed-in user call the operator through [`crate::session::AuthedClient`].
//!
//! | module | feature |
//! | --- | --- |
//! | [`auth`] | the ways in, autologin, Exit and forgetting the device, the password, the agreement (AUTH-1…10, 12, 14) |
//! | [`account`] | the account's views through the cache, tariff, services, block, recovery e-mail (ACC-1…4, 6, 8) |
//! | [`calls`] | the call detail, its totals, printouts and CSV (ACC-5) |
//! | [`links`] | linked numbers and who links here, switching into them, social links (ACC-7, SEC-6, AUTH-12) |
//! | [`activity`] | the devices signed in and the activity log (AUTH-11) |
//! | [`payments`] | top-up (ACC-10) |
//! | [`boot`] | the start-up view, read from the cache alone |
//! | [`world`] | the simulated phone and mailbox the app shows (INBOX-1, INBOX-2) |
//! | [`qa`] | the lab's QA API a QA engineer's tools drive (SEC-1) |
//! | [`inbox`] | judging SMS, and the live watchers of phones and mailboxes (INBOX-2, INBOX-3) |
//! | `delivery` | the delivery tag an SMS code signs in with (SEC-2) |
//! | [`troubleshoot`] | "Code not arriving?" (INBOX-4) |
//! | [`clockcheck`] | the clock check (AUTH-13) |

pub mod account;
pub mod activity;
pub mod auth;
pub mod boot;
pub mod calls;
pub mod clockcheck;
mod delivery;
pub mod inbox;
pub mod links;
pub mod payments;
pub mod qa;
pub mod troubleshoot;
pub mod world;
