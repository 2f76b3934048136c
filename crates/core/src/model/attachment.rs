use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::AttachmentId;

/// A file on a comment. `url` is the vendor's download link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub id: AttachmentId,
    pub file_name: String,
    pub content_type: Option<String>,
    pub size: Option<u64>,
    pub url: Option<String>,
}
