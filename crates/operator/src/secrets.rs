//! The server key and everything derived from it: sealed message bodies, SMS and e-mail codes
//! that can be re-sent without being stored, and token digests.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The length of the server key, and of its file (`<db>.key`, see `storage`).
pub const KEY_LEN: usize = 32;

pub struct ServerKey {
    key: [u8; KEY_LEN],
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(..)")
    }
}

impl ServerKey {
    /// A key from its file's bytes; `None` unless there are exactly [`KEY_LEN`] of them.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Some(Self {
            key: bytes.try_into().ok()?,
        })
    }

    pub fn random() -> Self {
        let mut key = [0u8; KEY_LEN];
        rand::rng().fill_bytes(&mut key);
        Self { key }
    }

    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new((&self.key).into());
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        // Encryption with a fresh random nonce cannot fail for in-memory buffers.
        let ct = cipher
            .encrypt(XNonce::from_slice(&nonce), plain)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, ApiError> {
        if sealed.len() < 24 {
            return Err(ApiError::internal("sealed value too short"));
        }
        let cipher = XChaCha20Poly1305::new((&self.key).into());
        cipher
            .decrypt(XNonce::from_slice(&sealed[..24]), &sealed[24..])
            .map_err(|_| ApiError::internal("sealed value does not open with this key"))
    }

    pub fn open_string(&self, sealed: &[u8]) -> Result<String, ApiError> {
        String::from_utf8(self.open(sealed)?).map_err(ApiError::internal)
    }

    /// This operator's public identity (SEC-5, `/v1/info`): derived from the server key, which
    /// is made with the database at the first start, so it stays the same as long as they do and
    /// tells nothing about the key.
    pub fn operator_id(&self) -> String {
        format!(
            "op-{}",
            self.derive_code(
                "operator-identity",
                "",
                b"abcdefghijklmnopqrstuvwxyz234567",
                26
            )
        )
    }

    /// A key for one purpose, derived from the server key (HMAC-SHA256 of the purpose), so that
    /// what holds it (the audit chain's SQL function) never holds the server key itself.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(b"key\0");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A stable, unguessable name for `value` (hex HMAC-SHA256 with the purpose): counters and
    /// rate limits keyed by what a stranger typed, without storing what was typed.
    pub fn tag(&self, purpose: &str, value: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable_hmac());
        mac.update(b"tag\0");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A code of `len` characters from `alphabet`, derived from `purpose` and `nonce`. Re-deriving
    /// gives the same code, so a resend repeats it with nothing stored in clear.
    pub fn derive_code(&self, purpose: &str, nonce: &str, alphabet: &[u8], len: usize) -> String {
        let mut counter = 0u32;
        loop {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
                .unwrap_or_else(|_| unreachable_hmac());
            mac.update(purpose.as_bytes());
            mac.update(b"\0");
            mac.update(nonce.as_bytes());
            mac.update(&counter.to_be_bytes());
            let bytes = mac.finalize().into_bytes();
            let code: String = bytes
                .iter()
                .take(len)
                .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
                .collect();
            // AUTH-4 wants a digit in every SMS code; retry the derivation until one has it.
            if code.bytes().any(|b| b.is_ascii_digit()) || !alphabet.iter().any(u8::is_ascii_digit)
            {
                return code;
            }
            counter += 1;
        }
    }
}

fn unreachable_hmac() -> Hmac<Sha256> {
    // HMAC accepts keys of any length; this cannot happen, but a panic here would leak nothing.
    panic!("HMAC rejected a 32-byte key")
}

/// A fresh random token (256 bits, base64url).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A short random id for sessions, captchas, payments.
pub fn new_id() -> String {
    let mut b = [0u8; 12];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// What the database keeps of a token: its SHA-256, hex.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time string comparison for codes.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trips_and_hides_the_text() {
        let k = ServerKey::random();
        let sealed = k.seal(b"code Ab3xYk");
        assert!(!sealed.windows(6).any(|w| w == b"Ab3xYk"));
        assert_eq!(k.open(&sealed).expect("opens"), b"code Ab3xYk");
        assert!(ServerKey::random().open(&sealed).is_err());
        assert!(k.open(b"short").is_err());
    }

    #[test]
    fn derived_codes_repeat_and_have_a_digit() {
        let k = ServerKey::random();
        for i in 0..200 {
            let n = format!("n{i}");
            let c = k.derive_code("login", &n, mymts_proto::otp::ALPHABET, 6);
            assert_eq!(c, k.derive_code("login", &n, mymts_proto::otp::ALPHABET, 6));
            assert!(mymts_proto::otp::is_well_formed(&c), "{c}");
        }
    }
}
