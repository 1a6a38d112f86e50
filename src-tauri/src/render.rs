//! How the webview renders. On Linux WebKitGTK composites through OpenGL by default; without a GPU
//! (a software GL, as under Xvfb or in many VMs) that alone costs ~150 ms before the first frame
//! (docs/perf.md, "Start-up"), and on some GPU drivers it shows a blank window. The app draws flat
//! cards and one chart, which the CPU paints at once, so it asks WebKitGTK for CPU rendering unless
//! the user chose otherwise: an explicit `WEBKIT_DISABLE_COMPOSITING_MODE` is left alone, and
//! `MYMTS_GPU_COMPOSITING=1` keeps WebKit's default.

/// The variable WebKitGTK reads when its first web view is created.
pub const WEBKIT_VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
/// Set to keep WebKit's own (GPU) compositing.
pub const OPT_OUT_VAR: &str = "MYMTS_GPU_COMPOSITING";

/// Whether to ask for CPU rendering, given the two variables as the user set them.
pub fn wants_cpu(webkit_var_set: bool, opt_out: Option<&str>) -> bool {
    !webkit_var_set && !matches!(opt_out, Some(v) if v != "0" && !v.is_empty())
}

/// Call first thing in [`crate::run`], before any thread exists.
#[cfg(target_os = "linux")]
pub fn prefer_cpu_compositing() {
    let opt_out = std::env::var(OPT_OUT_VAR).ok();
    if wants_cpu(std::env::var_os(WEBKIT_VAR).is_some(), opt_out.as_deref()) {
        // SAFETY: `run()` calls this before it starts the log writer, Tauri or tokio, so no other
        // thread exists to read the environment while it changes.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var(WEBKIT_VAR, "1");
        }
    }
}

/// Other platforms' webviews (WebView2, WKWebView) choose well on their own.
#[cfg(not(target_os = "linux"))]
pub fn prefer_cpu_compositing() {}

#[cfg(test)]
mod tests {
    use super::wants_cpu;

    #[test]
    fn the_users_choice_wins() {
        assert!(wants_cpu(false, None));
        assert!(wants_cpu(false, Some("0")));
        assert!(wants_cpu(false, Some("")));
        assert!(!wants_cpu(false, Some("1")));
        assert!(
            !wants_cpu(true, None),
            "an explicit WEBKIT_DISABLE_COMPOSITING_MODE stays"
        );
    }
}
