//! The production [`Transport`]: a pooled hyper client (hyper-util's, behind a rustls
//! connector; one shared, and one per single-threaded runtime, below) that follows no
//! redirects, uses no proxy, resolves through the guarded resolver and stops reading a body
//! past the cap: a vendor's answer past it is an error, a webhook
//! receiver's is cut there.
//!
//! hyper is driven directly rather than through reqwest: the engine already owns retries,
//! redirects (none), timeouts and the resolver, so reqwest's layers were work done twice on
//! every call (the swap cut the gateway's CPU per passthrough by about a fifth;
//! docs/performance.md).
//!
//! A call made on a single-threaded runtime uses a client, and so a connection pool, of that
//! thread's own: a pooled connection's task runs on the runtime that opened it, so a
//! connection shared between serving threads (`[server] threads`,
//! `crates/deskgate/src/shutdown.rs`) would wake another thread on every call. Like nginx's
//! workers, each such thread keeps its own keep-alive connections. Calls on the shared,
//! multi-threaded runtime share one pool, as its tasks move between threads anyway.

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use http::header::{ACCEPT, CONTENT_LENGTH, USER_AGENT};
use http::{HeaderValue, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::{ClientConfig, RootCertStore};
use thread_local::ThreadLocal;
use tokio::time::Instant;

use super::{
    StreamedTransportResponse, Transport, TransportError, TransportRequest, TransportResponse,
};
use crate::config::UpstreamConfig;
use crate::egress::destination::BlockReason;
use crate::egress::resolver::{GuardedResolver, NoPublicAddress};

/// What a body longer than the cap becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PastCap {
    /// [`TransportError::TooLarge`]: a vendor's answer is read whole or not at all.
    Refuse,
    /// Its first `cap` bytes: a webhook receiver's answer is only kept for the attempt log.
    Cut,
}

/// Why the client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    #[error("could not set up TLS: {0}")]
    Tls(#[source] rustls::Error),
    #[error("user_agent must be printable ASCII (it is sent as a header)")]
    UserAgent,
}

type Connector = HttpsConnector<HttpConnector<GuardedResolver>>;

type Pooled = Client<Connector, Full<Bytes>>;

#[derive(Debug)]
pub(crate) struct HttpClient {
    /// The client of calls made on a multi-threaded runtime, whose tasks move between its
    /// threads anyway: one pool for them all.
    shared: Pooled,
    /// How each single-threaded runtime's client is built: the same TLS, resolver and pool
    /// settings.
    builder: hyper_util::client::legacy::Builder,
    connector: Connector,
    per_thread: ThreadLocal<Pooled>,
    user_agent: HeaderValue,
    max_body_bytes: usize,
    past_cap: PastCap,
}

impl HttpClient {
    /// The vendors' client: bodies up to `max_body_bytes`, refused past it.
    pub(crate) fn new(
        config: &UpstreamConfig,
        resolver: GuardedResolver,
    ) -> Result<Self, ClientError> {
        Self::capped(config, resolver, config.max_body_bytes, PastCap::Refuse)
    }

    /// A client reading at most `cap` bytes of a body, past which it does what `past_cap`
    /// says.
    pub(crate) fn capped(
        config: &UpstreamConfig,
        resolver: GuardedResolver,
        cap: usize,
        past_cap: PastCap,
    ) -> Result<Self, ClientError> {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        Self::with_roots(config, resolver, cap, past_cap, roots)
    }

