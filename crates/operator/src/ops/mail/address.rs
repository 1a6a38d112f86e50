//! Recovery addresses (ACC-8 calls these): the shape of an e-mail address, and no disposable
//! domains.

use mymts_proto::ErrorCode;

use super::MAX_EMAIL_CHARS;
use crate::error::{ApiError, ApiResult};

/// Well-known throwaway-address services (INBOX-2): a recovery address must outlive the account.
pub(super) const DISPOSABLE_DOMAINS: &[&str] = &[
    "10minutemail.com",
    "10minutemail.net",
    "20minutemail.com",
    "33mail.com",
    "burnermail.io",
    "dispostable.com",
    "emailondeck.com",
    "fakeinbox.com",
    "getairmail.com",
    "getnada.com",
    "guerrillamail.biz",
    "guerrillamail.com",
    "guerrillamail.de",
    "guerrillamail.info",
    "guerrillamail.net",
    "guerrillamail.org",
    "guerrillamailblock.com",
    "grr.la",
    "inboxkitten.com",
    "mailcatch.com",
    "maildrop.cc",
    "mailinator.com",
    "mailinator.net",
    "mailnesia.com",
    "mintemail.com",
    "mohmal.com",
    "mytemp.email",
    "nada.email",
    "sharklasers.com",
    "spam4.me",
    "spamgourmet.com",
    "temp-mail.io",
    "temp-mail.org",
    "tempail.com",
    "tempmail.com",
    "tempmail.net",
    "tempmailo.com",
    "tempr.email",
    "throwawaymail.com",
    "trashmail.com",
    "trashmail.de",
    "trashmail.net",
    "yopmail.com",
    "yopmail.fr",
    "yopmail.net",
];

/// True for a throwaway-mail domain or any subdomain of one.
pub fn is_disposable(domain: &str) -> bool {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    DISPOSABLE_DOMAINS
        .iter()
        .any(|bad| d == *bad || d.ends_with(&format!(".{bad}")))
}

/// A recovery address, checked and lowercased: sane syntax, at most 254 characters, and not on a
/// disposable domain (`disposable_email`).
pub fn validate_email(s: &str) -> ApiResult<String> {
    let email = s.trim().to_lowercase();
    let bad =
        |why: &str| ApiError::invalid("email", format!("This is not an e-mail address: {why}."));
    if email.is_empty() {
        return Err(ApiError::invalid("email", "Enter an e-mail address."));
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(bad("it is longer than 254 characters"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(bad("it has no '@'"));
    };
    if !local_part_ok(local) {
        return Err(bad("the part before '@' is not valid"));
    }
    if !domain_ok(domain) {
        return Err(bad("the domain after '@' is not valid"));
    }
    if is_disposable(domain) {
        return Err(ApiError::new(
            ErrorCode::DisposableEmail,
            "Disposable e-mail addresses cannot be used for recovery: use an address you keep.",
        )
        .field("email"));
    }
    Ok(email)
}

pub(super) fn local_part_ok(local: &str) -> bool {
    const SPECIAL: &str = "!#$%&'*+/=?^_`{|}~-.";
    (1..=64).contains(&local.len())
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
}

pub(super) fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    domain.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox2_validate_email_normalises_and_refuses() {
        assert_eq!(
            validate_email("  Anna.Petrova@Mail.Example ")
                .ok()
                .as_deref(),
            Some("anna.petrova@mail.example")
        );
        for bad in [
            "",
            "anna",
            "@mail.example",
            "anna@",
            "anna@@mail.example",
            "an..na@mail.example",
            ".anna@mail.example",
            "anna@mail",
            "anna@-mail.example",
            "anna@mail.123",
            "an na@mail.example",
            "anna@mail..example",
        ] {
            assert_eq!(
                validate_email(bad).map_err(|e| e.code()).err(),
                Some(ErrorCode::InvalidInput),
                "{bad:?}"
            );
        }
        let long = format!("{}@{}.example", "a".repeat(60), "b".repeat(200));
        assert!(validate_email(&long).is_err());
        for disposable in [
            "x@mailinator.com",
            "x@YOPMAIL.com",
            "x@sub.guerrillamail.com",
            "x@temp-mail.org",
        ] {
            assert_eq!(
                validate_email(disposable).map_err(|e| e.code()).err(),
                Some(ErrorCode::DisposableEmail),
                "{disposable}"
            );
        }
        assert!(!is_disposable("notmailinator.com"));
    }
}
