pub(crate) mod dns;
pub(crate) mod fake;
pub(crate) mod freshdesk;
pub(crate) mod logs;
pub(crate) mod quota;
pub(crate) mod server;
pub(crate) mod window;
