//! Logins as people type them (AUTH-1, AUTH-2): a mobile number in any AUTH-2 form, or a contract
//! or internet-banking login, read by one rule on both sides of the wire.

use serde::Serialize;
use utoipa::ToSchema;

use crate::phone::{PhoneError, PhoneNumber};

/// A login, normalised: a mobile number as `+7XXXXXXXXXX`, anything else (a contract number, a
/// banking login) trimmed and otherwise as typed. Only [`Login::parse`] makes one, so a `Login`
/// on either side of the wire has passed the rule below.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
#[schema(value_type = String, example = "+79161234567")]
pub struct Login(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    #[error("Enter your number or contract number.")]
    Empty,
    #[error("A login is at most 64 characters.")]
    TooLong,
    #[error("A login holds only letters, digits, '-', '_' and '.'.")]
    BadCharacters,
    /// It can only be meant as a phone number, and is not a valid one.
    #[error(transparent)]
    Phone(PhoneError),
}

/// The longest login anyone types (a banking login; numbers are shorter).
pub const LOGIN_MAX_CHARS: usize = 64;

impl Login {
    /// The one rule: a phone number in any AUTH-2 form becomes `+7XXXXXXXXXX`. Input that can
    /// only be meant as a number (a leading `+` or brackets, whatever follows; or digits with
    /// separators) and is not a valid one is refused with the phone's reason. Anything else is a contract number (`77…`,
    /// `78…`) or a banking login: letters, digits, `-`, `_` and `.`.
    pub fn parse(input: &str) -> Result<Self, LoginError> {
        let t = input.trim();
        if t.is_empty() {
            return Err(LoginError::Empty);
        }
        if t.chars().count() > LOGIN_MAX_CHARS {
            return Err(LoginError::TooLong);
        }
        let phone_err = match PhoneNumber::parse(t) {
            Ok(p) => return Ok(Self(p.as_str().to_string())),
            Err(e) => e,
        };
        let phone_like = t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
        // `+…` or brackets can only be a number, whatever else is in it; so can digits with
        // separators.
        let only_a_number = t.starts_with('+') || t.contains('(') || t.contains(')');
        if only_a_number || (phone_like && t.chars().any(|c| " -.".contains(c))) {
            return Err(LoginError::Phone(phone_err));
        }
        if t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Ok(Self(t.to_string()));
        }
        Err(LoginError::BadCharacters)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A login exactly as [`Login::parse`] writes it, and nothing else: a stored value that the
    /// rule would rewrite (`8916…`, ` 7700… `) is not one this code wrote. Numbers are checked by
    /// their shape ([`PhoneNumber`]'s `from_canonical`). For reading stored values, never input.
    pub(crate) fn from_canonical(s: &str) -> Option<Self> {
        if s.starts_with('+') {
            return PhoneNumber::from_canonical(s).map(Self::from);
        }
        Self::parse(s)
            .ok()
            .filter(|l| l.0 == s && !l.0.starts_with('+'))
    }

    /// The mobile number this login is, if it is one.
    pub fn phone(&self) -> Option<PhoneNumber> {
        self.0
            .starts_with('+')
            .then(|| PhoneNumber::parse(&self.0).ok())
            .flatten()
    }
}

impl From<PhoneNumber> for Login {
    fn from(p: PhoneNumber) -> Self {
        Self(p.as_str().to_string())
    }
}

crate::text::parsed_text!(Login, LoginError);

impl LoginError {
    /// The error whose message this is: a `Login` field refused while a body was read comes back
    /// from serde as its message only, and the edge that read it turns it back into the typed
    /// refusal (`invalid_phone` or `invalid_value`, with the field).
    pub fn from_message(message: &str) -> Option<Self> {
        Self::every().find(|e| e.to_string() == message)
    }

    /// Every refusal the rule can give.
    pub fn every() -> impl Iterator<Item = Self> {
        // A new refusal must be listed below: this match stops the build until it is.
        let _listed = |e: &Self| match e {
            Self::Empty | Self::TooLong | Self::BadCharacters | Self::Phone(_) => (),
        };
        use strum::IntoEnumIterator as _;
        [Self::Empty, Self::TooLong, Self::BadCharacters]
            .into_iter()
            .chain(PhoneError::iter().map(Self::Phone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Login::parse(s).map(|l| l.to_string()).expect(s)
    }

    #[test]
    fn auth2_a_number_in_any_form_is_one_login() {
        for s in ["8 (916) 123-45-67", "9161234567", " +7 916 1234567 "] {
            assert_eq!(ok(s), "+79161234567");
        }
    }

    #[test]
    fn auth1_contracts_and_banking_logins_stay_as_typed() {
        assert_eq!(ok(" 7700123456 "), "7700123456");
        assert_eq!(ok("7800123456"), "7800123456");
        assert_eq!(ok("bank-ivanov"), "bank-ivanov");
        assert_eq!(ok("ivan_ivanov.2"), "ivan_ivanov.2");
    }

    #[test]
    fn auth2_what_can_only_be_a_number_gets_the_numbers_reason() {
        for s in [
            "+7 916 123-45-6",
            "(916) 123",
            "77-001-234-56",
            "+1 202 555 0100",
            "+7 (9x6) 1234567",
        ] {
            assert!(
                matches!(Login::parse(s), Err(LoginError::Phone(_))),
                "{s}: {:?}",
                Login::parse(s)
            );
        }
    }

    #[test]
    fn auth1_hostile_logins_are_refused_with_a_reason() {
        assert_eq!(Login::parse("  "), Err(LoginError::Empty));
        assert_eq!(Login::parse(&"x".repeat(65)), Err(LoginError::TooLong));
        assert_eq!(Login::parse(&"9".repeat(10_000)), Err(LoginError::TooLong));
        for s in [
            "bank ivanov",
            "a'; DROP TABLE accounts;--",
            "ivan@bank",
            "\u{202e}abc",
            "x\0y",
        ] {
            assert_eq!(Login::parse(s), Err(LoginError::BadCharacters), "{s:?}");
        }
    }

    #[test]
    fn a_normalised_login_reads_back_as_itself() {
        for s in ["+79161234567", "7700123456", "bank-ivanov"] {
            assert_eq!(ok(&ok(s)), ok(s));
        }
    }

    #[test]
    fn a_refusal_read_back_from_its_message_is_the_same_refusal() {
        for e in LoginError::every() {
            assert_eq!(LoginError::from_message(&e.to_string()), Some(e));
        }
        assert_eq!(LoginError::from_message("invalid type: integer"), None);
    }

    #[test]
    fn a_body_with_a_bad_login_is_refused_while_it_is_read() {
        let e = serde_json::from_str::<Login>("\"+7 916\"").expect_err("refused");
        assert!(
            e.to_string()
                .starts_with("This is not a Russian mobile number")
        );
        let l: Login = serde_json::from_str("\"8 916 123 45 67\"").expect("read");
        assert_eq!(l.as_str(), "+79161234567");
    }
}