    /// The client trusting `roots`: the web PKI's in production, a test authority in tests.
    fn with_roots(
        config: &UpstreamConfig,
        resolver: GuardedResolver,
        cap: usize,
        past_cap: PastCap,
        roots: RootCertStore,
    ) -> Result<Self, ClientError> {
        let tls =
            ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(ClientError::Tls)?
                .with_root_certificates(roots)
                .with_no_client_auth();
        // The resolver pins the connection to the addresses it checked; the connector only
        // dials them. `enforce_http(false)` lets the TLS layer above take https URLs.
        let mut http = HttpConnector::new_with_resolver(resolver);
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout()));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_millis(config.pool_idle_timeout_ms))
            .pool_max_idle_per_host(config.pool_max_idle_per_host);
        Ok(Self {
            shared: builder.build(connector.clone()),
            builder,
            connector,
            per_thread: ThreadLocal::new(),
            user_agent: config.user_agent_header().ok_or(ClientError::UserAgent)?,
            max_body_bytes: cap,
            past_cap,
        })
    }

    /// Sends `request` and checks the length its answer declares; the body is still to be
    /// read.
    async fn open(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<(http::response::Parts, Incoming, Option<u64>), TransportError> {
        let single_threaded = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread);
        let client = if single_threaded {
            self.per_thread
                .get_or(|| self.builder.build(self.connector.clone()))
        } else {
            &self.shared
        };
        let response = client
            .request(request)
            .await
            .map_err(|error| classify(&error))?;
        let limit = self.max_body_bytes;
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
        if self.past_cap == PastCap::Refuse && declared.is_some_and(|len| len > limit as u64) {
            return Err(TransportError::TooLarge { limit });
        }
        let (parts, body) = response.into_parts();
        Ok((parts, body, declared))
    }

    async fn exchange(
        &self,
        request: Request<Full<Bytes>>,
    ) -> Result<TransportResponse, TransportError> {
        let (parts, mut body, declared) = self.open(request).await?;
        let limit = self.max_body_bytes;
        let refuse = self.past_cap == PastCap::Refuse;
        let mut collected = BytesMut::with_capacity(
            declared.map_or(0, |len| usize::try_from(len).unwrap_or(limit).min(limit)),
        );
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|error| TransportError::Other(describe(&error)))?;
            let Ok(chunk) = frame.into_data() else {
                continue; // trailers
            };
            if collected.len() + chunk.len() > limit {
                // Dropping the body here closes the connection mid-body.
                if refuse {
                    return Err(TransportError::TooLarge { limit });
                }
                collected.extend_from_slice(&chunk[..limit - collected.len()]);
                break;
            }
            collected.extend_from_slice(&chunk);
        }
        Ok(TransportResponse {
            status: parts.status,
            headers: parts.headers,
            body: collected.freeze(),
        })
    }

    /// The request as hyper sends it, with the headers every request carries, and its time
    /// allowed.
    fn wire(
        &self,
        request: TransportRequest,
    ) -> Result<(Request<Full<Bytes>>, Duration), TransportError> {
        let TransportRequest {
            method,
            url,
            mut headers,
            body,
            timeout,
        } = request;
        let uri: Uri = url
            .as_str()
            .parse()
            .map_err(|_| TransportError::Other("the URL is not a valid request target".into()))?;
        if !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, self.user_agent.clone());
        }
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }
        let mut wire = Request::new(Full::new(body));
        *wire.method_mut() = method;
        *wire.uri_mut() = uri;
        *wire.headers_mut() = headers;
        Ok((wire, timeout))
    }
}

/// What a streamed body's reader keeps between chunks.
struct Reading {
    body: Incoming,
    read: usize,
    limit: usize,
    deadline: Instant,
    ended: bool,
}

impl Reading {
    /// The next chunk; the first error ends the stream.
    async fn next(mut self) -> Option<(Result<Bytes, TransportError>, Self)> {
        if self.ended {
            return None;
        }
        loop {
            let frame = match tokio::time::timeout_at(self.deadline, self.body.frame()).await {
                Ok(None) => return None,
                Ok(Some(Ok(frame))) => frame,
                Ok(Some(Err(error))) => return self.fail(TransportError::Other(describe(&error))),
                Err(_) => return self.fail(TransportError::Timeout),
            };
            let Ok(chunk) = frame.into_data() else {
                continue; // trailers
            };
            self.read += chunk.len();
            if self.read > self.limit {
                // Dropping the body closes the connection mid-body.
                let limit = self.limit;
                return self.fail(TransportError::TooLarge { limit });
            }
            return Some((Ok(chunk), self));
        }
    }

    fn fail(mut self, error: TransportError) -> Option<(Result<Bytes, TransportError>, Self)> {
        self.ended = true;
        Some((Err(error), self))
    }
}

#[async_trait]
impl Transport for HttpClient {
    async fn send(&self, request: TransportRequest) -> Result<TransportResponse, TransportError> {
        let (wire, timeout) = self.wire(request)?;
        // One deadline for connecting, sending and reading the whole body.
        tokio::time::timeout(timeout, self.exchange(wire))
            .await
            .unwrap_or(Err(TransportError::Timeout))
    }

