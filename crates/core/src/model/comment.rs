use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{CommentId, TicketId};
use crate::model::Attachment;

/// A message on a ticket: a public reply or a private note.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    pub id: CommentId,
    pub ticket_id: TicketId,
    pub author_id: Option<String>,
    pub author_kind: Option<AuthorKind>,
    /// Plain text.
    pub body: String,
    pub html_body: Option<String>,
    pub public: bool,
    /// `null` when the vendor's record does not say (its own document marks the field
    /// optional).
    #[serde(serialize_with = "crate::timestamp::serialize_opt")]
    pub created_at: Option<DateTime<Utc>>,
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_data: Option<serde_json::Value>,
}

/// Whether a comment's author is an agent (`user`) or an end user (`contact`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    User,
    Contact,
}

/// A comment to add to a ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Plain text; ignored by vendors that take `html_body` when both are given.
    pub body: String,
    #[serde(default)]
    pub html_body: Option<String>,
    /// A public reply (`true`, the default) or a private note (`false`).
    #[serde(default = "default_public")]
    pub public: bool,
    #[serde(default)]
    pub author_id: Option<String>,
    /// Files to attach. Not part of the JSON body: the API layer fills it from the upload
    /// it received, and each connector sends the files the way its vendor takes them.
    #[serde(skip)]
    pub attachments: Vec<NewAttachment>,
}

/// A file to attach to a new comment.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub file_name: String,
    /// A MIME type, e.g. `image/png`.
    pub content_type: String,
    pub content: Bytes,
}

impl std::fmt::Debug for NewAttachment {
    /// The file's bytes are left out: they can be large and may be private.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAttachment")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("size", &self.content.len())
            .finish()
    }
}

fn default_public() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_comment_is_public_unless_said_otherwise() {
        let c: NewComment = serde_json::from_str(r#"{"body":"hi"}"#).unwrap();
        assert!(c.public);
        let c: NewComment = serde_json::from_str(r#"{"body":"hi","public":false}"#).unwrap();
        assert!(!c.public);
    }
}
