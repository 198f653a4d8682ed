//! The guard's classifier matrix, URL forms that hide loopback, the allow rules, and the
//! resolver on a real lookup of `localhost`.

use super::*;

fn refused(ip: &str) -> Option<String> {
    refused_because(ip.parse().unwrap())
}

#[test]
fn non_public_addresses_are_refused_with_their_kind() {
    let cases = [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("255.255.255.255", "broadcast"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("192.0.0.8", "IETF"),
        ("192.0.2.1", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.9", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        (
            "::ffff:127.0.0.1",
            "IPv4-mapped address of 127.0.0.1, a loopback",
        ),
        (
            "::ffff:10.0.0.1",
            "IPv4-mapped address of 10.0.0.1, a private",
        ),
        (
            "::ffff:0:169.254.169.254",
            "IPv4-mapped address of 169.254.169.254",
        ),
        ("::127.0.0.1", "IPv4-compatible address of 127.0.0.1"),
        ("64:ff9b::7f00:1", "NAT64 address of 127.0.0.1"),
        ("64:ff9b:1::1", "local-use NAT64"),
        ("2002:7f00:1::1", "6to4 address of 127.0.0.1"),
        ("2002:c0a8:101::1", "6to4 address of 192.168.1.1"),
        ("2001::1", "IETF"),
        ("2001:2::1", "IETF"),
        ("2001:db8::1", "documentation"),
        ("3fff::1", "documentation"),
        ("100::1", "discard-only"),
        ("4000::1", "outside 2000::/3"),
    ];
    for (ip, kind) in cases {
        let why = refused(ip).unwrap_or_else(|| panic!("{ip} was allowed"));
        assert!(why.contains(kind), "{ip}: {why:?} does not say {kind:?}");
    }
}

#[test]
fn public_addresses_pass() {
    for ip in [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.215.14",
        "100.63.255.255",
        "100.128.0.1",
        "172.15.255.255",
        "172.32.0.1",
        "192.169.0.1",
        "198.20.0.1",
        "223.255.255.254",
        "2606:4700:4700::1111",
        "2a00:1450:4007:80e::200e",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
        "2002:808:808::1",
        "2001:4860:4860::8888",
    ] {
        assert_eq!(refused(ip), None, "{ip}");
    }
}

fn check(policy: &AddressPolicy, url: &str) -> Result<(), UrlRefused> {
    policy.check_url(&Url::parse(url).unwrap())
}

#[test]
fn literal_forms_of_loopback_are_caught_after_normalisation() {
    let policy = AddressPolicy::default();
    for url in [
        "http://127.0.0.1/x",
        "http://2130706433/x",
        "http://0x7f000001/x",
        "http://0x7f.1/x",
        "http://0177.0.0.1/x",
        "http://017700000001/x",
        "http://127.1/x",
        "http://127.0.1/x",
        "https://[::1]:8443/x",
        "http://[0:0:0:0:0:0:0:1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://[::ffff:7f00:1]/x",
        "http://0/x",
        "http://[::]/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/x",
    ] {
        match check(&policy, url) {
            Err(UrlRefused::Address(r)) => {
                assert!(r.to_string().contains("MEDIA_SOURCE_ALLOW"), "{r}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
}

#[test]
fn only_http_and_https_with_a_host() {
    let policy = AddressPolicy::new(true, &[]).unwrap();
    for url in [
        "ftp://example.com/a",
        "file:///etc/passwd",
        "gopher://example.com/",
        "data:text/plain,hi",
    ] {
        assert!(
            matches!(
                check(&policy, url),
                Err(UrlRefused::Scheme(_) | UrlRefused::NoHost)
            ),
            "{url}"
        );
    }
    assert_eq!(check(&policy, "https://example.com/v.mp4"), Ok(()));
    // Names are left to the resolver.
    assert_eq!(
        check(&AddressPolicy::default(), "http://localhost/x"),
        Ok(())
    );
}

#[test]
fn allow_private_and_allow_hosts_lift_refusals() {
    let loopback: IpAddr = "127.0.0.1".parse().unwrap();
    assert!(AddressPolicy::default().check_addr("a", loopback).is_err());
    let all = AddressPolicy::new(true, &[]).unwrap();
    assert_eq!(all.check_addr("a", loopback), Ok(()));
    assert_eq!(check(&all, "http://[::1]/"), Ok(()));

    let hosts = AddressPolicy::new(
        false,
        &[
            " Media.Internal. ".into(),
            "127.0.0.1".into(),
            "[::1]".into(),
            String::new(),
        ],
    )
    .unwrap();
    assert_eq!(hosts.check_addr("media.internal", loopback), Ok(()));
    assert_eq!(hosts.check_addr("MEDIA.internal.", loopback), Ok(()));
    assert!(hosts.check_addr("other.internal", loopback).is_err());
    assert_eq!(check(&hosts, "http://127.0.0.1:9000/x"), Ok(()));
    assert_eq!(check(&hosts, "http://[::1]:9000/x"), Ok(()));
    // The allow-list names hosts, not addresses: another form of the same address is
    // another host and stays refused.
    assert!(check(&hosts, "http://127.0.0.2/x").is_err());

    let bad = AddressPolicy::new(false, &["exa mple.com".into()]).unwrap_err();
    assert!(
        bad.to_string().contains("MEDIA_SOURCE_ALLOW_HOSTS"),
        "{bad}"
    );
}

#[tokio::test]
async fn the_resolver_refuses_names_of_loopback_unless_allowed() {
    let guarded = GuardedResolver::new(Arc::new(AddressPolicy::default()));
    let err = guarded.lookup("localhost").await.unwrap_err();
    let refusal = err.downcast_ref::<Refusal>().expect("a refusal");
    assert_eq!(refusal.host, "localhost");
    assert!(refusal.addr.is_loopback());
    assert!(
        err.to_string().starts_with("localhost resolves to "),
        "{err}"
    );

    let allowed = GuardedResolver::new(Arc::new(
        AddressPolicy::new(false, &["localhost".into()]).unwrap(),
    ));
    let addrs = allowed.lookup("localhost").await.unwrap();
    assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()));
}
