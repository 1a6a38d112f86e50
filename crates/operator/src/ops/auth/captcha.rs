//! Captcha images (AUTH-4): Latin letters and digits, case-sensitive, single use, 2-minute life.
//! Answers stay in memory only.

use axum::extract::State;
use base64::Engine;
use mymts_proto::ErrorCode;
use mymts_proto::wire::Captcha;

use super::CAPTCHA_TTL_MS;
use crate::error::{ApiError, ApiResult};
use crate::secrets::{new_id, same};
use crate::state::{AppState, CAPTCHA_CAP, CAPTCHA_PER_CLIENT, CaptchaEntry};
use std::collections::HashMap;
use std::net::IpAddr;

use crate::http::limits::client_of;

const CAPTCHA_LEN: u32 = 5;

fn render() -> Option<(String, Vec<u8>)> {
    use captcha::filters::{Dots, Noise, Wave};
    let mut c = captcha::Captcha::new();
    // Keep the characters people can tell apart in a noisy image; case still matters.
    let chars: Vec<char> = c
        .supported_chars()
        .into_iter()
        .filter(|ch| {
            ch.is_ascii_alphanumeric() && mymts_proto::otp::ALPHABET.contains(&(*ch as u8))
        })
        .collect();
    c.set_chars(&chars)
        .add_chars(CAPTCHA_LEN)
        .apply_filter(Noise::new(0.2))
        .apply_filter(Wave::new(2.0, 12.0).horizontal())
        .view(220, 90)
        .apply_filter(Dots::new(8));
    c.as_tuple()
}

/// Makes room for one more captcha of `client`: its own oldest go past the per-client bound, and
/// when the store is full the client holding the most gives up its oldest.
fn make_room(map: &mut HashMap<String, CaptchaEntry>, client: Option<IpAddr>, now: i64) {
    map.retain(|_, e| e.expires_ms > now);
    let oldest_of = |map: &HashMap<String, CaptchaEntry>, who: Option<IpAddr>| {
        map.iter()
            .filter(|(_, e)| e.client == who)
            .min_by_key(|(_, e)| e.expires_ms)
            .map(|(k, _)| k.clone())
    };
    let mine = map.values().filter(|e| e.client == client).count();
    if mine >= CAPTCHA_PER_CLIENT
        && let Some(k) = oldest_of(map, client)
    {
        map.remove(&k);
    }
    if map.len() >= CAPTCHA_CAP {
        let mut per: HashMap<Option<IpAddr>, usize> = HashMap::new();
        for e in map.values() {
            *per.entry(e.client).or_default() += 1;
        }
        if let Some((heaviest, _)) = per.into_iter().max_by_key(|(_, n)| *n)
            && let Some(k) = oldest_of(map, heaviest)
        {
            map.remove(&k);
        }
    }
}

/// A new captcha image.
#[utoipa::path(post, path = "/v1/captcha", tag = "auth",
    responses((status = 200, body = Captcha), (status = 500, body = mymts_proto::ApiErrorBody)))]
pub(super) async fn new_captcha(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
) -> ApiResult<axum::Json<Captcha>> {
    let client = client_of(&extensions);
    let (answer, png) = tokio::task::spawn_blocking(render)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::internal("captcha rendering failed"))?;
    let id = new_id();
    let now = state.now_ms();
    {
        let mut map = state
            .captchas
            .lock()
            .map_err(|_| ApiError::internal("captcha lock"))?;
        make_room(&mut map, client, now);
        map.insert(
            id.clone(),
            CaptchaEntry {
                answer,
                expires_ms: now + CAPTCHA_TTL_MS,
                client,
            },
        );
    }
    Ok(axum::Json(Captcha {
        id,
        image_png_base64: base64::engine::general_purpose::STANDARD.encode(png),
        expires_in_s: u64::try_from(CAPTCHA_TTL_MS / 1000).unwrap_or(120),
    }))
}

/// Checks and spends a captcha: one try per image, right or wrong.
pub(super) fn check(state: &AppState, id: &str, answer: &str) -> ApiResult<()> {
    let now = state.now_ms();
    let entry = state
        .captchas
        .lock()
        .map_err(|_| ApiError::internal("captcha lock"))?
        .remove(id);
    match entry {
        None => Err(ApiError::new(ErrorCode::CaptchaExpired, "The picture has expired. Here is a new one.").field("captcha")),
        Some(e) if e.expires_ms <= now => {
            Err(ApiError::new(ErrorCode::CaptchaExpired, "The picture has expired. Here is a new one.").field("captcha"))
        }
        Some(e) if !same(&e.answer, answer.trim()) => Err(ApiError::new(
            ErrorCode::CaptchaWrong,
            "The characters do not match the picture (capital and small letters differ). Try a new one.",
        )
        .field("captcha")),
        Some(_) => Ok(()),
    }
}

/// The answer, for the QA API (QA-1).
pub fn answer_of(state: &AppState, id: &str) -> Option<String> {
    let now = state.now_ms();
    state
        .captchas
        .lock()
        .ok()?
        .get(id)
        .filter(|e| e.expires_ms > now)
        .map(|e| e.answer.clone())
}
