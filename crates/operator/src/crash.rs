//! Named crash points for the crash tests and the torture run (docs/testing.md): nothing at all
//! unless the crate is built with the `failpoints` feature.

/// A named crash point: nothing at all unless the crate is built with the `failpoints` feature;
/// then the `fail` crate drives it from `FAILPOINTS` (see [`crash_points_from_env`]) or from
/// `fail::cfg` in a test. The names are listed in docs/testing.md.
macro_rules! crash_point {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        fail::fail_point!($name);
    };
}
pub(crate) use crash_point;

/// Reads the fail points to arm from `FAILPOINTS` (e.g. `rotation.committed=panic`) and makes a
/// fail point's panic a crash of the whole process, at that instruction, as `kill -9` would
/// leave it: no destructor, no flush, no rollback. For binaries built with `failpoints` only.
#[cfg(feature = "failpoints")]
pub fn crash_points_from_env() -> fail::FailScenario<'static> {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failpoint ") {
            eprintln!("{message}: crashing here");
            std::process::abort();
        }
        default(info);
    }));
    fail::FailScenario::setup()
}
