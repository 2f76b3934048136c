//! [`VendorClient`]: the one request path of a connector. It builds requests on the
//! vendor's fixed origin under the account's rate budget, authorizes them, sends them
//! through the outbound engine and turns every failure into a [`ConnectorError`] through the
//! connector's [`CallPolicy`]. Passthrough calls go the same way.

use std::fmt;
use std::sync::Arc;

use deskgate_core::{
    ByteStream, ConnectorError, InputPart, PagePart, PageStream, PassthroughRequest,
    PassthroughResponse, VendorCursor,
};
use deskgate_upstream::{
    BudgetKey, StreamedResponse, Upstream, UpstreamBody, UpstreamError, UpstreamRequest,
    UpstreamResponse, VendorOrigin,
};
use futures_util::StreamExt;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::array_reader::ArrayReader;
use crate::endpoint::Endpoint;
use crate::vendor_error::from_upstream;

type Result<T> = std::result::Result<T, ConnectorError>;

/// What differs per connector on the call path: how a request is authorized and how a
/// non-success answer reads.
pub trait CallPolicy: Send + Sync + fmt::Debug {
    /// Adds the credentials (as secrets the engine sends as sensitive headers).
    fn authorize(&self, request: UpstreamRequest) -> UpstreamRequest;

    /// The error for a non-success answer.
    fn refused(&self, response: &UpstreamResponse) -> ConnectorError;

    /// The hint for a 401 seen through passthrough.
    fn unauthorized_hint(&self) -> String;
}

/// One vendor account, reached with one connection's credentials.
#[derive(Clone)]
pub struct VendorClient {
    vendor: &'static str,
    upstream: Upstream,
    origin: VendorOrigin,
    budget: BudgetKey,
    connection_id: String,
    policy: Arc<dyn CallPolicy>,
}

/// The caller's path made a request the engine refuses (only a passthrough path can: the
/// connectors check the ids they put in paths).
fn refused_path(e: impl fmt::Display) -> ConnectorError {
    ConnectorError::refused(InputPart::Path, "path", e.to_string())
}

/// An answer that could not be read.
pub fn bad_response(detail: impl Into<String>) -> ConnectorError {
    ConnectorError::BadResponse {
        detail: detail.into(),
    }
}

