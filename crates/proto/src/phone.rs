//! Phone numbers as people type them (AUTH-2), normalised to `+7XXXXXXXXXX`.

use serde::Serialize;
use utoipa::ToSchema;

/// A Russian mobile number in E.164 form (`+7` and ten digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
#[schema(value_type = String, example = "+79161234567")]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::EnumIter)]
pub enum PhoneError {
    #[error("Enter a phone number.")]
    Empty,
    #[error("A phone number is at most 32 characters.")]
    TooLong,
    #[error("A phone number holds only digits, spaces, '+', '-' and brackets.")]
    BadCharacters,
    #[error("This is not a Russian mobile number: enter it as +7 916 123-45-67.")]
    NotRussianMobile,
}

impl PhoneNumber {
    /// Accepts `+7 916 123-45-67`, `8 (916) 1234567`, `9161234567` and the like.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        if trimmed.chars().count() > 32 {
            return Err(PhoneError::TooLong);
        }
        // libphonenumber also reads vanity letters ("1-800-FLOWERS"); a subscriber never means those.
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'))
        {
            return Err(PhoneError::BadCharacters);
        }
        let parsed = phonenumber::parse(Some(phonenumber::country::Id::RU), trimmed)
            .map_err(|_| PhoneError::NotRussianMobile)?;
        let national = parsed.national().value().to_string();
        if parsed.code().value() != 7 || national.len() != 10 || !national.starts_with('9') {
            return Err(PhoneError::NotRussianMobile);
        }
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::NotRussianMobile);
        }
        Ok(Self(format!("+7{national}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A number exactly as [`PhoneNumber::parse`] writes it (`+7`, ten digits, the first a 9),
    /// checked by that shape alone: what this code stored stays readable whatever a later
    /// version of libphonenumber's ranges says of it. For reading stored values, never input.
    pub(crate) fn from_canonical(s: &str) -> Option<Self> {
        let d = s.strip_prefix("+7")?;
        (d.len() == 10 && d.starts_with('9') && d.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self(s.to_string()))
    }

    /// `+7 916 123-45-67`, as the UI brief writes numbers.
    pub fn display(&self) -> String {
        let d = &self.0[2..];
        format!("+7 {} {}-{}-{}", &d[0..3], &d[3..6], &d[6..8], &d[8..10])
    }
}

crate::text::parsed_text!(PhoneNumber, PhoneError);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth2_accepts_the_forms_people_type() {
        for input in [
            "+7 916 123-45-67",
            "8 (916) 1234567",
            "9161234567",
            "+79161234567",
            " 8-916-123-45-67 ",
            "7 916 123 45 67",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).map(|p| p.to_string()),
                Ok("+79161234567".to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn auth2_refuses_garbage_with_a_reason() {
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(
            PhoneNumber::parse("916123456x"),
            Err(PhoneError::BadCharacters)
        );
        assert_eq!(
            PhoneNumber::parse("1-800-FLOWERS"),
            Err(PhoneError::BadCharacters)
        );
        assert_eq!(
            PhoneNumber::parse(&"9".repeat(10_000)),
            Err(PhoneError::TooLong)
        );
        assert_eq!(
            PhoneNumber::parse("12345"),
            Err(PhoneError::NotRussianMobile)
        );
        assert_eq!(
            PhoneNumber::parse("+1 202 555 0100"),
            Err(PhoneError::NotRussianMobile)
        );
        assert_eq!(
            PhoneNumber::parse("+7 495 123-45-67"),
            Err(PhoneError::NotRussianMobile)
        );
        assert_eq!(
            PhoneNumber::parse("+7 916 123-45-6"),
            Err(PhoneError::NotRussianMobile)
        );
        assert!(PhoneNumber::parse("+-()").is_err());
        assert!(PhoneNumber::parse("٩١٦١٢٣٤٥٦٧").is_err());
    }

    #[test]
    fn displays_as_the_brief_writes_it() {
        let p = PhoneNumber::parse("89161234567").expect("valid");
        assert_eq!(p.display(), "+7 916 123-45-67");
    }
}
