//! Who is asking: the client's network address, for rate limits and logs.
//!
//! The TCP peer is the client unless it is one of our own proxies (`TRUSTED_PROXIES`); then
//! the client is the right-most `X-Forwarded-For` entry that is not a trusted proxy. Entries
//! left of it were written by the client itself and prove nothing.

use std::net::IpAddr;
use std::str::FromStr;

/// An address range like `10.0.0.0/8` or `::1/128`; a bare address is a range of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, canonical(address)) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpRange {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let input = input.trim();
        let (address, prefix) = match input.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (input, None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| format!("{input:?} is not an address"))?);
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => {
                p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| format!("{input:?} has a bad prefix"))?
            }
        };
        Ok(IpRange { network, prefix })
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:1.2.3.4`) compare as IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(address),
        v4 => v4,
    }
}

/// The address of the client of the request being served (inside a server function or a
/// page), by the rule above; `None` outside a request or without the peer's address.
pub fn of_request(trusted: &[IpRange]) -> Option<IpAddr> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    of_parts(&parts.headers, &parts.extensions, trusted)
}

/// The same from a request's headers and extensions, for plain axum handlers and layers.
pub fn of_parts(headers: &http::HeaderMap, extensions: &http::Extensions, trusted: &[IpRange]) -> Option<IpAddr> {
    let peer = extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()?.0.ip();
    // A proxy may add its own header line instead of extending the first: read them all.
    let lines: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let forwarded_for = (!lines.is_empty()).then(|| lines.join(","));
    Some(client_address(peer, forwarded_for.as_deref(), trusted))
}

/// The client address as a rate-limit subject; requests without one share `unknown`.
pub fn subject_of_request(trusted: &[IpRange]) -> String {
    of_request(trusted).map(subject_of).unwrap_or_else(|| "unknown".into())
}

/// An address as a rate-limit subject. An IPv6 client is counted by its /64, the block one
/// subscriber gets: the addresses inside it cost nothing to change.
pub fn subject_of(address: IpAddr) -> String {
    match canonical(address) {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & (u128::MAX << 64);
            format!("{}/64", std::net::Ipv6Addr::from(network))
        }
        v4 => v4.to_string(),
    }
}

/// The client's address: the peer, or the nearest untrusted hop a trusted proxy reported.
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpRange]) -> IpAddr {
    let is_trusted = |a: IpAddr| trusted.iter().any(|r| r.contains(a));
    let peer = canonical(peer);
    if !is_trusted(peer) {
        return peer;
    }
    // Walk from the right (the hops our proxies wrote) to the first one that is not ours. An
    // entry that is not an address ends the walk: whatever is left of it came from the client.
    let mut nearest = peer;
    for hop in forwarded_for.unwrap_or_default().split(',').rev() {
        match hop.trim().parse::<IpAddr>().map(canonical) {
            Ok(hop) if is_trusted(hop) => nearest = hop,
            Ok(hop) => return hop,
            Err(_) => return nearest,
        }
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(list: &[&str]) -> Vec<IpRange> {
        list.iter().map(|r| r.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_from_an_untrusted_peer_is_ignored() {
        let trusted = ranges(&["10.0.0.0/8"]);
        assert_eq!(client_address(ip("203.0.113.9"), Some("198.51.100.1"), &trusted), ip("203.0.113.9"));
        assert_eq!(client_address(ip("203.0.113.9"), Some("198.51.100.1"), &[]), ip("203.0.113.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_hop_is_the_client() {
        let trusted = ranges(&["10.0.0.0/8", "127.0.0.1"]);
        // The client wrote the first entry itself; our proxies appended the rest.
        let header = "1.2.3.4, 198.51.100.7, 10.1.2.3";
        assert_eq!(client_address(ip("127.0.0.1"), Some(header), &trusted), ip("198.51.100.7"));
        assert_eq!(client_address(ip("10.9.9.9"), Some("garbage, 198.51.100.7"), &trusted), ip("198.51.100.7"));
        // A forged entry behind one we cannot read is never believed.
        assert_eq!(client_address(ip("10.9.9.9"), Some("6.6.6.6, not-an-ip, 10.1.1.1"), &trusted), ip("10.1.1.1"));
        assert_eq!(client_address(ip("10.9.9.9"), None, &trusted), ip("10.9.9.9"));
        assert_eq!(client_address(ip("::ffff:127.0.0.1"), Some("198.51.100.8"), &trusted), ip("198.51.100.8"));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_block() {
        assert_eq!(subject_of(ip("2001:db8:1:2:aaaa::1")), subject_of(ip("2001:db8:1:2:bbbb::9")));
        assert_ne!(subject_of(ip("2001:db8:1:2::1")), subject_of(ip("2001:db8:1:3::1")));
        assert_eq!(subject_of(ip("203.0.113.4")), "203.0.113.4");
    }

    #[test]
    fn ranges_match_by_prefix() {
        let range: IpRange = "192.168.0.0/16".parse().unwrap();
        assert!(range.contains(ip("192.168.44.1")));
        assert!(!range.contains(ip("192.169.0.1")));
        let v6: IpRange = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:1::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!("0.0.0.0/0".parse::<IpRange>().unwrap().contains(ip("8.8.8.8")));
        assert!("300.1.1.1".parse::<IpRange>().is_err());
    }
}
