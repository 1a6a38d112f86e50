//! The verbs, one module per feature.

pub mod account;
pub mod auth;
pub mod clockcheck;
mod delivery;
pub mod inbox;
pub mod shell;
pub mod troubleshoot;
