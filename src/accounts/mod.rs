//! Accounts: people who log in, their sessions and their profiles.
//!
//! This file holds what both the server and the browser need: the wire types and the
//! validating newtypes every form field goes through.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod emails;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod service;

use crate::organizations::OrganizationAccess;
use crate::platform::text::{Name, optional_text};
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

text_enum!(
    /// What a single-use link e-mailed for an account is for.
    LinkPurpose {
        PasswordReset => "password_reset", "Password reset";
        EmailConfirmation => "email_confirmation", "Address confirmation";
    }
);

/// The editable profile of the logged-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub email: String,
    pub full_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub avatar_url: Option<String>,
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

/// An optional company name.
pub fn parse_company(input: Option<&str>) -> Result<Option<String>, String> {
    match optional_text(input) {
        None => Ok(None),
        Some(company) => Name::parse(company, "a company").map(|n| Some(n.as_str().to_owned())),
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
/// Judged after percent-decoding (browsers decode before they follow), so `/%2F%2Fevil.example`
/// and `/%5Cevil.example` are refused like `//evil.example` and `/\evil.example`.
pub fn safe_next_path(next: Option<&str>) -> Option<String> {
    let next = next?;
    let decoded = percent_decode(next)?;
    let local = decoded.starts_with('/')
        && !decoded.starts_with("//")
        && !decoded.contains('\\')
        && !decoded.contains("://")
        && !decoded.chars().any(|c| c.is_control() || c.is_whitespace())
        && next.len() <= 2048;
    local.then(|| next.to_owned())
}

/// `%XX` sequences decoded (repeatedly, so double encoding hides nothing); `None` when the
/// result is not text.
fn percent_decode(input: &str) -> Option<String> {
    let mut current = input.to_owned();
    for _ in 0..3 {
        let bytes = current.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match (bytes[i], bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b))) {
                (b'%', Some(high), Some(low)) => {
                    out.push((high * 16 + low) as u8);
                    i += 3;
                }
                (byte, _, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        let decoded = String::from_utf8(out).ok()?;
        if decoded == current {
            return Some(decoded);
        }
        current = decoded;
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn next_paths_that_leave_the_site_once_decoded_are_refused() {
        for bad in [
            "/%2F%2Fevil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "/\t/evil.example",
            "/ /evil.example",
            "/%0a/evil.example",
            "/%09/evil.example",
            "javascript:alert(1)",
            "/x?u=https://evil.example",
            "http:evil.example",
            "",
            "%",
            "/%ff%fe",
        ] {
            assert_eq!(safe_next_path(Some(bad)), None, "{bad:?} must stay on site");
        }
        assert_eq!(safe_next_path(Some("/events/summit?x=1")).as_deref(), Some("/events/summit?x=1"));
    }
}
