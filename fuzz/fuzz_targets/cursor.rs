//! Cursors: the list cursor a caller sends back (`deskgate_app::cursor::open`) and the
//! connectors' own cursor texts. Arbitrary text must never open (the signature cannot be
//! forged) nor panic; any text sealed as a vendor cursor opens back to itself; a connector
//! cursor that parses writes back to text that parses the same.
#![no_main]

use std::sync::LazyLock;

use deskgate_app::cursor;
use deskgate_core::{ConnectionId, VendorCursor};
use deskgate_vault::{KeyRing, Vault};
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;
use uuid::Uuid;

static VAULT: LazyLock<Vault> = LazyLock::new(|| {
    let keys = SecretString::from("1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".to_owned());
    Vault::new(KeyRing::from_env(&keys, None, None).expect("a valid test key"))
});

/// Longest token `open` reads.
const MAX_TOKEN: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let connection = ConnectionId::from_uuid(Uuid::from_u128(7));
    assert!(
        cursor::open(&VAULT, connection, "tickets", &text).is_err(),
        "an unsigned cursor opened"
    );

    let (scope, vendor) = text.split_once('\n').unwrap_or(("tickets", &text));
    let vendor = VendorCursor(vendor.to_owned());
    let token = cursor::seal(&VAULT, connection, scope, &vendor).expect("sealing works");
    if token.len() <= MAX_TOKEN {
        let opened = cursor::open(&VAULT, connection, scope, &token).ok();
        assert_eq!(
            opened.as_ref(),
            Some(&vendor),
            "a sealed cursor did not open back"
        );
        let other = ConnectionId::from_uuid(Uuid::from_u128(8));
        assert!(cursor::open(&VAULT, other, scope, &token).is_err());
    }

    deskgate_freshdesk::fuzzing::read_cursor(&text);
    deskgate_intercom::fuzzing::read_cursor(&text);
});
