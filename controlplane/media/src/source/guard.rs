//! Owns the address guard: which hosts and addresses an `http(s)://` media source may
//! reach, so the processor cannot be turned against internal services (SSRF).
//!
//! Three checks, one policy ([`AddressPolicy`]):
//! - every URL (the first and each redirect hop) must be `http`/`https` with a host; a
//!   literal IP host is classified right away, because the HTTP client connects to a
//!   literal without asking any resolver;
//! - names are resolved by [`GuardedResolver`], the client's only resolver: it drops
//!   refused addresses before the client sees them, so the address connected to is one
//!   that passed (no window between checking a name and connecting: no DNS rebinding);
//! - the peer address of every response is checked again, as an assertion.
//!
//! Refused unless allowed: loopback, RFC 1918 private, link-local, CGNAT (100.64/10),
//! unique-local (fc00::/7), unspecified, multicast, broadcast, documentation,
//! benchmarking and other reserved ranges, and IPv6 forms that embed such an IPv4
//! address (mapped, compatible, NAT64, 6to4). Everything outside IPv6 global unicast
//! (2000::/3) is refused. `MEDIA_SOURCE_ALLOW_PRIVATE=1` allows all addresses; a host
//! in `MEDIA_SOURCE_ALLOW_HOSTS` (exact name or IP, case-insensitive) may resolve to any.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Where the operator can lift a refusal, appended to every refusal message.
const HOW_TO_ALLOW: &str =
    "set MEDIA_SOURCE_ALLOW_PRIVATE=1 or list the host in MEDIA_SOURCE_ALLOW_HOSTS to allow it";

/// A source address the policy refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{host} {}{addr}, {why}; {HOW_TO_ALLOW}", if .host == &.addr.to_string() { "is " } else { "resolves to " })]
pub struct Refusal {
    /// The host as named in the URL.
    pub host: String,
    /// The refused address.
    pub addr: IpAddr,
    /// What kind of address it is.
    pub why: String,
}

/// An entry of `MEDIA_SOURCE_ALLOW_HOSTS` that is not a host name or IP address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("MEDIA_SOURCE_ALLOW_HOSTS entry {entry:?} is not a host name or IP address: {reason}")]
pub struct InvalidAllowedHost {
    /// The entry as given.
    pub entry: String,
    /// Why it does not parse.
    pub reason: String,
}

/// What `http(s)://` sources may reach.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allow_private: bool,
    /// Normalised as `url` writes hosts: lowercase IDNA names, dotted IPv4, `[v6]`.
    allow_hosts: HashSet<String>,
}

impl AddressPolicy {
    /// A policy refusing non-public addresses unless `allow_private`, except for the
    /// hosts in `allow_hosts`.
    pub fn new(allow_private: bool, allow_hosts: &[String]) -> Result<Self, InvalidAllowedHost> {
        let mut hosts = HashSet::new();
        for entry in allow_hosts {
            let trimmed = entry.trim().trim_end_matches('.');
            if trimmed.is_empty() {
                continue;
            }
            let host = Host::parse(trimmed).map_err(|e| InvalidAllowedHost {
                entry: entry.clone(),
                reason: e.to_string(),
            })?;
            hosts.insert(host.to_string());
        }
        Ok(Self {
            allow_private,
            allow_hosts: hosts,
        })
    }

    /// Whether `host` (as `url` writes it) may reach any address.
    fn host_allowed(&self, host: &str) -> bool {
        self.allow_private
            || self
                .allow_hosts
                .contains(host.trim_end_matches('.').to_ascii_lowercase().as_str())
    }

    /// Checks a URL before a request: scheme, host, and a literal IP host's address.
    pub fn check_url(&self, url: &Url) -> Result<(), UrlRefused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(UrlRefused::Scheme(url.scheme().to_owned()));
        }
        let host = url.host().ok_or(UrlRefused::NoHost)?;
        let ip = match host {
            Host::Domain(_) => return Ok(()),
            Host::Ipv4(v4) => IpAddr::V4(v4),
            Host::Ipv6(v6) => IpAddr::V6(v6),
        };
        self.check_addr(&host.to_string(), ip)
            .map_err(UrlRefused::Address)
    }

    /// Checks one address `host` resolved to (or is).
    pub fn check_addr(&self, host: &str, addr: IpAddr) -> Result<(), Refusal> {
        if self.host_allowed(host) {
            return Ok(());
        }
        match refused_because(addr) {
            None => Ok(()),
            Some(why) => Err(Refusal {
                host: host.to_owned(),
                addr,
                why,
            }),
        }
    }
}

