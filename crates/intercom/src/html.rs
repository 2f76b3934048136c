//! Intercom message bodies are HTML; deskgate's `body` is plain text. [`to_text`] drops tags,
//! turns block ends and `<br>` into line breaks and decodes the common entities. It is a
//! reading aid, not a sanitizer: the HTML itself is kept as `html_body`.

/// The text of an HTML fragment.
pub(crate) fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut out, &rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            // An unclosed `<` is text.
            push_text(&mut out, &rest[open..]);
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        let breaks = matches!(name, "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3")
            && (name == "br" || tag.starts_with('/'));
        if breaks && !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
        rest = &rest[open + close + 1..];
    }
    push_text(&mut out, rest);
    out.trim().to_owned()
}

fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let entity = after.find(';').filter(|end| *end <= 10).and_then(|end| {
            let decoded = match &after[1..end] {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                other => other
                    .strip_prefix('#')
                    .and_then(|n| n.parse::<u32>().ok())
                    .and_then(char::from_u32),
            };
            decoded.map(|c| (c, end))
        });
        match entity {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn tags_are_dropped_and_blocks_break_lines() {
        assert_eq!(
            to_text("<p>Hello <b>there</b></p><p>Line&nbsp;two &amp; more</p>"),
            "Hello there\nLine two & more"
        );
        assert_eq!(to_text("a<br>b<br/>c"), "a\nb\nc");
        assert_eq!(
            to_text("1 &lt; 2 &#39;x&#39; &unknown; & done"),
            "1 < 2 'x' &unknown; & done"
        );
        assert_eq!(to_text("plain text"), "plain text");
        assert_eq!(to_text("a < b"), "a < b");
    }

    proptest! {
        #[test]
        fn any_input_gives_text_without_panicking(html in "\\PC{0,200}") {
            let _ = to_text(&html);
        }
    }
}
