//! The text of the positions connectors hand out (list cursors a caller sends back, change
//! cursors the sync stores): a version tag, then fields joined by `.` — whole seconds,
//! numbers, one-letter words, watermarks and, last, a vendor's own opaque cursor. Never a URL.
//!
//! [`CursorText`] writes one; [`CursorFields`] reads one back, refusing anything that is not
//! exactly what was written. [`fitted`] keeps a text short by shedding the ids of its
//! watermarks (which may answer those records again, never skip them).

use std::fmt::Display;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use deskgate_core::{ChangeCursor, ConnectorError, VendorCursor};

use crate::filters::check_cursor;

use crate::round::Feed;
use crate::watermark::Watermark;

/// Longest text written while ids can still be shed: list cursors come back through the
/// kit's check, which takes at most 1,024 characters.
pub const MAX_CURSOR_CHARS: usize = 900;

/// Longest change cursor read back; one holding a vendor's own cursor may pass
/// [`MAX_CURSOR_CHARS`].
const MAX_CHANGE_CURSOR_CHARS: usize = 4096;

/// A cursor's text is not one this connector wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the cursor is not one this connector wrote: {0}")]
pub struct MalformedCursor(pub &'static str);

impl MalformedCursor {
    /// As the error of a change cursor: the sync stored what the connector wrote, so another
    /// text is corrupt (or from another connector) and nothing is sent to the vendor.
    pub fn into_change_error(self) -> ConnectorError {
        ConnectorError::BadResponse {
            detail: format!("the stored change {self}"),
        }
    }
}

/// A change cursor's text, checked to be plausible before it is parsed.
fn change_cursor_text(cursor: &ChangeCursor) -> Result<&str, ConnectorError> {
    let text = cursor.0.as_str();
    if text.is_empty()
        || text.len() > MAX_CHANGE_CURSOR_CHARS
        || !text.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(MalformedCursor("not printable text of a plausible length").into_change_error());
    }
    Ok(text)
}

/// Writes a cursor's text, field by field.
#[derive(Debug)]
pub struct CursorText(String);

impl CursorText {
    /// A text starting with its version tag (`t1`, `z1`).
    pub fn new(tag: &str) -> Self {
        Self(tag.to_owned())
    }

    fn field(&mut self) -> &mut String {
        self.0.push('.');
        &mut self.0
    }

    pub fn number(mut self, n: impl Display) -> Self {
        let f = self.field();
        f.push_str(&n.to_string());
        self
    }

    /// Whole seconds since the epoch.
    pub fn instant(self, at: DateTime<Utc>) -> Self {
        self.number(at.timestamp())
    }

    /// A short word of lowercase letters and digits (a feed's letter).
    pub fn word(mut self, word: &str) -> Self {
        self.field().push_str(word);
        self
    }

    /// Ascending ids as base-36 differences joined by `_` (empty for none).
    pub fn ids(mut self, ids: &[u64]) -> Self {
        let f = self.field();
        let mut last = 0_u64;
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                f.push('_');
            }
            f.push_str(&base36(id.saturating_sub(last)));
            last = *id;
        }
        self
    }

    /// Which feed a change walk reads next, by its letter.
    pub fn feed(self, feed: Feed) -> Self {
        self.word(feed.letter())
    }

    /// A watermark: its instant, then its ids.
    pub fn mark(self, mark: &Watermark) -> Self {
        self.instant(mark.at()).ids(mark.seen())
    }

    /// The last field: a vendor's own cursor, any printable text (dots included).
    pub fn tail(mut self, text: &str) -> Self {
        self.field().push_str(text);
        self
    }

    pub fn finish(self) -> String {
        self.0
    }
}

/// Reads a cursor's fields back, in the order they were written.
#[derive(Debug)]
pub struct CursorFields<'a> {
    rest: Option<&'a str>,
}

impl<'a> CursorFields<'a> {
    /// The fields after `tag`, or a refusal when the text has another tag.
    pub fn open(text: &'a str, tag: &str) -> Result<Self, MalformedCursor> {
        match text.split_once('.') {
            Some((t, rest)) if t == tag => Ok(Self { rest: Some(rest) }),
            None if text == tag => Ok(Self { rest: None }),
            _ => Err(MalformedCursor("another version or kind")),
        }
    }

    /// Whether every field has been read.
    pub fn is_done(&self) -> bool {
        self.rest.is_none()
    }

