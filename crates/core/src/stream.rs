//! [`PageStream`]: a page whose records are handed over as the vendor's answer is read, so
//! that the first records can be answered before the last arrive; [`ByteStream`]: a raw
//! answer's body, handed on as it arrives.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::connector::ConnectorError;
use crate::page::{Page, VendorCursor};

/// One part of a streamed page.
#[derive(Clone, Debug, PartialEq)]
pub enum PagePart<T> {
    Item(T),
    /// The last part of a page that was read to its end: where the next page starts.
    End {
        next: Option<VendorCursor>,
    },
}

/// Records in order, then [`PagePart::End`]. An error ends it early and nothing follows;
/// a stream that stops without `End` was cut short and is an error too, however its reader
/// learns it. Never a partial page passed off as whole.
pub struct PageStream<T> {
    inner: Pin<Box<dyn Stream<Item = Result<PagePart<T>, ConnectorError>> + Send>>,
}

impl<T> PageStream<T> {
    pub fn new(
        inner: impl Stream<Item = Result<PagePart<T>, ConnectorError>> + Send + 'static,
    ) -> Self {
        Self {
            inner: Box::pin(inner),
        }
    }
}

impl<T> PageStream<T> {
    /// Reads the whole page: for callers that want it at once.
    pub async fn into_page(mut self) -> Result<Page<T>, ConnectorError> {
        let mut items = Vec::new();
        while let Some(part) = futures_util::StreamExt::next(&mut self).await {
            match part? {
                PagePart::Item(item) => items.push(item),
                PagePart::End { next } => return Ok(Page { items, next }),
            }
        }
        Err(ConnectorError::BadResponse {
            detail: "the page ended before its end".into(),
        })
    }
}

impl<T: Send + 'static> From<Page<T>> for PageStream<T> {
    /// A page already read whole, handed over record by record.
    fn from(page: Page<T>) -> Self {
        let end = PagePart::End { next: page.next };
        let parts = page
            .items
            .into_iter()
            .map(PagePart::Item)
            .chain(std::iter::once(end))
            .map(Ok);
        Self::new(futures_util::stream::iter(parts))
    }
}

impl<T> Stream for PageStream<T> {
    type Item = Result<PagePart<T>, ConnectorError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream").finish_non_exhaustive()
    }
}

/// A raw body in chunks as it arrives, with the length its sender declared, if any. An error
/// ends it early and nothing follows: the body is then cut short, however its reader learns
/// it.
pub struct ByteStream {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, ConnectorError>> + Send>>,
    len: Option<u64>,
}

impl ByteStream {
    /// `len` is the length declared for the whole body (a `Content-Length`), if any.
    pub fn new(
        inner: impl Stream<Item = Result<Bytes, ConnectorError>> + Send + 'static,
        len: Option<u64>,
    ) -> Self {
        Self {
            inner: Box::pin(inner),
            len,
        }
    }

    /// The length declared for the whole body, if any.
    pub fn declared_len(&self) -> Option<u64> {
        self.len
    }

    /// Reads the whole body: for callers that want it at once.
    pub async fn into_bytes(mut self) -> Result<Bytes, ConnectorError> {
        let mut whole = BytesMut::new();
        while let Some(chunk) = futures_util::StreamExt::next(&mut self).await {
            whole.extend_from_slice(&chunk?);
        }
        Ok(whole.freeze())
    }
}

impl From<Bytes> for ByteStream {
    /// A body already read whole.
    fn from(body: Bytes) -> Self {
        let len = u64::try_from(body.len()).ok();
        let chunks = (!body.is_empty()).then_some(Ok(body));
        Self::new(futures_util::stream::iter(chunks), len)
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, ConnectorError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("declared_len", &self.len)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[test]
    fn a_whole_page_streams_its_items_then_its_cursor() {
        let page = Page {
            items: vec![1, 2],
            next: Some(VendorCursor("c".into())),
        };
        let parts: Vec<_> =
            futures_util::FutureExt::now_or_never(PageStream::from(page).collect::<Vec<_>>())
                .unwrap();
        assert_eq!(
            parts.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            vec![
                PagePart::Item(1),
                PagePart::Item(2),
                PagePart::End {
                    next: Some(VendorCursor("c".into()))
                }
            ]
        );
    }

    #[test]
    fn a_whole_body_streams_as_one_chunk_with_its_length() {
        let body = ByteStream::from(Bytes::from_static(b"{}"));
        assert_eq!(body.declared_len(), Some(2));
        let whole = futures_util::FutureExt::now_or_never(body.into_bytes()).unwrap();
        assert_eq!(whole.unwrap(), Bytes::from_static(b"{}"));
        let empty = ByteStream::from(Bytes::new());
        assert_eq!(empty.declared_len(), Some(0));
        let chunks: Vec<_> =
            futures_util::FutureExt::now_or_never(StreamExt::collect::<Vec<_>>(empty)).unwrap();
        assert!(chunks.is_empty(), "an empty body has no chunk");
    }
}
