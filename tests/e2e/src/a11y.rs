//! Accessibility from outside, in the real window (issue 16): axe-core 4, the version pinned in
//! `ui/package.json` (installed from the lock file like every UI package), injected through
//! WebDriver's script execution — the app's strict CSP rightly refuses an injected `<script>`
//! element — and run on what the window shows. Any violation of impact serious or critical fails
//! the journey; every check (clean or not) is written to the journey's evidence folder,
//! `target/e2e-evidence/<journey>/a11y.txt` (one line a finding: screen, language/theme, impact,
//! rule, element) and `a11y.json` (axe's own words for each finding).
//!
//! And the keyboard: [`Journey::press`] types keys into whatever has the focus (WebDriver key
//! actions, nothing clicked), [`Journey::tab_to`] walks the focus with Tab, and
//! [`Journey::focus`] says what has the focus and whether a sighted user can see it.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use crate::{Journey, evidence_dir, workspace_root};

/// The rules run: WCAG 2.0 and 2.1, levels A and AA.
const TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/// Rules axe ships switched off as "experimental" that the issue's audit found real faults with:
/// label in name (WCAG 2.5.3: a speech-input user says what they see).
const EXPERIMENTAL: [&str; 1] = ["label-content-name-mismatch"];
/// Impacts that fail a journey.
const FAILING: [&str; 2] = ["serious", "critical"];

fn axe_path() -> PathBuf {
    workspace_root().join("ui/node_modules/axe-core/axe.min.js")
}

/// axe-core's source, read once a process.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        std::fs::read_to_string(axe_path()).unwrap_or_else(|e| {
            panic!(
                "axe-core at {}: {e} (it is a devDependency of ui/: `npm ci` in ui/, or scripts/e2e, installs it)",
                axe_path().display()
            )
        })
    })
}

/// What the page runs: axe on the whole document, reduced to what a report needs (the finding,
/// the element as a CSS path and its opening HTML).
const RUN: &str = r#"
const done = arguments[arguments.length - 1];
const [tags, experimental] = arguments;
const rules = {};
for (const id of experimental) rules[id] = { enabled: true };
const node = (n) => ({ target: n.target.join(' '), html: n.html.slice(0, 300), summary: n.failureSummary || '' });
const finding = (v) => ({ rule: v.id, impact: v.impact, help: v.help, url: v.helpUrl, nodes: v.nodes.map(node) });
axe.run(document, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations', 'incomplete'] })
  .then((r) => done({
    violations: r.violations.map(finding),
    incomplete: r.incomplete.map(finding),
    passes: r.passes.length,
  }))
  .catch((e) => done({ error: String(e && e.stack || e) }));
"#;

/// Screens already checked by this test process, with their language and theme: journeys that
/// reach the same state (home after signing in) check it once a run.
static CHECKED: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Forgets the previous run's report of a journey (called when the journey starts).
pub(crate) fn reset_report(journey: &str) {
    let dir = evidence_dir(journey);
    let _ = std::fs::remove_file(dir.join("a11y.txt"));
    let _ = std::fs::remove_file(dir.join("a11y.json"));
}

fn append(path: PathBuf, text: &str) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        panic!("a11y report {}: {e}", path.display());
    }
}

/// What has the focus and how it shows.
#[derive(Debug, Clone)]
pub struct Focus {
    /// The focused element's `data-testid` (empty when it has none).
    pub testid: String,
    /// A short description for messages: tag, role, test id, text.
    pub what: String,
    /// Its focus indicator is visible: `:focus-visible` matches and a computed outline (a style,
    /// a width of at least 1 px, a colour that is not transparent) or a box-shadow draws it.
    pub visible: bool,
    /// The computed style that made the verdict, for the failure message.
    pub style: String,
}

const FOCUS: &str = r#"
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return { testid: '', what: 'nothing (the page body)', visible: false, style: '' };
const cs = getComputedStyle(el);
const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1 && !/rgba\(.*,\s*0\)$|transparent/.test(cs.outlineColor);
const shadow = cs.boxShadow && cs.boxShadow !== 'none';
const fv = el.matches(':focus-visible');
const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40);
return {
  testid: el.dataset.testid || '',
  what: `<${el.tagName.toLowerCase()}${el.getAttribute('role') ? ' role=' + el.getAttribute('role') : ''}${el.dataset.testid ? ' data-testid=' + el.dataset.testid : ''}> ${JSON.stringify(text)}`,
  visible: fv && (outline || shadow),
  style: `document focused ${document.hasFocus()}, :focus ${el.matches(':focus')}, :focus-visible ${fv}, outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}, box-shadow ${cs.boxShadow}`,
};
"#;

