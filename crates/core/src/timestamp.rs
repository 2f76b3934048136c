//! Timestamps in answers: RFC 3339 in UTC, exactly as chrono writes them
//! (`2026-11-30T19:40:09Z`, with a fraction of 3, 6 or 9 digits when there is one), but
//! written into a small buffer instead of through `fmt`. chrono's own serializer goes
//! through `Display` and serde_json's `collect_str`, a character at a time; on a page of 100
//! tickets, with four timestamps each, that was about 7 % of the list's instructions.
//!
//! Used with `#[serde(serialize_with = "deskgate_core::timestamp::serialize_opt")]`. Years
//! outside 0..=9999 and leap seconds, which chrono writes in forms of its own, are handed to
//! chrono.
//!
//! Reading vendors' timestamps is the same in reverse: [`deserialize`] reads exactly what
//! chrono's `Deserialize` for `DateTime<Utc>` reads (its relaxed RFC 3339, then UTC), with the
//! form helpdesks send, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, read without chrono's general
//! parser, which was 6.5 % of a Zendesk list's instructions. Anything else, valid or not,
//! goes to chrono, so the result and the error are chrono's.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};
use serde::de::{self, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// The longest form: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
const LONGEST: usize = 30;

/// Writes `at` as an RFC 3339 string, as chrono's `Serialize` does.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; LONGEST];
    match write(at, &mut buf).and_then(|n| std::str::from_utf8(&buf[..n]).ok()) {
        Some(text) => serializer.serialize_str(text),
        None => at.serialize(serializer),
    }
}

/// [`serialize`] for an optional timestamp: `null` when absent.
pub fn serialize_opt<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serialize(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// Reads a timestamp as chrono's `Deserialize` for `DateTime<Utc>` does.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    deserializer.deserialize_str(Rfc3339)
}

/// [`deserialize`] for an optional timestamp: `null` is `None`.
pub fn deserialize_opt<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    deserializer.deserialize_option(MaybeRfc3339)
}

