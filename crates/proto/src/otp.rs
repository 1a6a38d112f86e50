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

/// What starts the line of an SMS that carries its delivery tag.
pub const DELIVERY_TAG_PREFIX: &str = "Device check: ";

/// The SMS text. The last line is the `@domain #code` form iOS and browsers autofill; the code
/// also stands alone as a 6-character alphanumeric token for Android's SMS User Consent. The line
/// before carries the delivery tag: a challenge of the code that only whoever reads this SMS on
/// the phone holds (SEC-2), as the app hash of Android's SMS Retriever rides in the SMS.
pub fn login_sms_text(code: &str, tag: &str) -> String {
    format!(
        "Your MTS one-time password: {code}\nValid 5 minutes. Never tell it to anyone, not even to the operator.\n{DELIVERY_TAG_PREFIX}{tag}\n\n@{OTP_DOMAIN} #{code}"
    )
}

/// The 111 command's reply (AUTH-5): the one-time password whose login makes the new password
/// permanent, with its delivery tag like [`login_sms_text`].
pub fn password_command_reply_text(code: &str, tag: &str) -> String {
    format!(
        "To make your new password permanent, sign in to My MTS with this one-time password: {code}\nValid 5 minutes.\n{DELIVERY_TAG_PREFIX}{tag}\n\n@{OTP_DOMAIN} #{code}"
    )
}

/// The contract recovery letter (AUTH-1): the code after `is: `, and on the line after its
/// validity the delivery tag, as in an SMS: a challenge of the code that only whoever reads the
/// letter holds (SEC-2), so a stranger who spends the contract's requests of the hour first
/// cannot leave the owner without a way in.
pub fn recovery_letter_text(contract: &str, code: &str, minutes: i64, tag: &str) -> String {
    format!(
        "Hello,\n\nthe code to set a new password for contract {contract} is: {code}\nIt is valid for {minutes} minutes.\n{DELIVERY_TAG_PREFIX}{tag}\n\nIf you did not ask for it, ignore this letter.\nMTS"
    )
}

/// Reads the code from a recovery letter ([`recovery_letter_text`]) written for `contract`;
/// `None` for another contract's letter. Only call this for the operator's recovery sender.
pub fn extract_recovery_code(text: &str, contract: &str) -> Option<String> {
    let line = format!("for contract {contract} is: ");
    text.lines().find_map(|l| {
        let code = l.split_once(&line)?.1.trim();
        is_well_formed(code).then(|| code.to_string())
    })
}

/// Reads the delivery tag from an SMS text or a recovery letter: 16 to 64 URL-safe base64 characters on a line of its
/// own after [`DELIVERY_TAG_PREFIX`]. Only call this for genuine senders.
pub fn extract_delivery_tag(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let tag = l.trim().strip_prefix(DELIVERY_TAG_PREFIX)?.trim();
        let shaped = (16..=64).contains(&tag.len())
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        shaped.then(|| tag.to_string())
    })
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
        let text = login_sms_text("Ab3xYk", "Kq3v9xZ2mPwQ-_8aBcDeFg");
        assert_eq!(extract_code(&text).as_deref(), Some("Ab3xYk"));
        assert_eq!(
            extract_delivery_tag(&text).as_deref(),
            Some("Kq3v9xZ2mPwQ-_8aBcDeFg")
        );
        let letter = recovery_letter_text("7700123456", "Ab3xYk", 15, "Kq3v9xZ2mPwQ-_8aBcDeFg");
        assert_eq!(
            extract_recovery_code(&letter, "7700123456").as_deref(),
            Some("Ab3xYk")
        );
        assert_eq!(extract_recovery_code(&letter, "7700123457"), None);
        assert_eq!(
            extract_delivery_tag(&letter).as_deref(),
            Some("Kq3v9xZ2mPwQ-_8aBcDeFg")
        );
        assert_eq!(
            extract_recovery_code("for contract 7700123456 is: 0OIl12", "7700123456"),
            None
        );
        let reply = password_command_reply_text("Ab3xYk", "Kq3v9xZ2mPwQ-_8a");
        assert_eq!(extract_code(&reply).as_deref(), Some("Ab3xYk"));
        assert_eq!(
            extract_delivery_tag(&reply).as_deref(),
            Some("Kq3v9xZ2mPwQ-_8a")
        );
    }

    #[test]
    fn hostile_delivery_tags_yield_nothing() {
        for t in [
            "",
            "Device check:",
            "Device check: short",
            "Device check: has space inside it ok",
            "Device check: abc$def%ghi^jkl&mno",
            "Device check: ../../etc/passwd-xxxxxxxx",
            "Device check: ünïcödé-tag-long-enough",
            "device check: Kq3v9xZ2mPwQ-_8aBcDeFg",
        ] {
            assert_eq!(extract_delivery_tag(t), None, "{t:?}");
        }
        let long = format!("{DELIVERY_TAG_PREFIX}{}", "a".repeat(65));
        assert_eq!(extract_delivery_tag(&long), None);
        assert_eq!(extract_delivery_tag(&"x".repeat(1 << 20)), None);
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
