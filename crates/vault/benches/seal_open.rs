//! Sealing and opening a 200-byte credential, the size of a typical OAuth token pair.

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use deskgate_vault::{AssociatedData, KeyRing, Vault};
use secrecy::SecretString;
use uuid::Uuid;

const CREDENTIAL_LEN: usize = 200;

fn vault() -> Vault {
    let keys = SecretString::from(format!("1:{}", STANDARD.encode([0x5a; 32])));
    Vault::new(KeyRing::from_env(&keys, None, None).expect("benchmark key ring is valid"))
}

fn seal_open(c: &mut Criterion) {
    let vault = vault();
    let owner = AssociatedData::connection_credential(
        Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_000a),
        Uuid::from_u128(0x0198_0000_0000_7000_8000_0000_0000_0c01),
        "oauth_tokens",
    );
    let credential = [0x42u8; CREDENTIAL_LEN];
    let blob = vault.seal(&owner, &credential).expect("sealing succeeds");

    let mut group = c.benchmark_group("vault");
    group.throughput(Throughput::Bytes(CREDENTIAL_LEN as u64));
    group.bench_function("seal_200_bytes", |b| {
        b.iter(|| vault.seal(black_box(&owner), black_box(&credential)));
    });
    group.bench_function("open_200_bytes", |b| {
        b.iter(|| vault.open(black_box(&owner), black_box(&blob)));
    });
    group.finish();
}

criterion_group!(benches, seal_open);
criterion_main!(benches);