/// Why a URL may not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefused {
    /// Not `http` or `https`.
    #[error("scheme {0:?} is not allowed (only http and https)")]
    Scheme(String),
    /// No host to connect to.
    #[error("the URL has no host")]
    NoHost,
    /// A literal address the policy refuses.
    #[error(transparent)]
    Address(Refusal),
}

/// The HTTP client's resolver: resolves with the system resolver and keeps only the
/// addresses the policy allows; a name left with none fails with its [`Refusal`].
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<AddressPolicy>,
}

impl GuardedResolver {
    /// A resolver enforcing `policy`.
    pub fn new(policy: Arc<AddressPolicy>) -> Self {
        Self { policy }
    }

    /// Resolves `host` and filters its addresses (port 0: the client sets the port).
    pub async fn lookup(&self, host: &str) -> Result<Vec<SocketAddr>, super::BoxError> {
        let found: Vec<SocketAddr> = tokio::net::lookup_host((host, 0)).await?.collect();
        let mut first_refusal = None;
        let allowed: Vec<SocketAddr> = found
            .into_iter()
            .filter(|a| match self.policy.check_addr(host, a.ip()) {
                Ok(()) => true,
                Err(r) => {
                    first_refusal.get_or_insert(r);
                    false
                }
            })
            .collect();
        match (allowed.is_empty(), first_refusal) {
            (true, Some(refusal)) => Err(Box::new(refusal)),
            (true, None) => Err(format!("{host} has no address").into()),
            (false, _) => Ok(allowed),
        }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        Box::pin(async move {
            let addrs = this.lookup(name.as_str()).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Why `addr` is not a public address a source may be fetched from, or `None` when it is.
pub fn refused_because(addr: IpAddr) -> Option<String> {
    match addr {
        IpAddr::V4(v4) => v4_refused(v4).map(str::to_owned),
        IpAddr::V6(v6) => v6_refused(v6),
    }
}

fn v4_refused(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let why = match (a, b, c) {
        _ if ip.is_broadcast() => "the broadcast address",
        (0, _, _) => "an unspecified (\"this network\", 0.0.0.0/8) address",
        (10, _, _) => "a private (RFC 1918) address",
        (100, 64..=127, _) => "a shared (carrier-grade NAT, 100.64.0.0/10) address",
        (127, _, _) => "a loopback address",
        (169, 254, _) => "a link-local address",
        (172, 16..=31, _) => "a private (RFC 1918) address",
        (192, 0, 0) => "an IETF protocol assignment (192.0.0.0/24)",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "a documentation address",
        (192, 88, 99) => "a reserved (6to4 relay) address",
        (192, 168, _) => "a private (RFC 1918) address",
        (198, 18..=19, _) => "a benchmarking address",
        (224..=239, _, _) => "a multicast address",
        (240..=255, _, _) => "a reserved (240.0.0.0/4) address",
        _ => return None,
    };
    Some(why)
}

fn v6_refused(ip: Ipv6Addr) -> Option<String> {
    let s = ip.segments();
    let embedded =
        |v4: Ipv4Addr, form: &str| v4_refused(v4).map(|why| format!("{form} of {v4}, {why}"));
    let low_v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if ip.is_unspecified() {
        return Some("the unspecified address".into());
    }
    if ip.is_loopback() {
        return Some("a loopback address".into());
    }
    match s {
        // ::ffff:a.b.c.d, and SIIT's ::ffff:0:a.b.c.d.
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] => {
            return embedded(low_v4, "an IPv4-mapped address");
        }
        // Deprecated IPv4-compatible ::a.b.c.d (:: and ::1 handled above).
        [0, 0, 0, 0, 0, 0, _, _] => return embedded(low_v4, "an IPv4-compatible address"),
        // NAT64 well-known prefix.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => return embedded(low_v4, "a NAT64 address"),
        // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD.
        [0x2002, hi, lo, ..] => {
            let v4 = Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
            return embedded(v4, "a 6to4 address");
        }
        _ => {}
    }
    let why = match s[0] {
        0xff00..=0xffff => "a multicast address",
        0xfe80..=0xfebf => "a link-local address",
        0xfec0..=0xfeff => "a site-local (deprecated) address",
        0xfc00..=0xfdff => "a unique-local (fc00::/7) address",
        0x0064 if s[1] == 0xff9b && s[2] == 1 => "a local-use NAT64 address",
        0x0100 if s[1..4] == [0, 0, 0] => "a discard-only address",
        // Teredo, benchmarking, ORCHID and the rest of the IETF block.
        0x2001 if s[1] < 0x0200 => "an IETF protocol assignment (2001::/23)",
        0x2001 if s[1] == 0x0db8 => "a documentation address",
        0x3fff if s[1] < 0x1000 => "a documentation address",
        0x2000..=0x3fff => return None,
        _ => "a reserved address (outside 2000::/3)",
    };
    Some(why.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests;