/// Switches the window's look in place: the root's `lang` (the UI follows it, `followRootLang`)
/// and `data-theme` (what the settings set; `null` removes it, so the system's theme applies).
/// Answers the look it replaced, as `[lang, theme or null]`.
const SET_LOOK: &str = r#"
const [lang, theme] = arguments;
const r = document.documentElement;
const was = [r.lang, r.dataset.theme ?? null];
r.lang = lang;
if (theme === null) delete r.dataset.theme; else r.dataset.theme = theme;
return was;
"#;

impl Journey {
    /// Runs axe-core on what the window shows now in its own language and theme, then in the
    /// other language with the other theme (English/light ↔ Russian/dark), so every state a
    /// journey checks is checked in both languages and both themes (issue 16); the look is put
    /// back before the journey goes on, and the saved settings are never touched. Names it
    /// `screen` in the report and fails the journey on any violation of impact serious or
    /// critical. A screen already checked in the same look by this test process is not checked
    /// again.
    pub async fn a11y(&self, screen: &str) {
        let (lang, theme) = self.lang_and_theme().await;
        self.a11y_in_this_look(screen).await;
        let words = self.words_on_screen().await;
        let other_lang = if lang == "ru" { "en" } else { "ru" };
        let other_theme = if theme == "dark" { "light" } else { "dark" };
        let was = self
            .app()
            .execute(SET_LOOK, vec![json!(other_lang), json!(other_theme)])
            .await
            .unwrap_or_else(|e| panic!("a11y {screen}: switching the look: {e}"));
        let switched = self.lang_and_theme().await;
        assert_eq!(
            switched,
            (other_lang.to_string(), other_theme.to_string()),
            "a11y {screen}: the window did not take the other look"
        );
        // The strings themselves re-render in the other language (the root's lang is only the
        // request): what axe reads next is the other language's words.
        let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
        while self.words_on_screen().await == words && std::time::Instant::now() < until {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_ne!(
            self.words_on_screen().await,
            words,
            "a11y {screen}: the words on screen did not change to {other_lang}"
        );
        self.a11y_in_this_look(screen).await;
        self.app()
            .execute(SET_LOOK, vec![was[0].clone(), was[1].clone()])
            .await
            .unwrap_or_else(|e| panic!("a11y {screen}: restoring the look: {e}"));
        // Let the strings re-render in the journey's own language before it reads any.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    /// The text the window shows, as a sighted user reads it.
    async fn words_on_screen(&self) -> String {
        self.app()
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// [`Journey::a11y`] in the look the window shows now.
    async fn a11y_in_this_look(&self, screen: &str) {
        let started = std::time::Instant::now();
        let c = self.app();
        let dir = evidence_dir(&self.name);
        let (lang, theme) = self.lang_and_theme().await;
        let key = format!("{screen} {lang}/{theme}");
        {
            let mut seen = CHECKED.lock().unwrap_or_else(|p| p.into_inner());
            if !seen.get_or_insert_with(HashSet::new).insert(key.clone()) {
                append(
                    dir.join("a11y.txt"),
                    &format!("{key} | skipped | checked earlier in this run\n"),
                );
                return;
            }
        }
        // Let transitions settle (≤ 150 ms) so colours are the final ones.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let loaded = c
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .unwrap_or_else(|e| panic!("a11y {screen}: {e}"));
        if loaded != Value::Bool(true) {
            let inject = format!("{}\nreturn typeof window.axe;", axe_source());
            let kind = c
                .execute(&inject, vec![])
                .await
                .unwrap_or_else(|e| panic!("a11y {screen}: injecting axe-core: {e}"));
            assert_eq!(
                kind,
                json!("object"),
                "a11y {screen}: axe-core did not load"
            );
        }
        let r = c
            .execute_async(RUN, vec![json!(TAGS), json!(EXPERIMENTAL)])
            .await
            .unwrap_or_else(|e| panic!("a11y {screen}: running axe-core: {e}"));
        if let Some(err) = r["error"].as_str() {
            panic!("a11y {screen}: axe-core failed: {err}");
        }
        let violations = r["violations"].as_array().cloned().unwrap_or_default();
        let mut lines = String::new();
        let mut failing = Vec::new();
        for v in &violations {
            let impact = v["impact"].as_str().unwrap_or("unknown");
            for n in v["nodes"].as_array().into_iter().flatten() {
                let line = format!(
                    "{key} | {impact} | {} | {} | {}\n",
                    v["rule"].as_str().unwrap_or("?"),
                    n["target"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or(""),
                );
                if FAILING.contains(&impact) {
                    failing.push(line.clone());
                }
                lines.push_str(&line);
            }
        }
        // What axe could not decide is for a person to review: named, never failing.
        let review: Vec<String> = r["incomplete"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                let nodes: Vec<&str> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|n| n["target"].as_str())
                    .collect();
                format!(
                    "{} ({})",
                    v["rule"].as_str().unwrap_or("?"),
                    nodes.join(", ")
                )
            })
            .collect();
        if violations.is_empty() {
            lines = format!("{key} | ok | {} rules passed\n", r["passes"]);
        }
        if !review.is_empty() {
            lines.push_str(&format!("{key} | review | {}\n", review.join("; ")));
        }
        append(dir.join("a11y.txt"), &lines);
        // The cost of the check (the settling pause, injecting axe-core, the run): docs/perf.md.
        let ms = started.elapsed().as_millis();
        let record =
            json!({ "screen": screen, "lang": lang, "theme": theme, "ms": ms, "result": r });
        append(dir.join("a11y.json"), &format!("{record}\n"));
        assert!(
            failing.is_empty(),
            "a11y {key}: {} serious or critical finding(s) (axe-core; report in {}):\n{}",
            failing.len(),
            dir.join("a11y.txt").display(),
            failing.concat()
        );
    }

    /// The language and the theme the window shows: `lang` of the document, and `data-theme` or,
    /// when the theme follows the system, what the system asks for.
    pub async fn lang_and_theme(&self) -> (String, String) {
        let v = self
            .app()
            .execute(
                "const r = document.documentElement; \
                 return [r.lang, r.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')];",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("language and theme: {e}"));
        let s = |i: usize| v[i].as_str().unwrap_or("?").to_string();
        (s(0), s(1))
    }

    /// Presses keys on the keyboard, in order, into whatever has the focus.
    pub async fn press(&self, keys: &[Key]) {
        let chars: String = keys.iter().map(|k| char::from(*k)).collect();
        self.type_keys(&chars).await;
    }

    /// Types text on the keyboard (each character a key down and up, WebDriver's special keys
    /// included) into whatever has the focus.
    pub async fn type_keys(&self, text: &str) {
        let mut seq = KeyActions::new("keyboard".into());
        for value in text.chars() {
            seq = seq
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.app()
            .perform_actions(seq)
            .await
            .unwrap_or_else(|e| panic!("keys {text:?}: {e}"));
    }

    /// What has the focus now.
    pub async fn focus(&self) -> Focus {
        let v = self
            .app()
            .execute(FOCUS, vec![])
            .await
            .unwrap_or_else(|e| panic!("the focused element: {e}"));
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        Focus {
            testid: s("testid"),
            what: s("what"),
            visible: v["visible"] == Value::Bool(true),
            style: s("style"),
        }
    }

    /// Fails unless something has the focus and its focus indicator is visible.
    pub async fn assert_focus_visible(&self, step: &str) -> Focus {
        let f = self.focus().await;
        assert!(
            f.visible,
            "{step}: the focus on {} is not visible ({})",
            f.what, f.style
        );
        f
    }

    /// Gives the window the keyboard focus, as a desktop does when a window opens. Under Xvfb no
    /// window manager does, and an unfocused document matches neither `:focus` nor
    /// `:focus-visible`, so no ring could ever show. With no window manager the X server's focus
    /// follows the pointer (`PointerRoot`): the window is made to cover the whole screen, so the
    /// pointer, wherever it is, is over it.
    pub async fn focus_window(&self) {
        let c = self.app();
        let screen = c
            .execute("return [screen.width, screen.height];", vec![])
            .await
            .unwrap_or_else(|e| panic!("the screen's size: {e}"));
        let size = |i: usize| u32::try_from(screen[i].as_u64().unwrap_or(0)).unwrap_or(0);
        c.set_window_rect(0, 0, size(0), size(1))
            .await
            .unwrap_or_else(|e| panic!("the window over the screen: {e}"));
        let until = std::time::Instant::now() + crate::WAIT;
        loop {
            let focused = c
                .execute("return document.hasFocus();", vec![])
                .await
                .unwrap_or_else(|e| panic!("document.hasFocus: {e}"));
            if focused == Value::Bool(true) {
                return;
            }
            assert!(
                std::time::Instant::now() < until,
                "the window never got the keyboard focus"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Presses Tab until the element `testid` has the focus, checking at
    /// every stop that the focus is visible; fails after `max` presses.
    pub async fn tab_to(&self, testid: &str, max: usize) {
        for _ in 0..max {
            self.press(&[Key::Tab]).await;
            let f = self
                .assert_focus_visible(&format!("tabbing to {testid}"))
                .await;
            if f.testid == testid {
                return;
            }
        }
        panic!("{testid} not reached in {max} presses of Tab");
    }
}