/// A timestamp from text, as chrono's `Deserialize` for `DateTime<Utc>` reads it.
pub fn parse(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match parse_utc(text.as_bytes()) {
        Some(at) => Ok(at),
        None => text
            .parse::<DateTime<FixedOffset>>()
            .map(|at| at.with_timezone(&Utc)),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` with every field in range; `None` for anything else.
fn parse_utc(text: &[u8]) -> Option<DateTime<Utc>> {
    let num = |from: usize, to: usize| -> Option<u32> {
        text.get(from..to)?.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    let at = |i: usize, byte: u8| text.get(i) == Some(&byte);
    if !(at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':') && at(16, b':')) {
        return None;
    }
    let nanos = match text.len() {
        20 if at(19, b'Z') => 0,
        22..=30 if at(19, b'.') && at(text.len() - 1, b'Z') => {
            let digits = u32::try_from(text.len() - 21).ok()?;
            num(20, text.len() - 1)? * 10u32.pow(9 - digits)
        }
        _ => return None,
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    NaiveDate::from_ymd_opt(year, num(5, 7)?, num(8, 10)?)?
        .and_hms_nano_opt(num(11, 13)?, num(14, 16)?, num(17, 19)?, nanos)
        .map(|naive| naive.and_utc())
}

struct Rfc3339;

impl Visitor<'_> for Rfc3339 {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        parse(text).map_err(E::custom)
    }
}

struct MaybeRfc3339;

impl<'de> Visitor<'de> for MaybeRfc3339 {
    type Value = Option<DateTime<Utc>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserialize(deserializer).map(Some)
    }
}

/// The bytes of `at` in `buf`, and how many; `None` for what chrono writes its own way.
fn write(at: &DateTime<Utc>, buf: &mut [u8; LONGEST]) -> Option<usize> {
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    // chrono's `SecondsFormat::AutoSi`: as many digits as the fraction needs, by threes.
    let (fraction, width) = if nanos == 0 {
        (0, 0)
    } else if nanos.is_multiple_of(1_000_000) {
        (nanos / 1_000_000, 3)
    } else if nanos.is_multiple_of(1_000) {
        (nanos / 1_000, 6)
    } else {
        (nanos, 9)
    };
    let mut out = Out { buf, len: 0 };
    out.digits(year, 4);
    out.byte(b'-');
    out.digits(at.month(), 2);
    out.byte(b'-');
    out.digits(at.day(), 2);
    out.byte(b'T');
    out.digits(at.hour(), 2);
    out.byte(b':');
    out.digits(at.minute(), 2);
    out.byte(b':');
    out.digits(at.second(), 2);
    if width > 0 {
        out.byte(b'.');
        out.digits(fraction, width);
    }
    out.byte(b'Z');
    Some(out.len)
}

/// A buffer being filled; at most [`LONGEST`] bytes are ever put in it.
struct Out<'a> {
    buf: &'a mut [u8; LONGEST],
    len: usize,
}

impl Out<'_> {
    fn byte(&mut self, byte: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// `value`'s last `width` decimal digits, zero-padded.
    fn digits(&mut self, value: u32, width: u32) {
        for place in (0..width).rev() {
            let digit = value / 10u32.pow(place) % 10;
            self.byte(b'0' + u8::try_from(digit).unwrap_or(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Ours(#[serde(serialize_with = "serialize")] DateTime<Utc>);

    fn chrono_writes(at: DateTime<Utc>) -> String {
        serde_json::to_string(&at).unwrap()
    }

    fn we_write(at: DateTime<Utc>) -> String {
        serde_json::to_string(&Ours(at)).unwrap()
    }

    #[test]
    fn timestamps_are_written_exactly_as_chrono_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 11, 30, 19, 40, 9).unwrap();
        let mut cases = vec![
            base,
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 6, 15, 12, 0, 0).unwrap(),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            DateTime::<Utc>::UNIX_EPOCH,
        ];
        for nanos in [
            1,
            7,
            1_000,
            120_000,
            5_000_000,
            999_000_000,
            999_999_999,
            123_456_789,
        ] {
            cases.push(base + chrono::Duration::nanoseconds(nanos));
        }
        // A leap second, which chrono writes as :60.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        cases.push(leap);
        assert_eq!(chrono_writes(base), r#""2026-11-30T19:40:09Z""#);
        for at in cases {
            assert_eq!(we_write(at), chrono_writes(at), "{at:?}");
        }
    }

    #[test]
    fn every_second_of_a_span_of_years_and_every_kind_of_fraction_reads_the_same() {
        // A prime step, so every month, day, hour, minute and second comes up.
        let mut at = Utc.with_ymd_and_hms(1969, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2101, 1, 1, 0, 0, 0).unwrap();
        let mut i = 0u32;
        while at < end {
            assert_eq!(we_write(at), chrono_writes(at), "{at:?}");
            let nanos = [0, 3_000_000, 42_000, 17][i as usize % 4] + i % 1000;
            at += chrono::Duration::seconds(86_413 * 7 + 13)
                + chrono::Duration::nanoseconds(nanos.into());
            i += 1;
        }
        assert!(i > 5_000, "{i} timestamps");
    }

    #[test]
    fn timestamps_are_read_exactly_as_chrono_reads_them() {
        let chrono_reads = |text: &str| -> Result<DateTime<Utc>, String> {
            serde_json::from_value::<DateTime<Utc>>(serde_json::Value::from(text))
                .map_err(|e| e.to_string())
        };
        let we_read = |text: &str| -> Result<DateTime<Utc>, String> {
            #[derive(serde::Deserialize)]
            struct Ours(#[serde(deserialize_with = "deserialize")] DateTime<Utc>);
            serde_json::from_value::<Ours>(serde_json::Value::from(text))
                .map(|ours| ours.0)
                .map_err(|e| e.to_string())
        };
        let mut texts: Vec<String> = [
            "2026-11-30T19:40:09Z",
            "2026-11-30T19:40:09.5Z",
            "2026-11-30T19:40:09.123Z",
            "2026-11-30T19:40:09.123456789Z",
            "2026-11-30T19:40:09.1234567891Z",
            "2026-11-30T19:40:09.Z",
            "2026-11-30T19:40:09z",
            "2026-11-30t19:40:09Z",
            "2026-11-30 19:40:09Z",
            "2026-11-30T19:40:09+02:00",
            "2026-11-30T19:40:09-00:30",
            "2016-12-31T23:59:60Z",
            "2026-02-29T00:00:00Z",
            "2024-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z",
            "2026-11-31T00:00:00Z",
            "2026-11-30T24:00:00Z",
            "2026-11-30T23:60:00Z",
            "2026-11-30T19:40Z",
            "2026-11-30",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "+2026-11-30T19:40:09Z",
            "2026-1-30T19:40:09Z",
            "2026-11-30T19:40:0aZ",
            "2026-11-30T19:40:09ZZ",
            "",
            "not a time",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        // Every digit position of a good one replaced by every byte of interest.
        let good = "2026-11-30T19:40:09.250Z";
        for i in 0..good.len() {
            for b in [b'0', b'9', b'-', b':', b'.', b'Z', b'T', b'x', b' '] {
                let mut bytes = good.as_bytes().to_vec();
                bytes[i] = b;
                texts.push(String::from_utf8(bytes).unwrap());
            }
        }
        for text in &texts {
            assert_eq!(we_read(text), chrono_reads(text), "{text:?}");
        }
    }

    #[test]
    fn an_optional_timestamp_reads_null_as_none() {
        #[derive(serde::Deserialize)]
        struct Maybe {
            #[serde(default, deserialize_with = "deserialize_opt")]
            at: Option<DateTime<Utc>>,
        }
        let read = |json: &str| serde_json::from_str::<Maybe>(json).map(|m| m.at);
        assert_eq!(read("{}").unwrap(), None);
        assert_eq!(read(r#"{"at": null}"#).unwrap(), None);
        assert_eq!(
            read(r#"{"at": "2026-01-02T03:04:05Z"}"#).unwrap(),
            Some(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap())
        );
        assert!(read(r#"{"at": 5}"#).is_err());
        assert!(read(r#"{"at": "yesterday"}"#).is_err());
    }

    #[test]
    fn an_absent_timestamp_is_null() {
        #[derive(Serialize)]
        struct Maybe(#[serde(serialize_with = "serialize_opt")] Option<DateTime<Utc>>);
        assert_eq!(serde_json::to_string(&Maybe(None)).unwrap(), "null");
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            serde_json::to_string(&Maybe(Some(at))).unwrap(),
            r#""2026-01-02T03:04:05Z""#
        );
    }
}
