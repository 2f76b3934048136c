//! Capturing what the engine logs, as JSON lines, to look for fields and for leaks.

use std::io;
use std::sync::{Arc, Mutex, Once};

use serde_json::Value;
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, span};

#[derive(Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// The events logged with `target`, as JSON.
    pub(crate) fn events(&self, target: &str) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|event| event["target"] == target)
            .collect()
    }
}

/// A global subscriber that records nothing but keeps every callsite's interest at
/// "sometimes". Without it, a test on another thread that reaches the request event first,
/// with no subscriber of its own, caches the callsite as never interested for the whole
/// process, and a capture started later sees no event (a flake under parallel tests).
struct KeepCallsitesAsking;

impl tracing::Subscriber for KeepCallsitesAsking {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }

    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}

    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &span::Id) {}

    fn exit(&self, _: &span::Id) {}
}

/// Captures every event of this thread at trace level, as JSON lines, until the guard drops.
pub(crate) fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    static KEEP_ASKING: Once = Once::new();
    KEEP_ASKING.call_once(|| {
        tracing::subscriber::set_global_default(KeepCallsitesAsking).unwrap();
        tracing::callsite::rebuild_interest_cache();
    });
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}
