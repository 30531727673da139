//! Accounts: people who log in, their sessions and their profiles.
//!
//! This file holds what both the server and the browser need: the wire types and the
//! validating newtypes every form field goes through.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod session;

use crate::organizations::Role;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The logged-in person as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub full_name: String,
    /// The organization the dashboard works on; `None` for attendees.
    pub organization: Option<OrganizationAccess>,
}

impl CurrentUser {
    pub fn is_organizer(&self) -> bool {
        self.organization.is_some()
    }
}

/// One organization the user belongs to, and their role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationAccess {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub role: Role,
}

/// The editable profile of the logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub email: String,
    pub full_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
}

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

/// A new password that meets the length rules. Never stored or logged as is.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 10;
    /// Bounds the work a single hash can cost the server.
    pub const MAX_CHARS: usize = 128;
    /// What the sign-up form tells people about the rules above.
    pub const HINT: &'static str = "At least 10 characters.";

    pub fn parse(input: &str) -> Result<Self, String> {
        let chars = input.chars().count();
        if input.trim().is_empty() {
            Err("Choose a password.".into())
        } else if chars < Self::MIN_CHARS {
            Err(format!("Use at least {} characters.", Self::MIN_CHARS))
        } else if chars > Self::MAX_CHARS {
            Err(format!("Use at most {} characters.", Self::MAX_CHARS))
        } else {
            Ok(NewPassword(input.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// A required name of a person or organization: trimmed, 1 to 120 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    pub fn parse(input: &str, what: &str) -> Result<Self, String> {
        let name = input.trim();
        if name.is_empty() {
            Err(format!("Enter {what}."))
        } else if name.chars().count() > 120 {
            Err("Use at most 120 characters.".into())
        } else if name.chars().any(char::is_control) {
            Err("Remove the special characters.".into())
        } else {
            Ok(Name(name.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Turns an optional text field into `None` when blank, trimmed otherwise.
pub fn optional_text(input: Option<&str>) -> Option<&str> {
    input.map(str::trim).filter(|s| !s.is_empty())
}

/// An optional company name.
pub fn parse_company(input: Option<&str>) -> Result<Option<String>, String> {
    match optional_text(input) {
        None => Ok(None),
        Some(company) => Name::parse(company, "a company").map(|n| Some(n.0)),
    }
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

/// An optional avatar address: an http(s) URL without spaces.
pub fn parse_avatar_url(input: Option<&str>) -> Result<Option<String>, String> {
    let Some(url) = optional_text(input) else { return Ok(None) };
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && !rest.starts_with('/')
                && url.len() <= 2048
                && !url.chars().any(char::is_whitespace) =>
        {
            Ok(Some(url.to_owned()))
        }
        _ => Err("Enter a web address starting with https://.".into()),
    }
}

/// Where to send someone after logging in: only paths on this site, never another host.
pub fn safe_next_path(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let local = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.contains("://");
    local.then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn short_and_blank_passwords_are_refused() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("          ").is_err());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
        assert!(NewPassword::parse("long enough pass").is_ok());
    }

    #[test]
    fn the_password_hint_states_the_real_minimum() {
        assert!(NewPassword::HINT.contains(&NewPassword::MIN_CHARS.to_string()));
    }

    #[test]
    fn password_debug_output_hides_the_secret() {
        let password = NewPassword::parse("correct horse battery").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
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
    fn avatar_urls_must_be_web_addresses() {
        assert!(parse_avatar_url(Some("https://example.com/me.png")).unwrap().is_some());
        assert!(parse_avatar_url(Some("javascript:alert(1)")).is_err());
        assert!(parse_avatar_url(Some("https://")).is_err());
        assert_eq!(parse_avatar_url(None).unwrap(), None);
    }

    #[test]
    fn next_path_after_login_stays_on_this_site() {
        assert_eq!(safe_next_path(Some("/account/profile")).as_deref(), Some("/account/profile"));
        assert_eq!(safe_next_path(Some("//evil.example")), None);
        assert_eq!(safe_next_path(Some("https://evil.example")), None);
        assert_eq!(safe_next_path(Some("/\\evil.example")), None);
        assert_eq!(safe_next_path(None), None);
    }
}
