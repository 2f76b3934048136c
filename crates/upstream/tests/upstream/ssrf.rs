//! The SSRF corpus: hostile labels, hosts, paths, resolver answers and redirects, sent with
//! the real HTTP client while a listener on 127.0.0.1 counts every connection it accepts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use deskgate_upstream::{
    BudgetKey, DnsLabel, SandboxOverride, Upstream, UpstreamConfig, UpstreamError, UpstreamRequest,
    VendorOrigin,
};
use http::Method;

use crate::support::dns::HostileDns;
use crate::support::server::{TestServer, http_response};

fn hostile_engine(answers: Vec<SocketAddr>) -> (Upstream, Arc<HostileDns>) {
    let dns = HostileDns::new(answers);
    let upstream = Upstream::builder(UpstreamConfig::default())
        .lookup(dns.clone())
        .build()
        .unwrap();
    (upstream, dns)
}

fn request(origin: &VendorOrigin, path: &str) -> Result<UpstreamRequest, UpstreamError> {
    let key = BudgetKey::new("zendesk", "corpus").unwrap();
    Ok(UpstreamRequest::new(Method::GET, origin, path, key)?.deadline(Duration::from_secs(5)))
}

fn acme() -> VendorOrigin {
    VendorOrigin::tenant(&DnsLabel::parse("acme").unwrap(), "zendesk.com").unwrap()
}