    /// A body past the cap is refused once it passes it, whatever `PastCap` says: only
    /// vendors' answers are streamed.
    async fn send_streamed(
        &self,
        request: TransportRequest,
    ) -> Result<StreamedTransportResponse, TransportError> {
        let (wire, timeout) = self.wire(request)?;
        // The same one deadline, now also over the chunks read after this returns.
        let deadline = Instant::now() + timeout;
        let (parts, body, _) = tokio::time::timeout_at(deadline, self.open(wire))
            .await
            .unwrap_or(Err(TransportError::Timeout))?;
        let reading = Reading {
            body,
            read: 0,
            limit: self.max_body_bytes,
            deadline,
            ended: false,
        };
        Ok(StreamedTransportResponse {
            status: parts.status,
            headers: parts.headers,
            body: Box::pin(futures_util::stream::unfold(reading, Reading::next)),
        })
    }
}

fn classify(error: &hyper_util::client::legacy::Error) -> TransportError {
    let mut source = error.source();
    while let Some(cause) = source {
        if cause.is::<NoPublicAddress>() {
            return TransportError::Blocked(BlockReason::PrivateAddress);
        }
        source = cause.source();
    }
    // hyper's messages carry no URL: the request target is the caller's business, not the
    // log's.
    let detail = describe(error);
    if error.is_connect() {
        TransportError::Connect(detail)
    } else {
        TransportError::Other(detail)
    }
}

fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    detail
}