    fn next_field(&mut self) -> Result<&'a str, MalformedCursor> {
        let rest = self.rest.ok_or(MalformedCursor("a field is missing"))?;
        Ok(match rest.split_once('.') {
            Some((field, rest)) => {
                self.rest = Some(rest);
                field
            }
            None => {
                self.rest = None;
                rest
            }
        })
    }

    pub fn number<T: FromStr>(&mut self) -> Result<T, MalformedCursor> {
        let field = self.next_field()?;
        let digits = field.strip_prefix('-').unwrap_or(field);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MalformedCursor("a number is not a number"));
        }
        field
            .parse()
            .map_err(|_| MalformedCursor("a number is out of range"))
    }

    pub fn instant(&mut self) -> Result<DateTime<Utc>, MalformedCursor> {
        let secs: i64 = self.number()?;
        DateTime::from_timestamp(secs, 0).ok_or(MalformedCursor("an instant is out of range"))
    }

    pub fn word(&mut self) -> Result<&'a str, MalformedCursor> {
        let field = self.next_field()?;
        if field.is_empty()
            || !field
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return Err(MalformedCursor("a word is not a word"));
        }
        Ok(field)
    }

    pub fn ids(&mut self) -> Result<Vec<u64>, MalformedCursor> {
        let field = self.next_field()?;
        let mut ids = Vec::new();
        let mut last = 0_u64;
        for delta in field.split('_').filter(|d| !d.is_empty()) {
            let delta = u64::from_str_radix(delta, 36)
                .map_err(|_| MalformedCursor("an id is not base 36"))?;
            last = last
                .checked_add(delta)
                .ok_or(MalformedCursor("an id is out of range"))?;
            ids.push(last);
        }
        Ok(ids)
    }

    pub fn feed(&mut self) -> Result<Feed, MalformedCursor> {
        Feed::from_letter(self.word()?).ok_or(MalformedCursor("an unknown feed"))
    }

    pub fn mark(&mut self) -> Result<Watermark, MalformedCursor> {
        let at = self.instant()?;
        Ok(Watermark::new(at, self.ids()?))
    }

    /// Everything left: the vendor's own cursor written by [`CursorText::tail`].
    pub fn tail(&mut self) -> Result<&'a str, MalformedCursor> {
        match self.rest.take() {
            Some(rest) if !rest.is_empty() => Ok(rest),
            _ => Err(MalformedCursor("the vendor's cursor is missing")),
        }
    }

    /// Refuses a text with fields left over.
    pub fn end(self) -> Result<(), MalformedCursor> {
        if self.is_done() {
            Ok(())
        } else {
            Err(MalformedCursor("there are fields left over"))
        }
    }
}

/// A position handed out as a cursor's text: a list cursor a caller sends back, or a
/// change cursor the sync stores.
pub trait CursorPosition: Clone {
    /// The whole text, ids and all.
    fn text(&self) -> String;

    /// The position [`CursorPosition::text`] wrote, or why `text` is not one.
    fn parse(text: &str) -> Result<Self, MalformedCursor>;

    /// The watermarks whose ids may be shed to keep the text short.
    fn marks(&mut self) -> Vec<&mut Watermark>;

    /// As a list cursor ([`fitted`]).
    fn vendor_cursor(&self) -> VendorCursor {
        VendorCursor(fitted(self))
    }

    /// A list cursor a caller sent back; anything else is refused naming `cursor`.
    fn from_vendor_cursor(cursor: &VendorCursor) -> Result<Self, ConnectorError> {
        let text = check_cursor(cursor)?;
        Self::parse(text).map_err(|_| ConnectorError::bad_cursor())
    }

    /// As a change cursor ([`fitted`]).
    fn change_cursor(&self) -> ChangeCursor {
        ChangeCursor(fitted(self))
    }

    /// A change cursor the sync stored; anything else is corrupt
    /// ([`MalformedCursor::into_change_error`]).
    fn from_change_cursor(cursor: &ChangeCursor) -> Result<Self, ConnectorError> {
        let text = change_cursor_text(cursor)?;
        Self::parse(text).map_err(MalformedCursor::into_change_error)
    }
}

