//! Auth: the bearer policy every call goes through (token, pinned `Intercom-Version`,
//! `Accept`), the account check (`GET /me`), and the OAuth code flow.

mod check;
mod oauth;
mod policy;

pub(crate) use check::{Checked, check};
pub(crate) use oauth::{TOKEN_PATH, authorize_url, exchange_code};
pub(crate) use policy::{INTERCOM_VERSION, RATE_WINDOW, TokenPolicy};
