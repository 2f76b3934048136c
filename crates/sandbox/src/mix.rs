//! The sandbox's one pseudo-random step (SplitMix64): seeded data and the fault sequence
//! are pure functions of it, so runs repeat.

pub(crate) fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Picks an element of a non-empty list by a hash.
pub(crate) fn pick<T: Copy>(list: &[T], h: u64) -> T {
    list[(h % list.len() as u64) as usize]
}
