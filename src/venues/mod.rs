//! Venues: the places an organization holds its events, with their address, seats, contact
//! and amenities. Events point at them; the public sees only where an event is.

pub mod api;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The largest number of seats a venue, an event or a tier can have.
pub const MAX_CAPACITY: i32 = 1_000_000;

/// A venue as organizers pick and edit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VenueView {
    pub id: Uuid,
    pub name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub postal_code: Option<String>,
    pub country: String,
    pub capacity: Option<i32>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub amenities: Vec<String>,
}

/// A venue as the public sees it on an event page: where it is and what it offers. The
/// contact person, e-mail and phone stay with the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicVenue {
    pub name: String,
    pub address: String,
    pub city: String,
    pub province: String,
    pub postal_code: Option<String>,
    pub country: String,
    pub amenities: Vec<String>,
}

impl From<VenueView> for PublicVenue {
    fn from(venue: VenueView) -> Self {
        PublicVenue {
            name: venue.name,
            address: venue.address,
            city: venue.city,
            province: venue.province,
            postal_code: venue.postal_code,
            country: venue.country,
            amenities: venue.amenities,
        }
    }
}

/// Amenities a venue can offer, as stored in its `amenities` object.
pub const AMENITIES: &[(&str, &str)] = &[
    ("wifi", "Wi-Fi"),
    ("parking", "Parking"),
    ("accessible", "Wheelchair accessible"),
    ("av", "Audio-visual equipment"),
    ("catering", "Catering"),
    ("transit", "Near transit"),
];

pub fn amenity_label(key: &str) -> &str {
    AMENITIES.iter().find(|(k, _)| *k == key).map(|(_, label)| *label).unwrap_or(key)
}