fn hostile_labels(port: u16) -> Vec<String> {
    let mut labels: Vec<String> = [
        "0x7f.1",
        "2130706433",
        "017700000001",
        "0177.0.0.1",
        "127.0.0.1",
        "127.1",
        "0",
        "::ffff:127.0.0.1",
        "[::1]",
        "::1",
        "acme.evil.com",
        "acme@evil.com",
        "acme@evil",
        "acme%2f",
        "acme%2fevil",
        "acme:8443",
        "acme/path",
        "acme?x",
        "acme#f",
        "acme\0",
        "acme\0.evil.com",
        "acme\\evil",
        "acme\r\nhost: evil",
        "acme\t",
        " acme",
        "acme ",
        "acme.",
        ".acme",
        "acme..",
        "*.acme",
        "acme;evil",
        "acme,evil",
        "%61cme",
        "acme%00",
        "xn--80ak6aa92e",
        "xn--acme-9ua",
        "\u{0430}cme",
        "acme\u{3002}evil.com",
        "\u{ff41}cme",
        "\u{212a}elvin",
        "acme\u{200b}",
        "-acme",
        "acme-",
        "",
        "169.254.169.254",
        "metadata.google.internal",
        "acme.zendesk.com.evil.com",
        "http://127.0.0.1",
        "https://acme.zendesk.com",
        "localhost",
        "ACME",
        "metadata",
        "internal",
        "0x7f000001",
        "a-b-c",
        "zendesk",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    labels.push("a".repeat(64));
    labels.push(format!("acme:{port}"));
    labels.push(format!("127.0.0.1:{port}"));
    labels
}

fn hostile_paths(port: u16) -> Vec<String> {
    [
        "//127.0.0.1:{port}/",
        "http://127.0.0.1:{port}/",
        "@127.0.0.1:{port}/x",
        "/\\127.0.0.1:{port}",
        "/%2f%2f127.0.0.1:{port}",
        "/..%2f..%2fadmin",
        "/api/../../x",
        "/x\r\nHost: 127.0.0.1:{port}",
        "/ok#@127.0.0.1:{port}",
        "/ok?@127.0.0.1:{port}",
        "/@127.0.0.1:{port}",
        "/api/v2/tickets",
    ]
    .into_iter()
    .map(|p| p.replace("{port}", &port.to_string()))
    .collect()
}

#[tokio::test]
async fn no_hostile_input_opens_a_connection_to_a_local_listener() {
    let target = TestServer::counting().await;
    let port = target.addr.port();
    let loopback = |ip: &str| SocketAddr::new(ip.parse().unwrap(), port);
    let mut tried = 0;

    // 1. Labels and hosts. Whatever passes validation resolves, through a hostile DNS, to the
    //    listener itself, and must still be refused.
    let (upstream, dns) = hostile_engine(vec![loopback("127.0.0.1")]);
    let mut accepted_labels = 0;
    for input in hostile_labels(port) {
        tried += 1;
        let Ok(label) = DnsLabel::parse(&input) else {
            continue;
        };
        accepted_labels += 1;
        let origin = VendorOrigin::tenant(&label, "zendesk.com").unwrap();
        assert_eq!(origin.host(), format!("{}.zendesk.com", label.as_str()));
        let err = upstream
            .send(request(&origin, "/api/v2/tickets").unwrap())
            .await
            .unwrap_err();
        assert!(
            matches!(err, UpstreamError::Blocked { .. }),
            "{input:?}: {err:?}"
        );
    }
    assert!(
        accepted_labels >= 5,
        "plain labels must reach the resolver and be refused there"
    );
    assert!(dns.asked() >= accepted_labels);
    for host in [
        "127.0.0.1",
        "0x7f.1",
        "2130706433",
        "localhost",
        "a.b:8443",
        "a@b.com",
        "b.com/x",
        "[::1]",
    ] {
        tried += 1;
        assert!(
            VendorOrigin::fixed(Box::leak(host.to_owned().into_boxed_str())).is_err(),
            "{host}"
        );
    }

    // 2. Paths and queries on a legitimate origin.
    for path in hostile_paths(port) {
        tried += 1;
        match request(&acme(), &path) {
            Err(_) => {}
            Ok(built) => {
                let err = upstream.send(built).await.unwrap_err();
                assert!(
                    matches!(err, UpstreamError::Blocked { .. }),
                    "{path:?}: {err:?}"
                );
            }
        }
    }
    tried += 1;
    assert!(
        request(&acme(), "/api")
            .unwrap()
            .raw_query("a=1#@127.0.0.1")
            .is_err()
    );

    // 3. Resolver answers in every private, loopback and embedded form (DNS rebinding).
    let answers = [
        vec![loopback("127.0.0.1")],
        vec![loopback("::1")],
        vec![loopback("::ffff:127.0.0.1")],
        vec![loopback("::127.0.0.1")],
        vec![loopback("0.0.0.0")],
        vec![loopback("::")],
        vec![loopback("64:ff9b::7f00:1")],
        vec![loopback("2002:7f00:1::1")],
        vec![loopback("10.0.0.1"), loopback("127.0.0.1")],
        vec![loopback("169.254.169.254")],
        vec![loopback("100.64.0.1")],
        vec![loopback("192.168.0.1")],
        vec![loopback("172.16.0.1")],
        vec![loopback("fe80::1")],
        vec![loopback("fd00::1")],
        vec![loopback("224.0.0.1")],
        vec![loopback("255.255.255.255")],
        vec![loopback("198.18.0.1")],
    ];
    for answer in answers {
        tried += 1;
        let (upstream, dns) = hostile_engine(answer.clone());
        let err = upstream
            .send(request(&acme(), "/api/v2/tickets").unwrap())
            .await
            .unwrap_err();
        assert!(
            matches!(err, UpstreamError::Blocked { .. }),
            "{answer:?}: {err:?}"
        );
        assert_eq!(dns.asked(), 1);
    }

    // 4. A vendor (played by the sandbox origin) redirecting to the listener and to the
    //    metadata service: the redirect is an error and is never followed.
    for location in [
        format!("http://127.0.0.1:{port}/latest/meta-data/"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ] {
        tried += 1;
        let vendor =
            TestServer::start(move |_| http_response("302 Found", &[("location", &location)], b""))
                .await;
        let upstream = Upstream::builder(UpstreamConfig::default())
            .sandbox(SandboxOverride::new(&vendor.base()).unwrap())
            .build()
            .unwrap();
        let err = upstream
            .send(request(&acme(), "/api/v2/tickets").unwrap())
            .await
            .unwrap_err();
        assert!(
            matches!(err, UpstreamError::Redirect { status } if status == 302),
            "{err:?}"
        );
        assert_eq!(vendor.accepted(), 1);
    }

    println!(
        "ssrf corpus: {tried} hostile inputs, {} connections reached the listener",
        target.accepted()
    );
    assert!(tried >= 50);
    assert_eq!(target.accepted(), 0);
}

/// Without the guard, the same hostile answer does reach the listener: the corpus above is
/// not passing because the listener is unreachable.
#[tokio::test]
async fn without_the_guard_the_hostile_answer_would_reach_the_listener() {
    let target = TestServer::counting().await;
    // What an unguarded client does with the rebinding answer: dial it.
    let stream = tokio::net::TcpStream::connect(target.addr).await.unwrap();
    drop(stream);
    tokio::time::timeout(Duration::from_secs(5), async {
        while target.accepted() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(target.accepted(), 1);
}
