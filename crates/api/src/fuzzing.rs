//! Entry points for the fuzz targets in `fuzz/` only, not part of the API: the passthrough
//! checks, and the JSON and query extractors run on every body and query type the routes
//! take.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, Uri};
use deskgate_core::model::{NewTicket, TagChange, TicketPatch};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ApiError;
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::{
    api_keys, comments, connect_sessions, connections, directory, events, passthrough, settings,
    syncs, tickets, webhook_endpoints,
};

/// The passthrough route's method check, then its path and query checks.
pub fn passthrough(method: &Method, path: &str, query: Option<&str>) -> Result<(), ApiError> {
    passthrough::check_method(method)?;
    passthrough::check_path(path)?;
    query.map_or(Ok(()), passthrough::check_query)
}

async fn body<T: DeserializeOwned>(
    content_type: Option<&HeaderValue>,
    bytes: &[u8],
) -> Result<(), ApiError> {
    let mut request = Request::new(Body::from(bytes.to_vec()));
    *request.method_mut() = Method::POST;
    if let Some(value) = content_type {
        request.headers_mut().insert(CONTENT_TYPE, value.clone());
    }
    ValidJson::<T>::from_request(request, &()).await.map(drop)
}

/// Runs [`ValidJson`] on a request with this `Content-Type` and body, once for each body
/// type the routes take; one result per type.
pub async fn json_bodies(
    content_type: Option<&HeaderValue>,
    bytes: &[u8],
) -> Vec<Result<(), ApiError>> {
    vec![
        body::<NewTicket>(content_type, bytes).await,
        body::<TicketPatch>(content_type, bytes).await,
        body::<TagChange>(content_type, bytes).await,
        body::<Map<String, Value>>(content_type, bytes).await,
        body::<api_keys::CreateApiKey>(content_type, bytes).await,
        body::<connect_sessions::CreateSession>(content_type, bytes).await,
        body::<settings::ReturnUrls>(content_type, bytes).await,
        body::<syncs::SyncDefaultsBody>(content_type, bytes).await,
        body::<syncs::SyncPatch>(content_type, bytes).await,
        body::<webhook_endpoints::CreateWebhookEndpoint>(content_type, bytes).await,
        body::<webhook_endpoints::UpdateWebhookEndpoint>(content_type, bytes).await,
        body::<webhook_endpoints::ResendRange>(content_type, bytes).await,
    ]
}

async fn query<T: DeserializeOwned>(uri: &Uri) -> Result<(), ApiError> {
    let (mut parts, ()) = Request::builder()
        .uri(uri.clone())
        .body(())
        .map_err(|e| ApiError::internal(e.to_string()))?
        .into_parts();
    ValidQuery::<T>::from_request_parts(&mut parts, &())
        .await
        .map(drop)
}

/// Runs [`ValidQuery`] on a request for this URI, once for each query type the routes take;
/// one result per type.
pub async fn queries(uri: &Uri) -> Vec<Result<(), ApiError>> {
    vec![
        query::<tickets::ListParams>(uri).await,
        query::<tickets::GetParams>(uri).await,
        query::<comments::ListParams>(uri).await,
        query::<directory::UserParams>(uri).await,
        query::<directory::ContactParams>(uri).await,
        query::<directory::PlainParams>(uri).await,
        query::<events::EventParams>(uri).await,
        query::<api_keys::ListParams>(uri).await,
        query::<connect_sessions::ListParams>(uri).await,
        query::<connections::ListParams>(uri).await,
        query::<webhook_endpoints::ListParams>(uri).await,
        query::<webhook_endpoints::AttemptParams>(uri).await,
    ]
}