/// The client over real TLS: a local server with a certificate for `tls.test` from a test
/// authority (`testdata/`, valid to 2126), reached through the guarded resolver.
#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::io;
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use http::{Method, StatusCode};
    use hyper::service::service_fn;
    use hyper_util::rt::TokioIo;
    use hyper_util::server::conn::auto;
    use rustls::ServerConfig;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio::net::TcpListener;
    use tokio_rustls::TlsAcceptor;
    use url::Url;

    use super::*;
    use crate::egress::resolver::{Exemption, Lookup};

    const AUTHORITY: &[u8] = include_bytes!("testdata/ca.pem");
    const CERT: &[u8] = include_bytes!("testdata/leaf.pem");
    const KEY: &[u8] = include_bytes!("testdata/leaf-key.pem");

    /// Every name resolves to the test server, as a rebinding DNS answer would.
    #[derive(Debug)]
    struct To(SocketAddr);

    #[async_trait]
    impl Lookup for To {
        async fn lookup(&self, _host: &str) -> io::Result<Vec<SocketAddr>> {
            Ok(vec![SocketAddr::new(self.0.ip(), 0)])
        }
    }

    struct Server {
        addr: SocketAddr,
        handshakes: Arc<AtomicUsize>,
        requests: Arc<AtomicUsize>,
    }

    /// A TLS server offering `alpn`, answering every request with its HTTP version and the
    /// `user-agent` and `accept` it was sent, then `size` bytes of `x`.
    async fn server(alpn: &[&[u8]], size: usize) -> Server {
        let chain = vec![CertificateDer::from_pem_slice(CERT).unwrap()];
        let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
        let mut config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (done, seen) = (handshakes.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let Ok(tls) = acceptor.accept(stream).await else {
                    continue;
                };
                done.fetch_add(1, Ordering::SeqCst);
                let seen = seen.clone();
                let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                    seen.fetch_add(1, Ordering::SeqCst);
                    let header = |name| {
                        request
                            .headers()
                            .get(name)
                            .and_then(|v: &HeaderValue| v.to_str().ok())
                            .unwrap_or("-")
                            .to_owned()
                    };
                    let mut text = format!(
                        "{:?} {} {}\n",
                        request.version(),
                        header(USER_AGENT),
                        header(ACCEPT)
                    );
                    text.push_str(&"x".repeat(size));
                    async move { Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from(text)))) }
                });
                tokio::spawn(async move {
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Server {
            addr,
            handshakes,
            requests,
        }
    }

    fn authority() -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(AUTHORITY).unwrap())
            .unwrap();
        roots
    }

    /// A client trusting the test authority, reading 1 KiB of a body, whose resolver sends
    /// every name to `server`, with `exempt` let past the public-address policy.
    fn client(server: &Server, exempt: Option<&str>, past_cap: PastCap) -> HttpClient {
        let resolver = GuardedResolver::new(
            Arc::new(To(server.addr)),
            exempt.map(Exemption::any_address),
        );
        let config = UpstreamConfig::default();
        HttpClient::with_roots(&config, resolver, 1024, past_cap, authority()).unwrap()
    }

    /// The client for `tls.test`, the name the certificate names.
    fn trusting(server: &Server) -> HttpClient {
        client(server, Some("tls.test"), PastCap::Refuse)
    }

    fn refused_for_its_certificate(err: &TransportError) -> bool {
        matches!(err, TransportError::Connect(d) if d.contains("certificate"))
    }

    fn get(server: &Server, host: &str) -> TransportRequest {
        TransportRequest {
            method: Method::GET,
            url: Url::parse(&format!(
                "https://{host}:{}/api/v2/tickets",
                server.addr.port()
            ))
            .unwrap(),
            headers: http::HeaderMap::new(),
            body: Bytes::new(),
            timeout: Duration::from_secs(5),
        }
    }

    fn text(response: &TransportResponse) -> &str {
        std::str::from_utf8(&response.body).unwrap()
    }

    #[tokio::test]
    async fn speaks_http2_over_tls_to_a_name_the_certificate_names() {
        let server = server(&[b"h2", b"http/1.1"], 3).await;
        let client = trusting(&server);
        let response = client.send(get(&server, "tls.test")).await.unwrap();
        assert_eq!(response.status, StatusCode::OK);
        let agent = concat!("deskgate/", env!("CARGO_PKG_VERSION"));
        assert_eq!(text(&response), format!("HTTP/2.0 {agent} */*\nxxx"));
        // The pool keeps the connection: a second call makes no second handshake.
        client.send(get(&server, "tls.test")).await.unwrap();
        assert_eq!(server.handshakes.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn falls_back_to_http1_where_the_server_offers_only_that() {
        let server = server(&[b"http/1.1"], 0).await;
        let client = trusting(&server);
        let response = client.send(get(&server, "tls.test")).await.unwrap();
        assert!(
            text(&response).starts_with("HTTP/1.1 deskgate/"),
            "{}",
            text(&response)
        );
    }

    #[tokio::test]
    async fn refuses_a_certificate_for_another_name_or_from_an_unknown_authority() {
        let server = server(&[b"h2", b"http/1.1"], 0).await;
        let other = client(&server, Some("other.test"), PastCap::Refuse);
        let err = other.send(get(&server, "other.test")).await.unwrap_err();
        assert!(refused_for_its_certificate(&err), "{err:?}");
        // The production roots: the web PKI does not know the test authority.
        let resolver = GuardedResolver::new(
            Arc::new(To(server.addr)),
            Some(Exemption::any_address("tls.test")),
        );
        let public = HttpClient::new(&UpstreamConfig::default(), resolver).unwrap();
        let err = public.send(get(&server, "tls.test")).await.unwrap_err();
        assert!(refused_for_its_certificate(&err), "{err:?}");
        assert_eq!(server.requests.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_never_dialled() {
        let server = server(&[b"h2", b"http/1.1"], 0).await;
        let client = client(&server, None, PastCap::Refuse);
        let err = client.send(get(&server, "tls.test")).await.unwrap_err();
        assert!(
            matches!(err, TransportError::Blocked(BlockReason::PrivateAddress)),
            "{err:?}"
        );
        assert_eq!(server.handshakes.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_streamed_body_reads_as_the_whole_one_and_its_cap_holds() {
        use futures_util::StreamExt;

        let small = server(&[b"h2", b"http/1.1"], 500).await;
        let client = trusting(&small);
        let whole = client.send(get(&small, "tls.test")).await.unwrap();
        let streamed = client.send_streamed(get(&small, "tls.test")).await.unwrap();
        assert_eq!(streamed.status, StatusCode::OK);
        let mut read = Vec::new();
        let mut body = streamed.body;
        while let Some(chunk) = body.next().await {
            read.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(read, whole.body);
        // Past the cap, refused as soon as the declared length says so.
        let large = server(&[b"h2", b"http/1.1"], 4096).await;
        let err = trusting(&large)
            .send_streamed(get(&large, "tls.test"))
            .await
            .unwrap_err();
        assert!(
            matches!(err, TransportError::TooLarge { limit: 1024 }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn a_body_past_the_cap_is_refused_or_cut() {
        let server = server(&[b"h2", b"http/1.1"], 4096).await;
        let refusing = trusting(&server);
        let err = refusing.send(get(&server, "tls.test")).await.unwrap_err();
        assert!(
            matches!(err, TransportError::TooLarge { limit: 1024 }),
            "{err:?}"
        );
        let cutting = client(&server, Some("tls.test"), PastCap::Cut);
        let response = cutting.send(get(&server, "tls.test")).await.unwrap();
        assert_eq!(response.body.len(), 1024);
    }
}
