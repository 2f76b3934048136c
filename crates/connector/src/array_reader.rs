//! [`ArrayReader`]: the records of one JSON array in a vendor's answer, read one at a time
//! as the body arrives, so that a list can map and answer its first records before the last
//! have come.
//!
//! The array is either the document itself (`[...]`, Freshdesk) or a member of the top-level
//! object (`{"tickets": [...], "meta": {...}}`). Each record is parsed by serde straight from
//! the buffered bytes into the caller's type; a record cut short by the end of a chunk is
//! tried again once at least twice as many bytes are there, so a record split over many
//! chunks costs at most about twice its parse. Everything but the records (the members
//! around the array, with the array left empty) is kept as [`ArrayReader::into_rest`] for
//! the caller to read with its page type: the cursor usually comes after the records.
//! When the array is not found where expected (an escaped key, another shape), the rest is
//! the whole answer, and the page type reads it, records included.
//!
//! Malformed input ends in an error, never a panic; the JSON around the records is checked
//! here only as far as finding them needs, and fully when the rest is read.
//!
//! The bytes are checked to be UTF-8 once, as each chunk is pushed (a character cut by a
//! chunk's end waits for the rest of it), and the records are parsed from that text: serde
//! then need not check each string again, which on a page of tickets, whose keys and values
//! are mostly short strings, cost a tenth of the list's instructions. Bytes that are not
//! UTF-8 end the reading with an error once the records before them have been handed over.

use serde::de::{DeserializeOwned, IgnoredAny};

/// Where the reader is in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the document's first byte.
    Start,
    /// In the top-level object, before a member or its end; `first` until a member is read.
    Member { first: bool },
    /// After a member's key, before its colon.
    Colon { target: bool },
    /// After a member's colon, before its value.
    Value { target: bool },
    /// After a member's value: `,` or `}`.
    AfterMember,
    /// In the array, before a record or its end; `first` until a record is read.
    Record { first: bool },
    /// After a record: `,` or `]`.
    AfterRecord,
    /// The array was read, or will not be found: the rest goes to `rest` as it is.
    Tail,
}

/// Reads the records of one array as chunks are pushed in.
#[derive(Debug)]
pub struct ArrayReader {
    /// The array's key in the top-level object; `None` when the document is the array.
    key: Option<&'static str>,
    /// What has been pushed and not yet consumed, from `pos`; always UTF-8.
    buf: String,
    pos: usize,
    /// The first bytes of a character cut by the end of the last chunk (at most three).
    cut: Vec<u8>,
    /// Set when a chunk was not UTF-8: nothing after that point is read.
    not_utf8: bool,
    state: State,
    rest: Vec<u8>,
    /// A value cut short at the end of `buf` is tried again once this many bytes are there.
    wait_for: usize,
    ended: bool,
}

/// What one step of the state machine did.
enum Step<T> {
    Record(T),
    /// Needs more input (or, once ended, is done).
    More,
    Continue,
}

impl ArrayReader {
    pub fn new(key: Option<&'static str>) -> Self {
        Self {
            key,
            buf: String::new(),
            pos: 0,
            cut: Vec::new(),
            not_utf8: false,
            state: State::Start,
            rest: Vec::new(),
            wait_for: 0,
            ended: false,
        }
    }

