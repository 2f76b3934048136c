//! The closed set of helpdesks deskgate connects to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Zendesk,
    Freshdesk,
    Intercom,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Zendesk, Provider::Freshdesk, Provider::Intercom];

    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Zendesk => "zendesk",
            Provider::Freshdesk => "freshdesk",
            Provider::Intercom => "intercom",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a provider name that is not one of [`Provider::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown provider `{0}`: expected one of zendesk, freshdesk, intercom")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

impl TryFrom<String> for Provider {
    type Error = UnknownProvider;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_round_trip_through_str_and_json() {
        for p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>().unwrap(), p);
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
        assert!("Zendesk".parse::<Provider>().is_err());
    }
}
