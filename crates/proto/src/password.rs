//! Rules for a new permanent password (AUTH-5, AUTH-9): shared so the app can say why before asking.

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRuleError {
    #[error("The password must have at least 8 characters.")]
    TooShort,
    #[error("The password must have at most 128 characters.")]
    TooLong,
    #[error("The password must have an upper-case letter, a lower-case letter and a digit.")]
    MissingClass,
    #[error("The password may hold only Latin letters, digits and punctuation.")]
    BadCharacters,
    #[error(
        "This password is too common: a word with digits added, like Hello123, is among the first guesses. Choose words that do not belong together, with a digit inside, like Kettle7Orbit."
    )]
    Common,
    #[error("The password must not contain the phone or contract number.")]
    ContainsLogin,
}

/// Bases of the passwords that top every leaked-password list. A candidate is refused when,
/// with leading and trailing digits and punctuation removed, it is one of these.
const COMMON_BASES: &[&str] = &[
    "password",
    "passw0rd",
    "pass",
    "qwerty",
    "qwertyuiop",
    "asdf",
    "asdfgh",
    "zxcvbn",
    "abc",
    "abcd",
    "abcdef",
    "letmein",
    "welcome",
    "admin",
    "administrator",
    "iloveyou",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "master",
    "hello",
    "privet",
    "shadow",
    "superman",
    "batman",
    "trustno",
    "login",
    "starwars",
    "michael",
    "jennifer",
    "summer",
    "winter",
    "spring",
    "autumn",
    "secret",
    "changeme",
    "test",
    "user",
    "mts",
    "mymts",
    "parol",
    "lubov",
    "love",
    "freedom",
    "whatever",
    "qazwsx",
    "killer",
    "soccer",
    "hockey",
    "charlie",
    "andrew",
    "alexander",
    "natasha",
    "maksim",
    "ivan",
    "anna",
    "olga",
    "spartak",
    "zenit",
    "cska",
    "moscow",
    "moskva",
    "russia",
    "rossiya",
    "computer",
    "internet",
    "samsung",
    "apple",
    "google",
    "yandex",
];

/// Checks AUTH-5's rules, the common-password blocklist and the account's own number.
pub fn check_new_password(candidate: &str, own_login: &str) -> Result<(), PasswordRuleError> {
    let len = candidate.chars().count();
    if len < 8 {
        return Err(PasswordRuleError::TooShort);
    }
    if len > 128 {
        return Err(PasswordRuleError::TooLong);
    }
    if !candidate.chars().all(|c| c.is_ascii_graphic()) {
        return Err(PasswordRuleError::BadCharacters);
    }
    let has = |f: fn(&char) -> bool| candidate.chars().any(|c| f(&c));
    if !(has(char::is_ascii_uppercase)
        && has(char::is_ascii_lowercase)
        && has(char::is_ascii_digit))
    {
        return Err(PasswordRuleError::MissingClass);
    }
    let lower = candidate.to_ascii_lowercase();
    let base = lower.trim_matches(|c: char| !c.is_ascii_alphabetic());
    if base.is_empty() || COMMON_BASES.contains(&base) {
        return Err(PasswordRuleError::Common);
    }
    let digits: String = own_login.chars().filter(char::is_ascii_digit).collect();
    // The last ten digits catch +7/8 prefixes; shorter logins (contracts) are matched whole.
    let tail = if digits.len() > 10 {
        &digits[digits.len() - 10..]
    } else {
        &digits[..]
    };
    if tail.len() >= 6 && candidate.contains(tail) {
        return Err(PasswordRuleError::ContainsLogin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth5_the_article_example_is_refused_saying_why_and_what_to_choose() {
        // "25 Hello123", the article's own example, is a common password (issue 13, item 5).
        let refused = check_new_password("Hello123", "+79161234567").expect_err("common");
        assert_eq!(refused, PasswordRuleError::Common);
        let said = refused.to_string();
        assert!(said.contains("a word with digits added"), "why: {said}");
        // The example it suggests passes the same rules.
        let example = said
            .rsplit("like ")
            .next()
            .map(|e| e.trim_end_matches('.'))
            .unwrap_or_default();
        assert_eq!(example, "Kettle7Orbit");
        assert_eq!(check_new_password(example, "+79161234567"), Ok(()));
    }

    #[test]
    fn auth5_rules() {
        assert_eq!(
            check_new_password("Ab1", "+79161234567"),
            Err(PasswordRuleError::TooShort)
        );
        assert_eq!(
            check_new_password("abcdefgh1", ""),
            Err(PasswordRuleError::MissingClass)
        );
        assert_eq!(
            check_new_password("ABCDEFGH1", ""),
            Err(PasswordRuleError::MissingClass)
        );
        assert_eq!(
            check_new_password("Abcdefghi", ""),
            Err(PasswordRuleError::MissingClass)
        );
        assert_eq!(
            check_new_password("Пароль123Ab", ""),
            Err(PasswordRuleError::BadCharacters)
        );
        assert_eq!(
            check_new_password(&"Aa1".repeat(50), ""),
            Err(PasswordRuleError::TooLong)
        );
        assert!(check_new_password("Tundra42Kite", "+79161234567").is_ok());
    }

    #[test]
    fn auth9_blocklist_and_own_number() {
        assert_eq!(
            check_new_password("Password1", ""),
            Err(PasswordRuleError::Common)
        );
        assert_eq!(
            check_new_password("Hello123", ""),
            Err(PasswordRuleError::Common)
        );
        assert_eq!(
            check_new_password("123Qwerty!", ""),
            Err(PasswordRuleError::Common)
        );
        assert_eq!(
            check_new_password("Xx9161234567", "+79161234567"),
            Err(PasswordRuleError::ContainsLogin)
        );
    }
}