    /// Adds the next chunk of the body.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.not_utf8 {
            return;
        }
        if self.state == State::Tail && self.pos == self.buf.len() && self.cut.is_empty() {
            self.rest.extend_from_slice(chunk);
            return;
        }
        // `pos` is always after a token, so on a character's boundary.
        if self.pos > 0 && self.buf.is_char_boundary(self.pos) {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        if self.cut.is_empty() {
            self.push_text(chunk);
        } else {
            let mut joined = std::mem::take(&mut self.cut);
            joined.extend_from_slice(chunk);
            self.push_text(&joined);
        }
    }

    /// Appends the UTF-8 of `bytes`; keeps a character cut at their end for the next chunk.
    fn push_text(&mut self, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.buf.push_str(text),
            Err(e) => {
                let (valid, after) = bytes.split_at(e.valid_up_to());
                if let Ok(text) = std::str::from_utf8(valid) {
                    self.buf.push_str(text);
                }
                match e.error_len() {
                    None => self.cut = after.to_vec(),
                    Some(_) => self.not_utf8 = true,
                }
            }
        }
    }

    /// Says the body has ended: what is still cut short is now an error.
    pub fn end(&mut self) {
        self.ended = true;
        self.wait_for = 0;
        if !self.cut.is_empty() {
            self.not_utf8 = true;
        }
    }

    /// The error for input that stops being UTF-8, once everything before it is read.
    fn not_utf8(&self) -> Result<(), String> {
        if self.not_utf8 {
            return Err("the answer is not UTF-8".to_owned());
        }
        Ok(())
    }

    /// The next whole record, `None` when more input is needed (or, after [`end`], when
    /// there are no more records).
    ///
    /// [`end`]: Self::end
    pub fn next_record<T: DeserializeOwned>(&mut self) -> Result<Option<T>, String> {
        loop {
            match self.step::<T>()? {
                Step::Record(record) => return Ok(Some(record)),
                Step::More => {
                    self.not_utf8()?;
                    return Ok(None);
                }
                Step::Continue => {}
            }
        }
    }

    /// Everything but the records read, once the body has ended and [`next_record`](Self::next_record)
    /// has answered `None`: the document with the array emptied, or the whole document when
    /// the array was not found.
    pub fn into_rest(mut self) -> Result<Vec<u8>, String> {
        self.not_utf8()?;
        match self.state {
            State::Tail => {
                self.rest
                    .extend_from_slice(&self.buf.as_bytes()[self.pos..]);
                Ok(self.rest)
            }
            State::Record { .. } | State::AfterRecord => {
                Err("the answer ended before its list did".to_owned())
            }
            _ => Err("the answer ended early".to_owned()),
        }
    }

    fn step<T: DeserializeOwned>(&mut self) -> Result<Step<T>, String> {
        let in_array = matches!(self.state, State::Record { .. } | State::AfterRecord);
        let bytes = self.buf.as_bytes();
        if self.state == State::Tail {
            self.rest.extend_from_slice(&bytes[self.pos..]);
            self.pos = bytes.len();
            return Ok(Step::More);
        }
        // Whitespace between tokens: kept in the rest outside the array.
        let start = self.pos;
        while bytes
            .get(self.pos)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.pos += 1;
        }
        if !in_array {
            self.rest.extend_from_slice(&bytes[start..self.pos]);
        }
        let Some(&byte) = bytes.get(self.pos) else {
            return Ok(Step::More);
        };
        match self.state {
            State::Start => {
                self.state = match (self.key, byte) {
                    (Some(_), b'{') => State::Member { first: true },
                    (None, b'[') => State::Record { first: true },
                    // Not the shape expected: the page type reads it whole and says why.
                    _ => State::Tail,
                };
                if self.state != State::Tail {
                    self.keep(1);
                }
            }
            State::Member { first } => match byte {
                b'}' if first => self.close_document(),
                b'"' => {
                    let Some((key, used)) = self.parse::<String>()? else {
                        return Ok(Step::More);
                    };
                    self.keep(used);
                    let target = self.key == Some(key.as_str());
                    self.state = State::Colon { target };
                }
                _ => return Err(unexpected(byte, "a member of the answer's object")),
            },
            State::Colon { target } => {
                if byte != b':' {
                    return Err(unexpected(byte, "a colon after a key"));
                }
                self.keep(1);
                self.state = State::Value { target };
            }
            State::Value { target } => {
                if target && byte == b'[' {
                    self.keep(1);
                    self.state = State::Record { first: true };
                } else {
                    let Some((IgnoredAny, used)) = self.parse::<IgnoredAny>()? else {
                        return Ok(Step::More);
                    };
                    self.keep(used);
                    self.state = State::AfterMember;
                }
            }
            State::AfterMember => match byte {
                b',' => {
                    self.keep(1);
                    self.state = State::Member { first: false };
                }
                b'}' => self.close_document(),
                _ => {
                    return Err(unexpected(
                        byte,
                        "a comma or the end of the answer's object",
                    ));
                }
            },
            State::Record { first } => {
                if byte == b']' {
                    if !first {
                        return Err("a comma before the end of the list".to_owned());
                    }
                    self.close_array();
                } else {
                    let Some((record, used)) = self.parse::<T>()? else {
                        return Ok(Step::More);
                    };
                    self.pos += used;
                    self.state = State::AfterRecord;
                    return Ok(Step::Record(record));
                }
            }
            State::AfterRecord => match byte {
                b',' => {
                    self.pos += 1;
                    self.state = State::Record { first: false };
                }
                b']' => self.close_array(),
                _ => return Err(unexpected(byte, "a comma or the end of the list")),
            },
            State::Tail => unreachable!("handled above"),
        }
        Ok(Step::Continue)
    }

    /// Moves past `n` bytes that belong to the rest.
    fn keep(&mut self, n: usize) {
        self.rest
            .extend_from_slice(&self.buf.as_bytes()[self.pos..self.pos + n]);
        self.pos += n;
    }

    fn close_array(&mut self) {
        self.rest.push(b']');
        self.pos += 1;
        self.state = if self.key.is_some() {
            State::AfterMember
        } else {
            State::Tail
        };
    }

    fn close_document(&mut self) {
        self.keep(1);
        self.state = State::Tail;
    }

    /// One value at the read position and the bytes it took, or `None` when it is cut
    /// short by the end of the input so far.
    fn parse<T: DeserializeOwned>(&mut self) -> Result<Option<(T, usize)>, String> {
        let available = self.buf.len() - self.pos;
        if available < self.wait_for {
            return Ok(None);
        }
        // Always on a boundary (see `push`); a reader that lost its place says so.
        let Some(input) = self.buf.get(self.pos..) else {
            return Err("the reader lost its place in the answer".to_owned());
        };
        // A number or a literal at the very end may still go on in the next chunk.
        let delimited = matches!(input.as_bytes().first(), Some(b'{' | b'[' | b'"'));
        let mut values = serde_json::Deserializer::from_str(input).into_iter::<T>();
        match values.next() {
            Some(Ok(value)) => {
                let used = values.byte_offset();
                if used == available && !delimited && !self.ended {
                    self.wait_for = available + 1;
                    return Ok(None);
                }
                self.wait_for = 0;
                Ok(Some((value, used)))
            }
            // Cut short by bytes that are not UTF-8: no more of it will come.
            Some(Err(e)) if e.is_eof() && self.not_utf8 => self.not_utf8().map(|()| None),
            Some(Err(e)) if e.is_eof() && !self.ended => {
                // Tried again only once the input has doubled: linear however it is cut.
                self.wait_for = available.saturating_mul(2);
                Ok(None)
            }
            Some(Err(e)) => Err(e.to_string()),
            None if self.ended => {
                self.not_utf8()?;
                Err("the answer ended early".to_owned())
            }
            None => Ok(None),
        }
    }
}

