use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::TeamId;

/// A group of agents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_data: Option<serde_json::Value>,
}

/// A ticket tag. Tags are identified by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tag {
    pub name: String,
}

/// A change to one ticket's tags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TagChange {
    /// Replace the ticket's tags with these.
    Set(Vec<String>),
    /// Add these to the ticket's tags.
    Add(Vec<String>),
    /// Remove these from the ticket's tags.
    Remove(Vec<String>),
}