/// Reads a vendor's JSON: the bytes are checked to be UTF-8 once, in bulk, and parsed as
/// text, so that serde does not check every string again (see [`ArrayReader`]).
///
/// [`ArrayReader`]: crate::ArrayReader
pub fn from_json<T: DeserializeOwned>(body: &[u8]) -> std::result::Result<T, String> {
    let text = std::str::from_utf8(body)
        .map_err(|e| format!("the answer is not UTF-8 at byte {}", e.valid_up_to()))?;
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// What a vendor's body that fails while it is read becomes. A body error is never a
/// status: the status was read before it.
fn body_broke_off(vendor: &str, error: UpstreamError) -> ConnectorError {
    from_upstream(vendor, error, |_| bad_response("the answer broke off"))
}

impl VendorClient {
    pub fn new(
        vendor: &'static str,
        upstream: Upstream,
        origin: VendorOrigin,
        budget: BudgetKey,
        policy: Arc<dyn CallPolicy>,
    ) -> Self {
        Self {
            vendor,
            upstream,
            origin,
            budget,
            connection_id: String::new(),
            policy,
        }
    }

    /// The connection id logged with every call.
    #[must_use]
    pub fn with_connection_id(mut self, id: impl Into<String>) -> Self {
        self.connection_id = id.into();
        self
    }

    pub fn connection_id(&self) -> &str {
        &self.connection_id
    }

    pub fn upstream(&self) -> &Upstream {
        &self.upstream
    }

    pub fn vendor(&self) -> &'static str {
        self.vendor
    }

    /// An authorized request for `path`, logged as `template`.
    pub fn request_path(
        &self,
        method: Method,
        path: &str,
        template: &'static str,
    ) -> Result<UpstreamRequest> {
        let request = UpstreamRequest::new(method, &self.origin, path, self.budget.clone())
            .map_err(refused_path)?
            .path_template(template)
            .connection_id(self.connection_id.clone());
        Ok(self.policy.authorize(request))
    }

    /// An authorized request for `endpoint` with its placeholders filled by `ids` (which
    /// the connector has checked).
    pub fn request(
        &self,
        method: Method,
        endpoint: Endpoint,
        ids: &[&str],
    ) -> Result<UpstreamRequest> {
        self.request_path(method, &endpoint.path(ids), endpoint.template())
    }

    /// Sends; any non-success answer becomes an error.
    pub async fn send(&self, request: UpstreamRequest) -> Result<UpstreamResponse> {
        let response = self
            .upstream
            .send(request)
            .await
            .map_err(|e| from_upstream(self.vendor, e, |r| self.policy.refused(r)))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.policy.refused(&response))
        }
    }

    /// Sends and reads the answer as `T`.
    pub async fn send_json<T: DeserializeOwned>(&self, request: UpstreamRequest) -> Result<T> {
        let response = self.send(request).await?;
        self.read(&response)
    }

    /// Sends; a success answer comes back once its head has, its body still to be read
    /// ([`stream_page`](Self::stream_page)); any other is read whole and becomes an error.
    pub async fn send_streamed(&self, request: UpstreamRequest) -> Result<StreamedResponse> {
        let vendor_error = |e| from_upstream(self.vendor, e, |r| self.policy.refused(r));
        let response = self
            .upstream
            .send_streamed(request)
            .await
            .map_err(vendor_error)?;
        if response.status().is_success() {
            return Ok(response);
        }
        let whole = response.collect().await.map_err(vendor_error)?;
        Err(self.policy.refused(&whole))
    }

    /// The records of a success answer from [`send_streamed`](Self::send_streamed), mapped
    /// and handed over as the body arrives, then the next page's cursor. A body that breaks,
    /// passes the cap or the deadline, or stops parsing ends the stream with an error.
    pub fn stream_page<P: PageReader>(
        &self,
        response: StreamedResponse,
        page: P,
    ) -> PageStream<P::Item> {
        let (_, headers, body) = response.into_parts();
        let reading = Reading {
            vendor: self.vendor,
            body,
            body_ended: false,
            reader: Some(ArrayReader::new(page.key())),
            page,
            headers,
            left: Vec::new().into_iter(),
            next: None,
            done: false,
        };
        PageStream::new(futures_util::stream::unfold(reading, Reading::next))
    }

    /// Reads a success answer's body as `T`.
    pub fn read<T: DeserializeOwned>(&self, response: &UpstreamResponse) -> Result<T> {
        from_json(response.body()).map_err(|e| unreadable(self.vendor, &e))
    }

    /// Encodes a JSON request body.
    pub fn json<T: serde::Serialize>(
        &self,
        request: UpstreamRequest,
        body: &T,
    ) -> Result<UpstreamRequest> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| bad_response(format!("the request could not be encoded: {e}")))?;
        Ok(request.json_body(bytes))
    }

    /// A raw call under `root` (e.g. `/api/v2/`; other roots, such as OAuth's, are refused).
    /// Only `Content-Type` and `Accept` are forwarded; the client adds authentication. Any
    /// status comes back as it is, except a 401: the credentials are deskgate's, not the
    /// caller's, so it means the connection needs a person to reconnect it. It returns once
    /// the answer's head has arrived; the body follows as it is read, under the engine's
    /// cap and deadline, and a body that breaks off ends with an error.
    pub async fn passthrough(
        &self,
        req: PassthroughRequest,
        root: &'static str,
        template: &'static str,
    ) -> Result<PassthroughResponse> {
        let path = format!("/{}", req.path.trim_start_matches('/'));
        if !path.starts_with(root) {
            return Err(ConnectorError::refused(
                InputPart::Path,
                "path",
                format!("must start with {}", &root[1..]),
            ));
        }
        let mut request = self.request_path(req.method, &path, template)?;
        if let Some(query) = req.query.as_deref() {
            request = request
                .raw_query(query)
                .map_err(|e| ConnectorError::refused(InputPart::Query, "query", e.to_string()))?;
        }
        // The caller's `Accept` replaces one the call policy may have set.
        if let Some(accept) = req.headers.get(ACCEPT).filter(|v| v.to_str().is_ok()) {
            request = request.fixed_header(ACCEPT, accept.clone());
        }
        if !req.body.is_empty() {
            let content_type = req
                .headers
                .get(CONTENT_TYPE)
                .cloned()
                .unwrap_or_else(|| HeaderValue::from_static("application/json"));
            request = request.body(content_type, req.body);
        }
        let response = self
            .upstream
            .send_streamed(request)
            .await
            .map_err(|e| from_upstream(self.vendor, e, |r| self.policy.refused(r)))?;
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(ConnectorError::Unauthorized {
                hint: self.policy.unauthorized_hint(),
            });
        }
        let (status, vendor_headers, body) = response.into_parts();
        let mut headers = HeaderMap::new();
        for name in [CONTENT_TYPE, RETRY_AFTER] {
            if let Some(value) = vendor_headers.get(&name) {
                headers.insert(name, value.clone());
            }
        }
        let declared = vendor_headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        let vendor = self.vendor;
        let body = body.map(move |chunk| chunk.map_err(|e| body_broke_off(vendor, e)));
        Ok(PassthroughResponse {
            status: status.as_u16(),
            headers,
            body: ByteStream::new(body, declared),
        })
    }
}