/// `position`'s text in at most [`MAX_CURSOR_CHARS`] characters where shedding ids can get
/// it there: the watermark holding the most ids sheds first.
pub fn fitted<P: CursorPosition>(position: &P) -> String {
    let mut position = position.clone();
    loop {
        let text = position.text();
        if text.len() <= MAX_CURSOR_CHARS {
            return text;
        }
        let mut marks = position.marks();
        let fullest = marks.iter_mut().max_by_key(|m| m.seen().len());
        if !fullest.is_some_and(|m| m.shed()) {
            return text;
        }
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;
    use crate::testing::at;

    #[test]
    fn fields_read_back_in_order_and_the_tail_keeps_its_dots() {
        let mark = Watermark::new(at(1_767_225_600), vec![5, 6, 9, 1000, 67_042_965_499]);
        let text = CursorText::new("x1")
            .word("d")
            .number(3_u32)
            .mark(&mark)
            .tail("MTU3.NjYx=")
            .finish();
        assert_eq!(text, "x1.d.3.1767225600.5_1_3_rj_usrnehf.MTU3.NjYx=");
        let mut f = CursorFields::open(&text, "x1").unwrap();
        assert_eq!(f.word().unwrap(), "d");
        assert_eq!(f.number::<u32>().unwrap(), 3);
        assert_eq!(f.mark().unwrap(), mark);
        assert_eq!(f.tail().unwrap(), "MTU3.NjYx=");
        f.end().unwrap();
    }

    #[test]
    fn anything_but_what_was_written_is_refused() {
        assert!(CursorFields::open("y1.3", "x1").is_err());
        assert!(CursorFields::open("x10.3", "x1").is_err());
        let read = |text: &str| -> Result<(u32, Watermark), MalformedCursor> {
            let mut f = CursorFields::open(text, "x1")?;
            let n = f.number()?;
            let mark = f.mark()?;
            f.end()?;
            Ok((n, mark))
        };
        assert!(read("x1.2.10.").is_ok());
        for bad in [
            "x1",
            "x1.",
            "x1.2",
            "x1.+2.10.",
            "x1.2.10",
            "x1.2.x.",
            "x1.2.10.zz!",
            "x1.2.10..",
            "x1.2.99999999999999999999.",
            "x1.-1.10.",
        ] {
            assert!(read(bad).is_err(), "{bad:?}");
        }
        let mut f = CursorFields::open("x1.A", "x1").unwrap();
        assert!(f.word().is_err());
        let mut f = CursorFields::open("x1", "x1").unwrap();
        assert!(f.tail().is_err());
        for bad in ["a b", "", "two.1.", "two.1..2", "two.1..2..", "one.1..2."] {
            assert!(
                matches!(
                    Two::from_change_cursor(&ChangeCursor(bad.into())),
                    Err(ConnectorError::BadResponse { .. })
                ),
                "{bad:?}"
            );
            assert!(
                matches!(
                    Two::from_vendor_cursor(&VendorCursor(bad.into())),
                    Err(ConnectorError::Refused {
                        part: deskgate_core::InputPart::Query,
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
        let e = MalformedCursor("why").into_change_error();
        assert!(matches!(e, ConnectorError::BadResponse { detail } if detail.contains("why")));
    }

    #[derive(Clone)]
    struct Two(Watermark, Watermark);

    impl CursorPosition for Two {
        fn text(&self) -> String {
            CursorText::new("two").mark(&self.0).mark(&self.1).finish()
        }
        fn parse(text: &str) -> Result<Self, MalformedCursor> {
            let mut f = CursorFields::open(text, "two")?;
            let two = Two(f.mark()?, f.mark()?);
            f.end()?;
            Ok(two)
        }
        fn marks(&mut self) -> Vec<&mut Watermark> {
            vec![&mut self.0, &mut self.1]
        }
    }

    #[test]
    fn a_long_text_sheds_the_fullest_watermarks_oldest_ids() {
        let far = |n: u64| (0..n).map(|i| i * 100_000_000_000_000_000).collect();
        let two = Two(
            Watermark::new(at(0), far(100)),
            Watermark::new(at(1), vec![1, 2]),
        );
        let text = fitted(&two);
        assert!(text.len() <= MAX_CURSOR_CHARS);
        let Two(first, second) = Two::from_change_cursor(&ChangeCursor(text)).unwrap();
        assert!(first.seen().len() < 100 && first.seen().ends_with(&[9_900_000_000_000_000_000]));
        assert_eq!(second.seen(), [1, 2]);
    }

    proptest! {
        #[test]
        fn any_watermark_reads_back(
            secs in 0_i64..4_000_000_000,
            seen in proptest::collection::vec(any::<u64>(), 0..50),
        ) {
            let mark = Watermark::new(at(secs), seen);
            let text = CursorText::new("p1").mark(&mark).finish();
            let mut f = CursorFields::open(&text, "p1").unwrap();
            prop_assert_eq!(f.mark().unwrap(), mark);
            prop_assert!(f.end().is_ok());
        }
    }
}
