//! Which operator the app talks to: `MYMTS_OPERATOR_URL`, else the saved setting, else one
//! embedded in the app (loopback, random ports, QA on, demo data, its database in the user's
//! data dir, its world door behind a token made at each start and held only in this process).

/// The operator as configured before anything starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Standalone(String),
    Embedded,
}

pub fn choose(env: Option<String>, saved: Option<&str>) -> Choice {
    let pick = |s: &str| {
        let s = s.trim();
        (!s.is_empty()).then(|| s.trim_end_matches('/').to_string())
    };
    match env
        .as_deref()
        .and_then(pick)
        .or_else(|| saved.and_then(pick))
    {
        Some(url) => Choice::Standalone(url),
        None => Choice::Embedded,
    }
}

/// The embedded operator's addresses.
#[cfg(feature = "embedded-operator")]
pub struct Embedded {
    pub api_url: String,
    pub gateway_url: Option<String>,
    /// The world door and its token (SEC-1).
    pub world: mymts_core::WorldDoor,
    /// Kept so the operator lives as long as the app.
    pub running: mymts_operator::Running,
}

/// Starts the operator inside this process.
#[cfg(feature = "embedded-operator")]
pub async fn start_embedded(
    data_dir: &std::path::Path,
) -> Result<Embedded, mymts_operator::StartError> {
    let running = mymts_operator::start(mymts_operator::Config::embedded(data_dir)).await?;
    tracing::info!(api = %running.api_url, world = %running.world_url, "embedded operator started");
    let world = mymts_core::WorldDoor {
        url: running.world_url.clone(),
        token: running.world_token.clone(),
    };
    Ok(Embedded {
        api_url: running.api_url.clone(),
        gateway_url: running.gateway_url.clone(),
        world,
        running,
    })
}

/// Said when no operator address is configured and this build has no simulator inside.
#[cfg(not(feature = "embedded-operator"))]
pub fn none_configured() -> mymts_core::CoreError {
    mymts_core::CoreError::Unreachable(
        "no operator address is set: start the app with --operator <address> or \
         MYMTS_OPERATOR_URL, or save the address in Settings"
            .into(),
    )
}

/// What the user is told when the embedded operator did not start: damaged files as such
/// (CACHE-3: a person decides what to keep, the app says which file and why), anything else as
/// an operator that cannot be reached.
#[cfg(feature = "embedded-operator")]
pub fn start_failure(e: mymts_operator::StartError) -> mymts_core::CoreError {
    if e.is_damage() {
        mymts_core::CoreError::OperatorDamaged(e.to_string())
    } else {
        mymts_core::CoreError::Unreachable(format!("the embedded operator did not start: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CACHE-3 (issue 12, item 3): the embedded operator's key file emptied (what a crash in an
    /// old first start left): the app says the files are damaged and which, not "no connection".
    #[cfg(feature = "embedded-operator")]
    #[tokio::test]
    async fn cache3_damaged_embedded_operator_files_are_said_as_such() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = start_embedded(dir.path()).await.expect("first start");
        first.running.stop().await;
        let key = mymts_operator::storage::key_path(&dir.path().join("operator.db"));
        std::fs::write(&key, b"").expect("empty the key file");
        let Err(e) = start_embedded(dir.path()).await else {
            panic!("started on an empty key file");
        };
        let said = start_failure(e);
        assert_eq!(said.code(), "operator_damaged", "{said}");
        let text = said.to_string();
        assert!(text.contains("damaged"), "{text}");
        assert!(
            text.contains(&key.display().to_string()),
            "names the file: {text}"
        );
    }

    #[test]
    fn env_wins_then_setting_then_embedded() {
        assert_eq!(
            choose(Some("http://a:1/".into()), Some("http://b:2")),
            Choice::Standalone("http://a:1".into())
        );
        assert_eq!(
            choose(Some(" ".into()), Some("http://b:2")),
            Choice::Standalone("http://b:2".into())
        );
        assert_eq!(choose(None, None), Choice::Embedded);
        assert_eq!(choose(None, Some("")), Choice::Embedded);
    }

    /// SEC-1: the embedded operator's world door is on loopback behind a token made at this
    /// start, which the core gets in memory.
    #[cfg(feature = "embedded-operator")]
    #[test]
    fn sec1_embedded_world_door_is_loopback_with_a_fresh_token() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = tauri::async_runtime::block_on(start_embedded(dir.path())).expect("starts");
        assert!(
            first.world.url.starts_with("http://127.0.0.1:"),
            "{}",
            first.world.url
        );
        assert!(first.api_url.starts_with("http://127.0.0.1:"));
        let token = first.world.token.clone().expect("a world token");
        tauri::async_runtime::block_on(first.running.stop());
        let second = tauri::async_runtime::block_on(start_embedded(dir.path())).expect("again");
        assert_ne!(
            second.world.token,
            Some(token),
            "a fresh token at each start"
        );
        tauri::async_runtime::block_on(second.running.stop());
    }
}
