//! Change events: deskgate finds what changed in each connected helpdesk itself, records it
//! in an ordered log, and the webhooks module delivers it.
//!
//! - [`log`]: events as the tenant reads them (`/v1/events`), recording them with their
//!   deliveries, the retention sweep, and the connection lifecycle events.
//! - [`diff`]: what the sync remembers of a ticket (a hash per normalized field, the newest
//!   comment seen) and how it names what changed.
//! - [`sync`]: one connection's sync (lease, change pages, events and cursor in one
//!   transaction per page) and the background round every replica runs.
//! - [`settings`]: the tenant's default and each connection's own sync settings, and the
//!   connection's vendor-webhook hook (token and signing secret).
//! - [`hooks`]: vendor webhooks in: verified, counted, and turned into "sync now".

pub mod diff;
pub mod hooks;
pub mod log;
pub mod settings;
pub mod sync;

use std::time::Duration;

pub use log::{EventDraft, EventList, EventView, ListEvents};
pub use settings::{SyncConfigChange, SyncDefaults, SyncView};
pub use sync::SyncReport;

/// How change detection and the event log run.
#[derive(Clone, Debug, PartialEq)]
pub struct EventSettings {
    /// A connection syncs when neither it nor its tenant says otherwise.
    pub sync_enabled_by_default: bool,
    /// Time between two syncs of a connection when neither it nor its tenant sets one.
    pub sync_interval: Duration,
    /// The shortest interval a tenant may set.
    pub min_interval: Duration,
    /// The most of an account's rate budget syncs may spend (0 to 1).
    pub sync_share: f64,
    /// How often a replica looks for due syncs.
    pub tick: Duration,
    /// Connections a replica takes per look.
    pub batch: u32,
    /// Syncs one replica runs at once.
    pub concurrency: usize,
    /// How long a sync's lease lasts without being extended (each stored page extends it).
    pub lease: Duration,
    /// Tickets asked for per change page.
    pub page_limit: u32,
    /// Change pages one run reads at most; the rest waits for the next run.
    pub max_pages: u32,
    /// Comment pages read at most per changed ticket.
    pub max_comment_pages: u32,
    /// How long events stay readable in the log.
    pub retention: Duration,
    /// How far before its start a baseline walk begins. A ticket first seen later that was
    /// created after `baseline_at - lookback` cannot have been in the walk, so it is new;
    /// this also absorbs a vendor clock that is behind ours by less than it.
    pub baseline_lookback: Duration,
}

impl Default for EventSettings {
    fn default() -> Self {
        Self {
            sync_enabled_by_default: false,
            sync_interval: Duration::from_secs(60),
            min_interval: Duration::from_secs(5),
            sync_share: 0.2,
            tick: Duration::from_secs(1),
            batch: 50,
            concurrency: 4,
            lease: Duration::from_secs(60),
            page_limit: 100,
            max_pages: 20,
            max_comment_pages: 5,
            retention: Duration::from_secs(7 * 86_400),
            baseline_lookback: Duration::from_secs(600),
        }
    }
}
