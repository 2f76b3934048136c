//! [`Endpoint`]: a vendor route written once, as its template (`/api/v2/tickets/{id}`). The
//! path sent is the template with its placeholders filled; the template is what is logged.

/// A vendor route template with `{…}` placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint(&'static str);

impl Endpoint {
    pub const fn new(template: &'static str) -> Self {
        Self(template)
    }

    /// The template, the only form of the path that is logged.
    pub const fn template(self) -> &'static str {
        self.0
    }

    /// The template with each `{…}` replaced, in order, by `ids` (checked by the connector:
    /// a vendor id, never free text). Missing ids leave the placeholder out.
    pub fn path(self, ids: &[&str]) -> String {
        let mut path = String::with_capacity(self.0.len() + 16);
        let mut ids = ids.iter();
        let mut rest = self.0;
        while let Some(open) = rest.find('{') {
            path.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            if let Some(id) = ids.next() {
                path.push_str(id);
            }
            rest = &rest[close..];
        }
        path.push_str(rest);
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_order() {
        let e = Endpoint::new("/api/v2/tickets/{id}/comments/{comment_id}");
        assert_eq!(e.path(&["12", "34"]), "/api/v2/tickets/12/comments/34");
        assert_eq!(
            Endpoint::new("/api/v2/tickets").path(&[]),
            "/api/v2/tickets"
        );
        assert_eq!(e.template(), "/api/v2/tickets/{id}/comments/{comment_id}");
    }
}
