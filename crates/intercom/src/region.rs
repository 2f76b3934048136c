//! [`Region`]: where an Intercom workspace's data lives (`us`, `eu` or `au`), the account
//! field a person picks. Each region has one fixed API host written here; nothing a person
//! types ever becomes a host, so the only hosts this connector reaches are these three.

use std::fmt;

use deskgate_upstream::{OriginError, VendorOrigin};
use serde::{Deserialize, Serialize};

/// The vendor name in budget keys and logs.
pub(crate) const VENDOR: &str = "intercom";

/// An Intercom data-hosting region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// `api.intercom.io`: workspaces hosted in the United States (the default).
    Us,
    /// `api.eu.intercom.io`.
    Eu,
    /// `api.au.intercom.io`.
    Au,
}

/// Why a region was refused; says what is accepted and never repeats more than a little of
/// what was typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionError {
    input: String,
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an intercom region: expected us, eu or au",
            self.input
        )
    }
}

impl std::error::Error for RegionError {}

impl Region {
    pub const ALL: [Region; 3] = [Region::Us, Region::Eu, Region::Au];

    /// Exactly `us`, `eu` or `au`, ignoring surrounding whitespace and case. Hosts, URLs,
    /// paths and anything else are refused.
    pub fn parse(input: &str) -> Result<Self, RegionError> {
        let wanted = input.trim();
        Region::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| RegionError {
                input: input.chars().take(40).collect(),
            })
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Au => "au",
        }
    }

    /// The region's fixed API host.
    pub const fn api_host(self) -> &'static str {
        match self {
            Region::Us => "api.intercom.io",
            Region::Eu => "api.eu.intercom.io",
            Region::Au => "api.au.intercom.io",
        }
    }

    /// `https://{api host}`, the only origin the connector sends to for this region.
    pub fn origin(self) -> Result<VendorOrigin, OriginError> {
        VendorOrigin::fixed(self.api_host())
    }

    /// Where an OAuth code is exchanged: `https://{api host}/auth/eagle/token`.
    pub fn token_url(self) -> String {
        format!("https://{}{}", self.api_host(), crate::auth::TOKEN_PATH)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_three_regions_are_read_trimmed_and_in_any_case() {
        assert_eq!(Region::parse("us").unwrap(), Region::Us);
        assert_eq!(Region::parse("EU ").unwrap(), Region::Eu);
        assert_eq!(Region::parse(" Au\t").unwrap(), Region::Au);
    }

    #[test]
    fn hosts_urls_paths_and_empty_input_are_refused() {
        for hostile in [
            "",
            "   ",
            "us.evil.com",
            "eu/",
            "eu/../x",
            "https://api.eu.intercom.io",
            "api.intercom.io",
            "e u",
            "eu\0",
            "usa",
            "u",
            "ｅｕ",
            "eu.",
            "eu#",
        ] {
            let e = Region::parse(hostile).unwrap_err();
            assert!(
                e.to_string().contains("expected us, eu or au"),
                "{hostile:?}"
            );
        }
    }

    #[test]
    fn each_region_has_its_fixed_host_and_token_url() {
        let table = [
            (Region::Us, "https://api.intercom.io"),
            (Region::Eu, "https://api.eu.intercom.io"),
            (Region::Au, "https://api.au.intercom.io"),
        ];
        for (region, origin) in table {
            assert_eq!(region.origin().unwrap().to_string(), origin);
            assert_eq!(region.token_url(), format!("{origin}/auth/eagle/token"));
        }
    }

    proptest! {
        #[test]
        fn whatever_is_typed_only_a_fixed_host_can_come_out(input in "\\PC{0,20}") {
            if let Ok(region) = Region::parse(&input) {
                prop_assert!(Region::ALL.iter().any(|r| r.api_host() == region.origin().unwrap().host()));
                prop_assert_eq!(input.trim().to_ascii_lowercase(), region.as_str());
            }
        }
    }
}
