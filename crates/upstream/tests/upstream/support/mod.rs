pub(crate) mod fake;
pub(crate) mod server;
