pub(crate) mod fake;
pub(crate) mod freshdesk;
pub(crate) mod quota;
pub(crate) mod server;
