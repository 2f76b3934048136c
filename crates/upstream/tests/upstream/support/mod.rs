pub(crate) mod fake;
pub(crate) mod freshdesk;
pub(crate) mod server;
