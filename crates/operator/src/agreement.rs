//! The System Use Agreement (AUTH-10): which version is in force. Every account records the
//! version it accepted; a session of an account behind it reaches only the agreement itself.

/// The System Use Agreement's current version (AUTH-10). Raising it asks everyone again.
pub const AGREEMENT_VERSION: u32 = 1;
