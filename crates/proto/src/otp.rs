//! SMS one-time passwords: the alphabet, the message text and reading a code back out of it.

use crate::OTP_DOMAIN;

/// Latin letters and digits without look-alikes (0/O/o, 1/l/I/i, 5/S, 2/Z) — AUTH-4.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRTUVWXYabcdefghjkmnpqrstuvwxy346789";
pub const CODE_LEN: usize = 6;

/// True when `code` could have been issued: six characters of the alphabet with a digit.
pub fn is_well_formed(code: &str) -> bool {
    code.len() == CODE_LEN
        && code.bytes().all(|b| ALPHABET.contains(&b))
        && code.bytes().any(|b| b.is_ascii_digit())
}

/// The SMS text. The last line is the `@domain #code` form iOS and browsers autofill; the code
/// also stands alone as a 6-character alphanumeric token for Android's SMS User Consent.
pub fn login_sms_text(code: &str) -> String {
    format!(
        "Your MTS one-time password: {code}\nValid 5 minutes. Never tell it to anyone, not even to the operator.\n\n@{OTP_DOMAIN} #{code}"
    )
}

/// Reads the code from an SMS text by its autofill line. Only call this for genuine senders.
pub fn extract_code(text: &str) -> Option<String> {
    let last = text.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    let rest = last.strip_prefix('@')?;
    let (domain, code) = rest.split_once(" #")?;
    if domain != OTP_DOMAIN {
        return None;
    }
    let code = code.trim();
    is_well_formed(code).then(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_round_trips_through_the_text() {
        let text = login_sms_text("Ab3xYk");
        assert_eq!(extract_code(&text).as_deref(), Some("Ab3xYk"));
    }

    #[test]
    fn hostile_texts_yield_nothing() {
        for t in [
            "",
            "@",
            "@mymts.local #",
            "@evil.example #Ab3xYz",
            "@mymts.local #Ab3xYzzzzzzzzz",
            "@mymts.local #ABCDEF",
            "@mymts.local #Ab0xYz",
            "hello\n@mymts.local #Ab3xYz\ntrailing",
        ] {
            assert_eq!(extract_code(t), None, "{t:?}");
        }
        assert_eq!(extract_code(&"x".repeat(1 << 20)), None);
    }
}
