//! What every door and every handler shares of HTTP: the typed JSON, path and query extractors
//! (`extract`), the per-client limits (`limits`), the session extractors `Authed` and `AuthedAny`
//! and the channel a request came by (`session`), and the world door's guard (`world`). The
//! doors themselves, which mount every feature's routes, are [`crate::doors`].

pub mod extract;
pub mod limits;
pub mod session;
pub mod world;