/// How a streamed list reads its vendor's page: where its records are, what each becomes,
/// and where the next page starts. One value reads one page.
pub trait PageReader: Send + 'static {
    /// A record as the vendor sends it.
    type Record: DeserializeOwned + Send;
    type Item: Send + 'static;

    /// The key of the records' array in the answer's object; `None` when the answer is the
    /// array ([`ArrayReader`]).
    fn key(&self) -> Option<&'static str>;

    /// One record, in the vendor's order: the item it becomes, or `None` when the list
    /// leaves it out.
    fn record(&mut self, record: Self::Record) -> Result<Option<Self::Item>>;

    /// Reads the rest of the answer (without the records already handed to
    /// [`record`](Self::record)) with the answer's headers: the records the rest still holds
    /// (when the array was not where expected; they go to `record` next), and the next
    /// page's cursor.
    fn end(
        &mut self,
        rest: &[u8],
        headers: &HeaderMap,
    ) -> Result<(Vec<Self::Record>, Option<VendorCursor>)>;
}

fn unreadable(vendor: &str, e: &str) -> ConnectorError {
    bad_response(format!("{vendor}'s answer could not be read: {e}"))
}

/// A streamed page between two records.
struct Reading<P: PageReader> {
    vendor: &'static str,
    body: UpstreamBody,
    body_ended: bool,
    /// Taken when the body has ended and the rest is read.
    reader: Option<ArrayReader>,
    page: P,
    headers: HeaderMap,
    /// Records found in the rest, still to hand over.
    left: std::vec::IntoIter<P::Record>,
    /// Set once the rest is read: the cursor `End` carries.
    next: Option<Option<VendorCursor>>,
    done: bool,
}

impl<P: PageReader> Reading<P> {
    async fn next(mut self) -> Option<(Result<PagePart<P::Item>>, Self)> {
        if self.done {
            return None;
        }
        let part = self.advance().await;
        if !matches!(part, Ok(PagePart::Item(_))) {
            self.done = true;
        }
        Some((part, self))
    }

    async fn advance(&mut self) -> Result<PagePart<P::Item>> {
        loop {
            if let Some(record) = self.left.next() {
                match self.page.record(record)? {
                    Some(item) => return Ok(PagePart::Item(item)),
                    None => continue,
                }
            }
            if let Some(next) = self.next.take() {
                return Ok(PagePart::End { next });
            }
            let Some(reader) = self.reader.as_mut() else {
                return Err(bad_response("the page was already read"));
            };
            let vendor = self.vendor;
            if let Some(record) = reader
                .next_record::<P::Record>()
                .map_err(|e| unreadable(vendor, &e))?
            {
                match self.page.record(record)? {
                    Some(item) => return Ok(PagePart::Item(item)),
                    None => continue,
                }
            }
            if self.body_ended {
                // `reader` is gone from here on: the next call only drains `left`.
                let rest = self
                    .reader
                    .take()
                    .map(ArrayReader::into_rest)
                    .transpose()
                    .map_err(|e| self.unreadable(&e))?
                    .unwrap_or_default();
                let (left, next) = self.page.end(&rest, &self.headers)?;
                self.left = left.into_iter();
                self.next = Some(next);
                continue;
            }
            match self.body.next().await {
                Some(Ok(chunk)) => reader.push(&chunk),
                Some(Err(e)) => return Err(body_broke_off(self.vendor, e)),
                None => {
                    reader.end();
                    self.body_ended = true;
                }
            }
        }
    }

    fn unreadable(&self, e: &str) -> ConnectorError {
        unreadable(self.vendor, e)
    }
}

impl fmt::Debug for VendorClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorClient")
            .field("vendor", &self.vendor)
            .field("origin", &self.origin)
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}
