//! The Freshdesk request context: the vendor-neutral [`crate::context::Ctx`] on a Freshdesk
//! account.

pub(crate) type Ctx = crate::context::Ctx<super::account::Account>;
