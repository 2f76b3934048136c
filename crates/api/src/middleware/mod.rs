//! Middleware: request ids, tracing spans, metrics, inbound rate limits, logging of internal
//! errors, idempotent writes, the count of requests in flight.

pub(crate) mod frame;
pub(crate) mod idempotency;
pub(crate) mod internal_errors;
pub(crate) mod limits;
pub(crate) mod metrics;
pub(crate) mod request_id;
