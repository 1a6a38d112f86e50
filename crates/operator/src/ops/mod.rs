//! The operator's verbs, one module per feature. Each exposes `router()` with its documented routes.

pub mod account;
pub mod auth;
pub mod calls;
pub mod mail;
pub mod meta;
pub mod onnet;
pub mod phones;
pub mod qa;
pub mod sms_centre;
