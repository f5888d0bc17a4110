//! Password rules (NIST SP 800-63B / ANSSI style): a minimum length, no composition rules,
//! long passphrases welcome.

pub const MIN_CHARS: usize = 8;
/// Long enough for any passphrase, short enough that hashing it is not a denial of service.
pub const MAX_CHARS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("le mot de passe doit compter au moins {MIN_CHARS} caractères")]
    TooShort,
    #[error("le mot de passe ne peut pas dépasser {MAX_CHARS} caractères")]
    TooLong,
    #[error("le mot de passe ne peut pas être votre identifiant")]
    SameAsLogin,
}

/// Checks a new password. Length is counted in characters, not bytes, so "éléphant" is eight.
pub fn check_new_password(password: &str, login: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(PasswordError::TooLong);
    }
    if password.eq_ignore_ascii_case(login) {
        return Err(PasswordError::SameAsLogin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_the_only_rule() {
        assert_eq!(check_new_password("court", "x"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("1234567", "x"), Err(PasswordError::TooShort));
        assert_eq!(check_new_password("abcdefgh", "x"), Ok(()), "no composition rules");
        assert_eq!(check_new_password("éléphant", "x"), Ok(()), "eight characters, more bytes");
        let passphrase = "le préau est couvert quand il pleut sur la cour ".repeat(10);
        assert_eq!(check_new_password(&passphrase, "x"), Ok(()));
        assert_eq!(check_new_password(&"a".repeat(MAX_CHARS + 1), "x"), Err(PasswordError::TooLong));
        assert_eq!(check_new_password("Marie.Dupont", "marie.dupont"), Err(PasswordError::SameAsLogin));
    }
}
