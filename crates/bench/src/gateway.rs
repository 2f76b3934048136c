//! The gateway a driver calls, as every driver takes it on the command line:
//! `--gateway URL --api-key KEY`.

use reqwest::{Client, Method, RequestBuilder};

#[derive(Clone, Debug, clap::Args)]
pub(crate) struct Gateway {
    /// The gateway's base URL.
    #[arg(long = "gateway")]
    base: String,
    /// The bench tenant's API key.
    #[arg(long)]
    api_key: String,
}

impl Gateway {
    /// A request to `path` (`/v1/…`) as the bench tenant.
    pub(crate) fn request(&self, client: &Client, method: Method, path: &str) -> RequestBuilder {
        client
            .request(method, format!("{}{path}", self.base.trim_end_matches('/')))
            .bearer_auth(&self.api_key)
    }
}
