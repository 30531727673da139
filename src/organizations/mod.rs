//! Organizations are the tenants: every piece of organizer data belongs to one, and
//! people reach it through a membership with a role.

#[cfg(feature = "ssr")]
pub mod access;
pub mod api;
#[cfg(feature = "ssr")]
pub mod db;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One organization the user belongs to, and their role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationAccess {
    pub organization_id: Uuid,
    pub organization_name: String,
    pub role: Role,
}

text_enum!(
    /// A member's role in an organization. Ordered: each role can do what the ones below it can.
    #[derive(PartialOrd, Ord)]
    Role {
        Staff => "staff", "Staff";
        Admin => "admin", "Admin";
        Owner => "owner", "Owner";
    }
);

impl Role {
    /// Whether this role may do what `required` may.
    pub fn allows(self, required: Role) -> bool {
        self >= required
    }
}

/// What the dashboard shows about the caller's organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationOverview {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub currency: String,
    pub timezone: String,
    pub role: Role,
    pub member_count: i64,
}

/// A URL-safe identifier: lower-case ASCII letters and digits separated by single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slug(String);

impl Slug {
    /// Longest readable part kept from a name, before the unique suffix.
    const MAX_BASE: usize = 60;

    /// `{name-slug}-{first 8 hex digits of id}`: readable, and unique because the id is.
    pub fn for_name(name: &str, id: Uuid) -> Slug {
        let base = slugify(name);
        let suffix = &id.simple().to_string()[..8];
        if base.is_empty() { Slug(suffix.to_owned()) } else { Slug(format!("{base}-{suffix}")) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Folds accents to ASCII where it is obvious, keeps letters and digits, and joins words with hyphens.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    let mut pending_hyphen = false;
    for c in text.chars().flat_map(fold_to_ascii) {
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
        if slug.len() >= Slug::MAX_BASE {
            break;
        }
    }
    slug.trim_end_matches('-').to_owned()
}

fn fold_to_ascii(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' | 'Ã' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'Ò' | 'Ó' | 'Ô' | 'Ö' | 'Õ' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        'ß' => "ss",
        '&' => " and ",
        _ => "",
    };
    let own = if folded.is_empty() { Some(c) } else { None };
    folded.chars().chain(own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_owner_admin_staff() {
        assert!(Role::Owner.allows(Role::Admin));
        assert!(Role::Admin.allows(Role::Staff));
        assert!(!Role::Staff.allows(Role::Admin));
        assert!(!Role::Admin.allows(Role::Owner));
    }

    #[test]
    fn roles_round_trip_through_their_database_names() {
        for role in [Role::Staff, Role::Admin, Role::Owner] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn slug_is_the_name_then_the_first_eight_hex_digits_of_the_id() {
        let id = Uuid::parse_str("e1111111-2222-3333-4444-555555555555").unwrap();
        assert_eq!(Slug::for_name("AI & ML Summit 2027", id).as_str(), "ai-and-ml-summit-2027-e1111111");
    }

    #[test]
    fn slugify_folds_accents_and_drops_punctuation() {
        assert_eq!(slugify("  Café Réunion — Montréal!! "), "cafe-reunion-montreal");
        assert_eq!(slugify("***"), "");
    }

    #[test]
    fn a_name_without_letters_still_gets_a_valid_slug() {
        let id = Uuid::parse_str("abcdef01-2222-3333-4444-555555555555").unwrap();
        assert_eq!(Slug::for_name("!!!", id).as_str(), "abcdef01");
    }

    #[test]
    fn long_names_are_cut_to_a_readable_slug() {
        let id = Uuid::nil();
        let slug = Slug::for_name(&"word ".repeat(40), id);
        assert!(slug.as_str().len() <= Slug::MAX_BASE + 9 + 4, "{}", slug.as_str());
        assert!(!slug.as_str().contains("--"));
    }
}
