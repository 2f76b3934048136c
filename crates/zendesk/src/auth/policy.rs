//! [`ZendeskCalls`]: what the shared call path needs from Zendesk: how a request is
//! authorized with one connection's credentials, and how a refusal reads.

use deskgate_connector::CallPolicy;
use deskgate_core::ConnectorError;
use deskgate_upstream::{UpstreamRequest, UpstreamResponse};

use super::credentials::ZendeskAuth;
use crate::errors::{from_response, unauthorized_hint};
use crate::subdomain::ZendeskSubdomain;

#[derive(Debug)]
pub(crate) struct ZendeskCalls {
    pub(crate) auth: ZendeskAuth,
    pub(crate) subdomain: ZendeskSubdomain,
}

impl CallPolicy for ZendeskCalls {
    fn authorize(&self, request: UpstreamRequest) -> UpstreamRequest {
        self.auth.authorize(request)
    }

    fn refused(&self, response: &UpstreamResponse) -> ConnectorError {
        from_response(response, self.auth.mode(), &self.subdomain)
    }

    fn unauthorized_hint(&self) -> String {
        unauthorized_hint(self.auth.mode())
    }
}
