//! How the webview renders on Linux. WebKitGTK paints and composites through OpenGL by default.
//! Without a GPU (Mesa's software rasteriser, as under Xvfb, in most VMs and containers) painting
//! the cards through GL costs ~150–200 ms before the first frame (docs/perf.md, "Start-up"), so
//! on such a machine the app asks WebKit to paint with the CPU (Skia's CPU backend,
//! `WEBKIT_SKIA_ENABLE_CPU_RENDERING=1`) and keeps compositing. It does not turn compositing off
//! (`WEBKIT_DISABLE_COMPOSITING_MODE=1`, what it did before issue 14): that path has a slow
//! mode, about one start in three waits ~480 ms more for its first frame, the bare window too.
//! A machine with a GPU keeps WebKit's defaults; a value the user set for either variable is
//! left alone, and `MYMTS_GPU_COMPOSITING=1` keeps WebKit's defaults anywhere.

/// The variable that makes WebKitGTK paint with the CPU while it keeps compositing.
pub const CPU_PAINTING_VAR: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";
/// WebKitGTK's other switch, honoured when the user sets it (never set by the app).
pub const NO_COMPOSITING_VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
/// Set to keep WebKit's own (GPU) rendering.
pub const OPT_OUT_VAR: &str = "MYMTS_GPU_COMPOSITING";

/// Whether to ask for CPU painting, given whether the user set one of WebKit's rendering
/// variables, the opt-out, and whether the machine has a GPU ([`has_gpu`]): a desktop with one
/// keeps WebKit's GPU rendering.
pub fn wants_cpu(webkit_var_set: bool, opt_out: Option<&str>, gpu: bool) -> bool {
    !gpu && !webkit_var_set && !matches!(opt_out, Some(v) if v != "0" && !v.is_empty())
}

/// Whether `dri` (`/dev/dri`) holds a DRM render node (`renderD128`…): a GPU a process may
/// render with. Without one, OpenGL is Mesa's software rasteriser.
pub fn has_gpu(dri: &std::path::Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Call first thing in [`crate::run`], before any thread exists.
#[cfg(target_os = "linux")]
pub fn prefer_cpu_painting() {
    let opt_out = std::env::var(OPT_OUT_VAR).ok();
    let user_set = std::env::var_os(CPU_PAINTING_VAR).is_some()
        || std::env::var_os(NO_COMPOSITING_VAR).is_some();
    let gpu = has_gpu(std::path::Path::new("/dev/dri"));
    if wants_cpu(user_set, opt_out.as_deref(), gpu) {
        // SAFETY: `run()` calls this before it starts the log writer, Tauri or tokio, so no other
        // thread exists to read the environment while it changes.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var(CPU_PAINTING_VAR, "1");
        }
    }
}

/// Other platforms' webviews (WebView2, WKWebView) choose well on their own.
#[cfg(not(target_os = "linux"))]
pub fn prefer_cpu_painting() {}

#[cfg(test)]
mod tests {
    use super::{has_gpu, wants_cpu};

    #[test]
    fn the_users_choice_wins() {
        assert!(wants_cpu(false, None, false));
        assert!(wants_cpu(false, Some("0"), false));
        assert!(wants_cpu(false, Some(""), false));
        assert!(!wants_cpu(false, Some("1"), false));
        assert!(
            !wants_cpu(true, None, false),
            "a rendering variable the user set stays as set"
        );
    }

    /// Issue 14, item 1: a Linux desktop with a GPU keeps WebKit's GPU rendering.
    #[test]
    fn a_machine_with_a_gpu_keeps_gpu_rendering() {
        assert!(!wants_cpu(false, None, true));
        let dir = tempfile::tempdir().expect("tmp");
        assert!(!has_gpu(&dir.path().join("missing")), "no /dev/dri");
        std::fs::write(dir.path().join("card0"), b"").expect("card0");
        assert!(
            !has_gpu(dir.path()),
            "a display card alone is no render node"
        );
        std::fs::write(dir.path().join("renderD128"), b"").expect("render node");
        assert!(has_gpu(dir.path()));
    }
}
