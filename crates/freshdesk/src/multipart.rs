//! A `multipart/form-data` encoder (RFC 7578), for Freshdesk's attachment uploads: text
//! parts and file parts, with a random boundary. Hand-written because it is small and the
//! engine only needs the bytes and their content type.

use bytes::{BufMut, Bytes, BytesMut};
use http::HeaderValue;

/// A form being written.
#[derive(Debug)]
pub(crate) struct Multipart {
    boundary: String,
    body: BytesMut,
}

/// A part name or file name as a quoted-string, escaped as browsers do (WHATWG's form
/// encoding): `"`, CR and LF are percent-encoded; other control characters are dropped, so
/// nothing can end the header early.
fn quoted(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Multipart {
    /// A form with a boundary of 32 random hex digits, which a part's bytes are
    /// vanishingly unlikely to contain.
    pub(crate) fn new() -> Self {
        Self::with_boundary(format!("deskgate-{:032x}", rand::random::<u128>()))
    }

    fn with_boundary(boundary: String) -> Self {
        Self {
            boundary,
            body: BytesMut::new(),
        }
    }

    fn head(&mut self, disposition: &str, content_type: Option<&str>) {
        self.body.put_slice(b"--");
        self.body.put_slice(self.boundary.as_bytes());
        self.body.put_slice(b"\r\nContent-Disposition: form-data; ");
        self.body.put_slice(disposition.as_bytes());
        if let Some(content_type) = content_type {
            self.body.put_slice(b"\r\nContent-Type: ");
            self.body.put_slice(content_type.as_bytes());
        }
        self.body.put_slice(b"\r\n\r\n");
    }

    /// A text field.
    pub(crate) fn text(&mut self, name: &str, value: &str) {
        self.head(&format!("name={}", quoted(name)), None);
        self.body.put_slice(value.as_bytes());
        self.body.put_slice(b"\r\n");
    }

    /// A file field. `content_type` has been checked as a header value by the caller.
    pub(crate) fn file(&mut self, name: &str, file_name: &str, content_type: &str, content: &[u8]) {
        let disposition = format!("name={}; filename={}", quoted(name), quoted(file_name));
        self.head(&disposition, Some(content_type));
        self.body.put_slice(content);
        self.body.put_slice(b"\r\n");
    }

    /// The `Content-Type` header (with the boundary) and the body.
    pub(crate) fn finish(mut self) -> (HeaderValue, Bytes) {
        self.body.put_slice(b"--");
        self.body.put_slice(self.boundary.as_bytes());
        self.body.put_slice(b"--\r\n");
        let content_type = format!("multipart/form-data; boundary={}", self.boundary);
        // The boundary is ASCII letters, digits and hyphens, always a valid header value.
        let header = HeaderValue::from_str(&content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("multipart/form-data"));
        (header, self.body.freeze())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parts_are_framed_by_the_boundary_exactly() {
        let mut form = Multipart::with_boundary("XyZ".into());
        form.text("body", "hello");
        form.text("private", "true");
        form.file("attachments[]", "a.txt", "text/plain", b"one\r\ntwo");
        let (content_type, body) = form.finish();
        assert_eq!(content_type, "multipart/form-data; boundary=XyZ");
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "--XyZ\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhello\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"private\"\r\n\r\ntrue\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"attachments[]\"; filename=\"a.txt\"\r\n\
             Content-Type: text/plain\r\n\r\none\r\ntwo\r\n--XyZ--\r\n"
        );
    }

    #[test]
    fn file_names_cannot_break_out_of_their_header() {
        let mut form = Multipart::with_boundary("b".into());
        form.file(
            "attachments[]",
            "evil\"\r\nX-Injected: 1\\.txt",
            "text/plain",
            b"",
        );
        let (_, body) = form.finish();
        let text = std::str::from_utf8(&body).unwrap();
        assert!(
            text.contains("filename=\"evil%22%0D%0AX-Injected: 1\\.txt\""),
            "{text}"
        );
        assert!(!text.contains("\r\nX-Injected"));
    }

    #[test]
    fn each_form_gets_its_own_random_boundary() {
        let (a, _) = Multipart::new().finish();
        let (b, _) = Multipart::new().finish();
        assert_ne!(a, b);
        let a = a.to_str().unwrap();
        assert!(a.starts_with("multipart/form-data; boundary=deskgate-"));
        assert_eq!(
            a.len(),
            "multipart/form-data; boundary=deskgate-".len() + 32
        );
    }

    #[test]
    fn binary_content_is_carried_unchanged() {
        let bytes: Vec<u8> = (0..=255).collect();
        let mut form = Multipart::with_boundary("q".into());
        form.file("attachments[]", "b.bin", "application/octet-stream", &bytes);
        let (_, body) = form.finish();
        let start = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(&body[start..start + 256], bytes.as_slice());
    }
}
