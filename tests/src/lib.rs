//! deskgate end-to-end tests