fn unexpected(byte: u8, wanted: &str) -> String {
    if byte.is_ascii_graphic() {
        format!("expected {wanted}, found `{}`", byte as char)
    } else {
        format!("expected {wanted}, found byte 0x{byte:02x}")
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    /// Reads `doc` cut into the given chunk sizes: the records, then the rest.
    fn read(
        key: Option<&'static str>,
        doc: &[u8],
        cuts: &[usize],
    ) -> Result<(Vec<Value>, Vec<u8>), String> {
        let mut reader = ArrayReader::new(key);
        let mut records = Vec::new();
        let mut at = 0;
        let mut cuts = cuts.iter().copied().cycle();
        while at < doc.len() {
            let size = cuts.next().unwrap_or(doc.len()).max(1);
            let end = (at + size).min(doc.len());
            reader.push(&doc[at..end]);
            at = end;
            while let Some(record) = reader.next_record::<Value>()? {
                records.push(record);
            }
        }
        reader.end();
        while let Some(record) = reader.next_record::<Value>()? {
            records.push(record);
        }
        Ok((records, reader.into_rest()?))
    }

    fn page() -> Value {
        json!({
            "before": {"x": [1, 2, {"tickets": [9]}], "s": "a \"quoted\" ] } string"},
            "tickets": [
                {"id": 1, "subject": "héllo, \"world\" ]}", "tags": ["a", "b"]},
                {"id": 2, "n": -1.5e3, "nested": {"tickets": []}},
                3,
                "four",
                null,
                [5, [6]]
            ],
            "meta": {"has_more": true, "after_cursor": "xyz"}
        })
    }

    fn expected_rest(doc: &Value) -> Value {
        let mut rest = doc.clone();
        rest["tickets"] = json!([]);
        rest
    }

    #[test]
    fn records_come_out_one_by_one_and_the_rest_keeps_the_other_members() {
        let doc = page();
        let text = serde_json::to_vec_pretty(&doc).unwrap();
        let (records, rest) = read(Some("tickets"), &text, &[text.len()]).unwrap();
        assert_eq!(records, doc["tickets"].as_array().unwrap().clone());
        let rest: Value = serde_json::from_slice(&rest).unwrap();
        assert_eq!(rest, expected_rest(&doc));
    }

    #[test]
    fn a_record_is_handed_over_before_the_answer_ends() {
        let mut reader = ArrayReader::new(Some("tickets"));
        reader.push(br#"{"tickets": [{"id": 1}, {"id""#);
        assert_eq!(
            reader.next_record::<Value>().unwrap(),
            Some(json!({"id": 1}))
        );
        assert_eq!(reader.next_record::<Value>().unwrap(), None);
        reader.push(br#": 2}], "meta": {"after_cursor": "c"}}"#);
        assert_eq!(
            reader.next_record::<Value>().unwrap(),
            Some(json!({"id": 2}))
        );
        assert_eq!(reader.next_record::<Value>().unwrap(), None);
        reader.end();
        assert_eq!(reader.next_record::<Value>().unwrap(), None);
        let rest: Value = serde_json::from_slice(&reader.into_rest().unwrap()).unwrap();
        assert_eq!(rest, json!({"tickets": [], "meta": {"after_cursor": "c"}}));
    }

    #[test]
    fn a_number_at_a_chunk_boundary_waits_for_its_last_digits() {
        let (records, _) = read(None, b"[12345, 6]", &[3]).unwrap();
        assert_eq!(records, vec![json!(12345), json!(6)]);
    }

    #[test]
    fn a_top_level_array_is_read_when_no_key_is_given() {
        let (records, rest) = read(None, br#" [ {"a": 1} , {"b": [2]} ] "#, &[1]).unwrap();
        assert_eq!(records, vec![json!({"a": 1}), json!({"b": [2]})]);
        assert_eq!(String::from_utf8(rest).unwrap().trim(), "[]");
    }

    #[test]
    fn an_escaped_key_or_another_shape_leaves_everything_in_the_rest() {
        for doc in [
            &br#"{"tick\u0065ts": [1, 2], "meta": {}}"#[..],
            br#"{"other": [1]}"#,
            br#"["not", "an", "object"]"#,
            br#""a string""#,
            br#"{"tickets": null, "meta": 1}"#,
        ] {
            let (records, rest) = read(Some("tickets"), doc, &[2]).unwrap();
            // An escaped `tickets` still names the array: serde decodes the key.
            if doc.starts_with(br#"{"tick\u"#) {
                assert_eq!(records, vec![json!(1), json!(2)]);
                continue;
            }
            assert!(records.is_empty(), "{}", String::from_utf8_lossy(doc));
            assert_eq!(rest, doc, "{}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn broken_answers_are_errors() {
        for doc in [
            &br#"{"tickets": [{"id": 1}, {"id": "#[..],
            br#"{"tickets": [1, 2"#,
            br#"{"tickets": [1,]}"#,
            br#"{"tickets": [1 2]}"#,
            br#"{"tickets" [1]}"#,
            br#"{"a": 1 "tickets": [1]}"#,
            br#"{"tickets": [{"id": }]}"#,
            br#"{"a": tru"#,
            br#"{"#,
            b"",
        ] {
            let result = read(Some("tickets"), doc, &[3]);
            assert!(
                result.is_err(),
                "{}: {result:?}",
                String::from_utf8_lossy(doc)
            );
        }
    }

    #[test]
    fn a_character_cut_by_a_chunk_end_reads_whole() {
        let doc = r#"{"tickets": [{"name": "Zoë ☃ 𝄞"}, {"name": "é"}], "next": "ü"}"#;
        for cut in 1..8 {
            let (records, rest) = read(Some("tickets"), doc.as_bytes(), &[cut]).unwrap();
            assert_eq!(records, [json!({"name": "Zoë ☃ 𝄞"}), json!({"name": "é"})]);
            let rest: Value = serde_json::from_slice(&rest).unwrap();
            assert_eq!(rest, json!({"tickets": [], "next": "ü"}));
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_end_in_an_error_after_the_records_before_them() {
        let mut doc = br#"{"tickets": [{"id": 1}, {"name": ""#.to_vec();
        doc.extend_from_slice(&[0xff, b'"', b'}', b']', b'}']);
        for cut in [1, 3, 64] {
            let mut reader = ArrayReader::new(Some("tickets"));
            let mut records = Vec::new();
            let error = 'read: {
                for chunk in doc.chunks(cut) {
                    reader.push(chunk);
                    loop {
                        match reader.next_record::<Value>() {
                            Ok(Some(record)) => records.push(record),
                            Ok(None) => break,
                            Err(e) => break 'read e,
                        }
                    }
                }
                String::from("no error")
            };
            assert_eq!(records, [json!({"id": 1})], "cut {cut}");
            assert_eq!(error, "the answer is not UTF-8", "cut {cut}");
        }
        // A character still cut when the answer ends is not UTF-8 either.
        let mut reader = ArrayReader::new(Some("tickets"));
        reader.push(br#"{"tickets": ["#);
        reader.push(&[b'"', 0xc3]);
        reader.end();
        assert_eq!(
            reader.next_record::<Value>().unwrap_err(),
            "the answer is not UTF-8"
        );
    }

    #[test]
    fn a_record_that_does_not_read_as_the_type_is_an_error() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Ticket {
            id: u64,
        }
        let mut reader = ArrayReader::new(Some("tickets"));
        reader.push(br#"{"tickets": [{"id": 1}, {"id": "x"}]}"#);
        assert_eq!(reader.next_record::<Ticket>().unwrap().unwrap().id, 1);
        let error = reader.next_record::<Ticket>().unwrap_err();
        assert!(error.contains("invalid type"), "{error}");
    }

    #[test]
    fn a_record_cut_into_many_chunks_is_parsed_a_bounded_number_of_times() {
        // One 64 KiB record arriving a byte at a time: tried again only when the input
        // doubles, so about log2(64 Ki) = 16 tries, not 65,536.
        let big = "x".repeat(65_536);
        let doc = format!(r#"{{"tickets": ["{big}"]}}"#);
        let mut reader = ArrayReader::new(Some("tickets"));
        let mut tries = 0;
        let mut records = 0;
        for byte in doc.as_bytes() {
            reader.push(std::slice::from_ref(byte));
            let before = reader.wait_for;
            if let Some(record) = reader.next_record::<String>().unwrap() {
                assert_eq!(record.len(), big.len());
                records += 1;
            }
            if reader.wait_for != before {
                tries += 1;
            }
        }
        reader.end();
        if let Some(record) = reader.next_record::<String>().unwrap() {
            assert_eq!(record.len(), big.len());
            records += 1;
        }
        assert_eq!(records, 1);
        assert!(tries < 40, "{tries} tries");
    }

    proptest! {
        /// However the answer is cut, the records and the rest are the same.
        #[test]
        fn any_cutting_reads_the_same(cuts in prop::collection::vec(1usize..40, 1..8), pretty in any::<bool>()) {
            let doc = page();
            let text = if pretty { serde_json::to_vec_pretty(&doc) } else { serde_json::to_vec(&doc) }.unwrap();
            let (records, rest) = read(Some("tickets"), &text, &cuts).unwrap();
            prop_assert_eq!(&records, doc["tickets"].as_array().unwrap());
            let rest: Value = serde_json::from_slice(&rest).unwrap();
            prop_assert_eq!(rest, expected_rest(&doc));
        }

        /// Arbitrary bytes end in records, a rest or an error: never a panic.
        #[test]
        fn arbitrary_bytes_never_panic(doc in prop::collection::vec(any::<u8>(), 0..200), cut in 1usize..16) {
            let _ = read(Some("tickets"), &doc, &[cut]);
            let _ = read(None, &doc, &[cut]);
        }

        /// Bytes that look like JSON: a valid document always reads, a broken one errs or
        /// leaves its breakage in the rest, which then does not parse.
        #[test]
        fn json_like_bytes_read_or_fail_cleanly(
            parts in prop::collection::vec(prop::sample::select(vec![
                "{", "}", "[", "]", ",", ":", "\"tickets\"", "\"a\"", "1", "null", " ", "\"x\\\"y\"",
            ]), 0..30),
            cut in 1usize..8,
        ) {
            let doc = parts.concat();
            let whole: Result<Value, _> = serde_json::from_str(&doc);
            match read(Some("tickets"), doc.as_bytes(), &[cut]) {
                Ok((records, rest)) => {
                    let rest: Result<Value, _> = serde_json::from_slice(&rest);
                    // With the key twice, serde keeps the last array and the reader reads
                    // both; a page type refuses the duplicate when it reads the rest.
                    let once = doc.matches("\"tickets\"").count() <= 1;
                    if let (Ok(whole), true) = (&whole, once) {
                        let mut expected = whole.clone();
                        let mut wanted = Vec::new();
                        if let Some(Value::Array(items)) = expected.get_mut("tickets") {
                            wanted = std::mem::take(items);
                        }
                        prop_assert_eq!(records, wanted);
                        prop_assert_eq!(rest.unwrap(), expected);
                    } else if whole.is_err() {
                        prop_assert!(rest.is_err(), "{doc}");
                    }
                }
                Err(_) => prop_assert!(whole.is_err(), "{doc} is valid but was refused"),
            }
        }
    }
}
