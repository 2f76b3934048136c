//! Tests of deskgate-vault through its public API, one binary.

mod check_values;
mod fixtures;
mod key_ring;
mod owner_binding;
mod redaction;
mod rotation;
mod round_trip;
mod tamper;
