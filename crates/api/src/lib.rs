//! deskgate-api
