//! Validated text that people type into forms: e-mail addresses, names, phone numbers.
//! Shared by every domain that takes them (accounts, organizations, venues, buyers).

use serde::{Deserialize, Serialize};

/// A syntactically plausible e-mail address, trimmed and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter your email address.".into());
        }
        if email.chars().count() > 254 {
            return Err("That email address is too long.".into());
        }
        let malformed = || "Enter an email address like name@example.com.".to_string();
        let (local, domain) = email.split_once('@').ok_or_else(malformed)?;
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if local_ok && domain_ok { Ok(Email(email)) } else { Err(malformed()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `text` as a LIKE pattern matching it anywhere, its own `%`, `_` and `\` taken literally.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The mailbox an address reaches, for counting requests per e-mail: `ada+x@example.com`
/// and `ADA@example.com` are both `ada@example.com`, so tags cannot multiply a limit.
/// Input that is not an address is counted as typed.
pub fn email_subject(input: &str) -> String {
    match Email::parse(input) {
        Ok(email) => {
            let (local, domain) = email.as_str().split_once('@').unwrap_or((email.as_str(), ""));
            format!("{}@{domain}", local.split('+').next().unwrap_or(local))
        }
        Err(_) => input.trim().to_lowercase(),
    }
}

/// A required name of a person or organization: trimmed, 1 to 120 characters, no control
/// characters, and none of the invisible ones that reorder or hide text (bidi overrides,
/// zero-width characters): names are shown to others and put in e-mails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    pub fn parse(input: &str, what: &str) -> Result<Self, String> {
        let name = input.trim();
        if name.is_empty() {
            Err(format!("Enter {what}."))
        } else if name.chars().count() > 120 {
            Err("Use at most 120 characters.".into())
        } else if name.chars().any(|c| c.is_control() || is_invisible(c)) {
            Err("Remove the special characters.".into())
        } else {
            Ok(Name(name.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters that change how the text around them reads without showing themselves:
/// bidirectional embeddings, overrides and isolates, zero-width spaces and joiners, the
/// byte order mark.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Turns an optional text field into `None` when blank, trimmed otherwise.
pub fn optional_text(input: Option<&str>) -> Option<&str> {
    input.map(str::trim).filter(|s| !s.is_empty())
}

/// An optional phone number: digits with the usual separators, 7 to 15 digits.
pub fn parse_phone(input: Option<&str>) -> Result<Option<String>, String> {
    let Some(phone) = optional_text(input) else { return Ok(None) };
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c) || c == 'x');
    if allowed && (7..=15).contains(&digits) && phone.len() <= 32 {
        Ok(Some(phone.to_owned()))
    } else {
        Err("Enter a phone number like 416-555-0123.".into())
    }
}

/// Parses a whole number field within bounds, naming the bounds in the message.
pub fn parse_count(input: &str, what: &str, min: i32, max: i32) -> Result<i32, String> {
    let value: i64 = input.trim().parse().map_err(|_| format!("Enter the {what} as a whole number."))?;
    if value < min as i64 {
        Err(format!("The {what} must be at least {min}."))
    } else if value > max as i64 {
        Err(format!("The {what} must be at most {max}."))
    } else {
        Ok(value as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_pattern_takes_percent_underscore_and_backslash_literally() {
        assert_eq!(contains_pattern("jane"), "%jane%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        assert_eq!(Email::parse("  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
    }

    #[test]
    fn email_without_at_or_domain_dot_is_refused() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a b@example.com",
            "ada@exa_mple.com",
            "ada@.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn names_with_text_reordering_or_invisible_characters_are_refused() {
        for sneaky in ["Ada\u{202E}ecalevol", "Ada\u{200B}Lovelace", "\u{2066}Ada\u{2069}", "Ada\u{FEFF}"] {
            assert!(Name::parse(sneaky, "your name").is_err(), "{sneaky:?} should be refused");
        }
        assert_eq!(Name::parse("Zoë Ñúñez-Ødegård", "your name").unwrap().as_str(), "Zoë Ñúñez-Ødegård");
    }

    #[test]
    fn an_address_with_a_tag_counts_as_its_mailbox() {
        assert_eq!(email_subject("Ada+Promo7@Example.com"), "ada@example.com");
        assert_eq!(email_subject("not an address"), "not an address");
    }

    #[test]
    fn names_are_trimmed_and_must_not_be_blank() {
        assert_eq!(Name::parse("  Ada Lovelace ", "your name").unwrap().as_str(), "Ada Lovelace");
        assert_eq!(Name::parse("   ", "your name").unwrap_err(), "Enter your name.");
        assert!(Name::parse(&"a".repeat(121), "a name").is_err());
    }

    #[test]
    fn phone_numbers_allow_common_separators() {
        assert_eq!(parse_phone(Some("+1 (416) 555-0123")).unwrap().as_deref(), Some("+1 (416) 555-0123"));
        assert_eq!(parse_phone(Some("  ")).unwrap(), None);
        assert!(parse_phone(Some("call me")).is_err());
        assert!(parse_phone(Some("123")).is_err());
    }

    #[test]
    fn counts_are_whole_numbers_within_their_bounds() {
        assert_eq!(parse_count("50", "capacity", 1, 100_000), Ok(50));
        assert!(parse_count("0", "capacity", 1, 100_000).unwrap_err().contains("at least 1"));
        assert!(parse_count("1e9", "capacity", 1, 100_000).is_err());
    }
}
