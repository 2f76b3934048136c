//! The Zendesk request context: the vendor-neutral [`crate::context::Ctx`] on a Zendesk
//! account.

pub(crate) type Ctx = crate::context::Ctx<super::account::Account>;
