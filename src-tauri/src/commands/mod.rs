//! The app's commands, one module per feature. Each is a few lines over the core: get the
//! core, call it, note whether the operator answered. Errors cross as `CoreError`
//! (`{code, message, attempts_left?, retry_after_s?, hint?}`).

pub mod account;
pub mod auth;
pub mod phone;
pub mod settings;
