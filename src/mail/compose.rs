//! Putting a message together: text and HTML alternatives, inline images, attachments, and
//! a Message-ID that stays the same for the outbox row, so a resend after a crash is
//! recognisably the same message. Also the two rules for text that people typed.

use crate::mail::db::OutboxRow;
use crate::platform::mailer::Mailer;
use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};

/// Text for HTML: markup characters escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Text a stranger typed (a name), made so mail programs do not turn it into a link: a
/// zero-width non-joiner after each `.` (and its full-width look-alikes), `@`, `:` and `/`
/// breaks the address or URL it might spell while reading the same.
pub fn unlinkable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        out.push(c);
        if matches!(c, '.' | '@' | ':' | '/' | '。' | '．' | '｡') {
            out.push('\u{200C}');
        }
    }
    out
}

/// A short message of a few lines and one button-like link, as text and HTML, and the text
/// kept on the sent mail page, where a link that grants something (a reset, an invitation)
/// is replaced unless `keep_link`.
pub struct LinkMessage {
    pub text: String,
    pub html: String,
    pub recorded: String,
}

pub fn link_message<S: AsRef<str>>(lines: &[S], url: &str, label: &str, keep_link: bool) -> LinkMessage {
    let body = lines.iter().map(AsRef::as_ref).collect::<Vec<_>>().join("\n");
    let text = format!("{body}\n\n{label}: {url}\n\nEventOS\n");
    let html = format!(
        "{}<p><a href=\"{}\">{}</a></p>",
        lines.iter().map(|l| format!("<p>{}</p>", escape(l.as_ref()))).collect::<String>(),
        escape(url),
        escape(label)
    );
    let recorded = if keep_link { text.clone() } else { format!("{body}\n\n{label}: [link removed]\n") };
    LinkMessage { text, html, recorded }
}

/// One message's parts, in the order they are shown.
pub struct Draft {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `(content id, PNG)` pairs the HTML shows with `cid:` links.
    pub images: Vec<(String, Vec<u8>)>,
    /// `(file name, content type, bytes)` attached to the message.
    pub files: Vec<(String, &'static str, Vec<u8>)>,
}

pub fn build(mailer: &Mailer, row: &OutboxRow, draft: Draft) -> Result<Message, String> {
    let mut related = MultiPart::related().multipart(MultiPart::alternative_plain_html(draft.text, draft.html));
    for (cid, png) in draft.images {
        let png_type = ContentType::parse("image/png").map_err(|e| e.to_string())?;
        related = related.singlepart(Attachment::new_inline(cid).body(png, png_type));
    }
    let mut mixed = MultiPart::mixed().multipart(related);
    for (name, content_type, bytes) in draft.files {
        let content_type = ContentType::parse(content_type).map_err(|e| e.to_string())?;
        let part: SinglePart = Attachment::new(name).body(bytes, content_type);
        mixed = mixed.singlepart(part);
    }
    let to = row.recipient.parse().map_err(|e| format!("bad recipient {}: {e}", row.recipient))?;
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(draft.subject)
        .message_id(Some(format!("<{}@eventos>", row.id)))
        .multipart(mixed)
        .map_err(|e| format!("cannot build the message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_names_cannot_spell_a_link_but_read_the_same() {
        let name = unlinkable("Visit www.evil.example/login or me@evil.example");
        assert!(!name.contains("www.evil"));
        assert!(!name.contains("@evil"));
        assert_eq!(name.replace('\u{200C}', ""), "Visit www.evil.example/login or me@evil.example");
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<a href=\"x\">&</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    }
}
