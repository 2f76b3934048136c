//! A DNS lookup answering every name with fixed addresses, like a hostile or rebinding DNS
//! server, or a test's own `localhost`; it counts what it was asked.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use deskgate_upstream::Lookup;

#[derive(Debug)]
pub(crate) struct HostileDns {
    answers: Vec<SocketAddr>,
    asked: AtomicUsize,
}

impl HostileDns {
    pub(crate) fn new(answers: Vec<SocketAddr>) -> Arc<Self> {
        Arc::new(Self {
            answers,
            asked: AtomicUsize::new(0),
        })
    }

    /// How many lookups it answered.
    pub(crate) fn asked(&self) -> usize {
        self.asked.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Lookup for HostileDns {
    async fn lookup(&self, _host: &str) -> io::Result<Vec<SocketAddr>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Ok(self.answers.clone())
    }
}
